#!/bin/bash
# Runtime instances as transient units: every Manager and Instance method through busctl, success
# and each error, against the real systemd of the sandbox.
. "$(dirname "$0")/lib.sh"

uuid7='^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
files() { sb sh -c "ls /var/lib/orchd | sort | tr \"\\n\" \" \""; }

# --- AddInstance ---------------------------------------------------------------------------
out=$(manager_call AddInstance 'sasa{sv}' web 2 /bin/sleep 1000 1 Description s "the web robot")
id=$(printf '%s' "$out" | sed -n 's/^so "\([^"]*\)" .*/\1/p')
check_match "AddInstance returns a UUIDv7 id" "$uuid7" "$id"
check_match "AddInstance returns the object path" '"/org/orchd/Orchestrator1/instance/web"$' "$out"
check_eq "a new instance is registered" registered "$(instance_prop web State)"
check_eq "its id is found by name" "$id" "$(instance_prop web Id)"
check_eq "and the instance is found by id" web "$(instance_prop "$id" Name)"
check_eq "its state file is written" "web.instance " "$(files)"
check_eq "no unit exists before the first start" "" "$(sb systemctl list-units --all --no-legend 'orchd-web.service')"
check_eq "NInstances counts it" "u 1" "$(sb busctl get-property $ORCHD_DEST $ORCHD_PATH $ORCHD_MANAGER NInstances)"
check_match "ObjectManager lists the instance" '/org/orchd/Orchestrator1/instance/web' \
        "$(sb busctl call $ORCHD_DEST $ORCHD_PATH org.freedesktop.DBus.ObjectManager GetManagedObjects)"
check_match "the instance tree is introspectable" 'node name=.?"web' \
        "$(sb busctl call $ORCHD_DEST $ORCHD_PATH/instance org.freedesktop.DBus.Introspectable Introspect)"

# --- StartInstance -------------------------------------------------------------------------
check "StartInstance succeeds" manager_call StartInstance s web
check_eq "the start job has finished when StartInstance answers" active "$(unit_prop orchd-web.service ActiveState)"
check_eq "the instance is running" running "$(instance_prop web State)"
check_eq "its MainPID is systemd's" "$(unit_prop orchd-web.service MainPID)" "$(instance_prop web MainPID)"
check_eq "its InvocationID is systemd's" "$(unit_prop orchd-web.service InvocationID)" "$(instance_prop web InvocationID)"
check_eq "the unit is transient, in orchd.slice, with Restart=no" "yes orchd.slice no" \
        "$(unit_prop orchd-web.service Transient) $(unit_prop orchd-web.service Slice) $(unit_prop orchd-web.service Restart)"
check_eq "the unit carries the description" "the web robot" "$(unit_prop orchd-web.service Description)"
check_match "the unit runs the instance's argv" 'argv\[\]=/bin/sleep 1000 ' "$(unit_prop orchd-web.service ExecStart)"
check_match "systemctl status shows the instance's unit" 'orchd-web.service - the web robot' \
        "$(sb systemctl status --no-pager orchd-web.service)"
manager_call AddInstance 'sasa{sv}' literal 4 /bin/echo 'cost:$5' '${HOME}' '%n' 1 Start b true > /dev/null
check "an instance's arguments reach the program word for word (no \$VAR or % expansion)" wait_until 10 sh -c \
        "$(declare -f sb); ORCHD_BUILD_DIR='$ORCHD_BUILD_DIR' SANDBOX_TOOL='$SANDBOX_TOOL'; sb journalctl -o cat -u orchd-literal.service | grep -qxF 'cost:\$5 \${HOME} %n'"
manager_call RemoveInstance s literal > /dev/null
check "a second StartInstance of a running instance succeeds" manager_call StartInstance s "$id"
check_eq "WantRunning is set by Start" true "$(instance_prop web WantRunning)"

# --- a crashing instance -------------------------------------------------------------------
manager_call AddInstance 'sasa{sv}' crash 3 /bin/sh -c 'echo crashing now; sleep 0.3; exit 3' 0 > /dev/null
check "StartInstance of a program that will exit 3 succeeds (it was started)" manager_call StartInstance s crash
check "the crashing instance reaches failed" wait_until 10 state_is crash failed
check_eq "its LastExitCode is 3 and LastResult exit-code" "3 exit-code" \
        "$(instance_prop crash LastExitCode) $(instance_prop crash LastResult)"
check_eq "the failed unit stays loaded in systemd" failed "$(unit_prop orchd-crash.service ActiveState)"
check_match "journalctl -u shows the instance's output" 'crashing now' \
        "$(sb journalctl --no-pager -o cat -u orchd-crash.service)"
first_invocation=$(instance_prop crash InvocationID)
check "a failed instance starts again" manager_call StartInstance s crash
check "and fails again" wait_until 10 state_is crash failed
second_invocation=$(instance_prop crash InvocationID)
if [ -n "$second_invocation" ] && [ "$first_invocation" != "$second_invocation" ]; then
        ok "the second run has a new InvocationID"; else not_ok "the second run has a new InvocationID ($first_invocation, $second_invocation)"; fi

# A program that exits at once: whether its start job saw it run depends on timing, so the reply
# may be success or BadState; either way the instance ends failed with its exit code.
manager_call AddInstance 'sasa{sv}' quick 3 /bin/sh -c 'exit 4' 0 > /dev/null
out=$(gcall StartInstance quick 2>&1)
check_match "StartInstance of a program that exits at once answers (success or BadState)" '^\(\)$|Error\.BadState' "$out"
check "and the instance ends failed" wait_until 10 state_is quick failed
check_eq "with exit code 4" 4 "$(instance_prop quick LastExitCode)"

# A program that cannot be executed: the start job itself fails.
manager_call AddInstance 'sasa{sv}' missing 1 /nonexistent/program 0 > /dev/null
check_error "starting a missing program fails with BadState" Error.BadState gcall StartInstance missing
check_eq "and the instance is failed" failed "$(instance_prop missing State)"

# A program that exits 0: exited.
manager_call AddInstance 'sasa{sv}' oneshot 2 /bin/true x 1 Start b true > /dev/null
check "a program that exits 0 ends exited" wait_until 10 state_is oneshot exited
check_eq "with LastExitCode 0 and LastResult success" "0 success" \
        "$(instance_prop oneshot LastExitCode) $(instance_prop oneshot LastResult)"

# --- Stop, Restart, the Instance object's own methods ---------------------------------------
pid_before=$(instance_prop web MainPID)
check "RestartInstance succeeds" manager_call RestartInstance s web
check_eq "the restarted instance runs" running "$(instance_prop web State)"
if [ "$(instance_prop web MainPID)" != "$pid_before" ]; then ok "it has a new MainPID"; else not_ok "it has a new MainPID"; fi
check "Instance.Stop succeeds" sb busctl call $ORCHD_DEST $ORCHD_PATH/instance/web $ORCHD_INSTANCE Stop
check_eq "the stopped instance is stopped" stopped "$(instance_prop web State)"
check_eq "its unit is gone (collected)" inactive "$(unit_prop orchd-web.service ActiveState)"
check_eq "WantRunning is cleared by Stop" false "$(instance_prop web WantRunning)"
check "Instance.Start starts it again" sb busctl call $ORCHD_DEST $ORCHD_PATH/instance/web $ORCHD_INSTANCE Start
check_eq "running again" running "$(instance_prop web State)"

# --- Requires --------------------------------------------------------------------------------
manager_call AddInstance 'sasa{sv}' db 2 /bin/sleep 1000 0 > /dev/null
manager_call AddInstance 'sasa{sv}' app 2 /bin/sleep 1000 1 Requires as 1 db > /dev/null
check "starting an instance starts what it requires" manager_call StartInstance s app
check_eq "both run" "running running" "$(instance_prop db State) $(instance_prop app State)"
check_match "the unit requires and is ordered after the other's unit" 'orchd-db.service' \
        "$(unit_prop orchd-app.service Requires) $(unit_prop orchd-app.service After)"
manager_call AddInstance 'sasa{sv}' orphan 2 /bin/sleep 1000 1 Requires as 1 nobody > /dev/null
check_error "requiring an instance that is not registered fails clearly" "not registered" \
        manager_call StartInstance s orphan

# --- ListInstances -------------------------------------------------------------------------
list=$(manager_call ListInstances)
check_match "ListInstances lists every instance with its state" \
        "\"$id\" \"web\" \"orchd-web.service\" \"running\" \"running\" 0 \"/org/orchd/Orchestrator1/instance/web\"" "$list"
check_match "ListInstances counts 8 instances" '^a\(sssssuo\) 8 ' "$list"

# --- bad input: named errors, nothing created ----------------------------------------------
before_files=$(files)
before_units=$(sb systemctl list-units --all --no-legend 'orchd-*' | wc -l)
check_error "a name with / is InvalidName" Error.InvalidName gcall AddInstance 'a/b' "['/bin/true']" '{}'
check_error "a name .. is InvalidName" Error.InvalidName gcall AddInstance '..' "['/bin/true']" '{}'
check_error "an empty name is InvalidName" Error.InvalidName gcall AddInstance '' "['/bin/true']" '{}'
check_error "a 65-character name is InvalidName" Error.InvalidName gcall AddInstance "$(printf 'a%.0s' $(seq 65))" "['/bin/true']" '{}'
check_error "a name with a control character is InvalidName" Error.InvalidName gcall AddInstance "$(printf 'a\tb')" "['/bin/true']" '{}'
check_error "empty argv is InvalidArgument" Error.InvalidArgument gcall AddInstance x '@as []' '{}'
check_error "a relative executable is InvalidArgument" Error.InvalidArgument gcall AddInstance x "['sleep', '1']" '{}'
check_error "an unknown option is InvalidArgument" Error.InvalidArgument gcall AddInstance x "['/bin/true']" "{'Frobnicate': <true>}"
check_error "an option of the wrong type is InvalidArgument" "RestartAttempts' must be of type 'u'" gcall AddInstance x "['/bin/true']" "{'RestartAttempts': <'five'>}"
check_error "a bad environment entry is InvalidArgument" Error.InvalidArgument gcall AddInstance x "['/bin/true']" "{'Environment': <['1BAD=x']>}"
check_error "an out-of-range CPUWeight is InvalidArgument" Error.InvalidArgument gcall AddInstance x "['/bin/true']" "{'CPUWeight': <uint64 0>}"
check_error "a bad Restart value is InvalidArgument" Error.InvalidArgument gcall AddInstance x "['/bin/true']" "{'Restart': <'sometimes'>}"
check_error "requiring itself is InvalidArgument" Error.InvalidArgument gcall AddInstance x "['/bin/true']" "{'Requires': <['x']>}"
check_error "a Requires cycle is InvalidArgument, named" 'Error.InvalidArgument.*nobody → orphan → nobody' \
        gcall AddInstance nobody "['/bin/true']" "{'Requires': <['orphan']>}"
check_error "a duplicate name is InstanceExists" Error.InstanceExists gcall AddInstance web "['/bin/true']" '{}'
check_error "an unknown instance is NoSuchInstance" Error.NoSuchInstance gcall StartInstance nobody
check_error "GetInstance of an unknown id is NoSuchInstance" Error.NoSuchInstance gcall GetInstance 0190c3f5-0000-7000-8000-000000000000
check_error "a call with the wrong signature is refused" "Invalid arguments 'u'" sb busctl call $ORCHD_DEST $ORCHD_PATH $ORCHD_MANAGER StartInstance u 5
check_eq "rejected calls wrote no file" "$before_files" "$(files)"
check_eq "rejected calls created no unit" "$before_units" "$(sb systemctl list-units --all --no-legend 'orchd-*' | wc -l)"
nobody="sb setpriv --reuid=65534 --regid=65534 --clear-groups"
check "an ordinary user may add an instance that runs as itself" \
        $nobody gdbus call --system --dest $ORCHD_DEST --object-path $ORCHD_PATH --method $ORCHD_MANAGER.AddInstance y "['/bin/true']" '{}'
check_eq "which runs as that user and is owned by it" "65534 65534" "$(instance_prop y User) $(instance_prop y OwnerUID)"
check_error "but not one that runs as root" InteractiveAuthorizationRequired \
        $nobody gdbus call --system --dest $ORCHD_DEST --object-path $ORCHD_PATH --method $ORCHD_MANAGER.AddInstance y2 "['/bin/true']" "{'User': <'root'>}"
check "and may remove its own" \
        $nobody gdbus call --system --dest $ORCHD_DEST --object-path $ORCHD_PATH --method $ORCHD_MANAGER.RemoveInstance y
check "an ordinary user may read" sb setpriv --reuid=65534 --regid=65534 --clear-groups busctl call $ORCHD_DEST $ORCHD_PATH $ORCHD_MANAGER ListInstances

# --- a forged signal from another peer changes nothing -------------------------------------
sb busctl emit /org/freedesktop/systemd1/unit/orchd_2dweb_2eservice org.freedesktop.DBus.Properties \
        PropertiesChanged 'sa{sv}as' org.freedesktop.systemd1.Unit 2 ActiveState s failed SubState s failed 0
sb busctl emit /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager UnitRemoved so orchd-web.service /org/freedesktop/systemd1/unit/orchd_2dweb_2eservice
sb busctl get-property $ORCHD_DEST $ORCHD_PATH $ORCHD_MANAGER Version > /dev/null  # a round trip after the signals
check_eq "a forged PropertiesChanged and UnitRemoved are ignored" running "$(instance_prop web State)"

# --- RemoveInstance --------------------------------------------------------------------------
check "RemoveInstance of a running instance succeeds" manager_call RemoveInstance s web
check_error "the removed instance is gone" Error.NoSuchInstance gcall GetInstance web
check_eq "its unit is gone" inactive "$(unit_prop orchd-web.service ActiveState)"
check "RemoveInstance of a failed instance succeeds" manager_call RemoveInstance s crash
check_eq "and its failed unit is unloaded" not-found "$(unit_prop orchd-crash.service LoadState)"
check_match "the state files of removed instances are gone" '^app.instance db.instance missing.instance oneshot.instance orphan.instance quick.instance $' "$(files)"

check_no_sanitizer_reports
finish
