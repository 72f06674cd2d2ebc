#!/bin/bash
# The harness itself: killing it at any moment, even with SIGKILL, leaves no sandbox process, no
# cgroup and no change to the host's /tmp, /run or /etc. Prints TAP.
# Usage: test-harness.sh BUILD_DIR
set -uo pipefail

build=$(readlink -f "$1")
here=$(dirname "$(readlink -f "$0")")
# A state directory of its own, so that this test never meets another test's sandbox.
export ORCHD_SANDBOX=$build/sandbox-harness-test
sandbox() { "$here/sandbox" --build "$build" "$@"; }
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root"; exit 0; fi

# What the host must still look like afterwards: names and modes in /tmp, /run, /etc.
host_snapshot() {
        for d in /tmp /run /etc /etc/systemd/system; do
                find "$d" -maxdepth 1 -printf '%p %m %y\n' 2>/dev/null
        done | sort
        hostname
}
cgroup_base() {
        local mnt=/sys/fs/cgroup
        [ "$(stat -fc %T $mnt)" = cgroup2fs ] || mnt=/sys/fs/cgroup/unified
        echo "$mnt$(sed -n 's/^0:://p' /proc/self/cgroup)"
}
# PIDs of every process whose cwd or root is inside a sandbox of this state dir, and of the
# sandbox's systemd: none may be left.
# What one sandbox of ours consists of: the keeper (unshare), its reaper, the sandbox's systemd and
# anything started with our state directory on the command line. Only our own: other sandboxes
# may run on this host at the same time.
tracked=""
track() {
        local keeper
        keeper=$(cat "$ORCHD_SANDBOX/keeper.pid" 2>/dev/null || true)
        [ -n "$keeper" ] || return 0
        tracked="$tracked $keeper $(pgrep -f "sandbox _reaper $keeper " || true) $(cat "$ORCHD_SANDBOX/pid" 2>/dev/null || true)"
        tracked_cgroups="${tracked_cgroups:-} $(cgroup_base)/orchd-sandbox.$keeper"
}
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]; }
sandbox_processes() {
        local p
        for p in $tracked $(pgrep -f "$ORCHD_SANDBOX" || true); do
                [ "$p" != $$ ] && alive "$p" && echo "$p"
        done | sort -u
}
settle() {
        local i cg left
        for i in $(seq 50); do
                left=
                for cg in ${tracked_cgroups:-}; do [ -d "$cg" ] && left=1; done
                [ -z "$(sandbox_processes)" ] && [ -z "$left" ] && return 0
                sleep 0.1
        done
        return 1
}

before=$(host_snapshot)

# 1. A normal boot and stop.
if sandbox boot && sandbox status > /dev/null; then ok "the sandbox boots"; else not_ok "the sandbox boots"; fi
track
if [ "$(sandbox exec hostname)" = orchd-sandbox ] && [ "$(hostname)" != orchd-sandbox ]; then
        ok "the sandbox has its own host name"; else not_ok "the sandbox has its own host name"; fi
if sandbox exec sh -c 'touch /tmp/inside /etc/inside /run/inside' && [ ! -e /tmp/inside ] && [ ! -e /etc/inside ] && [ ! -e /run/inside ]; then
        ok "writes to /tmp, /etc and /run inside stay inside"; else not_ok "writes to /tmp, /etc and /run inside stay inside"; fi
if sandbox boot; then ok "boot is idempotent"; else not_ok "boot is idempotent"; fi
sandbox stop
if settle; then ok "stop leaves no process and no cgroup"; else not_ok "stop leaves no process and no cgroup"; sandbox_processes | sed 's/^/# left: /'; fi
if sandbox stop; then ok "stop is idempotent"; else not_ok "stop is idempotent"; fi

# 2. SIGKILL of a detached sandbox's keeper, as soon as it exists and once it runs.
for delay in 0 0.3 1.5; do
        rm -f "$ORCHD_SANDBOX/keeper.pid"
        "$here/sandbox" --build "$build" boot > /dev/null 2>&1 &
        boot_pid=$!
        keeper=
        for _ in $(seq 200); do
                keeper=$(cat "$ORCHD_SANDBOX/keeper.pid" 2>/dev/null || true)
                [ -n "$keeper" ] && break
                sleep 0.01
        done
        sleep "$delay"
        track
        [ -n "$keeper" ] && kill -9 "$keeper"
        wait "$boot_pid" 2>/dev/null
        if settle; then ok "SIGKILL of the keeper ${delay}s after it started leaves nothing running and no cgroup"
        else not_ok "SIGKILL of the keeper ${delay}s after it started leaves nothing running and no cgroup"; sandbox_processes | sed 's/^/# left: /'; fi
done

# 3. SIGKILL of a 'with' session at several moments: during boot, during install, while its
# command runs.
for delay in 0.1 0.5 3; do
        rm -f "$ORCHD_SANDBOX/keeper.pid"
        "$here/sandbox" --build "$build" with sleep 30 > /dev/null 2>&1 &
        with_pid=$!
        sleep "$delay"
        track
        tracked="$tracked $(pgrep -P "$with_pid" -x sleep || true)"
        kill -9 "$with_pid"
        wait "$with_pid" 2>/dev/null
        if settle; then ok "SIGKILL of 'with' after ${delay}s leaves nothing running and no cgroup"
        else not_ok "SIGKILL of 'with' after ${delay}s leaves nothing running and no cgroup"; sandbox_processes | sed 's/^/# left: /'; fi
done

after=$(host_snapshot)
# Other programs may create files in the host's /tmp meanwhile; the sandbox must have removed or
# changed nothing, and added nothing to /etc or /run.
removed=$(comm -23 <(echo "$before") <(echo "$after"))
added=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^/tmp/' || true)
if [ -z "$removed$added" ]; then ok "the host's /tmp, /run and /etc lost and gained nothing"
else not_ok "the host's /tmp, /run and /etc lost and gained nothing"; printf 'removed:\n%s\nadded:\n%s\n' "$removed" "$added" | sed 's/^/# /'; fi

rm -rf "$ORCHD_SANDBOX"
echo "1..$n"
[ $failed -eq 0 ]
