#!/bin/bash
# orchd's demo: installs what is missing, builds, boots a sandbox with a real systemd as PID 1
# (this works on machines whose PID 1 is not systemd), starts orchd as a real unit and shows it
# answering. On a terminal it then leaves you a shell inside the sandbox, where orchctl, systemctl
# and journalctl work; the sandbox stops when you leave it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${ORCHD_BUILD_DIR:-$top/build}
cd "$top"

[ "$(id -u)" = 0 ] || { echo "demo: run me as root (the sandbox needs namespaces and mounts)" >&2; exit 1; }
"$top/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" > /dev/null
ninja -C "$build" > /dev/null

sandbox() { "$top/tests/sandbox/sandbox" --build "$build" "$@"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
inside() { step "$*"; sandbox exec "$@"; }

trap 'sandbox stop' EXIT
echo "Booting the sandbox (systemd $(/lib/systemd/systemd --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p') as PID 1 of private namespaces)..."
sandbox boot
sandbox install
sandbox start-orchd

inside systemctl status --no-pager --lines=5 orchd.service
inside orchctl version

say() { printf '\n\033[1;34m# %s\033[0m\n' "$*"; }
say "Who is told when restarting does not help: alice (operator) through a pager command and a chat"
say "webhook; carol (superior) when alice does not acknowledge within 8 s."
sandbox exec sh -c 'mkdir -p /var/tmp/pager && cat > /var/tmp/pager/page.sh && chmod +x /var/tmp/pager/page.sh' <<'EOF'
#!/bin/sh
# A stand-in for a real pager: what orchd's exec channel hands over, written where the demo shows it.
{
        echo "[$ORCHD_CONTACT] $ORCHD_ALERT_EVENT, level $ORCHD_ALERT_LEVEL: $ORCHD_MESSAGE"
        [ -z "$ORCHD_ALERT_LOG" ] || printf '%s\n' "$ORCHD_ALERT_LOG" | sed 's/^/    | /'
} >> "/var/tmp/pager/$ORCHD_CONTACT.log"
EOF
sandbox exec sh -c "setsid python3 '$top/tests/integration/webhook-receiver.py' ok /var/tmp/pager/hook.port /var/tmp/pager/webhook.log > /dev/null 2>&1 < /dev/null &"
for _ in $(seq 100); do sandbox exec test -s /var/tmp/pager/hook.port && break; sleep 0.1; done
hook_port=$(sandbox exec cat /var/tmp/pager/hook.port)
sandbox exec sh -c "mkdir -p /etc/orchd && cat > /etc/orchd/orchd.conf" <<EOF
[Supervision]
RestartDelaySec=0.2
StableSec=5

[Escalation]
Operators=alice
AckTimeoutSec=8
RepeatSec=60

[Contact alice]
Role=operator
Exec=/var/tmp/pager/page.sh
Webhook=http://127.0.0.1:$hook_port/chat/robots

[Contact carol]
Role=superior
Exec=/var/tmp/pager/page.sh
EOF
inside cat /etc/orchd/orchd.conf
inside orchctl reload
inside orchctl contacts

say "The robots: a scheduler makes task files, Eve moves them from tasks/ to done/, WallE clears done/."
inside orchctl add --name scheduler --description "makes a task every second" --restart=always --start -- \
        /bin/sh -c 'mkdir -p /var/tmp/robots/tasks; n=0; while :; do n=$((n+1)); touch /var/tmp/robots/tasks/task-$n; echo "scheduler: task-$n"; sleep 1; done'
inside orchctl add --name eve --description "moves tasks to done/" --restart=always --start -- \
        /bin/sh -c 'mkdir -p /var/tmp/robots/done; while :; do for f in /var/tmp/robots/tasks/*; do [ -e "$f" ] && mv "$f" /var/tmp/robots/done/ && echo "eve: moved ${f##*/}"; done; sleep 0.5; done'
sleep 2.5
inside orchctl list
inside orchctl status eve --lines=4

say "Eve crashes (SIGKILL): orchd restarts her after its backoff. Nobody needs to be told."
inside sh -c 'kill -9 $(systemctl show -P MainPID orchd-eve.service)'
sleep 1.5
inside orchctl show eve -p State -p RestartCount -p LastResult

say "WallE is broken: his trash can is missing and he fails at once, every time. After 3 failures"
say "orchd gives up and raises an alert for his operator, with the log of the failing run."
inside orchctl add --name walle --description "clears done/" --restart=on-failure --restart-attempts=3 --start -- \
        /bin/sh -c 'if [ ! -d /var/tmp/robots/trash ]; then echo "walle: cannot open /var/tmp/robots/trash"; exit 2; fi; while :; do n=$(ls /var/tmp/robots/done | wc -l); rm -f /var/tmp/robots/done/*; echo "walle: cleared $n tasks"; sleep 2; done' || true
sleep 2
inside orchctl list
inside orchctl alerts
say "What alice's pager (the exec channel, a transient unit) got:"
inside cat /var/tmp/pager/alice.log
say "What alice's chat webhook (a local HTTP receiver) got, as JSON:"
inside sh -c 'tail -n 1 /var/tmp/pager/webhook.log | python3 -c "import json, sys; print(json.dumps(json.loads(json.load(sys.stdin)[\"body\"]), indent=2))"'

say "alice does not acknowledge within AckTimeoutSec=8: the alert goes up to her superior, carol."
sleep 8
inside orchctl alert walle
inside cat /var/tmp/pager/carol.log

say "carol takes it, repairs WallE (his trash can) and starts him again."
inside orchctl ack walle "on it: the trash can is missing"
inside mkdir -p /var/tmp/robots/trash
inside orchctl start walle
say "WallE runs StableSec=5 without failing: orchd resolves the alert by itself."
sleep 6
inside orchctl alerts --all
inside sh -c 'journalctl --no-pager -o cat SYSLOG_IDENTIFIER=orchd ORCHD_INSTANCE=walle'
inside busctl get-property org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager \
        Restarts GiveUps AlertsRaised Escalations NotificationsSent MeanTimeToResolveUSec

if [ -t 0 ] && [ -t 1 ]; then
        printf '\nYou are in a shell inside the sandbox; try "orchctl alerts --all", "orchctl status walle" or "journalctl -u orchd".\n'
        printf 'Leave it with "exit"; the sandbox stops then.\n'
        sandbox shell || true
fi
