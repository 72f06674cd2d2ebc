#!/bin/bash
# Chaos: random calls on orchd's bus API for a while, as root and as an ordinary user at once
# (orchd-random-caller: every method of the contract's Manager, Instance and Alert interfaces and
# the standard ones, signature-valid random arguments, on the objects that exist and on random
# paths, a few calls in flight, none waited on for long). orchd must neither crash nor be
# restarted (its MainPID and NRestarts unchanged), must answer at the end, and the invariants
# hold once it is idle: every registration acknowledged to a caller and named by no removal is
# there, units match registrations, orchd's view equals systemd's, the state files are valid.
#
# CHAOS_RANDOM_SECONDS (120) for each caller; CHAOS_SEED repeats a run.
. "$(dirname "$0")/lib.sh"


seconds=${CHAOS_RANDOM_SECONDS:-120}
seed=${CHAOS_SEED:-$RANDOM$RANDOM}
caller=$ORCHD_BUILD_DIR/tests/integration/orchd-random-caller
methods=$ORCHD_SANDBOX/random-methods
# "INTERFACE METHOD SIGNATURE" (of the in-arguments) for each method orchd implements.
python3 - "$ORCHD_SOURCE_DIR/dbus/org.orchd.Orchestrator1.xml" > "$methods" <<'PY'
import sys
import xml.etree.ElementTree as ET
for iface in ET.parse(sys.argv[1]).getroot().iter("interface"):
    if iface.get("name").endswith(".Agent"):
        continue    # desktop agents implement it, not orchd
    for m in iface.findall("method"):
        sig = "".join(a.get("type") for a in m.findall("arg") if a.get("direction", "in") == "in")
        print(iface.get("name"), m.get("name"), sig)
PY
check_match "the contract's methods are read ($(wc -l < "$methods"))" \
        'Manager AddInstance sasa\{sv\}' "$(cat "$methods")"
echo "# seed $seed, $seconds s per caller"

# Something to hit: instances (one running, one that gave up with an alert) and a contact.
manager_call AddInstance 'sasa{sv}' fx-run 2 /bin/sleep infinity 1 Start b true > /dev/null
# (Its start job may fail already: /bin/false can be gone before systemd sees the exec.)
manager_call AddInstance 'sasa{sv}' fx-gaveup 1 /bin/false 3 Start b true Restart s on-failure RestartAttempts u 1 > /dev/null 2>&1 || true
manager_call SetContact 'sa{sv}' fx-contact 2 Role s operator Exec s /bin/true > /dev/null
sb sh -c 'id -u chaos > /dev/null 2>&1 || useradd -M chaos; mkdir -p /var/tmp/chaos && chmod 1777 /var/tmp/chaos; rm -f /var/tmp/chaos/acked-*'
pid=$(unit_prop orchd.service MainPID)
restarts=$(unit_prop orchd.service NRestarts)

sb "$caller" --seconds "$seconds" --seed "$seed" --acked /var/tmp/chaos/acked-root < "$methods" > "$ORCHD_SANDBOX/random-root.out" 2>&1 &
root_caller=$!
sb runuser -u chaos -- "$caller" --seconds "$seconds" --seed "$((seed + 1))" --acked /var/tmp/chaos/acked-user \
        < "$methods" > "$ORCHD_SANDBOX/random-user.out" 2>&1 &
user_caller=$!
rc_root=0 rc_user=0
wait $root_caller || rc_root=$?
wait $user_caller || rc_user=$?
for who in root user; do
        sed "s/^\([^#]\)/# $who: \1/" "$ORCHD_SANDBOX/random-$who.out"
done
check_eq "both callers ran to their end" "0 0" "$rc_root $rc_user"
calls=$(cat "$ORCHD_SANDBOX/random-root.out" "$ORCHD_SANDBOX/random-user.out" | sed -n 's/^calls=\([0-9]*\) .*/\1/p' | awk '{s += $1} END {print s + 0}')
check "they made calls (${calls:-0})" test "${calls:-0}" -gt 100

check_eq "orchd neither crashed nor was restarted (MainPID, NRestarts)" "$pid $restarts" \
        "$(unit_prop orchd.service MainPID) $(unit_prop orchd.service NRestarts)"
check "orchd answers at the end" sb busctl call --timeout=5 "$ORCHD_DEST" "$ORCHD_PATH" "$ORCHD_MANAGER" ListInstances
chaos_driver check --settle 90 \
        --acked /var/tmp/chaos/acked-root --acked /var/tmp/chaos/acked-user

check_no_sanitizer_reports
finish
