#!/bin/bash
# Chaos: systemctl daemon-reload and daemon-reexec of PID 1, at random moments, while instances
# fail (each exits 1 a known number of times, then runs; Restart=on-failure, a generous budget)
# and a caller starts, stops and restarts others. Each failure is acted on exactly once: an
# instance's RestartCount equals the failed runs systemd logged for its unit (MESSAGE_ID
# 98e322203f7a4ed290d09fe03c09fe15, counted by InvocationID) and its runs less one; orchd survives
# the re-executions; the invariants hold after each round.
#
# CHAOS_SYSTEMD_ROUNDS (3), CHAOS_SYSTEMD_INSTANCES (16) per round; CHAOS_SEED repeats a run.
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

args=(systemd --rounds "${CHAOS_SYSTEMD_ROUNDS:-3}" --instances "${CHAOS_SYSTEMD_INSTANCES:-16}")
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
relay < <(sb python3 "$ORCHD_SOURCE_DIR/tests/integration/chaos-driver.py" "${args[@]}" 2>&1)

check_no_sanitizer_reports
finish
