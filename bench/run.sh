#!/bin/bash
# orchd's benchmarks, in the real-systemd sandbox, each against a baseline measured in the same run:
#  - 1000 instances added and started through orchd vs. the same 1000 StartTransientUnit calls
#    from a plain client (same number of calls in flight); target: orchd within 1.5x
#  - ListInstances latency at 1000 instances (target p99 < 10 ms)
#  - orchd's RSS at 1000 instances (target < 8 MiB)
#  - system calls of an idle orchd over 10 s with the instances running (target 0)
# Usage: bench/run.sh [N]   (as root; builds a release build in build-bench/)
set -euo pipefail

. "$(dirname "$0")/lib.sh"
top=$bench_top
build=$bench_build_dir
n=${1:-1000}
window=64
cd "$top"
bench_build
command -v strace > /dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace > /dev/null; }
client=$build/bench/bench-client

export ORCHD_SOURCE_DIR=$top ORCHD_BENCH_N=$n ORCHD_BENCH_WINDOW=$window ORCHD_BENCH_CLIENT=$client
exec "$top/tests/sandbox/sandbox" --build "$build" with bash -c '
        set -euo pipefail
        . "$ORCHD_SOURCE_DIR/bench/lib.sh"
        n=$ORCHD_BENCH_N w=$ORCHD_BENCH_WINDOW c=$ORCHD_BENCH_CLIENT

        plain=$(sb "$c" plain "$n" "$w")
        echo "baseline: $plain"
        sb systemctl stop "bench-plain-*" > /dev/null
        sb systemctl stop bench.slice > /dev/null 2>&1 || true

        orchd=$(sb "$c" orchd "$n" "$w")
        echo "orchd:    $orchd"
        ps=$(echo "$plain" | sed -n "s/.*seconds=\([0-9.]*\).*/\1/p")
        os=$(echo "$orchd" | sed -n "s/.*seconds=\([0-9.]*\).*/\1/p")
        echo "ratio orchd/plain for $n starts: $(awk -v a="$os" -v b="$ps" "BEGIN {printf \"%.2f\", a/b}") (target <= 1.5)"

        echo "ListInstances at $n instances: $(sb "$c" list 200)  (target p99 < 10 ms)"
        pid=$(sb systemctl show -P MainPID orchd.service)
        echo "orchd RSS at $n instances: $(sb awk "/VmRSS/ {printf \"%.1f MiB\", \$2/1024}" /proc/$pid/status) (target < 8 MiB)"
        sb sh -c "timeout -s INT 10 strace -c -f -p $pid -o /var/tmp/strace.out 2>/dev/null; true"
        total=$(sb sh -c "awk \"/total/ {print \\\$4}\" /var/tmp/strace.out")
        echo "system calls of idle orchd over 10 s with $n instances running: ${total:-0} (target 0)"
'
