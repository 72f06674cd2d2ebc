#!/bin/bash
# Chaos: systemctl daemon-reload and daemon-reexec of PID 1, at random moments, while instances
# fail (each exits 1 a known number of times, then runs; Restart=on-failure, a generous budget)
# and a caller starts, stops and restarts others. Each failure is acted on exactly once: an
# instance's RestartCount equals the failed runs systemd logged for its unit (MESSAGE_ID
# 98e322203f7a4ed290d09fe03c09fe15, counted by InvocationID) and its runs less one; orchd survives
# the re-executions; the invariants hold after each round.
#
# CHAOS_SYSTEMD_ROUNDS (3), CHAOS_SYSTEMD_INSTANCES (16) per round; CHAOS_SEED repeats a run;
# CHAOS_ORCHD_DEBUG=1 has orchd log at debug level.
. "$(dirname "$0")/lib.sh"


args=(systemd --rounds "${CHAOS_SYSTEMD_ROUNDS:-3}" --instances "${CHAOS_SYSTEMD_INSTANCES:-16}")
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
[ -z "${CHAOS_ORCHD_DEBUG:-}" ] || args+=(--orchd-debug)
chaos_driver "${args[@]}"

check_no_sanitizer_reports
finish
