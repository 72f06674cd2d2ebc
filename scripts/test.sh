#!/bin/bash
# Runs every test of orchd: installs what is missing, builds with ASan+UBSan and warnings as
# errors, runs the unit tests and the integration tests (each in its own real-systemd sandbox),
# and ends with one line "N passed, N failed" counting every test case that ran.
#
# Usage: scripts/test.sh [MESON_TEST_ARGS...]   (e.g. --suite unit)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${ORCHD_BUILD_DIR:-$top/build-test}
cd "$top"

"$top/scripts/install-deps.sh"

if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true \
                --buildtype=debug > /dev/null
fi
ninja -C "$build" > /dev/null

rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || rc=$?

# Count each TAP test case of each meson test (cmocka and the integration scripts both speak
# TAP); a meson test that printed no TAP line counts once by its own result.
python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, re, sys
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
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
