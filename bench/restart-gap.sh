#!/bin/bash
# The crash-to-restart gap, in the real-systemd sandbox: a program that exits with status 1 at once
# (bench/restart-probe) is restarted over and over by
#  - systemd itself, the baseline: a transient service with Restart=always, RestartSec=0 (and no
#    start rate limit);
#  - orchd: an instance with Restart=always, a budget that never trips (1000 failures a second),
#    orchd.conf [Supervision] RestartDelaySec=0;
#  - supervisord (Debian's package supervisor): autorestart=true, startsecs=0.
# The gap of a cycle is start(n+1) - exit(n), both taken by the program itself (CLOCK_BOOTTIME).
# Targets: orchd p50 <= systemd p50; orchd p99 <= 1.25x systemd p99; supervisord p50 >= 50x orchd's.
# A benchmark reports: a missed target, or a supervisor that stops restarting, is printed, not an
# error.
#
# Usage: bench/restart-gap.sh [CYCLES [SUPERVISORD_CYCLES]]
#   (as root; builds a release build in build-bench/, installs supervisor on the host if missing.)
#   CYCLES defaults to 200, SUPERVISORD_CYCLES to CYCLES. supervisord restarts about once a
#   second, so its 200 cycles take over 3 minutes; with fewer than 100, its p99 is its maximum.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

usage() { echo "Usage: ${0##*/} [CYCLES [SUPERVISORD_CYCLES]]" >&2; exit 2; }

# wait_runs NAME FILE COUNT: until the probe has recorded COUNT runs in FILE. A supervisor that
# records no run for 15 s has stopped restarting: that is reported, and its figures are then over
# fewer cycles.
wait_runs() {
        sb sh -c "last=-1 still=0
                while c=\$(cat $2 2> /dev/null | wc -l); [ \$c -lt $3 ]; do
                        if [ \$c = \$last ]; then
                                still=\$((still + 1)); [ \$still -lt 75 ] || exit 1
                        else
                                last=\$c still=0
                        fi
                        sleep 0.2
                done" && return 0
        echo "restart-gap: $1 stopped restarting: $(sb sh -c "cat $2 2> /dev/null | wc -l") of $3 runs" >&2
        return 1
}

# summary N NSV SYSTEMD ORCHD SUPERVISORD: the table, from lines "GAPS P50 P99 MEAN MAX" (ms).
summary() {
        awk -v n="$1" -v nsv="$2" -v s="$3" -v o="$4" -v v="$5" '
        function row(name, f) {
                if (f[1] == 0)
                        printf "%-26s %6d %9s %9s %9s %9s", name, 0, "-", "-", "-", "-"
                else
                        printf "%-26s %6d %9.3f %9.3f %9.3f %9.3f", name, f[1], f[2], f[3], f[4], f[5]
        }
        function short(f, want) {
                return f[1] < want ? sprintf("   (stopped restarting after %d of %d cycles)", f[1], want) : ""
        }
        function verdict(ok) { return ok ? "PASS" : "MISS" }
        BEGIN {
                split(s, S, " "); split(o, O, " "); split(v, V, " ")
                printf "%-26s %6s %9s %9s %9s %9s\n", "restart gap (start-exit)", "cycles", "p50 ms", "p99 ms",
                       "mean ms", "max ms"
                row("systemd Restart=always", S); print short(S, n)
                row("orchd", O)
                if (O[1] > 0 && S[1] > 0 && S[2] > 0 && S[3] > 0)
                        printf "   (%.2fx systemd at p50, %.2fx at p99)", O[2] / S[2], O[3] / S[3]
                print short(O, n)
                row("supervisord", V)
                if (V[1] > 0 && O[1] > 0 && O[2] > 0)
                        printf "   (orchd is %.0fx smaller at p50)", V[2] / O[2]
                print short(V, nsv)
                if (V[1] > 0 && V[1] < 100)
                        printf "note: supervisord over %d cycles only: its p99 is its maximum\n", V[1]
                printf "\n"
                # A target is met only by full runs: a supervisor that stopped restarting misses.
                t1 = t2 = t3 = "MISS (no full run)"
                if (S[1] == n && O[1] == n) {
                        t1 = sprintf("%7.3f <= %7.3f ms   %s", O[2], S[2], verdict(O[2] <= S[2]))
                        t2 = sprintf("%7.3f <= %7.3f ms   %s", O[3], 1.25 * S[3], verdict(O[3] <= 1.25 * S[3]))
                }
                if (O[1] == n && V[1] == nsv && O[2] > 0)
                        t3 = sprintf("%7.0fx >= 50x        %s", V[2] / O[2], verdict(V[2] >= 50 * O[2]))
                printf "target orchd p50 <= systemd p50:          %s\n", t1
                printf "target orchd p99 <= 1.25x systemd p99:    %s\n", t2
                printf "target supervisord p50 >= 50x orchd p50:  %s\n", t3
        }'
}

# In the sandbox: the command 'sandbox with' runs (below), with orchd started.
measure() {
        local n=$ORCHD_BENCH_CYCLES nsv=$ORCHD_BENCH_SV_CYCLES probe=$ORCHD_BENCH_PROBE
        local dir=/var/tmp/restart-gap
        local systemd orchd sv

        sb rm -rf "$dir"
        sb mkdir -p "$dir"

        # 1. systemd's own restart. Type=exec, as orchd's units have it; --no-block, as the start
        # job may fail (the program is gone before systemd sees the exec) while restarts go on.
        sb systemd-run --quiet --no-block --unit=restart-gap-systemd -p Type=exec -p Restart=always -p RestartSec=0 \
                -p StartLimitIntervalSec=0 "$probe" "$dir/systemd.runs"
        wait_runs systemd "$dir/systemd.runs" $((n + 1)) || true
        sb systemctl stop restart-gap-systemd
        sb systemctl reset-failed restart-gap-systemd 2> /dev/null || true
        systemd=$(sb "$probe" stats "$dir/systemd.runs" "$n")

        # 2. orchd, with no backoff delay: RestartDelaySec=0 (it must not exceed RestartMaxDelaySec,
        # whose default, 30 s, stays; 0 doubled stays 0). A restart of orchd reads it (Type=dbus: the
        # restart returns once orchd answers on the bus).
        printf '[Supervision]\nRestartDelaySec=0\n' | sb sh -c 'cat > /etc/orchd/orchd.conf'
        sb orchd --verify-config > /dev/null
        sb systemctl restart orchd
        sb orchctl -q add --name restart-gap --restart=always --restart-attempts=1000 --restart-window=1 \
                -- "$probe" "$dir/orchd.runs"
        # The start job may fail, as with systemd-run above; the restarts go on.
        sb orchctl start restart-gap 2> /dev/null || true
        if ! wait_runs orchd "$dir/orchd.runs" $((n + 1)); then
                # (status exits non-zero for a failed instance)
                { sb orchctl status -n 0 restart-gap || true; } \
                        | sed -n 's/^ *\(State\|Restarts\): */  orchd says: \1: /p' >&2
        fi
        sb orchctl stop restart-gap > /dev/null
        sb orchctl remove restart-gap > /dev/null
        orchd=$(sb "$probe" stats "$dir/orchd.runs" "$n")

        # 3. supervisord, as a service of its own in the sandbox.
        sb sh -c "cat > $dir/supervisord.conf" <<EOF
[supervisord]
nodaemon=true
logfile=$dir/supervisord.log
pidfile=$dir/supervisord.pid
childlogdir=$dir

[program:probe]
command=$probe $dir/supervisord.runs
autorestart=true
startsecs=0
startretries=1000000
stdout_logfile=NONE
stderr_logfile=NONE
EOF
        sb systemd-run --quiet --unit=restart-gap-supervisord supervisord -c "$dir/supervisord.conf"
        wait_runs supervisord "$dir/supervisord.runs" $((nsv + 1)) || true
        sb systemctl stop restart-gap-supervisord
        sb systemctl reset-failed restart-gap-supervisord 2> /dev/null || true
        sv=$(sb "$probe" stats "$dir/supervisord.runs" "$nsv")

        summary "$n" "$nsv" "$systemd" "$orchd" "$sv"
}

if [ "${1:-}" = --in-sandbox ]; then
        measure
        exit
fi

[ $# -le 2 ] || usage
cycles=${1:-200}
sv_cycles=${2:-$cycles}
[[ $cycles =~ ^[1-9][0-9]{0,5}$ && $sv_cycles =~ ^[1-9][0-9]{0,5}$ ]] || usage

cd "$bench_top"
bench_build
# The sandbox's /usr is an overlay of the host's: supervisord must be there before it boots.
if ! command -v supervisord > /dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends supervisor > /dev/null
fi

export ORCHD_BENCH_CYCLES=$cycles ORCHD_BENCH_SV_CYCLES=$sv_cycles \
        ORCHD_BENCH_PROBE=$bench_build_dir/bench/restart-probe
exec "$bench_top/tests/sandbox/sandbox" --build "$bench_build_dir" with "$bench_top/bench/restart-gap.sh" --in-sandbox
