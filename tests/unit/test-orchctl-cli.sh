#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# orchctl's command line without a bus: help, option parsing, usage errors (exit 2) and the
# "cannot reach orchd" path (exit 69). Needs neither dbus nor orchd. TAP output.
# Usage: [ORCHCTL_TEST_TMPDIR=DIR] test-orchctl-cli.sh PATH-TO-ORCHCTL
set -u

ORCHCTL=${1:?usage: $0 PATH-TO-ORCHCTL}
# A system bus that does not exist, whatever this machine has.
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/orchctl-test/system_bus_socket
export LC_ALL=C
unset POSIXLY_CORRECT

n=0
failed=0

ok() {
        n=$((n + 1))
        echo "ok $n - $1"
}

not_ok() {
        n=$((n + 1))
        failed=$((failed + 1))
        echo "not ok $n - $1"
        shift
        printf '# %s\n' "$@"
}

# check_exit DESCRIPTION EXPECTED-STATUS ARGS... (stdout and stderr kept in $out and $err)
check_exit() {
        local desc=$1 want=$2 rc=0
        shift 2
        out=$("$ORCHCTL" "$@" 2> "$errfile") || rc=$?
        err=$(cat "$errfile")
        if [[ $rc == "$want" ]]; then
                ok "$desc"
        else
                not_ok "$desc" "orchctl $* exited $rc, not $want" "stdout: $out" "stderr: $err"
        fi
}

# check_match DESCRIPTION REGEX TEXT
check_match() {
        if [[ $3 =~ $2 ]]; then
                ok "$1"
        else
                not_ok "$1" "'$3' does not match '$2'"
        fi
}

# stderr goes through a file; meson passes its build directory as ORCHCTL_TEST_TMPDIR.
errfile=$(mktemp "${ORCHCTL_TEST_TMPDIR:-${TMPDIR:-/tmp}}/orchctl-cli.XXXXXX") || exit 1
trap 'rm -f "$errfile"' EXIT

# Help and lists.
check_exit "--help succeeds" 0 --help
check_match "--help starts with the usage" '^Usage: orchctl ' "$out"
for verb in list add start stop restart remove status show logs alerts alert ack escalate resolve contacts \
            contact reload version; do
        check_match "--help lists $verb" $'\n'"  $verb " "$out"
done
for option in --json= --no-legend --no-pager --no-ask-password --host= --quiet --state= --property= \
              --value --lines= --follow --this-run --name= --description= --setenv= --working-directory= \
              --user= --restart= --restart-attempts= --restart-window= --operator= --requires= --watchdog= \
              --memory-max= --cpu-weight= --start --all --role= --exec= --webhook=; do
        check_match "--help lists $option" "$option" "$out"
done
check_match "--help lists contact set" $'\n'"  contact set NAME" "$out"
check_match "--help lists contact remove" $'\n'"  contact remove NAME" "$out"
check_exit "-h after a verb shows the help" 0 status -h
check_match "... the same help" '^Usage: orchctl ' "$out"
check_exit "--version succeeds" 0 --version
check_match "--version prints the version" '^orchctl [0-9]+\.[0-9]+' "$out"
check_exit "--json=help succeeds" 0 --json=help
check_match "--json=help lists the formats" $'^off\nshort\npretty$' "$out"
check_exit "--state=help succeeds" 0 list --state=help
check_match "--state=help lists the states" \
        $'^registered\nstarting\nrunning\nstopping\nstopped\nrestarting\nfailed\nexited$' "$out"
check_exit "--restart=help succeeds" 0 add --restart=help
check_match "--restart=help lists the policies" $'^no\non-failure\nalways$' "$out"
check_exit "--role=help succeeds" 0 contact set x --role=help
check_match "--role=help lists the roles" $'^operator\nsuperior$' "$out"

# Usage errors: exit 2, with a message, before any connection.
check_exit "an unknown verb" 2 frobnicate
check_match "... is named" "frobnicate" "$err"
check_exit "an unknown option before the verb" 2 --frobnicate
check_exit "an unknown option after the verb" 2 list --frobnicate
check_match "... is named by orchctl, not by the verb" "^[^ ]*orchctl[^ ]*: unrecognized option" "$err"
check_exit "extra arguments" 2 version extra
check_exit "list takes no argument" 2 list extra
check_exit "status needs an instance" 2 status
check_exit "status takes one instance" 2 status a b
check_exit "logs takes one instance" 2 logs a b
check_exit "show takes at most one instance" 2 show a b
check_exit "start needs an instance" 2 start
check_exit "remove needs an instance" 2 remove
check_exit "an empty --host" 2 -H '' version
check_exit "a bad --json" 2 --json=yaml list
check_exit "a bad --state" 2 list --state=running,bogus
check_match "... names the bad state" "bogus" "$err"
check_exit "an empty --state" 2 list --state=,
check_exit "a bad --lines" 2 status x -n -1
check_exit "a bad --lines word" 2 logs x --lines=some
check_exit "--value with --json" 2 --json=short show x -p State --value
check_exit "an option of another verb" 2 list -p State
check_match "... says whose option it is" "option of 'show'" "$err"
check_exit "an option of add elsewhere" 2 start x --start
check_exit "-n for show" 2 show x -n 5
check_exit "-f for status" 2 status x -f
check_exit "add without a command" 2 add --name x
check_match "... says what is missing" "COMMAND" "$err"
check_exit "add with only --" 2 add --name x --
check_exit "a bad --restart" 2 add --restart=bogus -- /bin/true
check_exit "a bad --restart-attempts" 2 add --restart-attempts=-1 -- /bin/true
check_exit "a too big --restart-attempts" 2 add --restart-attempts=4294967296 -- /bin/true
check_exit "a bad --restart-window" 2 add --restart-window=soon -- /bin/true
check_exit "a bad --watchdog" 2 add --watchdog=1x -- /bin/true
check_exit "a bad --memory-max" 2 add --memory-max=12X -- /bin/true
check_exit "a too big --memory-max" 2 add --memory-max=16777216T -- /bin/true
check_exit "a zero --cpu-weight" 2 add --cpu-weight=0 -- /bin/true
check_exit "a too big --cpu-weight" 2 add --cpu-weight=10001 -- /bin/true
check_exit "a relative --working-directory" 2 add --working-directory=srv -- /bin/true
check_exit "an empty --user" 2 add --user= -- /bin/true
check_exit "an empty --name" 2 add --name= -- /bin/true
check_exit "an empty --operator" 2 add --operator= -- /bin/true
check_exit "-E without a key" 2 add -E =value -- /bin/true
check_exit "-E with a variable that is not set" 2 add -E ORCHCTL_TEST_UNSET_VARIABLE -- /bin/true
check_exit "a name that cannot be derived" 2 add -- /
check_match "... asks for --name" "--name" "$err"
check_exit "logs with -H" 2 -H somewhere logs x

# Usage errors of the alert and contact verbs.
check_exit "alerts takes no argument" 2 alerts extra
check_exit "--all for list" 2 list --all
check_match "... says whose option it is" "option of 'alerts'" "$err"
check_exit "an unknown option of alerts" 2 alerts --frobnicate
check_exit "alert needs an alert" 2 alert
check_exit "alert takes one alert" 2 alert a b
check_exit "alert with neither an id nor a name" 2 alert ../x
check_match "... says what it needs" "alert id or an instance name" "$err"
for verb in ack escalate resolve; do
        check_exit "$verb needs an alert" 2 $verb
        check_exit "$verb takes one note" 2 $verb x note more
        check_exit "$verb with neither an id nor a name" 2 $verb 'no/such'
        check_exit "$verb with a note with a control character" 2 $verb x $'a\x01b'
        check_exit "an unknown option of $verb" 2 $verb x --frobnicate
done
check_exit "-n for ack" 2 ack x -n 5
check_exit "contacts takes no argument" 2 contacts extra
check_exit "contact needs a command" 2 contact
check_exit "contact with an unknown command" 2 contact frob x
check_match "... names it" "contact frob" "$err"
check_exit "contact set needs a name" 2 contact set
check_match "... says what is missing" "name of a contact" "$err"
check_exit "contact remove needs a name" 2 contact remove
check_exit "contact set takes one name" 2 contact set a b
check_exit "a bad contact name" 2 contact set -- -x
check_exit "a contact name with a slash" 2 contact set a/b
check_exit "a too long contact name" 2 contact remove "$(printf 'a%.0s' {1..65})"
check_exit "a bad --role" 2 contact set alice --role=boss
check_match "... names the roles" "operator or superior" "$err"
check_exit "an empty --role" 2 contact set alice --role=
check_exit "a relative --exec" 2 contact set alice --exec=notify-send
check_match "... asks for an absolute path" "absolute path" "$err"
check_exit "a --webhook that is no URL" 2 contact set alice --webhook=example.com/hook
check_exit "a --webhook of another scheme" 2 contact set alice --webhook=ftp://example.com/
check_exit "a --webhook without a host" 2 contact set alice --webhook=https:///secret-token
# URLs and commands may hold secrets.
if [[ $err != *secret-token* ]]; then ok "... is not repeated"; else not_ok "... is not repeated" "stderr: $err"; fi
check_exit "a --webhook with a blank" 2 contact set alice '--webhook=https://example.com/a b'
check_exit "a bad --user for contact set" 2 contact set alice --user='Bad User'
check_exit "an empty --user for contact set" 2 contact set alice --user=
check_exit "an unknown option of contact set" 2 contact set alice --frobnicate
check_exit "an option of contact set for contact remove" 2 contact remove alice --role=operator
check_match "... says whose option it is" "option of 'contact set'" "$err"
check_exit "--role for add" 2 add --role=operator -- /bin/true
check_exit "--exec for list" 2 list --exec=/bin/true
check_match "... says whose option it is" "option of 'contact set'" "$err"
check_exit "--user for start" 2 start x --user=alice
check_match "... names both verbs" "option of 'add' and 'contact set'" "$err"
check_exit "reload takes no argument" 2 reload extra
check_exit "an unknown option of reload" 2 reload --frobnicate

# Reaching orchd fails: exit 69 with a clear message.
check_exit "list without a system bus" 69 list
check_match "... says the bus cannot be reached" "Cannot connect to the system bus" "$err"
check_exit "no verb lists" 69
check_exit "version without a system bus" 69 version
check_match "... still prints orchctl's version" '^orchctl [0-9]' "$out"
check_exit "status without a system bus" 69 status x
check_exit "show without a system bus" 69 show x -p State --value
check_exit "logs without a system bus" 69 logs x -n all -f
check_exit "start without a system bus" 69 start a b
check_exit "remove without a system bus" 69 remove a
check_exit "add without a system bus" 69 add --name x --restart=on-failure --memory-max=1.5G \
        --restart-window=1min --watchdog=500ms --cpu-weight=100 -E A=b --operator=o --requires=r \
        --start -- /bin/true
# What follows the command is the instance's own command line, not orchctl's options.
check_exit "options after add's command are the command's" 69 add -- /bin/true --frobnicate -n x
check_exit "... also without --" 69 add /bin/true --frobnicate
check_exit "global options go before and after the verb" 69 --no-pager list --no-legend --json=short -q
check_exit "--no-ask-password is accepted" 69 --no-ask-password start x
check_exit "alerts without a system bus" 69 alerts --all --json=short
check_exit "alert without a system bus" 69 alert web
check_exit "alert by id without a system bus" 69 alert 0190f5a2-9c1e-7b3d-8f21-4a6c0e9d2b17
check_exit "ack without a system bus" 69 ack web
check_exit "escalate with a note without a system bus" 69 escalate web "cannot fix the disk"
check_exit "resolve without a system bus" 69 --no-ask-password resolve 0190f5a2-9c1e-7b3d-8f21-4a6c0e9d2b17 done
check_exit "contacts without a system bus" 69 contacts --json=pretty
check_exit "contact set without a system bus" 69 contact set alice --role=superior --user=alice \
        --exec='/usr/local/bin/page alice' --webhook=https://hooks.example.com/T0/B0
check_exit "contact set without options without a system bus" 69 contact set alice
check_exit "contact remove without a system bus" 69 contact remove alice
check_exit "reload without a system bus" 69 reload

echo "1..$n"
[[ $failed == 0 ]]
