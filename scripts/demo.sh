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
say "The robots: a scheduler makes task files, Eve moves them from tasks/ to done/, WallE clears done/."
inside orchctl add --name scheduler --description "makes a task every second" --restart=always --start -- \
        /bin/sh -c 'mkdir -p /var/tmp/robots/tasks; n=0; while :; do n=$((n+1)); touch /var/tmp/robots/tasks/task-$n; echo "scheduler: task-$n"; sleep 1; done'
inside orchctl add --name eve --description "moves tasks to done/" --restart=always --start -- \
        /bin/sh -c 'mkdir -p /var/tmp/robots/done; while :; do for f in /var/tmp/robots/tasks/*; do [ -e "$f" ] && mv "$f" /var/tmp/robots/done/ && echo "eve: moved ${f##*/}"; done; sleep 0.5; done'
sleep 2.5
inside orchctl list
inside orchctl status eve --lines=4

say "Eve crashes (SIGKILL): orchd restarts her after its backoff."
inside sh -c 'kill -9 $(systemctl show -P MainPID orchd-eve.service)'
sleep 1.5
inside orchctl show eve -p State -p RestartCount -p LastResult

say "WallE is broken: he fails at once, every time. After 3 failures orchd gives up (InstanceGaveUp)."
inside orchctl add --name walle --description "clears done/" --restart=on-failure --restart-attempts=3 --start -- \
        /bin/sh -c 'echo "walle: cannot open /var/tmp/robots/trash"; sleep 0.2; exit 2' || true
sleep 2
inside orchctl list
inside sh -c 'journalctl -u orchd --no-pager -o cat | grep walle'
inside orchctl status walle --lines=3 || true
say "Alerts to WallE's operator and then to a superior come with the next issue (escalation)."

if [ -t 0 ] && [ -t 1 ]; then
        printf '\nYou are in a shell inside the sandbox; try "orchctl version" or "journalctl -u orchd".\n'
        printf 'Leave it with "exit"; the sandbox stops then.\n'
        sandbox shell || true
fi
