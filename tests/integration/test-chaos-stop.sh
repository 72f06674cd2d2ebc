#!/bin/bash
# Chaos: orchd is stopped with SIGSTOP while instances fail (for 1 to 8 s; once while systemd
# re-executes), then continued with SIGCONT. After it resyncs, every failure is acted on: an
# instance with budget left is restarted exactly once; one without gives up with exactly one
# InstanceGaveUp, one AlertRaised and one alert.
#
# CHAOS_STOP_ROUNDS (4); CHAOS_SEED repeats a run.
. "$(dirname "$0")/lib.sh"


args=(stop --rounds "${CHAOS_STOP_ROUNDS:-4}")
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
chaos_driver "${args[@]}"

check_no_sanitizer_reports
finish
