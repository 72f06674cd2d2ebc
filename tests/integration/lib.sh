# Helpers for integration tests, sourced by tests/integration/test-*.sh. Tests run on the host
# under `tests/sandbox/sandbox with`, print TAP, and reach the sandbox through `sb`.
set -uo pipefail

: "${ORCHD_SANDBOX:?run me through tests/sandbox/sandbox with}"
ORCHD_SOURCE_DIR=${ORCHD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SANDBOX_TOOL=$ORCHD_SOURCE_DIR/tests/sandbox/sandbox
tap_count=0
tap_failed=0

# Runs a command inside the sandbox as root.
sb() { "$SANDBOX_TOOL" --build "$ORCHD_BUILD_DIR" exec "$@"; }

ok() { tap_count=$((tap_count + 1)); echo "ok $tap_count - $*"; }
not_ok() { tap_count=$((tap_count + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_count - $*"; }
diag() { sed 's/^/#   /'; }

# check DESCRIPTION CMD...: the command must succeed.
check() {
        local desc=$1 out
        shift
        if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; echo "$out" | diag; fi
}

# check_output DESCRIPTION EXPECTED ACTUAL: exact comparison.
check_eq() {
        if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; printf 'expected: %s\nactual:   %s\n' "$2" "$3" | diag; fi
}

# check_match DESCRIPTION REGEX TEXT: extended regex match.
check_match() {
        if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1"; printf 'wanted /%s/ in:\n%s\n' "$2" "$3" | diag; fi
}

# check_exit DESCRIPTION CODE CMD...: the command must exit with CODE.
check_exit() {
        local desc=$1 want=$2 out rc=0
        shift 2
        out=$("$@" 2>&1) || rc=$?
        if [ "$rc" = "$want" ]; then ok "$desc"; else not_ok "$desc"; printf 'exit %s, wanted %s; output:\n%s\n' "$rc" "$want" "$out" | diag; fi
}

# Fails the test if a sanitizer reported anything in orchd's journal.
check_no_sanitizer_reports() {
        local reports
        reports=$(sb journalctl --no-pager -o cat -u orchd.service | grep -E 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' || true)
        check_eq "no sanitizer report in orchd's journal" "" "$reports"
        check_no_valgrind_reports
}

# Under valgrind (ORCHD_VALGRIND=1, scripts/test.sh --valgrind), fails the test if memcheck reported
# an error in any run of orchd so far, or a definite leak in a run that ended (the sandbox's 'with'
# stops orchd after the test, so that its last run is checked too). Prints nothing otherwise.
check_no_valgrind_reports() {
        [ "${ORCHD_VALGRIND:-}" = 1 ] || return 0
        check "no valgrind report for orchd" "$SANDBOX_TOOL" --build "$ORCHD_BUILD_DIR" valgrind-report
}

finish() {
        echo "1..$tap_count"
        [ "$tap_failed" -eq 0 ]
}

# The Manager and Instance interfaces through busctl, inside the sandbox.
ORCHD_DEST=org.orchd.Orchestrator1
ORCHD_PATH=/org/orchd/Orchestrator1
ORCHD_MANAGER=org.orchd.Orchestrator1.Manager
ORCHD_INSTANCE=org.orchd.Orchestrator1.Instance
manager_call() { sb busctl call --timeout=60 -- "$ORCHD_DEST" "$ORCHD_PATH" "$ORCHD_MANAGER" "$@"; }
# gdbus prints the D-Bus error's name, which busctl does not: for checking errors.
gcall() { local method=$1; shift; sb gdbus call --system --timeout 60 --dest "$ORCHD_DEST" --object-path "$ORCHD_PATH" --method "$ORCHD_MANAGER.$method" -- "$@"; }
# instance_prop NAME PROP: the property's value, unquoted.
instance_prop() {
        local path
        path=$(sb busctl call "$ORCHD_DEST" "$ORCHD_PATH" "$ORCHD_MANAGER" GetInstance s "$1" | sed 's/^o "\(.*\)"$/\1/') || return 1
        sb busctl get-property "$ORCHD_DEST" "$path" "$ORCHD_INSTANCE" "$2" | sed 's/^[a-z]* //; s/^"\(.*\)"$/\1/'
}
# unit_prop UNIT PROP: systemd's view.
unit_prop() { sb systemctl show -P "$2" "$1"; }

# wait_until TIMEOUT_S CMD...: retries CMD (the test's own polling, never the daemon's) until it
# succeeds or the time is up.
wait_until() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@" > /dev/null 2>&1; do
                [ $SECONDS -lt $deadline ] || return 1
                sleep 0.05
        done
}
state_is() { [ "$(instance_prop "$1" State)" = "$2" ]; }

# check_error DESCRIPTION ERROR_NAME CMD...: the command must fail with that D-Bus error.
check_error() {
        local desc=$1 want=$2 out rc=0
        shift 2
        out=$("$@" 2>&1) || rc=$?
        if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q -- "$want"; then ok "$desc"
        else not_ok "$desc"; printf 'exit %s, wanted error %s; output:\n%s\n' "$rc" "$want" "$out" | diag; fi
}

# chaos_driver ARGS...: runs chaos-driver.py inside the sandbox; its "ok - X" / "not ok - X" lines
# become numbered TAP lines, anything else a comment. A driver that does not reach its end fails.
chaos_driver() {
        local line done=0
        while IFS= read -r line; do
                case $line in
                        "ok - "*) ok "${line#ok - }" ;;
                        "not ok - "*) not_ok "${line#not ok - }" ;;
                        "# driver done") done=1 ;;
                        "#"*) echo "$line" ;;
                        *) echo "# $line" ;;
                esac
        done < <(sb python3 "$ORCHD_SOURCE_DIR/tests/integration/chaos-driver.py" "$@" 2>&1)
        [ $done = 1 ] || not_ok "the chaos driver ran to its end"
}
