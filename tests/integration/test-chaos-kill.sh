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
# CHAOS_INSTANCES (200); CHAOS_SEED repeats a run; CHAOS_ORCHD_DEBUG=1 has orchd log at debug level.
. "$(dirname "$0")/lib.sh"


args=(kill --rounds "${CHAOS_ROUNDS:-100}" --instances "${CHAOS_INSTANCES:-200}")
[ -z "${CHAOS_SOAK_MINUTES:-}" ] || args+=(--minutes "$CHAOS_SOAK_MINUTES")
[ -z "${CHAOS_SEED:-}" ] || args+=(--seed "$CHAOS_SEED")
[ -z "${CHAOS_ORCHD_DEBUG:-}" ] || args+=(--orchd-debug)
chaos_driver "${args[@]}"

check_no_sanitizer_reports
finish
