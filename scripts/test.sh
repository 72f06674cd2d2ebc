#!/bin/bash
# Runs every test of orchd: installs what is missing, builds with ASan+UBSan and warnings as
# errors, runs the unit tests and the integration tests (each in its own real-systemd sandbox),
# and ends with one line "N passed, N failed" counting every test case that ran.
#
# Usage: scripts/test.sh [--valgrind] [MESON_TEST_ARGS...]   (e.g. --suite unit)
#   A full run (no arguments) ends with fuzz/run-fuzzers.sh: every libFuzzer target for
#   FUZZ_SECONDS (default 60; FUZZ_SECONDS=0 skips it) in build-fuzz/ (ORCHD_FUZZ_BUILD_DIR).
#   --valgrind (on demand; CI runs the sanitizers): the same tests under valgrind's memcheck
#   instead, in a debug build without sanitizers of its own, build-valgrind/
#   (ORCHD_VALGRIND_BUILD_DIR); valgrind is installed if missing. Every test program runs under
#   memcheck (the shell scripts' children from the build too), except the integration tests, which
#   run on the host: in their sandboxes orchd.service itself runs under memcheck (ORCHD_VALGRIND=1,
#   see tests/sandbox/sandbox). An error or a definite leak fails the test; suppressions, each with
#   its reason, are in tests/valgrind.supp. Timeouts are multiplied by
#   ORCHD_VALGRIND_TIMEOUT_MULTIPLIER (default 10: orchctl-cli alone runs orchctl 194 times, each
#   taking half a second to start under valgrind; a --timeout-multiplier of yours wins). No
#   libFuzzer run: it needs the sanitizers.
set -euo pipefail

# meson test --wrap of --valgrind (internal): runs one test program under memcheck, or as it is
# if it is an integration test, which must not be slowed down but runs orchd under valgrind itself.
if [ "${1:-}" = --valgrind-wrap ]; then
        shift
        top=$(cd "$(dirname "$0")/.." && pwd)
        case $1 in
                "$top"/tests/sandbox/*|"$top"/tests/integration/*) exec "$@" ;;
        esac
        exec valgrind --quiet --tool=memcheck --error-exitcode=99 --leak-check=full \
                --show-leak-kinds=definite --errors-for-leak-kinds=definite --track-origins=yes \
                --num-callers=40 --vgdb=no --suppressions="$top/tests/valgrind.supp" \
                --trace-children=yes --trace-children-skip='/usr/*,/bin/*,/sbin/*' "$@"
fi

valgrind=0
if [ "${1:-}" = --valgrind ]; then
        valgrind=1
        shift
fi
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $valgrind = 1 ]; then
        build=${ORCHD_VALGRIND_BUILD_DIR:-$top/build-valgrind}
else
        build=${ORCHD_BUILD_DIR:-$top/build-test}
fi
cd "$top"

if [ $valgrind = 1 ]; then
        "$top/scripts/install-deps.sh" --valgrind
else
        "$top/scripts/install-deps.sh"
fi

if [ ! -f "$build/build.ninja" ] && [ $valgrind = 1 ]; then
        meson setup "$build" -Dwerror=true -Dcrash-points=true --buildtype=debug > /dev/null
elif [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true \
                -Dcrash-points=true --buildtype=debug > /dev/null
fi
# Valgrind and the sanitizers cannot share a process: a valgrind build has none.
if [ $valgrind = 1 ] && ! python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "b_sanitize" and o["value"] in ("none", []) for o in json.load(open(sys.argv[1]))) else 1)' \
        "$build/meson-info/intro-buildoptions.json" 2> /dev/null; then
        meson configure "$build" -Db_sanitize=none > /dev/null
fi
# The store's crash points (test-chaos-store.sh) are in the test build only; older build
# directories get them too.
if ! python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "crash-points" and o["value"] for o in json.load(open(sys.argv[1]))) else 1)' \
        "$build/meson-info/intro-buildoptions.json" 2> /dev/null; then
        meson configure "$build" -Dcrash-points=true > /dev/null
fi
ninja -C "$build" > /dev/null

rc=0
testlog=$build/meson-logs/testlog.json
if [ $valgrind = 1 ]; then
        # meson names the log of a wrapped run after the wrapper, this script.
        testlog=$build/meson-logs/testlog-test.sh.json
        rm -f "$testlog"
        ORCHD_VALGRIND=1 meson test -C "$build" --print-errorlogs --num-processes 2 \
                --wrap="$(printf '%q' "$top/scripts/test.sh") --valgrind-wrap" \
                --timeout-multiplier "${ORCHD_VALGRIND_TIMEOUT_MULTIPLIER:-10}" "$@" || rc=$?
else
        # The sanitizer build's orchd cannot run under valgrind: the sandbox must not be asked to.
        env -u ORCHD_VALGRIND meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || rc=$?
fi

# libFuzzer (a full run only): each target of fuzz/ for FUZZ_SECONDS (default 60; 0 skips) on a
# copy of its corpus, in a clang build of its own; one TAP line per target, counted below.
fuzz_tap="$build/fuzz-run.tap"
rm -f "$fuzz_tap"
if [ $# -eq 0 ] && [ $valgrind = 0 ]; then
        "$top/fuzz/run-fuzzers.sh" "${ORCHD_FUZZ_BUILD_DIR:-$top/build-fuzz}" "$fuzz_tap" || rc=1
fi

# Count each TAP test case of each meson test (cmocka and the integration scripts both speak
# TAP); a meson test that printed no TAP line counts once by its own result.
python3 - "$testlog" "$fuzz_tap" <<'PY'
import json, os, re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout") or ""
    oks = len(re.findall(r"^ok \d+", out, re.M))
    noks = len(re.findall(r"^not ok \d+", out, re.M))
    if oks + noks == 0:
        if t["result"] == "SKIP":
            skipped += 1
        elif t["result"] == "OK":
            passed += 1
        else:
            failed += 1
    else:
        passed += oks
        failed += noks
        if t["result"] not in ("OK", "SKIP") and noks == 0:
            failed += 1  # a crash or a time-out after the last TAP line
if os.path.exists(sys.argv[2]):  # the fuzz run: one TAP line per target
    out = open(sys.argv[2]).read()
    passed += len(re.findall(r"^ok \d+", out, re.M))
    failed += len(re.findall(r"^not ok \d+", out, re.M))
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
