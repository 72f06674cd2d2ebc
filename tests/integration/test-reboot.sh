#!/bin/bash
# A reboot of the sandbox with orchd's state directory kept: instances marked to run are created
# and started again from the registry (transient units do not survive a reboot); the others stay
# registered, with the same ids. Manages its own sandbox (needs two boots).
# Usage: test-reboot.sh BUILD_DIR
set -uo pipefail
export ORCHD_BUILD_DIR=$(readlink -f "$1")
export ORCHD_SANDBOX=$ORCHD_BUILD_DIR/sandbox-reboot
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
mkdir -p "$ORCHD_SANDBOX"
. "$(dirname "$0")/lib.sh"
sandbox() { "$SANDBOX_TOOL" --build "$ORCHD_BUILD_DIR" --keep-state "$@"; }
trap 'sandbox stop' EXIT
rm -rf "$ORCHD_SANDBOX/persist"

sandbox boot && sandbox install && sandbox start-orchd
manager_call AddInstance 'sasa{sv}' runner 2 /bin/sleep 100000 1 Start b true > /dev/null
manager_call AddInstance 'sasa{sv}' idle 2 /bin/sleep 100000 0 > /dev/null
manager_call AddInstance 'sasa{sv}' halted 2 /bin/sleep 100000 1 Start b true > /dev/null
manager_call StopInstance s halted
ids_before=$(manager_call ListInstances | grep -o '"[0-9a-f-]\{36\}" "[a-z]*"' | sort)
invocation_before=$(instance_prop runner InvocationID)
check_eq "before the reboot: runner running, idle registered, halted stopped" "running registered stopped" \
        "$(instance_prop runner State) $(instance_prop idle State) $(instance_prop halted State)"

sandbox stop
sandbox boot && sandbox install && sandbox start-orchd
check_eq "after the reboot the same instances are registered with the same ids" "$ids_before" \
        "$(manager_call ListInstances | grep -o '"[0-9a-f-]\{36\}" "[a-z]*"' | sort)"
check "the instance marked to run is started again" wait_until 20 state_is runner running
check_eq "its unit was created anew (new invocation)" yes \
        "$([ -n "$(instance_prop runner InvocationID)" ] && [ "$(instance_prop runner InvocationID)" != "$invocation_before" ] && echo yes)"
check_eq "the never-started instance stays registered and the stopped one stays stopped" "registered stopped" \
        "$(instance_prop idle State) $(instance_prop halted State)"
check_eq "no unit was created for them" "inactive inactive" \
        "$(unit_prop orchd-idle.service ActiveState) $(unit_prop orchd-halted.service ActiveState)"
check_no_sanitizer_reports
finish
