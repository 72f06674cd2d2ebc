#!/bin/bash
# Chaos: kill -9 of orchd at random moments (now and then twice, the second while it starts)
# under a stream of add/start/stop/restart/remove from four concurrent callers, with 200
# instances and three open alerts. After every kill: every acknowledged registration, removal,
# start and stop holds; every alert is there; exactly one unit per instance that runs and none
# for the others; orchd's view equals systemd's; the state files are valid and no temporary file
# is left; no running instance that no call touched was restarted (same InvocationID and main
# PID); orchd answered again (kill → successful ListInstances, p50/p99 in a diag line).
#
# CHAOS_ROUNDS (default 100) kills; CHAOS_SOAK_MINUTES=N kills for N minutes instead (run it
# directly: tests/sandbox/sandbox --build BUILD with tests/integration/test-chaos-kill.sh);
# CHAOS_INSTANCES (200); CHAOS_SEED repeats a run.
. "$(dirname "$0")/lib.sh"

# The driver's "ok - X" / "not ok - X" lines become numbered TAP lines; anything else is a comment.
relay() {
        local line done=0
        while IFS= read -r line; do
                case $line in
                        "ok - "*) ok "${line#ok - }" ;;
                        "not ok - "*) not_ok "${line#not ok - }" ;;
                        "# driver done") done=1 ;;
                        "#"*) echo "$line" ;;
                        *) echo "# $line" ;;
                esac
        done
        [ $done = 1 ] || not_ok "the chaos driver ran to its end"
}

args=(kill --rounds "${CHAOS_ROUNDS:-100}" --instances "${CHAOS_INSTANCES:-200}")
[ -z "${CHAOS_SOAK_MINUTES:-}" ] || args+=(--minutes "$CHAOS_SOAK_MINUTES")
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
relay < <(sb python3 "$ORCHD_SOURCE_DIR/tests/integration/chaos-driver.py" "${args[@]}" 2>&1)

check_no_sanitizer_reports
finish
