#!/bin/bash
# Chaos: orchd is stopped with SIGSTOP while instances fail (for 1 to 8 s; once while systemd
# re-executes), then continued with SIGCONT. After it resyncs, every failure is acted on: an
# instance with budget left is restarted exactly once; one without gives up with exactly one
# InstanceGaveUp, one AlertRaised and one alert.
#
# CHAOS_STOP_ROUNDS (4); CHAOS_SEED repeats a run.
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

args=(stop --rounds "${CHAOS_STOP_ROUNDS:-4}")
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
relay < <(sb python3 "$ORCHD_SOURCE_DIR/tests/integration/chaos-driver.py" "${args[@]}" 2>&1)

check_no_sanitizer_reports
finish
