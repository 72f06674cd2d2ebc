#!/bin/bash
# Runs every libFuzzer target of fuzz/ for a while: builds them with clang in a build directory of
# their own (fuzz/meson.build, -Dfuzz=true), gives each a copy of its corpus in that directory (the
# committed corpus never grows), runs it for FUZZ_SECONDS (default 60) and prints one TAP line per
# target with its executions per second and corpus size, also into TAP_FILE for scripts/test.sh's
# count. A crash, a leak, a time-out or a check that failed is "not ok", with the report and the
# input that did it (keep it as fuzz/corpus/TARGET/crash-WHAT once understood).
#
# Usage: fuzz/run-fuzzers.sh BUILD_DIR TAP_FILE [TARGET...]
#   FUZZ_SECONDS=0 skips the run. Without clang and its libFuzzer runtime (Debian: clang,
#   libclang-rt-14-dev; scripts/install-deps.sh) it says so and writes no TAP line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: run-fuzzers.sh BUILD_DIR TAP_FILE [TARGET...]}
tap=${2:?usage: run-fuzzers.sh BUILD_DIR TAP_FILE [TARGET...]}
shift 2
seconds=${FUZZ_SECONDS:-60}
: > "$tap"

if [ "$seconds" = 0 ]; then
        echo "fuzz: FUZZ_SECONDS=0, not fuzzing" >&2
        exit 0
fi
if ! command -v clang > /dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' |
        clang -fsanitize=fuzzer -x c - -o /dev/null 2> /dev/null; then
        echo "fuzz: clang with libFuzzer (clang, libclang-rt-14-dev) is not installed, not fuzzing" >&2
        exit 0
fi

if [ $# -gt 0 ]; then
        targets=("$@")
else
        targets=()
        for src in "$top"/fuzz/fuzz-*.c; do
                name=${src##*/fuzz-}
                targets+=("${name%.c}")
        done
fi

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
                -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link --buildtype=debugoptimized > /dev/null
fi
ninja -C "$build" "${targets[@]/#/fuzz/fuzz-}" > /dev/null

# UBSan's findings are crashes too; libFuzzer sets up ASan itself.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1

echo "1..${#targets[@]}" | tee "$tap"
n=0 failed=0
for t in "${targets[@]}"; do
        n=$((n + 1))
        corpus=$build/fuzz-corpus/$t
        artifacts=$build/fuzz-artifacts/$t
        log=$build/fuzz-logs/$t.log
        rm -rf "$corpus" "$artifacts"
        mkdir -p "$corpus" "$artifacts" "${log%/*}"
        cp "$top/fuzz/corpus/$t/"* "$corpus/"
        before=$(find "$corpus" -type f | wc -l)

        rc=0
        "$build/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
                -artifact_prefix="$artifacts/" "$corpus" > "$log" 2>&1 || rc=$?

        after=$(find "$corpus" -type f | wc -l)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        summary="${rate:-?} exec/s, ${execs:-?} runs, corpus $before -> $after files"
        if [ "$rc" = 0 ]; then
                echo "ok $n - fuzz-$t: $summary" | tee -a "$tap"
        else
                failed=$((failed + 1))
                found=$(find "$artifacts" -type f | head -1)
                known=
                for f in "$top/fuzz/corpus/$t/"crash-*; do
                        if [ -n "$found" ] && [ -f "$f" ] && cmp -s "$f" "$found"; then
                                known=" (known: fuzz/corpus/$t/${f##*/})"
                        fi
                done
                echo "not ok $n - fuzz-$t: exit status $rc after $summary; input: ${found:-none}$known; log: $log" |
                        tee -a "$tap"
                # The report: what failed, and where in orchd's code and the target's.
                grep -E 'check failed|ERROR: |SUMMARY: |runtime error|Test unit written|^ +#[0-9]+ .*/(src/[a-z]+|fuzz)/[a-z0-9-]+\.c:[0-9]+' "$log" |
                        head -30 | sed 's/^/# /' >&2 || true
        fi
done
[ "$failed" = 0 ]
