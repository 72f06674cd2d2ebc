#!/bin/bash
# orchd-notify, the desktop agent, end to end in the sandbox. alice logs in to an active x11
# session (pam_systemd: logind, her user manager, its session bus) with Xvfb and a real
# notification server (dunst); her desktop session starts orchd-notify.service (a second agent from
# the XDG autostart entry exits). An instance gives up and the alert reaches dunst with its summary,
# urgency and buttons; the buttons, pressed through dunst's own context menu (a scripted dmenu),
# escalate (the same notification, now critical), show the log, acknowledge (orchd has it from
# alice) and restart (refused, then allowed through the orchd group); resolving closes the
# notification, and so does a stable run; the agent registers again when orchd restarts; a storm
# arrives grouped, without buttons; alice's exec channel waits while she is at her desktop; bob,
# nobody's contact, gets nothing; the end of alice's session stops her agent. What reaches the
# notification servers is read from dbus-monitor on each user's session bus.
. "$(dirname "$0")/lib.sh"

ALERT_IFACE=org.orchd.Orchestrator1.Alert
calls_py=$ORCHD_SOURCE_DIR/tests/integration/notify-calls.py
agent_asan=ASAN_OPTIONS=detect_leaks=1:abort_on_error=0

alert_path() { instance_prop "$1" Alert; }
alert_prop() { sb busctl get-property "$ORCHD_DEST" "$(alert_path "$1")" "$ALERT_IFACE" "$2" | sed 's/^[a-z]* //; s/^"\(.*\)"$/\1/'; }
has_alert() { local p; p=$(alert_path "$1") && [ -n "$p" ] && [ "$p" != / ]; }
# as USER CMD...: CMD in the sandbox as USER, in their login session's environment (its user
# manager, its session bus, the display).
as() {
        local u=$1 uid
        shift
        uid=$(sb id -u "$u") || return 1
        sb runuser -u "$u" -- env XDG_RUNTIME_DIR="/run/user/$uid" DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" \
                DISPLAY=:5 "$@"
}
usys() { local u=$1; shift; as "$u" systemctl --user "$@"; }
has_bus_name() { as "$1" dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner "string:$2" 2> /dev/null | grep -q 'boolean true'; }
# calls USER notify|close|invoked: what went over USER's session bus to the server (notify-calls.py).
calls() { sb python3 "$calls_py" "/var/tmp/$1/monitor.log" "$2"; }
# notified USER REGEX: a Notify call matching REGEX was made on USER's session bus.
notified() { calls "$1" notify | grep -Eq -- "$2"; }
count_notified() { calls "$1" notify | grep -Ec -- "$2" || true; }
closed() { calls "$1" close | grep -qx -- "$2"; }
invoked() { calls "$1" invoked | grep -qx -- "$2 $3"; }
# press USER ID ACTION: the person picks ACTION of notification ID in dunst's context menu (its
# dmenu is a script that chooses the line "[ID,ACTION]").
press() {
        sb sh -c "echo '[$2,$3]' > /var/tmp/$1/pick"
        as "$1" dunstctl context > /dev/null
        wait_until 10 invoked "$1" "$2" "$3"
}
# What the user's orchd-notify processes logged (the user unit's, the autostart one's).
agent_log() { sb journalctl --no-pager -o cat _UID="$(sb id -u "$1")" SYSLOG_IDENTIFIER=orchd-notify; }
export -f sb instance_prop alert_path alert_prop has_alert as usys has_bus_name calls notified count_notified closed invoked agent_log
export ORCHD_BUILD_DIR SANDBOX_TOOL ORCHD_DEST ORCHD_PATH ORCHD_MANAGER ORCHD_INSTANCE ALERT_IFACE calls_py

sb sh -c 'useradd -m -s /bin/sh alice && useradd -m -s /bin/sh bob'

sb sh -c "cat > /etc/orchd/orchd.conf" <<EOF
[Supervision]
RestartDelaySec=0.05
RestartMaxDelaySec=0.2
StableSec=2

[Escalation]
Operators=alice
AckTimeoutSec=600
RepeatSec=600
NotifyBurst=4
NotifyIntervalSec=3
# alice is at her desktop: her other channels only if she does not acknowledge it there in time.
DesktopAckTimeoutSec=5

[Contact alice]
Role=operator
User=alice
Exec=/var/tmp/exec-alice.sh

# alice is a superior too, so that she hears of the alert again at level 2.
[Contact alice-boss]
Role=superior
User=alice
EOF
sb sh -c 'cat > /var/tmp/exec-alice.sh && chmod 755 /var/tmp/exec-alice.sh && install -m 666 /dev/null /var/tmp/exec-alice.log' <<'EOF'
#!/bin/sh
echo "$ORCHD_INSTANCE $(date +%s%6N)" >> /var/tmp/exec-alice.log
EOF
check "Reload() reads the contacts" manager_call Reload
exec_ran() { sb grep -c "^$1 " /var/tmp/exec-alice.log || true; }
export -f exec_ran

# --- Sessions as on a desktop: alice logs in to an active x11 session (pam_systemd, logind), which
# gives her a user manager and its session bus (dbus-user-session); her desktop starts
# graphical-session.target, which starts orchd-notify.service (enabled with --global), then the XDG
# autostart entries, whose orchd-notify finds the first one there and exits. bob has a text
# session and starts the agent himself.
sb sh -c 'cat > /etc/systemd/user/test-desktop.target' <<'EOF'
[Unit]
Description=A desktop session of the tests
BindsTo=graphical-session.target
Before=graphical-session.target
EOF
sb sh -c 'cat > /etc/systemd/user/test-autostart.target' <<'EOF'
[Unit]
Description=The XDG autostart entries of the tests' desktop
Wants=xdg-desktop-autostart.target
After=graphical-session.target
PartOf=graphical-session.target
EOF
# The notification server outlives the agent at the end of the session (a desktop's shell does).
sb sh -c 'mkdir -p /etc/systemd/user/dunst.service.d && printf "[Unit]\nBefore=orchd-notify.service\n" > /etc/systemd/user/dunst.service.d/test.conf'
check "orchd-notify.service is enabled for every user" sb systemctl --global enable orchd-notify.service
for user in alice bob; do
        type=x11
        [ "$user" = bob ] && type=tty
        sb install -d -o "$user" -g "$user" "/var/tmp/$user"
        sb sh -c "XDG_SESSION_TYPE=$type XDG_SESSION_CLASS=user setsid -f runuser -l $user -c 'exec sleep infinity' < /dev/null > /dev/null 2>&1"
done
alice_uid=$(sb id -u alice) bob_uid=$(sb id -u bob)
check "alice and bob have their user managers and session buses" \
        wait_until 20 sb test -S "/run/user/$alice_uid/bus" -a -S "/run/user/$bob_uid/bus"
session=$(sb loginctl list-sessions --no-legend | awk '$3 == "alice" { print $1 }')
check_eq "alice's session is an active x11 one (logind)" "x11 yes" \
        "$(sb loginctl show-session "$session" -p Type --value) $(sb loginctl show-session "$session" -p Active --value)"
for user in alice bob; do
        usys "$user" set-environment DISPLAY=:5 "$agent_asan"
        as "$user" systemd-run --user --quiet --unit=monitor sh -c "exec dbus-monitor --session > /var/tmp/$user/monitor.log 2>&1"
done
check "each session bus has a monitor" \
        wait_until 10 sb sh -c 'grep -q NameAcquired /var/tmp/alice/monitor.log && grep -q NameAcquired /var/tmp/bob/monitor.log'

sb sh -c 'cat > /var/tmp/alice/dmenu.sh && chmod 755 /var/tmp/alice/dmenu.sh' <<'EOF'
#!/bin/sh
# dunst's context menu: every action of the notifications shown, "#LABEL (SUMMARY) [ID,ACTION]".
menu=$(cat)
printf '%s\n' "$menu" >> /var/tmp/alice/menu.log
printf '%s\n' "$menu" | grep -m1 -F -- "$(cat /var/tmp/alice/pick)"
EOF
sb runuser -u alice -- mkdir -p /home/alice/.config/dunst
sb runuser -u alice -- sh -c 'cat > /home/alice/.config/dunst/dunstrc' <<'EOF'
[global]
    dmenu = /var/tmp/alice/dmenu.sh
    font = DejaVu Sans 10
    width = 520
    origin = top-right
    offset = 16x16
    frame_width = 2
    corner_radius = 6
    padding = 12
    horizontal_padding = 14
    gap_size = 8
    show_indicators = yes
    icon_position = off
    format = "<b>%s</b>\n%b"
[urgency_low]
    background = "#2e3440"
    foreground = "#d8dee9"
    frame_color = "#4c566a"
    timeout = 0
[urgency_normal]
    background = "#2e3440"
    foreground = "#eceff4"
    frame_color = "#ebcb8b"
    timeout = 0
[urgency_critical]
    background = "#3b2228"
    foreground = "#eceff4"
    frame_color = "#bf616a"
    timeout = 0
EOF
sb sh -c 'mkdir -p -m 1777 /tmp/.X11-unix'
as alice systemd-run --user --quiet --unit=xvfb Xvfb :5 -screen 0 1280x800x24 -nolisten tcp
check "Xvfb runs in alice's session" wait_until 10 sb test -S /tmp/.X11-unix/X5
check "dunst (its own user unit) serves org.freedesktop.Notifications on her session bus" usys alice start dunst.service
check "alice's desktop session starts" usys alice start test-desktop.target
check "with it orchd-notify.service, which registers with orchd" wait_until 10 bash -c 'agent_log alice | grep -q "Registered with orchd"'
check_eq "orchd-notify.service runs" active "$(usys alice is-active orchd-notify.service)"
check "it owns org.orchd.Notify on her session bus" has_bus_name alice org.orchd.Notify
check "the desktop starts its XDG autostart entries too" usys alice start test-autostart.target
autostart='app-orchd\x2dnotify@autostart.service'
autostart_exit() { echo "$(usys alice show -P ExecMainCode "$autostart") $(usys alice show -P ExecMainStatus "$autostart")"; }
export -f autostart_exit
export autostart
check "where orchd-notify (from /etc/xdg/autostart) ran and exited 0, quietly" \
        wait_until 10 bash -c '[ "$(autostart_exit)" = "1 0" ]'
out=$(as alice timeout 10 orchd-notify 2>&1); rc=$?
check_eq "so does one started by hand in the same session" "0 " "$rc $out"
check_eq "orchd has one agent of alice's" 1 "$(sb journalctl --no-pager -o cat -u orchd.service | grep -c "registered for uid $alice_uid\\.")"
check "bob starts orchd-notify.service in his text session" usys bob start orchd-notify.service
check "orchd has bob's agent" \
        wait_until 10 bash -c "sb journalctl --no-pager -o cat -u orchd.service | grep -q 'registered for uid $bob_uid\\.'"

# --- An instance gives up: the alert reaches dunst.
manager_call AddInstance 'sasa{sv}' walle 3 /bin/sh -c 'echo "walle: battery at 3%"; echo "walle: cannot move" >&2; exit 1' 3 \
        Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1
check "walle gives up and has an alert" wait_until 20 has_alert walle
alert=$(alert_prop walle Id)
check "a Notify call reaches alice's notification server" wait_until 10 notified alice '\|walle: gave up \(level 1\)\|'
rec=$(calls alice notify | grep '|walle: gave up (level 1)|' | head -1)
wid=${rec%% *}
check_match "a new notification (replaces 0), urgency 1 (normal), from \"orchd\", summary \"walle: gave up (level 1)\"" \
        "^[0-9]+ 0 1 orchd\\|walle: gave up \\(level 1\\)\\|" "$rec"
check_match "buttons Acknowledge, Restart, Escalate, Show log, Resolve" \
        '\|acknowledge=Acknowledge,restart=Restart,escalate=Escalate,log=Show log,resolve=Resolve\|' "$rec"
check_match "the body says since when, what happened, and the log excerpt orchd sent" \
        '\|Since [0-9]{2}:[0-9]{2}:[0-9]{2} \(just now\)\\n\\nInstance walle gave up.*walle: cannot move' "$rec"
raised=$(alert_prop walle RaisedUSec)
shown=$(sb sh -c "grep -m1 -B0 'member=Notify' /var/tmp/alice/monitor.log" | sed 's/.*time=\([0-9.]*\).*/\1/')
latency_ms=$(python3 -c "print(round(($shown * 1e6 - $raised) / 1000))")
check "from the give-up to the Notify call on alice's session bus: $latency_ms ms" test "$latency_ms" -lt 2000
check_eq "dunst shows it" 1 "$(as alice dunstctl count displayed)"
# A picture of it for people (docs/screenshot-notification.png is cropped from one of these).
sb sh -c "DISPLAY=:5 import -window root /var/tmp/alice/screen.png" && sb cat /var/tmp/alice/screen.png > "$ORCHD_BUILD_DIR/notify-screenshot.png"
check "a screenshot of the display was taken ($(stat -c %s "$ORCHD_BUILD_DIR/notify-screenshot.png") bytes)" \
        test -s "$ORCHD_BUILD_DIR/notify-screenshot.png"
check_eq "bob's agent got nothing: no Notify on his session bus" 0 "$(count_notified bob .)"

# --- Escalate, pressed in dunst: orchd hands it to the superiors, alice hears of it again.
check "Escalate is pressed in dunst's context menu (ActionInvoked $wid escalate)" press alice "$wid" escalate
check "the alert goes to level 2" wait_until 10 bash -c '[ "$(alert_prop walle Level)" = 2 ]'
check_eq "with alice's note" "from orchd-notify" "$(alert_prop walle Note)"
check "alice (alice-boss) is notified at level 2" wait_until 10 notified alice '\|walle: escalated to you \(level 2\)\|'
rec=$(calls alice notify | grep '|walle: escalated to you (level 2)|' | tail -1)
check_match "the same notification is replaced (replaces $wid), now critical (urgency 2)" "^$wid $wid 2 orchd\\|" "$rec"
check_match "with no Escalate button at the top level" '\|acknowledge=Acknowledge,restart=Restart,log=Show log,resolve=Resolve\|' "$rec"

# --- Show log: the alert's log lines in a second notification (no terminal here).
check "Show log is pressed" press alice "$wid" log
check "a second notification has the log lines" wait_until 10 notified alice '\|walle: last log lines\|\|.*walle: cannot move'
log_id=$(calls alice notify | grep '|walle: last log lines|' | tail -1 | cut -d' ' -f1)

# --- Acknowledge: orchd has it from alice.
check "Acknowledge is pressed" press alice "$wid" acknowledge
check "the alert is acknowledged" wait_until 10 bash -c '[ "$(alert_prop walle State)" = acknowledged ]'
check_eq "by alice" "uid $alice_uid (alice)" "$(alert_prop walle AcknowledgedBy)"
check "the notification says so, in place, with the answers left" \
        wait_until 10 notified alice "^$wid $wid 1 orchd\\|walle: escalated to you \\(level 2\\)\\|restart=Restart,log=Show log,resolve=Resolve\\|Acknowledged by you\\."

# --- Resolved elsewhere: the notifications close.
check "orchctl resolve" sb orchctl resolve walle "replaced the battery"
check "orchd-notify closes the alert's notification (CloseNotification $wid)" wait_until 10 closed alice "$wid"
check "and the log's (CloseNotification $log_id)" wait_until 10 closed alice "$log_id"
check_eq "dunst shows nothing any more" 0 "$(as alice dunstctl count displayed)"

# --- Restart: polkit decides. alice is a recipient (she may answer the alert) but the instance
# is root's: restarting it is 'manage', which she gets as a member of the orchd group.
manager_call AddInstance 'sasa{sv}' eve 3 /bin/sh -c 'test -e /var/tmp/eve-fixed || exit 1; exec sleep 100000' 3 \
        Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1
check "eve gives up; alice is notified" wait_until 20 notified alice '\|eve: gave up \(level 1\)\|'
eid=$(calls alice notify | grep '|eve: gave up (level 1)|' | head -1 | cut -d' ' -f1)
check "Restart is pressed" press alice "$eid" restart
check "without the right, the notification says why" \
        wait_until 10 notified alice "^$eid $eid 1 orchd\\|eve: gave up \\(level 1\\)\\|.*\\|Could not restart: "
check_eq "and eve was not restarted" failed "$(instance_prop eve State)"
sb usermod -a -G orchd alice
sb touch /var/tmp/eve-fixed
check "Restart is pressed again, as a member of the orchd group" press alice "$eid" restart
check "eve runs" wait_until 10 state_is eve running
check "after StableSec its alert resolves by itself, and the notification closes" wait_until 15 closed alice "$eid"

# --- orchd restarts: the agent registers again and hears of the next alert.
sb systemctl restart orchd.service
check "alice's agent registers with the new orchd" \
        wait_until 15 bash -c '[ "$(agent_log alice | grep -c "Registered with orchd")" -ge 2 ]'
manager_call AddInstance 'sasa{sv}' robo 3 /bin/sh -c 'exit 1' 3 Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1
check "robo's alert reaches alice after the restart of orchd" wait_until 20 notified alice '\|robo: gave up \(level 1\)\|'

# --- A storm: the rate limit lets NotifyBurst through, the rest comes grouped, without buttons.
sleep 3
for k in 1 2 3 4 5 6 7; do
        manager_call AddInstance 'sasa{sv}' "s$k" 3 /bin/sh -c 'exit 1' 3 Restart s on-failure RestartAttempts u 1 Start b true > /dev/null 2>&1 &
done
wait
check "a grouped notification arrives" wait_until 20 notified alice '\|[0-9]+ orchd alerts\|'
rec=$(calls alice notify | grep -E '\|[0-9]+ orchd alerts\|' | head -1)
check_match "a new one, without buttons, listing the alerts" '^[0-9]+ 0 1 orchd\|[0-9]+ orchd alerts\|\|s[0-9] \(level 1\): ' "$rec"

# --- Presence: alice is at her desktop, so her exec channel waits for DesktopAckTimeoutSec.
check_eq "walle's alert never went to alice's exec channel: she answered it at the desktop" 0 "$(exec_ran walle)"
robo_raised=$(alert_prop robo RaisedUSec)
check "robo's, which she leaves unanswered, goes there after DesktopAckTimeoutSec" wait_until 15 bash -c '[ "$(exec_ran robo)" = 1 ]'
robo_exec=$(sb sh -c 'grep "^robo " /var/tmp/exec-alice.log | cut -d" " -f2')
check "about 5 s after it was raised ($(( (robo_exec - robo_raised) / 1000 )) ms)" \
        test $((robo_exec - robo_raised)) -ge 4900000 -a $((robo_exec - robo_raised)) -le 7000000

check_eq "bob's agent never got anything" 0 "$(count_notified bob .)"
check_eq "nobody but orchd called alice's agent: no refusals" "" "$(agent_log alice | grep 'Refused' || true)"

# --- An agent whose session cannot show notifications (carol's text session, no notification
# server that starts) tells orchd so: Notify fails with org.orchd.Notify.Error.NotShown.
sb useradd -m -s /bin/sh carol
manager_call SetContact 'sa{sv}' carol 2 Role s operator User s carol > /dev/null
sb sh -c "XDG_SESSION_TYPE=tty XDG_SESSION_CLASS=user setsid -f runuser -l carol -c 'exec sleep infinity' < /dev/null > /dev/null 2>&1"
check "carol's agent registers" wait_until 20 bash -c 'usys carol start orchd-notify.service && agent_log carol | grep -q "Registered with orchd"'
manager_call AddInstance 'sasa{sv}' cx 3 /bin/sh -c 'exit 1' 4 Restart s on-failure RestartAttempts u 1 Operators as 1 carol \
        Start b true > /dev/null 2>&1
check "orchd hears that carol's desktop did not show cx's alert" \
        wait_until 30 bash -c "sb journalctl --no-pager -o cat -u orchd.service | grep -q 'Desktop agent of [a-z]* did not take a notification'"
usys carol stop orchd-notify.service

# --- alice's desktop session ends: her agent stops with it and closes what it showed.
robo_id=$(calls alice notify | grep '|robo: gave up (level 1)|' | head -1 | cut -d' ' -f1)
check "alice's desktop session ends" usys alice stop test-desktop.target
check "orchd-notify.service stops with graphical-session.target" \
        wait_until 20 bash -c '[ "$(usys alice is-active orchd-notify.service)" = inactive ]'
check "it closed robo's notification (CloseNotification $robo_id)" wait_until 10 closed alice "$robo_id"
check "orchd forgets the agent" wait_until 10 bash -c "sb journalctl --no-pager -o cat -u orchd.service | grep -q 'of uid $alice_uid is gone'"
usys bob stop orchd-notify.service
reports=$(for u in alice bob carol; do agent_log "$u"; done | grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' || true)
check_eq "no sanitizer report from the agents" "" "$reports"
# Kept for people: what the session buses carried, what the agents logged.
for u in alice bob; do
        sb cat "/var/tmp/$u/monitor.log" > "$ORCHD_BUILD_DIR/notify-monitor-$u.log"
        agent_log "$u" > "$ORCHD_BUILD_DIR/notify-agent-$u.log"
done
check_no_sanitizer_reports
finish
