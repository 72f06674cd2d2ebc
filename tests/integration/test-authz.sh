#!/bin/bash
# Authorization: a matrix of callers × every mutating method of the contract (read from the XML),
# against the real polkitd of the sandbox.
#   root                     everything
#   alice (group orchd)      manage anyone's instances (polkit rules), add her own; not run as root
#   bob (ordinary user)      his own instances only; others' need authentication
#   a process inside bob's instance: as bob
#   polkitd stopped          root and owners still; everything that needs polkit denied
#   a caller that leaves before polkit answers: nothing happens
. "$(dirname "$0")/lib.sh"

sb useradd -M -G orchd alice
sb useradd -M bob
as() { local user=$1; shift; sb runuser -u "$user" -- "$@"; }
# mcall/icall print a gdbus command line, quoted for bash -c.
mcall() { local method=$1; shift; printf '%q ' gdbus call --system --timeout 30 --dest "$ORCHD_DEST" --object-path "$ORCHD_PATH" --method "$ORCHD_MANAGER.$method" -- "$@"; }
icall() { printf '%q ' gdbus call --system --timeout 30 --dest "$ORCHD_DEST" --object-path "$ORCHD_PATH/instance/$1" --method "$ORCHD_INSTANCE.$2"; }
DENIED='InteractiveAuthorizationRequired|AccessDenied'

# run_as USER CMD...: runs a gdbus call inside the sandbox as USER (root: directly).
run_as() {
        local user=$1; shift
        if [ "$user" = root ]; then sb bash -c "$*"
        else sb runuser -u "$user" -- bash -c "$*"; fi
}
# expect USER ALLOWED|DENIED DESCRIPTION CMD
expect() {
        local user=$1 want=$2 desc=$3 cmd=$4 out rc=0
        out=$(run_as "$user" "$cmd" 2>&1) || rc=$?
        if [ "$want" = ALLOWED ]; then
                if [ $rc = 0 ]; then ok "$user: $desc allowed"; else not_ok "$user: $desc allowed"; echo "$out" | diag; fi
        else
                if [ $rc != 0 ] && printf '%s' "$out" | grep -Eq "$DENIED"; then ok "$user: $desc denied"
                else not_ok "$user: $desc denied"; echo "$out" | diag; fi
        fi
}

# Every mutating method of the contract must appear in this matrix.
methods=$("$ORCHD_SOURCE_DIR/tests/integration/mutating-methods.py" "$ORCHD_SOURCE_DIR/dbus/org.orchd.Orchestrator1.xml" | sort)
covered=$(printf '%s\n' \
        "org.orchd.Orchestrator1.Instance Remove" "org.orchd.Orchestrator1.Instance Restart" \
        "org.orchd.Orchestrator1.Instance Start" "org.orchd.Orchestrator1.Instance Stop" \
        "org.orchd.Orchestrator1.Manager AddInstance" "org.orchd.Orchestrator1.Manager RemoveInstance" \
        "org.orchd.Orchestrator1.Manager RestartInstance" "org.orchd.Orchestrator1.Manager StartInstance" \
        "org.orchd.Orchestrator1.Manager StopInstance" \
        "org.orchd.Orchestrator1.Manager AcknowledgeAlert" "org.orchd.Orchestrator1.Manager EscalateAlert" \
        "org.orchd.Orchestrator1.Manager ResolveAlert" "org.orchd.Orchestrator1.Alert Acknowledge" \
        "org.orchd.Orchestrator1.Alert Escalate" "org.orchd.Orchestrator1.Alert Resolve" \
        "org.orchd.Orchestrator1.Manager SetContact" "org.orchd.Orchestrator1.Manager RemoveContact" \
        "org.orchd.Orchestrator1.Manager RegisterAgent" "org.orchd.Orchestrator1.Manager UnregisterAgent" \
        "org.orchd.Orchestrator1.Manager Reload" "org.orchd.Orchestrator1.Agent Notify" | sort)
check_eq "the matrix covers every mutating method of the contract" "$methods" "$covered"

# One instance per caller class, owned by root.
for n in r1 r2 r3; do manager_call AddInstance 'sasa{sv}' $n 2 /bin/sleep 100000 1 Start b true > /dev/null; done

for user in root alice bob; do
        own=own$user
        # AddInstance: an instance that runs as the caller.
        expect $user ALLOWED "AddInstance of one that runs as itself" "$(mcall AddInstance $own "['/bin/sleep', '100000']" '{}')"
        check_eq "$user: its instance runs as $user" "$([ $user = root ] && echo '' || sb id -u $user)" "$(instance_prop $own User)"
        for verb in Start Stop Restart; do
                expect $user ALLOWED "Manager.${verb}Instance of its own" "$(mcall ${verb}Instance $own)"
                expect $user ALLOWED "Instance.$verb of its own" "$(icall $own $verb)"
        done
        want=$([ $user = bob ] && echo DENIED || echo ALLOWED)
        expect $user $want "Manager.StopInstance of root's" "$(mcall StopInstance r1)"
        expect $user $want "Manager.StartInstance of root's" "$(mcall StartInstance r1)"
        expect $user $want "Manager.RestartInstance of root's" "$(mcall RestartInstance r1)"
        expect $user $want "Instance.Stop of root's" "$(icall r1 Stop)"
        expect $user $want "Instance.Start of root's" "$(icall r1 Start)"
        expect $user $want "Instance.Restart of root's" "$(icall r1 Restart)"
        want=$([ $user = root ] && echo ALLOWED || echo DENIED)
        expect $user $want "AddInstance running as root" "$(mcall AddInstance priv$user "['/bin/true']" "{'User': <'root'>}")"
        expect $user $want "AddInstance with LD_PRELOAD" "$(mcall AddInstance ld$user "['/bin/true']" "{'Environment': <['LD_PRELOAD=/x.so']>}")"
        expect $user ALLOWED "Instance.Remove of its own" "$(icall $own Remove)"
        manager_call AddInstance 'sasa{sv}' gone$user 1 /bin/true 0 > /dev/null
        want=$([ $user = bob ] && echo DENIED || echo ALLOWED)
        expect $user $want "Manager.RemoveInstance of root's" "$(mcall RemoveInstance gone$user)"
        manager_call AddInstance 'sasa{sv}' gonetwo$user 1 /bin/true 0 > /dev/null
        expect $user $want "Instance.Remove of root's" "$(icall gonetwo$user Remove)"
done
check_eq "bob's denied calls changed nothing" "running" "$(instance_prop r1 State)"
check_eq "bob could not remove root's instances" "gonebob gonetwobob" "$(instance_prop gonebob Name) $(instance_prop gonetwobob Name)"

# Alerts: root, the orchd group (polkit rules: respond) and the alert's own recipients may answer;
# others may not. Contacts and reloading are the administrator's (configure).
sb sh -c 'mkdir -p /etc/orchd && printf "[Escalation]\nOperators=ops\n[Contact ops]\nRole=operator\n[Contact bobby]\nRole=operator\nUser=bob\n[Contact boss]\nRole=superior\n" > /etc/orchd/orchd.conf'
manager_call Reload > /dev/null
acall() { printf '%q ' gdbus call --system --timeout 30 --dest "$ORCHD_DEST" --object-path "$(sb busctl call "$ORCHD_DEST" "$ORCHD_PATH" "$ORCHD_MANAGER" GetAlert s "$1" | sed 's/^o "\(.*\)"$/\1/')" --method "org.orchd.Orchestrator1.Alert.$2" -- "$3"; }
alert_of() { instance_prop "$1" Alert; }
alert_id() { sb busctl get-property "$ORCHD_DEST" "$(alert_of "$1")" org.orchd.Orchestrator1.Alert Id | sed 's/^s "\(.*\)"$/\1/'; }
for n in fa fb fc; do manager_call AddInstance 'sasa{sv}' $n 3 /bin/sh -c 'exit 1' 4 Restart s on-failure RestartAttempts u 1 Operators as 1 ops Start b true > /dev/null 2>&1; done
manager_call AddInstance 'sasa{sv}' fbob 3 /bin/sh -c 'exit 1' 4 Restart s on-failure RestartAttempts u 1 Operators as 1 bobby Start b true > /dev/null 2>&1
check "four instances gave up and have alerts" wait_until 20 sh -c "$(declare -f sb instance_prop alert_of); ORCHD_BUILD_DIR='$ORCHD_BUILD_DIR' SANDBOX_TOOL='$SANDBOX_TOOL' ORCHD_DEST=$ORCHD_DEST ORCHD_PATH=$ORCHD_PATH ORCHD_MANAGER=$ORCHD_MANAGER ORCHD_INSTANCE=$ORCHD_INSTANCE; for n in fa fb fc fbob; do [ \"\$(alert_of \$n)\" != / ] || exit 1; done"
a_fa=$(alert_id fa) a_fb=$(alert_id fb) a_fc=$(alert_id fc) a_bob=$(alert_id fbob)
expect bob DENIED "AcknowledgeAlert of an alert not his" "$(mcall AcknowledgeAlert "$a_fa" '')"
expect bob DENIED "Alert.Acknowledge of an alert not his" "$(acall "$a_fa" Acknowledge '')"
expect bob DENIED "EscalateAlert of an alert not his" "$(mcall EscalateAlert "$a_fa" '')"
expect bob DENIED "Alert.Escalate of an alert not his" "$(acall "$a_fa" Escalate '')"
expect bob DENIED "ResolveAlert of an alert not his" "$(mcall ResolveAlert "$a_fa" '')"
expect bob DENIED "Alert.Resolve of an alert not his" "$(acall "$a_fa" Resolve '')"
check_eq "bob's denied answers changed nothing" "open 1" "$(sb busctl get-property "$ORCHD_DEST" "$(alert_of fa)" org.orchd.Orchestrator1.Alert State Level | sed 's/^[a-z]* //; s/"//g' | tr '\n' ' ' | sed 's/ $//')"
expect bob ALLOWED "AcknowledgeAlert of his own alert (recipient)" "$(mcall AcknowledgeAlert "$a_bob" 'on it')"
expect bob ALLOWED "Alert.Escalate of his own alert (recipient)" "$(acall "$a_bob" Escalate 'cannot fix')"
expect bob ALLOWED "Alert.Resolve of his own alert (recipient)" "$(acall "$a_bob" Resolve 'fixed')"
expect alice ALLOWED "AcknowledgeAlert (group orchd)" "$(mcall AcknowledgeAlert "$a_fa" '')"
expect alice ALLOWED "Alert.Escalate (group orchd)" "$(acall "$a_fa" Escalate '')"
expect alice ALLOWED "ResolveAlert (group orchd)" "$(mcall ResolveAlert "$a_fa" '')"
expect root ALLOWED "Alert.Acknowledge" "$(acall "$a_fb" Acknowledge '')"
expect root ALLOWED "EscalateAlert" "$(mcall EscalateAlert "$a_fb" '')"
expect root ALLOWED "Alert.Resolve" "$(acall "$a_fb" Resolve '')"
expect alice ALLOWED "Alert.Acknowledge (group orchd)" "$(acall "$a_fc" Acknowledge '')"
expect alice ALLOWED "Alert.Resolve (group orchd)" "$(acall "$a_fc" Resolve '')"
for user in alice bob; do
        expect $user DENIED "SetContact" "$(mcall SetContact mallory "{'Role': <'superior'>, 'User': <'$user'>}")"
        expect $user DENIED "RemoveContact" "$(mcall RemoveContact boss)"
        expect $user DENIED "Reload" "$(mcall Reload)"
done
check_eq "nobody made themselves a superior" "" "$(manager_call ListContacts | grep -o mallory)"
expect root ALLOWED "SetContact" "$(mcall SetContact carol "{'Role': <'superior'>}")"
expect root ALLOWED "RemoveContact" "$(mcall RemoveContact carol)"
expect root ALLOWED "Reload" "$(mcall Reload)"
for user in root bob; do
        expect $user ALLOWED "RegisterAgent (for its own uid)" "$(mcall RegisterAgent /org/example/agent)"
done
check_error "UnregisterAgent of an agent another connection registered is refused" BadState \
        sb runuser -u bob -- gdbus call --system --dest "$ORCHD_DEST" --object-path "$ORCHD_PATH" --method "$ORCHD_MANAGER.UnregisterAgent" /org/example/agent
# (Agent.Notify is implemented by agents, not by orchd: orchd calls it.)

# A process inside an instance calls as the instance's user.
run_as bob "$(mcall AddInstance insider "['/bin/sh', '-c', 'gdbus call --system --dest org.orchd.Orchestrator1 --object-path /org/orchd/Orchestrator1 --method org.orchd.Orchestrator1.Manager.StopInstance r2 > /var/tmp/insider-r2 2>&1; gdbus call --system --dest org.orchd.Orchestrator1 --object-path /org/orchd/Orchestrator1 --method org.orchd.Orchestrator1.Manager.RestartInstance insider-peer > /var/tmp/insider-own 2>&1; sleep 100000']" '{}')" > /dev/null
run_as bob "$(mcall AddInstance insider-peer "['/bin/sleep', '100000']" '{}')" > /dev/null
run_as bob "$(mcall StartInstance insider)" > /dev/null
check "a process inside bob's instance has made its calls" wait_until 10 sb test -s /var/tmp/insider-own
check_match "a process inside an instance may not stop root's instance" "$DENIED" "$(sb cat /var/tmp/insider-r2)"
check_eq "root's instance still runs" running "$(instance_prop r2 State)"
check_eq "a process inside an instance may restart its owner's other instance" "()" "$(sb cat /var/tmp/insider-own)"

# A caller that leaves before polkit answers: alice may stop r3, but she is gone when the answer
# comes, so nothing is done.
polkit_pid=$(unit_prop polkit.service MainPID)
if [ "$polkit_pid" = 0 ]; then sb pkaction > /dev/null; polkit_pid=$(unit_prop polkit.service MainPID); fi
sb kill -STOP "$polkit_pid"
run_as alice "timeout 2 $(mcall StopInstance r3)" > /dev/null 2>&1
sb kill -CONT "$polkit_pid"
sb busctl call $ORCHD_DEST $ORCHD_PATH $ORCHD_MANAGER ListInstances > /dev/null
sleep 1
check_eq "a caller who left before polkit answered changed nothing" running "$(instance_prop r3 State)"

# polkitd stopped: root and owners still work; what needs polkit is denied.
sb systemctl mask --runtime --now --quiet polkit.service
expect root ALLOWED "StopInstance with polkitd stopped" "$(mcall StopInstance r1)"
expect alice DENIED "StartInstance of root's with polkitd stopped" "$(mcall StartInstance r1)"
expect bob ALLOWED "AddInstance of its own with polkitd stopped" "$(mcall AddInstance late "['/bin/true']" '{}')"
check_eq "the denied call changed nothing" stopped "$(instance_prop r1 State)"
sb systemctl unmask --runtime --quiet polkit.service

check_no_sanitizer_reports
finish
