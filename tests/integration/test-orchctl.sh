#!/bin/bash
# orchctl against the real orchd: every verb, its output, its exit codes.
. "$(dirname "$0")/lib.sh"

oc() { sb orchctl --no-pager "$@"; }

id=$(oc add --name robot --description "a robot" -E GREETING=hello -- /bin/sh -c 'echo "hello from $GREETING"; exec sleep 100000')
check_match "orchctl add prints the new id" '^[0-9a-f]{8}-[0-9a-f]{4}-7' "$id"
check_eq "orchctl add -q prints nothing" "" "$(oc -q add --name quiet -- /bin/sleep 100000)"
check_eq "orchctl add without --name names the instance after the command" sleep \
        "$(oc add -- /bin/sleep 100000 > /dev/null; instance_prop sleep Name)"
check "orchctl start" oc start robot
check_eq "the instance runs" running "$(instance_prop robot State)"
list=$(oc list)
check_match "orchctl list shows it running" 'robot +running' "$list"
check_match "orchctl list ends with a legend" 'instances listed' "$list"
check_eq "orchctl with no verb lists" "$list" "$(oc)"
check_eq "orchctl list --no-legend has no legend" "" "$(oc list --no-legend | grep -i listed || true)"
check "orchctl list --json=short is valid JSON" sh -c "$(declare -f sb); ORCHD_BUILD_DIR='$ORCHD_BUILD_DIR' SANDBOX_TOOL='$SANDBOX_TOOL'; sb orchctl --json=short list | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(i[\"name\"]==\"robot\" for i in d)'"
check "orchctl wait for the output" wait_until 10 sh -c "$(declare -f sb); ORCHD_BUILD_DIR='$ORCHD_BUILD_DIR' SANDBOX_TOOL='$SANDBOX_TOOL'; sb journalctl -u orchd-robot.service -o cat | grep -q 'hello from hello'"
status=$(oc status robot); rc=$?
check_eq "orchctl status of a running instance exits 0" 0 "$rc"
check_match "orchctl status shows the state" 'running' "$status"
check_match "orchctl status shows the unit" 'orchd-robot\.service' "$status"
check_match "orchctl status shows the current run's log" 'hello from hello' "$status"
check_eq "orchctl show -p State --value" running "$(oc show robot -p State --value)"
check_match "orchctl show lists properties" '^Unit=orchd-robot\.service$' "$(oc show robot)"
check_match "orchctl show hides environment values" '^EnvironmentNames=GREETING$' "$(oc show robot)"
check_eq "no property shows an environment value" "" "$(oc show robot | grep 'hello' | grep -v ExecStart || true)"
check_match "orchctl logs shows the instance's output" 'hello from hello' "$(oc logs robot -n 5)"
check "orchctl restart" oc restart robot
check "orchctl stop" oc stop robot
check_exit "orchctl status of a stopped instance exits 3" 3 oc status robot
check_exit "orchctl status of an unknown instance exits 4" 4 oc status nobody
check_exit "orchctl start of an unknown instance exits 4" 4 oc start nobody
check_exit "orchctl add with a bad name exits 1 with the daemon's error" 1 oc add --name 'a/b' -- /bin/true
check_exit "orchctl add without a command exits 2" 2 oc add --name x
check_exit "orchctl with an unknown option exits 2" 2 oc list --frobnicate
check_exit "orchctl --restart=bogus exits 2" 2 oc add --restart=bogus -- /bin/true
check_exit "orchctl remove" 0 oc remove robot quiet sleep
check_eq "nothing is left" "" "$(oc list --no-legend)"
check_exit "an ordinary user gets exit 77 for a call polkit denies" 77 sb setpriv --reuid=65534 --regid=65534 --clear-groups orchctl add --user=root -- /bin/true
check_no_sanitizer_reports
finish
