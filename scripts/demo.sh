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
inside busctl introspect --no-pager org.orchd.Orchestrator1 /org/orchd/Orchestrator1 org.orchd.Orchestrator1.Manager
inside orchctl version

if [ -t 0 ] && [ -t 1 ]; then
        printf '\nYou are in a shell inside the sandbox; try "orchctl version" or "journalctl -u orchd".\n'
        printf 'Leave it with "exit"; the sandbox stops then.\n'
        sandbox shell || true
fi
