#!/bin/bash
# Escalation end to end against the real sandbox: a give-up raises an alert for the operator with
# the failing run's log lines (exec and webhook channels, journal, signals); without an
# acknowledgement it goes to the superior and is repeated there; acknowledging stops it; people
# escalate and resolve; a stable run resolves by itself; timers survive kill -9 of orchd;
# webhooks that are down or never answer; a storm of 100 give-ups is rate-limited and grouped;
# contacts set at run time; bad configuration named by file and line.
. "$(dirname "$0")/lib.sh"

ALERT_IFACE=org.orchd.Orchestrator1.Alert
receiver=$ORCHD_SOURCE_DIR/tests/integration/webhook-receiver.py
sb sh -c "setsid python3 $receiver ok /var/tmp/hook.port /var/tmp/hook.log > /dev/null 2>&1 < /dev/null &"
sb sh -c "setsid python3 $receiver hang /var/tmp/hang.port /var/tmp/hang.log > /dev/null 2>&1 < /dev/null &"
check "the webhook receivers listen" wait_until 10 sb test -s /var/tmp/hook.port -a -s /var/tmp/hang.port
hook_port=$(sb cat /var/tmp/hook.port) hang_port=$(sb cat /var/tmp/hang.port)
# A port with nothing behind it: the receiver's own port is taken, so use one just closed.
down_port=$(sb python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Channels write what they got to files in the sandbox: one line per notification.
sb sh -c 'cat > /var/tmp/record.sh && chmod +x /var/tmp/record.sh' <<'EOF'
#!/bin/sh
echo "$ORCHD_INSTANCE level=$ORCHD_ALERT_LEVEL event=$ORCHD_ALERT_EVENT count=$ORCHD_ALERT_COUNT ids=$ORCHD_ALERT_IDS" >> /var/tmp/$1.log
printf '%s\n' "$ORCHD_ALERT_LOG" >> /var/tmp/$1.excerpt
EOF
recorder() { echo "/var/tmp/record.sh $1"; }
sb sh -c "mkdir -p /etc/orchd && cat > /etc/orchd/orchd.conf" <<EOF
[Supervision]
RestartDelaySec=0.05
RestartMaxDelaySec=0.2
StableSec=2

[Escalation]
Operators=alice
AckTimeoutSec=4
RepeatSec=3
NotifyBurst=3
NotifyIntervalSec=4
WebhookTimeoutSec=0.5
WebhookAttempts=2

[Contact alice]
Role=operator
User=nobody
Exec=$(recorder alice)
Webhook=http://127.0.0.1:$hook_port/hooks/alice?token=s3cret

[Contact bob]
Role=superior
Exec=$(recorder bob)
EOF
check "orchd --verify-config accepts the file" sb orchd --verify-config
check "Reload() reads it" manager_call Reload
sb sh -c 'busctl monitor --match "type=signal,interface=org.orchd.Orchestrator1.Manager" > /var/tmp/signals.log 2>&1 &'
sleep 0.5
signals() { sb sh -c "grep -c 'Member=$1' /var/tmp/signals.log || true"; }
count_lines() { sb sh -c "cat /var/tmp/$1 2>/dev/null | grep -c -- '$2' || true"; }
alert_path() { instance_prop "$1" Alert; }
alert_prop() { sb busctl get-property "$ORCHD_DEST" "$(alert_path "$1")" "$ALERT_IFACE" "$2" | sed 's/^[a-z]* //; s/^"\(.*\)"$/\1/'; }
has_alert() { local p; p=$(alert_path "$1") && [ -n "$p" ] && [ "$p" != / ]; }
export -f sb instance_prop alert_path alert_prop has_alert count_lines
export ORCHD_BUILD_DIR SANDBOX_TOOL ORCHD_DEST ORCHD_PATH ORCHD_MANAGER ORCHD_INSTANCE ALERT_IFACE

# Desktop agents of two users: nobody (alice's User=, a recipient) and daemon (no contact).
agent=$ORCHD_BUILD_DIR/tests/integration/orchd-test-agent
for user in nobody daemon; do
        sb runuser -u $user -- sh -c "setsid $agent /var/tmp/agent-$user.log > /dev/null 2>&1 < /dev/null &"
done
check "two desktop agents registered" wait_until 10 bash -c 'sb grep -q registered /var/tmp/agent-nobody.log && sb grep -q registered /var/tmp/agent-daemon.log'

# --- A give-up raises an alert for the operator, with the log lines of the failing run.
# (The pause before the exit: lines a program writes to stdout just before it exits can reach the
# journal after systemd's own line on that exit, which is what orchd waits for; seen once in CI,
# the alert then had systemd's lines only. The note of stop 10 has it.)
manager_call AddInstance 'sasa{sv}' walle 3 /bin/sh -c 'echo "walle: battery at 3%"; echo "walle: cannot move" >&2; sleep 0.2; exit 3' 3 \
        Restart s on-failure RestartAttempts u 3 Start b true > /dev/null 2>&1
check "walle gives up and has an alert" wait_until 20 has_alert walle
check_eq "the alert is open at level 1" "open 1" "$(alert_prop walle State) $(alert_prop walle Level)"
check_eq "its recipients are the operators" 'as 1 "alice"' "$(sb busctl get-property "$ORCHD_DEST" "$(alert_path walle)" "$ALERT_IFACE" Recipients)"
alert=$(alert_prop walle Id)
check_match "ListAlerts has it" "\"$alert\" \"walle\" \"open\" 1 \"Instance walle gave up: 3 failures" "$(manager_call ListAlerts)"
check "alice's exec channel ran" wait_until 10 bash -c '[ "$(count_lines alice.log "^walle level=1 event=raised count=1 ids=")" = 1 ]'
check_match "with the failing run's log lines" 'walle: cannot move' "$(sb cat /var/tmp/alice.excerpt)"
check "alice's webhook got the alert" wait_until 10 sb grep -q "$alert" /var/tmp/hook.log
hook=$(sb grep "$alert" /var/tmp/hook.log | head -1)
check_eq "as a JSON POST to her URL with the alert's facts and log" \
        "/hooks/alice?token=s3cret application/json $alert walle 1 open raised alice True" \
        "$(printf '%s' "$hook" | python3 -c 'import json,sys; r=json.load(sys.stdin); b=json.loads(r["body"]); print(r["path"], r["type"], b["alert_id"], b["instance"], b["level"], b["state"], b["event"], b["contact"], any("cannot move" in l for l in b["log"]))')"
check_eq "bob (superior) heard nothing yet" 0 "$(count_lines bob.log walle)"
check "alice's desktop agent (uid of User=nobody) got Agent.Notify" wait_until 10 sb grep -q "^$alert walle 1 " /var/tmp/agent-nobody.log
check_match "with the answers offered, a summary and the log lines" \
        "^$alert walle 1 acknowledge,escalate,restart,resolve\|walle: gave up \(level 1\)\|Instance walle gave up.*cannot move" \
        "$(sb grep "^$alert" /var/tmp/agent-nobody.log)"
check_eq "the agent of a user who is no recipient got nothing" registered "$(sb cat /var/tmp/agent-daemon.log)"
check_eq "AlertRaised was broadcast once" 1 "$(signals AlertRaised)"
check_eq "InstanceGaveUp was broadcast once" 1 "$(signals InstanceGaveUp)"
check_eq "the broadcast signals carry no log text" "" "$(sb grep -o 'cannot move' /var/tmp/signals.log)"
check_match "the journal has the alert with its MESSAGE_ID, also under the instance's unit" "$alert" \
        "$(sb journalctl -u orchd-walle.service MESSAGE_ID=246be3abad71478399fbdc6a64287818 -o export | grep ^ORCHD_ALERT_ID=)"
check_match "orchctl status shows the open alert" "Alert: $alert open, level [12]" "$(sb orchctl status walle)"
check_match "GetLog gives the log lines to root" 'walle: battery at 3%' "$(sb busctl call "$ORCHD_DEST" "$(alert_path walle)" "$ALERT_IFACE" GetLog)"
check_error "an ordinary user who is no recipient may not read them" 'InteractiveAuthorizationRequired' \
        sb runuser -u daemon -- gdbus call --system --dest "$ORCHD_DEST" --object-path "$(alert_path walle)" --method "$ALERT_IFACE.GetLog"
check_match "the alert's recipient (User=nobody) may" 'cannot move' \
        "$(sb runuser -u nobody -- gdbus call --system --dest "$ORCHD_DEST" --object-path "$(alert_path walle)" --method "$ALERT_IFACE.GetLog" 2>&1)"

# --- No acknowledgement within AckTimeoutSec: the superior; then repeated every RepeatSec.
check "without an acknowledgement it escalates to level 2" wait_until 10 bash -c '[ "$(alert_prop walle Level)" = 2 ]'
raised=$(alert_prop walle RaisedUSec) escalated=$(alert_prop walle EscalatedUSec)
check "after AckTimeoutSec=4 (took $(( (escalated - raised) / 1000 )) ms)" test $((escalated - raised)) -ge 3990000 -a $((escalated - raised)) -le 4600000
check "bob's exec channel ran at level 2" wait_until 10 bash -c '[ "$(count_lines bob.log "^walle level=2 event=timer")" -ge 1 ]'
check_eq "AlertEscalated was broadcast" 1 "$(signals AlertEscalated)"
check "unacknowledged at the top level, it is repeated to bob" wait_until 10 bash -c '[ "$(count_lines bob.log "^walle level=2")" -ge 2 ]'
check_eq "alice is not told again" 1 "$(count_lines alice.log '^walle ')"

# --- Acknowledging stops the repeats.
check "orchctl ack" sb orchctl ack walle "on my way"
check_eq "acknowledged, no next action" "acknowledged 0 uid 0 (root) on my way" \
        "$(alert_prop walle State) $(alert_prop walle NextActionUSec) $(alert_prop walle AcknowledgedBy) $(alert_prop walle Note)"
n=$(count_lines bob.log '^walle ')
sleep 4
check_eq "no repeat after the acknowledgement" "$n" "$(count_lines bob.log '^walle ')"
check_error "a second acknowledgement is a bad state" 'BadState' gcall AcknowledgeAlert "$alert" ''
check_error "escalating at the top level is a bad state" 'BadState' gcall EscalateAlert "$alert" ''
check_error "an unknown alert" 'NoSuchAlert' gcall AcknowledgeAlert 01a23456-0000-7000-8000-000000000000 ''
check_error "a note of two lines is refused" 'InvalidArgument' gcall ResolveAlert "$alert" $'one\ntwo'

# --- Resolved by a person.
check "orchctl resolve" sb orchctl resolve "$alert" "replaced the battery"
check_eq "resolved by root" "resolved uid 0 (root)" "$(sb busctl get-property "$ORCHD_DEST" "$(manager_call GetAlert s "$alert" | sed 's/^o "\(.*\)"$/\1/')" "$ALERT_IFACE" State ResolvedBy | sed 's/^s "\(.*\)"$/\1/' | tr '\n' ' ' | sed 's/ $//')"
check_eq "the instance has no open alert any more" / "$(alert_path walle)"
check_eq "AlertResolved was broadcast" 1 "$(signals AlertResolved)"

# --- A person escalates at once ("cannot fix").
manager_call AddInstance 'sasa{sv}' eve 3 /bin/sh -c 'exit 5' 3 Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1
check "eve gives up" wait_until 10 has_alert eve
check "orchctl escalate" sb orchctl escalate eve "cannot fix it"
check_eq "level 2 at once" "open 2" "$(alert_prop eve State) $(alert_prop eve Level)"
check "bob hears of eve" wait_until 10 bash -c '[ "$(count_lines bob.log "^eve level=2 event=escalate")" = 1 ]'

# --- orchd killed during an open alert keeps its timers (and the alert).
manager_call AddInstance 'sasa{sv}' robo 3 /bin/sh -c 'exit 6' 3 Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1
check "robo gives up" wait_until 10 has_alert robo
robo_alert=$(alert_prop robo Id) robo_raised=$(alert_prop robo RaisedUSec)
sb kill -9 "$(unit_prop orchd.service MainPID)"
check "orchd is back after kill -9" wait_until 20 bash -c '[ "$(alert_prop robo Id)" = "'"$robo_alert"'" ]'
check "the alert's timer still escalates it" wait_until 10 bash -c '[ "$(alert_prop robo Level)" = 2 ]'
esc=$(alert_prop robo EscalatedUSec)
check "on time despite the restart of orchd ($(( (esc - robo_raised) / 1000 )) ms after it was raised)" \
        test $((esc - robo_raised)) -ge 3990000 -a $((esc - robo_raised)) -le 6000000
check "its state file is valid and no temporary file is left" sb sh -c "test -f /var/lib/orchd/$robo_alert.alert && ! ls -a /var/lib/orchd | grep -q '^\.#'"

# --- A stable run resolves the alert by itself.
manager_call AddInstance 'sasa{sv}' flaky 3 /bin/sh -c 'test -e /var/tmp/fixed || exit 4; exec sleep 100000' 3 \
        Restart s on-failure RestartAttempts u 2 Start b true > /dev/null 2>&1
check "flaky gives up" wait_until 10 has_alert flaky
flaky_alert=$(alert_prop flaky Id)
sb touch /var/tmp/fixed
check "started again by a person" sb orchctl start flaky
check "after StableSec of running its alert resolves itself" wait_until 10 bash -c '[ "$(alert_path flaky)" = / ]'
check_eq "resolved by orchd" "resolved orchd" "$(manager_call ListAlerts | grep -o "\"$flaky_alert\" \"flaky\" \"resolved\"" | cut -d' ' -f3 | tr -d '"') $(sb busctl get-property "$ORCHD_DEST" "$(manager_call GetAlert s "$flaky_alert" | sed 's/^o "\(.*\)"$/\1/')" "$ALERT_IFACE" ResolvedBy | sed 's/^s "\(.*\)"$/\1/')"

# --- A run of StableSec resets the backoff: every restart of a robot that fails after 2.3 s
# waits the first delay (0.05 s ±10 %) again, not 0.1, 0.2, ...
manager_call AddInstance 'sasa{sv}' steady 3 /bin/sh -c 'sleep 2.3; exit 1' 3 Restart s on-failure RestartAttempts u 100 Start b true > /dev/null 2>&1
check "steady has been restarted three times" wait_until 15 bash -c '[ "$(instance_prop steady RestartCount)" -ge 3 ]'
delays=$(sb journalctl --no-pager -o cat -u orchd.service | sed -n 's/^Instance steady: run ended.*restarting in \([0-9.]*\) s\.$/\1/p' | head -3 | tr '\n' ' ')
check_match "each delay is the first one again ($delays)" '^0\.0(4[5-9]|5[0-5])[0-9]* 0\.0(4[5-9]|5[0-5])[0-9]* 0\.0(4[5-9]|5[0-5])[0-9]* $' "$delays"
manager_call RemoveInstance s steady > /dev/null

# --- Webhooks that are down or never answer: reported in the journal, orchd stays responsive.
manager_call SetContact 'sa{sv}' dave 2 Role s operator Webhook s "http://127.0.0.1:$down_port/x" > /dev/null
manager_call SetContact 'sa{sv}' hal 2 Role s operator Webhook s "http://127.0.0.1:$hang_port/y" > /dev/null
manager_call AddInstance 'sasa{sv}' sick 3 /bin/sh -c 'exit 7' 4 Restart s on-failure RestartAttempts u 1 Operators as 2 dave hal Start b true > /dev/null 2>&1
check "sick gives up" wait_until 10 has_alert sick
check "the server that never answers got the POST" wait_until 10 sb test -s /var/tmp/hang.log
start=$(date +%s%N)
manager_call ListInstances > /dev/null
check "orchd answers at once while a webhook hangs ($(( ($(date +%s%N) - start) / 1000000 )) ms)" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000
failed() { sb journalctl MESSAGE_ID=4a5f83ebf1004a78aae0049466f01f97 ORCHD_CONTACT="$1" -o cat; }
export -f failed
check "a webhook to a closed port is reported as failed" wait_until 15 bash -c 'failed dave | grep -q "Connection refused"'
check "a webhook that never answers times out and is reported" wait_until 15 bash -c 'failed hal | grep -q "timed out"'
check_eq "the reports do not show the URL (it may hold a token)" "" "$(sb journalctl -o cat -u orchd.service | grep -o 'token=s3cret' | head -1)"

# --- Contacts at run time.
check_match "ListContacts shows the run-time contacts, without their URLs" '"dave" "operator" "" 2 "journal" "webhook"' "$(manager_call ListContacts)"
check "orchctl contact set makes carol a superior" sb orchctl contact set carol --role=superior --exec=/bin/true
check_match "orchctl contacts lists her" 'carol +superior' "$(sb orchctl contacts)"
check_error "an unknown option of SetContact" InvalidArgument gcall SetContact carol "{'Phone': <'555'>}"
check_error "a bad role" InvalidArgument gcall SetContact carol "{'Role': <'boss'>}"
check_error "a relative Exec" InvalidArgument gcall SetContact carol "{'Exec': <'page-carol'>}"
check_error "a webhook that is no http URL" InvalidArgument gcall SetContact carol "{'Webhook': <'ftp://x'>}"
check_eq "carol is unchanged by the refused calls" superior "$(manager_call ListContacts | grep -o '"carol" "[a-z]*"' | cut -d'"' -f4)"
check "RemoveContact of a configured contact" manager_call RemoveContact s bob
check_error "it is gone" NoSuchContact gcall RemoveContact bob
sb systemctl restart orchd.service
check_eq "contacts set and removed at run time survive a restart of orchd" "carol dave hal" \
        "$(manager_call ListContacts | grep -o '"[a-z]*" "\(operator\|superior\)"' | cut -d'"' -f2 | grep -v alice | sort | tr '\n' ' ' | sed 's/ $//')"

# --- A storm: 100 instances give up at once; the operator's channel is rate-limited and grouped.
manager_call SetContact 'sa{sv}' storm 2 Role s operator Exec s "$(recorder storm)" > /dev/null
sb sh -c 'for k in $(seq 1 100); do
        busctl call --timeout=60 -- org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager \
                AddInstance "sasa{sv}" s$k 3 /bin/sh -c "exit 9" 4 Restart s on-failure RestartAttempts u 1 Operators as 1 storm Start b true > /dev/null 2>&1 &
done; wait'
n_alerts() { sb busctl get-property org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager NAlerts | sed 's/^u //'; }
export -f n_alerts
check "100 alerts are open" wait_until 60 bash -c '[ "$(n_alerts)" -ge 100 ]'
storm_total() { sb sh -c 'grep -o "count=[0-9]*" /var/tmp/storm.log | cut -d= -f2 | awk "{ s += \$1 } END { print s + 0 }"'; }
export -f storm_total
check "the held-back notifications went out grouped" wait_until 20 bash -c '[ "$(storm_total)" = 100 ]'
runs=$(count_lines storm.log '^')
check "100 alerts reached the operator in $runs notifications (NotifyBurst=3, then grouped)" test "$runs" -ge 4 -a "$runs" -le 6
check_match "a grouped notification lists many alerts" 'count=([4-9][0-9]|9[0-7])' "$(sb cat /var/tmp/storm.log)"
check_match "NotificationsGrouped counts them" '^t [1-9][0-9]+$' "$(sb busctl get-property "$ORCHD_DEST" "$ORCHD_PATH" "$ORCHD_MANAGER" NotificationsGrouped)"

# --- Bad configuration: file and line, the running configuration stays.
sb sh -c 'mkdir -p /etc/orchd/orchd.conf.d && printf "[Escalation]\nAckTimeoutSec=soon\n\n[Contact x]\nRole=boss\nPager=1\n" > /etc/orchd/orchd.conf.d/60-bad.conf'
out=$(gcall Reload 2>&1)
check_match "Reload() refuses a bad file naming file and line" '60-bad.conf:2: AckTimeoutSec=soon' "$out"
check_match "every problem" '60-bad.conf:5: Role=boss.*60-bad.conf:6: Pager' "$out"
check_exit "orchd --verify-config fails on it" 1 sb orchd --verify-config
manager_call AddInstance 'sasa{sv}' after 3 /bin/sh -c 'exit 1' 3 Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1
check "an instance gives up after the refused reload" wait_until 10 has_alert after
check_eq "its alert still has AckTimeoutSec=4 (the running configuration stayed)" 4000000 \
        "$(( $(alert_prop after NextActionUSec) - $(alert_prop after RaisedUSec) ))"
sb rm /etc/orchd/orchd.conf.d/60-bad.conf

check "journalctl --update-catalog reads orchd's catalog" sb journalctl --update-catalog
check_match "journalctl -x explains the entry" "Subject: Alert raised for instance walle" \
        "$(sb journalctl -x --no-pager -n 1 MESSAGE_ID=246be3abad71478399fbdc6a64287818 ORCHD_INSTANCE=walle 2>&1)"

# Introspection of an Alert object matches the contract.
live=$(mktemp "$ORCHD_SANDBOX/introspect.XXXXXX")
sb busctl --xml-interface introspect "$ORCHD_DEST" "$(manager_call GetAlert s "$alert" | sed 's/^o "\(.*\)"$/\1/')" > "$live"
check "the Alert interface matches the contract" "$ORCHD_SOURCE_DIR/tests/integration/compare-introspection.py" \
        --skip=org.orchd.Orchestrator1.Agent --skip=org.orchd.Orchestrator1.Manager --skip=org.orchd.Orchestrator1.Instance \
        "$ORCHD_SOURCE_DIR/dbus/org.orchd.Orchestrator1.xml" "$live"
rm -f "$live"

check_no_sanitizer_reports
finish
