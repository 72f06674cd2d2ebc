#!/bin/bash
# The restart policy, decided by orchd: restarts with capped exponential backoff, the restart
# budget and InstanceGaveUp (exactly once), the policies no / on-failure / always, a person's
# Stop and Start, and a backoff wait that survives kill -9 of orchd.
. "$(dirname "$0")/lib.sh"

count_at_least() { [ "$(instance_prop "$1" RestartCount)" -ge "$2" ]; }
sb sh -c 'busctl monitor --match "type=signal,interface=org.orchd.Orchestrator1.Manager,member=InstanceGaveUp" > /var/tmp/gaveup.log 2>&1 &'
gave_up() { sb sh -c 'grep -c "Member=InstanceGaveUp" /var/tmp/gaveup.log || true'; }
sleep 0.5

# Budget: 4 failures allowed; restarts after the first three, give up at the fourth.
manager_call AddInstance 'sasa{sv}' flap 3 /bin/sh -c 'sleep 0.05; exit 3' 3 \
        Restart s on-failure RestartAttempts u 4 Start b true > /dev/null
check "a failing instance is restarted until its budget is spent" wait_until 20 sh -c "$(declare -f sb instance_prop); ORCHD_BUILD_DIR='$ORCHD_BUILD_DIR' SANDBOX_TOOL='$SANDBOX_TOOL' ORCHD_DEST=$ORCHD_DEST ORCHD_PATH=$ORCHD_PATH ORCHD_MANAGER=$ORCHD_MANAGER ORCHD_INSTANCE=$ORCHD_INSTANCE; [ \"\$(instance_prop flap State)\" = failed ] && [ \"\$(instance_prop flap RestartCount)\" = 3 ]"
check_eq "it was restarted exactly 3 times (budget 4)" 3 "$(instance_prop flap RestartCount)"
sleep 1
check_eq "it stays failed" failed "$(instance_prop flap State)"
check_eq "InstanceGaveUp was sent exactly once" 1 "$(gave_up)"
check_eq "its last exit code is kept" 3 "$(instance_prop flap LastExitCode)"

# The backoff schedule: 0.1 s, 0.2 s, 0.4 s with ±10 % jitter, measured between the end of a run
# and orchd's restart of it.
delays=$(sb journalctl --no-pager -o cat -u orchd.service | sed -n 's/^Instance flap: run ended.*restarting in \([0-9.]*\) s\.$/\1/p' | tr '\n' ' ')
check_match "the planned delays follow the schedule" '^0\.(09|10|11)[0-9]* 0\.(1[89]|2[0-2])[0-9]* 0\.(3[6-9]|4[0-4])[0-9]* $' "$delays"
gaps=$(sb journalctl --no-pager -o short-monotonic -u orchd.service | awk -F'[][]' '
        /Instance flap: run ended/ {t = $2}
        /Instance flap: restarting \(restart/ {printf "%.3f ", $2 - t}')
check "each restart came after its delay, within 50 ms ($gaps)" awk -v d="$delays" -v g="$gaps" 'BEGIN {
        n = split(d, a, " "); m = split(g, b, " "); if (n != 3 || m != 3) exit 1
        for (k = 1; k <= 3; k++) if (b[k] < a[k] - 0.005 || b[k] > a[k] + 0.05) exit 1 }'

# A person starting it again gets a fresh budget.
check "StartInstance after a give-up" manager_call StartInstance s flap
check "the fresh budget is spent again" wait_until 20 count_at_least flap 6
check "and it gives up again" wait_until 10 state_is flap failed
check_eq "InstanceGaveUp once more (twice in all)" 2 "$(gave_up)"

# Policies.
manager_call AddInstance 'sasa{sv}' done 1 /bin/true 2 Restart s on-failure Start b true > /dev/null
check "on-failure: a clean exit ends exited" wait_until 10 state_is done exited
sleep 0.5
check_eq "and is not restarted" 0 "$(instance_prop done RestartCount)"
manager_call AddInstance 'sasa{sv}' plain 3 /bin/sh -c 'sleep 0.05; exit 1' 2 Restart s no Start b true > /dev/null
check "no: a failure ends failed" wait_until 10 state_is plain failed
sleep 0.5
check_eq "and is not restarted" 0 "$(instance_prop plain RestartCount)"
manager_call AddInstance 'sasa{sv}' loop 3 /bin/sh -c 'sleep 0.2; exit 0' 3 Restart s always RestartAttempts u 1000 Start b true > /dev/null
check "always: a clean exit is restarted too" wait_until 10 count_at_least loop 2
check "a person's Stop ends the restarts" manager_call StopInstance s loop
n=$(instance_prop loop RestartCount)
sleep 1
check_eq "no restart after the Stop" "stopped $n" "$(instance_prop loop State) $(instance_prop loop RestartCount)"

# A backoff wait survives kill -9 of orchd: the restart happens after orchd is back.
manager_call AddInstance 'sasa{sv}' slow 3 /bin/sh -c 'sleep 0.05; exit 1' 3 Restart s always RestartAttempts u 1000 Start b true > /dev/null
check "slow reaches its 5th restart" wait_until 20 count_at_least slow 5
check "and waits out a longer backoff" wait_until 10 state_is slow restarting
before=$(instance_prop slow RestartCount)
sb kill -9 "$(unit_prop orchd.service MainPID)"
check "orchd is back" wait_until 30 sb busctl get-property $ORCHD_DEST $ORCHD_PATH $ORCHD_MANAGER Version
check "the restart planned before the kill still happens" wait_until 20 count_at_least slow $((before + 1))
sb systemctl reset-failed orchd.service
check "a person stops it" manager_call StopInstance s slow

# orchd.conf: a bad file is reported with file and line and the running configuration stays; a good
# one changes the schedule after `systemctl reload orchd`.
sb sh -c 'mkdir -p /etc/orchd/orchd.conf.d && printf "[Supervision]\nRestartDelaySec=soon\n" > /etc/orchd/orchd.conf.d/50-bad.conf'
rc=0; out=$(sb orchd --verify-config 2>&1) || rc=$?
check_eq "orchd --verify-config fails on a bad value" 1 "$rc"
check_match "and names the file and line" '^/etc/orchd/orchd.conf.d/50-bad.conf:2: RestartDelaySec=soon: must be a time' "$out"
check "systemctl reload orchd with a bad file" sb systemctl reload orchd.service
check_match "the journal names the file and line, and the old configuration stays" \
        '50-bad.conf:2: RestartDelaySec=soon.*|keeping the running one' "$(sb journalctl --no-pager -o cat -u orchd.service | tail -n 5)"
sb sh -c 'printf "[Supervision]\nRestartDelaySec=0.5\nRestartMaxDelaySec=1\n" > /etc/orchd/orchd.conf.d/50-bad.conf'
check "orchd --verify-config accepts a good file" sb orchd --verify-config
check "systemctl reload orchd with a good file" sb systemctl reload orchd.service
check "orchd logs the reload" wait_until 5 sh -c "$(declare -f sb); ORCHD_BUILD_DIR='$ORCHD_BUILD_DIR' SANDBOX_TOOL='$SANDBOX_TOOL'; sb journalctl -o cat -u orchd.service | grep -q 'Configuration reloaded'"
manager_call AddInstance 'sasa{sv}' conf 3 /bin/sh -c 'sleep 0.05; exit 1' 3 Restart s on-failure RestartAttempts u 3 Start b true > /dev/null
check "the instance under the new configuration gives up" wait_until 20 state_is conf failed
delays=$(sb journalctl --no-pager -o cat -u orchd.service | sed -n 's/^Instance conf: run ended.*restarting in \([0-9.]*\) s\.$/\1/p' | tr '\n' ' ')
check_match "its delays follow RestartDelaySec=0.5, capped by RestartMaxDelaySec=1" '^0\.(4[5-9]|5[0-5])[0-9]* (0\.9|1\.0)[0-9]* $' "$delays"

check_no_sanitizer_reports
finish
