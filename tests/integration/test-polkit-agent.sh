#!/bin/bash
# orchctl on a terminal starts polkit's text agent (pkttyagent), so that polkit can ask for a
# password: carol (not an administrator) runs orchctl in a tmux window inside the sandbox, on
# root's instances (org.orchd.Orchestrator1.manage: auth_admin), and the test types root's
# password with tmux send-keys. Against the sandbox's real polkitd, PAM and pkttyagent.
. "$(dirname "$0")/lib.sh"

if ! sb sh -c 'command -v tmux && test -x /usr/bin/pkttyagent' > /dev/null 2>&1; then
        echo "1..0 # SKIP tmux or pkttyagent (Debian: polkitd) is not installed"
        exit 0
fi

sb useradd -m carol
sb sh -c 'echo carol:carolpw | chpasswd && echo root:rootpw | chpasswd'
sb orchctl add --name r --start -- /bin/sleep 100000 > /dev/null
sb orchctl add --name r2 -- /bin/sleep 100000 > /dev/null

# on_tty CMD: runs the shell command CMD in a fresh tmux window (a terminal) inside the sandbox,
# then prints EXIT=<its status>. One window at a time.
on_tty() {
        sb tmux kill-server > /dev/null 2>&1
        sb tmux new-session -d -s t -x 200 -y 50 "$1; echo EXIT=\$?; sleep 100000"
}
screen() { sb tmux capture-pane -p -J -t t | grep -v '^$'; }
screen_has() { screen | grep -Eq -- "$1"; }
wait_screen() { wait_until 30 screen_has "$1"; }
prompts_are() { [ "$(screen | grep -c '^Password:')" = "$1" ]; }
type_line() { sb tmux send-keys -t t "$1" Enter; }
exit_status() { screen | sed -n 's/^EXIT=//p'; }
# The screen without the last line (EXIT=...).
output() { screen | grep -v '^EXIT='; }
agents() { sb pgrep -x pkttyagent | wc -l; }
as_carol="runuser -u carol --"

# The password is asked for on the terminal, and the operation is done once it is typed.
on_tty "$as_carol orchctl stop r"
check "stop of root's instance asks for a password" wait_screen '^Password:'
check_match "polkit names the action" 'AUTHENTICATING FOR org\.orchd\.Orchestrator1\.manage' "$(screen)"
check_eq "one agent runs while the password is asked for" 1 "$(agents)"
check_eq "nothing is done before the password is typed" running "$(instance_prop r State)"
type_line rootpw
check "orchctl ends once the password is typed" wait_screen '^EXIT='
check_eq "orchctl exits 0" 0 "$(exit_status)"
check_match "the agent says the authentication is complete" 'AUTHENTICATION COMPLETE' "$(screen)"
check_eq "the instance is stopped" stopped "$(instance_prop r State)"
check_eq "the agent is gone when orchctl ends" 0 "$(agents)"

# A wrong password: one clear line, exit 77, nothing done.
on_tty "$as_carol orchctl start r"
wait_screen '^Password:'
type_line wrongpw
check "orchctl ends after a wrong password" wait_screen '^EXIT='
check_eq "a wrong password exits 77" 77 "$(exit_status)"
check_eq "the denial is one line" 1 "$(output | grep -c "^Not authorized to start 'r'")"
check_eq "the instance is still stopped" stopped "$(instance_prop r State)"
check_eq "no agent is left" 0 "$(agents)"

# Several instances: one agent serves every call. carol has no local active session, so polkit
# uses allow_any (auth_admin, not kept) and asks for each instance.
on_tty "$as_carol orchctl start r r2"
wait_screen '^Password:'
agent=$(sb pgrep -x pkttyagent)
type_line rootpw
check "the password is asked for the second instance too" wait_until 30 prompts_are 2
check_eq "the same agent asks again" "$agent" "$(sb pgrep -x pkttyagent)"
type_line rootpw
check "start of two instances ends" wait_screen '^EXIT='
check_eq "start of two instances exits 0" 0 "$(exit_status)"
check_eq "both run" "running running" "$(instance_prop r State) $(instance_prop r2 State)"

# add: running as root needs run-privileged (auth_admin), asked for alike.
on_tty "$as_carol orchctl add --name priv --user root -- /bin/sleep 100000"
check "add --user=root asks for a password" wait_screen '^Password:'
check_match "polkit names run-privileged" 'org\.orchd\.Orchestrator1\.run-privileged' "$(screen)"
type_line rootpw
check "add ends once the password is typed" wait_screen '^EXIT='
check_eq "add exits 0" 0 "$(exit_status)"
check_match "add printed the id" '^[0-9a-f]{8}-[0-9a-f]{4}-7' "$(output | tail -n 1)"
check_eq "the instance runs as root" root "$(instance_prop priv User)"

# --no-ask-password: no agent, no prompt, exit 77 at once with one line.
on_tty "$as_carol orchctl --no-ask-password stop r"
check "--no-ask-password ends without input" wait_screen '^EXIT='
check_eq "--no-ask-password exits 77" 77 "$(exit_status)"
check_eq "--no-ask-password prints only the denial" \
        "Not authorized to stop 'r': Authentication is required for org.orchd.Orchestrator1.manage; run orchctl on a terminal to enter a password." \
        "$(output)"
check_eq "the instance still runs" running "$(instance_prop r State)"

# Standard output not a terminal: no agent either.
on_tty "$as_carol orchctl stop r > /var/tmp/out 2>&1"
check "with stdout redirected orchctl ends without input" wait_screen '^EXIT='
check_eq "with stdout redirected it exits 77" 77 "$(exit_status)"
check_eq "with stdout redirected nothing is asked" "" "$(output)"
check_match "with stdout redirected the denial is in the file" "^Not authorized to stop 'r'" "$(sb cat /var/tmp/out)"

# Without pkttyagent orchctl just goes on (the sandbox's /usr is its own overlay).
sb mv /usr/bin/pkttyagent /usr/bin/pkttyagent.away
on_tty "$as_carol orchctl stop r"
check "without pkttyagent orchctl ends without input" wait_screen '^EXIT='
check_eq "without pkttyagent it exits 77" 77 "$(exit_status)"
check_eq "without pkttyagent it prints only the denial" 1 "$(output | wc -l)"
check_match "without pkttyagent the denial says why" "^Not authorized to stop 'r': Authentication is required" "$(output)"
sb mv /usr/bin/pkttyagent.away /usr/bin/pkttyagent

# root needs no password: no prompt.
on_tty "orchctl stop r2"
check "root's orchctl ends without input" wait_screen '^EXIT='
check_eq "root's orchctl exits 0" 0 "$(exit_status)"
check_eq "root is not asked" "" "$(screen | grep Password)"

# In a login session (logind, through runuser -l's PAM), the agent is registered with --fallback,
# which polkit uses there when the session has no agent of its own.
on_tty "runuser -l carol"
type_line "orchctl stop r; echo EXIT=\$?"
check "in a login session a password is asked for" wait_screen '^Password:'
check_match "in a login session the agent is a fallback" '--fallback' "$(sb pgrep -a -x pkttyagent)"
type_line rootpw
check "in a login session orchctl ends" wait_screen '^EXIT='
check_eq "in a login session it exits 0" 0 "$(exit_status)"
check_eq "in a login session the instance is stopped" stopped "$(instance_prop r State)"

sb tmux kill-server > /dev/null 2>&1
check_no_sanitizer_reports
finish
