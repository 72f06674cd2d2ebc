#!/bin/bash
# Chaos: orchd abort()s at each named step of its state files' atomic write -- after the
# temporary file is written, after its fsync, after the rename, after the directory's fsync --
# while it registers instances (added, added and started), contacts and an alert (a give-up), and
# after a removal's unlink. For each step: arm the crash point (ORCHD_CRASH_POINT in a drop-in,
# a build with -Dcrash-points=true), register until orchd dies, restart it without the hook, and
# check that everything acknowledged before the crash is there, the call in flight is whole or
# absent, no temporary file is left, and that the point was actually reached.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "crash-points" and o["value"] for o in json.load(open(sys.argv[1]))) else 1)' \
        "$ORCHD_BUILD_DIR/meson-info/intro-buildoptions.json"; then
        echo "1..0 # SKIP orchd is built without -Dcrash-points=true"
        exit 0
fi


args=(store)
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
chaos_driver "${args[@]}"

check_no_sanitizer_reports
finish
