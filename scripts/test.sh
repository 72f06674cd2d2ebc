#!/bin/bash
# Runs every test of orchd: installs what is missing, builds with ASan+UBSan and warnings as
# errors, runs the unit tests and the integration tests (each in its own real-systemd sandbox),
# and ends with one line "N passed, N failed" counting every test case that ran.
#
# Usage: scripts/test.sh [MESON_TEST_ARGS...]   (e.g. --suite unit)
#   A full run (no arguments) ends with fuzz/run-fuzzers.sh: every libFuzzer target for
#   FUZZ_SECONDS (default 60; FUZZ_SECONDS=0 skips it) in build-fuzz/ (ORCHD_FUZZ_BUILD_DIR).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${ORCHD_BUILD_DIR:-$top/build-test}
cd "$top"

"$top/scripts/install-deps.sh"

if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true \
                -Dcrash-points=true --buildtype=debug > /dev/null
fi
# The store's crash points (test-chaos-store.sh) are in the test build only; older build
# directories get them too.
if ! python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "crash-points" and o["value"] for o in json.load(open(sys.argv[1]))) else 1)' \
        "$build/meson-info/intro-buildoptions.json" 2> /dev/null; then
        meson configure "$build" -Dcrash-points=true > /dev/null
fi
ninja -C "$build" > /dev/null

rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || rc=$?

# libFuzzer (a full run only): each target of fuzz/ for FUZZ_SECONDS (default 60; 0 skips) on a
# copy of its corpus, in a clang build of its own; one TAP line per target, counted below.
fuzz_tap="$build/fuzz-run.tap"
rm -f "$fuzz_tap"
if [ $# -eq 0 ]; then
        "$top/fuzz/run-fuzzers.sh" "${ORCHD_FUZZ_BUILD_DIR:-$top/build-fuzz}" "$fuzz_tap" || rc=1
fi

# Count each TAP test case of each meson test (cmocka and the integration scripts both speak
# TAP); a meson test that printed no TAP line counts once by its own result.
python3 - "$build/meson-logs/testlog.json" "$fuzz_tap" <<'PY'
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
