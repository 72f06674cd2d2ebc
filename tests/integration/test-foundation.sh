#!/bin/bash
# The foundation: orchd runs as a real Type=dbus unit under the sandbox's systemd, answers on the
# system bus, matches its XML contract, is reached by orchctl, and stops cleanly.
. "$(dirname "$0")/lib.sh"

version=$(sed -n "s/^ *version : '\(.*\)',$/\1/p" "$ORCHD_SOURCE_DIR/meson.build")

check_eq "orchd.service is active" active "$(sb systemctl is-active orchd.service)"
check_eq "orchd.service is Type=dbus with its bus name" "dbus org.orchd.Orchestrator1" \
        "$(sb systemctl show -P Type orchd.service) $(sb systemctl show -P BusName orchd.service)"
check_eq "orchd reported READY and its status" "Serving org.orchd.Orchestrator1" \
        "$(sb systemctl show -P StatusText orchd.service)"
check_eq "only root's orchd owns the bus name" root \
        "$(sb busctl status --no-pager org.orchd.Orchestrator1 | sed -n 's/^EUID=0$/root/p')"

introspection=$(sb busctl introspect --no-pager org.orchd.Orchestrator1 /org/orchd/Orchestrator1)
check_match "busctl introspect shows the Manager interface" \
        '^org\.orchd\.Orchestrator1\.Manager +interface' "$introspection"
check_match "the Manager has the Version property" \
        "^\.Version +property +s +\"$version\"" "$introspection"
check_match "the manager object implements ObjectManager" \
        '^org\.freedesktop\.DBus\.ObjectManager +interface' "$introspection"

live=$(mktemp "$ORCHD_SANDBOX/introspect.XXXXXX")
live_instance=$(mktemp "$ORCHD_SANDBOX/introspect.XXXXXX")
sb busctl --xml-interface introspect org.orchd.Orchestrator1 /org/orchd/Orchestrator1 > "$live"
sb busctl call org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager AddInstance 'sasa{sv}' probe 1 /bin/true 0 > /dev/null
sb busctl --xml-interface introspect org.orchd.Orchestrator1 /org/orchd/Orchestrator1/instance/probe > "$live_instance"
check "live introspection of every interface matches dbus/org.orchd.Orchestrator1.xml" \
        "$ORCHD_SOURCE_DIR/tests/integration/compare-introspection.py" \
        --skip=org.orchd.Orchestrator1.Agent --skip=org.orchd.Orchestrator1.Alert \
        "$ORCHD_SOURCE_DIR/dbus/org.orchd.Orchestrator1.xml" "$live" "$live_instance"
sb busctl call org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager RemoveInstance s probe > /dev/null
rm -f "$live" "$live_instance"
check "the polkit policy is valid" xmllint --noout --dtdvalid /usr/share/polkit-1/policyconfig-1.dtd "$ORCHD_SOURCE_DIR/polkit/org.orchd.Orchestrator1.policy"
check_match "polkitd (activated on demand) knows orchd's actions" 'org\.orchd\.Orchestrator1\.manage' \
        "$(sb pkaction --action-id org.orchd.Orchestrator1.manage 2>&1)"
check "the polkit rules file is installed" sb test -s /usr/share/polkit-1/rules.d/60-orchd.rules
check "the contract XML is well-formed" xmllint --noout "$ORCHD_SOURCE_DIR/dbus/org.orchd.Orchestrator1.xml"
check "the installed contract is the source's" sb cmp /usr/share/dbus-1/interfaces/org.orchd.Orchestrator1.xml \
        /dev/stdin < "$ORCHD_SOURCE_DIR/dbus/org.orchd.Orchestrator1.xml"

out=$(sb orchctl version 2>&1)
check_eq "orchctl version prints client and daemon versions" \
        "$(printf 'orchctl %s\norchd %s' "$version" "$version")" "$out"
check_eq "orchctl without a verb lists instances" "$(sb orchctl list 2>&1)" "$(sb orchctl 2>&1)"
check_match "orchctl --help lists the commands" '^Usage: orchctl .*' "$(sb orchctl --help)"
check_exit "orchctl rejects an unknown verb with exit 2" 2 sb orchctl frobnicate
check_exit "orchctl rejects an unknown option with exit 2" 2 sb orchctl --frobnicate
check_exit "orchctl rejects extra arguments with exit 2" 2 sb orchctl version extra
check_exit "orchctl rejects an empty --host with exit 2" 2 sb orchctl -H '' version
check_exit "orchctl as an ordinary user reads the version" 0 sb setpriv --reuid=65534 --regid=65534 --clear-groups orchctl version

check_match "orchd logs to the journal with its source location" '"CODE_FILE" *: *"[^"]*manager\.c"' \
        "$(sb journalctl --no-pager -o json -u orchd.service | grep -m1 'serving org')"

# A clean stop: SIGTERM ends the loop, the unit ends with Result=success and exit status 0.
check "systemctl stop orchd succeeds" sb systemctl stop orchd.service
check_eq "orchd exited cleanly on SIGTERM" "success 0 inactive" \
        "$(sb systemctl show -P Result orchd.service) $(sb systemctl show -P ExecMainStatus orchd.service) $(sb systemctl is-active orchd.service)"
check_match "orchd logged its shutdown" 'orchd stopping\.' "$(sb journalctl --no-pager -o cat -u orchd.service)"
check_no_sanitizer_reports

# Bus activation brings it back on the first call.
check_eq "a call to the bus name activates orchd" "s \"$version\"" \
        "$(sb busctl get-property org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager Version)"
check_eq "orchd.service is active again" active "$(sb systemctl is-active orchd.service)"

# When orchd cannot run, orchctl says so clearly and exits 69.
sb systemctl stop orchd.service
sb systemctl mask --runtime --quiet orchd.service
rc=0; out=$(sb orchctl version 2>&1) || rc=$?
check_eq "orchctl exits 69 when orchd is not running" 69 "$rc"
check_match "orchctl explains that orchd is not running" '^orchd is not running .*systemctl start orchd' "$out"
sb systemctl unmask --runtime --quiet orchd.service
check "orchd starts again after unmasking" sb systemctl start orchd.service

finish
