#!/usr/bin/python3
"""The chaos tests' driver. It runs inside the sandbox as root (tests/integration/test-chaos-*.sh
start it with `sb python3 chaos-driver.py TEST ...`), injects the faults, and checks orchd's
invariants after every step:

  - every acknowledged registration (an AddInstance that replied with an id, a SetContact that
    replied) is there, with its id; every acknowledged removal stuck; every alert is there;
  - exactly one unit per instance that runs and none for the others: `systemctl show 'orchd-*'`
    against orchd's instances (GetManagedObjects: State, WantRunning, ActiveState, MainPID,
    InvocationID) -- orchd's view equals systemd's;
  - the state files are valid (orchd loaded them: no "Skipping" in its journal, one file per
    instance, alert and run-time contact) and no temporary ".#" file is left once orchd is idle.

It prints "ok - ...", "not ok - ..." and "# ..." lines; the shell script numbers them (TAP).
It uses busctl (JSON replies), gdbus (D-Bus error names), systemctl and journalctl only."""

import argparse
import collections
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

DEST = "org.orchd.Orchestrator1"
MANAGER_PATH = "/org/orchd/Orchestrator1"
MANAGER = DEST + ".Manager"
INSTANCE = DEST + ".Instance"
ALERT = DEST + ".Alert"
STATE_DIR = "/var/lib/orchd"
WORK = "/var/tmp/chaos"
DROPIN_DIR = "/etc/systemd/system/orchd.service.d"
CONF_DIR = "/etc/orchd/orchd.conf.d"
UNIT_PROCESS_EXIT = "98e322203f7a4ed290d09fe03c09fe15"  # systemd's "Main process exited"
UP_STATES = {"active", "reloading", "activating", "deactivating"}
# What orchd's State allows systemd's ActiveState to be (None: the unit is not loaded).
STATE_UNIT = {
    "running": {"active", "reloading"},
    "starting": {"activating"},
    "stopping": {"deactivating"},
    "registered": {None, "inactive"},
    "stopped": {None, "inactive"},
    "exited": {None, "inactive"},
    "restarting": {None, "inactive", "failed"},
    "failed": {None, "inactive", "failed"},
}

_out_lock = threading.Lock()


def out(line):
    with _out_lock:
        print(line, flush=True)


def diag(text):
    for line in str(text).splitlines() or [""]:
        out("#   " + line)


def ok(desc):
    out("ok - " + desc)


def not_ok(desc, detail=""):
    out("not ok - " + desc)
    if detail:
        diag(detail)


def check(desc, problems, limit=25):
    """ok if PROBLEMS (a list of strings) is empty; otherwise not ok with the first few."""
    problems = list(problems)
    if not problems:
        ok(desc)
        return True
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    not_ok(desc, "\n".join(problems[:limit]) + more)
    return False


def run(cmd, timeout=60, check_rc=False, stdin=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin)
    if check_rc and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def sh(script, timeout=60):
    return run(["sh", "-c", script], timeout=timeout, check_rc=True).stdout


def percentile(values, p):
    v = sorted(values)
    if not v:
        return 0
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


# --- calling orchd -------------------------------------------------------------------------------

def gv_str(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def gvariant(sig, value):
    """VALUE as GVariant text of type SIG, for gdbus."""
    if sig == "s":
        return gv_str(value)
    if sig == "o":
        return "objectpath " + gv_str(value)
    if sig == "b":
        return "true" if value else "false"
    if sig in ("u", "t", "i"):
        return {"u": "uint32", "t": "uint64", "i": "int32"}[sig] + f" {int(value)}"
    if sig == "as":
        return "@as [" + ", ".join(gv_str(x) for x in value) + "]"
    if sig == "a{sv}":
        return "@a{sv} {" + ", ".join(f"{gv_str(k)}: <{gvariant(t, v)}>" for k, (t, v) in value.items()) + "}"
    raise ValueError(sig)


class Reply:
    def __init__(self, ok_, text, error=None):
        self.ok = ok_
        self.text = text        # gdbus's output on success, the error message otherwise
        self.error = error      # the D-Bus error name, "timeout", or "other"

    def __repr__(self):
        return self.text if self.ok else f"{self.error}: {self.text}"


def call(method, args=(), path=MANAGER_PATH, interface=MANAGER, timeout=25, user=None):
    """A method call through gdbus, which tells the D-Bus error's name. ARGS: (signature, value)."""
    cmd = ["gdbus", "call", "--system", "--dest", DEST, "--object-path", path,
           "--method", f"{interface}.{method}", "--timeout", str(timeout), "--"]
    cmd += [gvariant(sig, v) for sig, v in args]
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    try:
        p = run(cmd, timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        return Reply(False, "gdbus did not return", "timeout")
    if p.returncode == 0:
        return Reply(True, p.stdout.strip())
    err = p.stderr.strip()
    m = re.search(r"GDBus\.Error:([A-Za-z0-9_.]+): ?(.*)", err, re.S)
    if m:
        return Reply(False, m.group(2), m.group(1))
    if "Timeout was reached" in err:
        return Reply(False, err, "timeout")
    return Reply(False, err, "other")


def reply_id(reply):
    m = re.match(r"\('([0-9a-f-]{36})', objectpath '([^']*)'\)", reply.text)
    return m.group(1) if m else None


def options(**kw):
    """a{sv} from keyword arguments, with the types AddInstance and SetContact take."""
    types = {"Start": "b", "Restart": "s", "RestartAttempts": "u", "RestartWindowUSec": "t",
             "Description": "s", "Environment": "as", "Role": "s", "Exec": "s", "User": "s"}
    return ("a{sv}", {k: (types[k], v) for k, v in kw.items()})


def add_instance(name, argv, timeout=25, **opts):
    return call("AddInstance", [("s", name), ("as", argv), options(**opts)], timeout=timeout)


def busctl_json(*args, timeout=30):
    p = run(["busctl", "--json=short", f"--timeout={timeout}"] + list(args), timeout=timeout + 10)
    if p.returncode != 0:
        raise RuntimeError(f"busctl {' '.join(args)}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def orchd_answers(timeout=30):
    return call("ListInstances", timeout=timeout).ok


def orchd_pid():
    return int(sh("systemctl show -P MainPID orchd.service").strip() or 0)


def orchd_service():
    p = sh("systemctl show -p MainPID,NRestarts,ActiveState,SubState,Result orchd.service")
    return dict(line.split("=", 1) for line in p.splitlines() if "=" in line)


def wait_answer(deadline_s=60):
    """Seconds until a ListInstances succeeds (orchd may first be activated or restarted)."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if call("ListInstances", timeout=max(1, int(deadline_s - (time.monotonic() - start)))).ok:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def daemon_reload():
    sh("systemctl daemon-reload")


def write_file(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class Journal:
    """orchd's journal from a cursor on: what was logged since the last look."""

    def __init__(self):
        self.cursor_file = os.path.join(WORK, f"journal-cursor.{os.getpid()}")
        os.makedirs(WORK, exist_ok=True)
        if os.path.exists(self.cursor_file):
            os.unlink(self.cursor_file)
        # The cursor of the last line so far (with -n 0 journalctl would write none).
        run(["journalctl", "-u", "orchd.service", "-n", "1", "-o", "cat", "--cursor-file", self.cursor_file, "-q"])

    def new_lines(self):
        p = run(["journalctl", "-u", "orchd.service", "-o", "cat", "--no-pager", "-q",
                 "--cursor-file", self.cursor_file])
        return p.stdout.splitlines()


SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer")


def journal_problems(lines):
    """State files orchd refused, and sanitizer reports, among orchd's log lines."""
    bad = [l for l in lines if l.startswith("Skipping " + STATE_DIR) or SANITIZER.search(l)]
    return [f"orchd logged: {l}" for l in bad]


# --- one look at both sides -------------------------------------------------------------------

class Snapshot:
    def __init__(self):
        data = busctl_json("call", DEST, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
        self.instances = {}
        self.alerts = {}
        for path, ifaces in data["data"][0].items():
            if INSTANCE in ifaces:
                p = {k: v["data"] for k, v in ifaces[INSTANCE].items()}
                p["path"] = path
                self.instances[p["Name"]] = p
            if ALERT in ifaces:
                p = {k: v["data"] for k, v in ifaces[ALERT].items()}
                p["path"] = path
                self.alerts[p["Id"]] = p
        contacts = busctl_json("call", DEST, MANAGER_PATH, MANAGER, "ListContacts")
        self.contacts = {c[0]: c for c in contacts["data"][0]}
        self.units = {}
        p = run(["systemctl", "show", "-p", "Id,LoadState,ActiveState,SubState,MainPID,InvocationID",
                 "--", "orchd-*.service"])
        for block in p.stdout.split("\n\n"):
            u = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
            if u.get("Id"):
                self.units[u["Id"]] = u
        jobs = run(["systemctl", "list-jobs", "--no-legend", "--plain"]).stdout
        self.jobs = [l.split()[1] for l in jobs.splitlines() if len(l.split()) > 1 and l.split()[1].startswith("orchd")]
        self.files = os.listdir(STATE_DIR)

    def unit_state(self, name):
        """systemd's ActiveState of the instance's unit, None if it is not loaded."""
        u = self.units.get(self.instances[name]["Unit"])
        return u["ActiveState"] if u and u["LoadState"] == "loaded" else None


def invariant_problems(s, stable=False, strays=(), gave_up_alerts=False):
    """What is wrong in snapshot S. stable: every instance marked to run must be running (their
    programs never end by themselves), but for those that gave up (with an open alert).
    gave_up_alerts: an instance that gave up has an open alert."""
    v = []
    # State files: one per instance, alert and run-time contact; no temporary file.
    temp = sorted(f for f in s.files if f.startswith(".#"))
    if temp:
        v.append(f"temporary files left in {STATE_DIR}: {' '.join(temp)}")
    kinds = collections.defaultdict(set)
    for f in s.files:
        if f.startswith(".#"):
            continue
        stem, _, suffix = f.rpartition(".")
        if suffix in ("instance", "alert", "contact"):
            kinds[suffix].add(stem)
        else:
            v.append(f"unexpected file in {STATE_DIR}: {f}")
    for name in sorted(kinds["instance"] - set(s.instances)):
        v.append(f"{name}.instance is not loaded by orchd")
    for name in sorted(set(s.instances) - kinds["instance"]):
        v.append(f"instance {name} has no state file")
    for aid in sorted(kinds["alert"] ^ set(s.alerts)):
        v.append(f"alert {aid}: " + ("file not loaded" if aid in kinds["alert"] else "no state file"))
    for c in sorted(kinds["contact"] - set(s.contacts)):
        v.append(f"{c}.contact is not loaded by orchd")

    # Units against registrations.
    by_unit = {p["Unit"]: n for n, p in s.instances.items()}
    for unit, u in sorted(s.units.items()):
        if unit not in by_unit and unit not in strays and u["ActiveState"] != "inactive":
            v.append(f"{unit} is {u['ActiveState']} but no instance is registered for it")
    for job in s.jobs:
        v.append(f"systemd still has a job for {job} (not idle)")

    # Each instance: orchd's view against systemd's.
    for n, p in sorted(s.instances.items()):
        a = s.unit_state(n)
        u = s.units.get(p["Unit"], {})
        state, want = p["State"], p["WantRunning"]
        if a not in STATE_UNIT.get(state, ()):
            v.append(f"{n}: orchd says {state}, systemd says {a or 'not loaded'}")
        if state in ("starting", "stopping"):
            v.append(f"{n}: still {state} once idle")
        if not want and a in UP_STATES:
            v.append(f"{n}: not marked to run (WantRunning=false), but its unit is {a}")
        if want and state in ("registered", "stopped"):
            v.append(f"{n}: marked to run (WantRunning=true) but {state}, its unit {a or 'not loaded'}")
        elif stable and want and state != "running" and p["Alert"] == "/":
            v.append(f"{n}: marked to run, but {state} (unit {a or 'not loaded'})")
        if a is not None:
            if p["ActiveState"] != a:
                v.append(f"{n}: orchd's ActiveState {p['ActiveState']}, systemd's {a}")
            if a == "active":
                if p["MainPID"] != int(u.get("MainPID", 0)):
                    v.append(f"{n}: orchd's MainPID {p['MainPID']}, systemd's {u.get('MainPID')}")
                if p["InvocationID"] != u.get("InvocationID"):
                    v.append(f"{n}: orchd's InvocationID {p['InvocationID']}, systemd's {u.get('InvocationID')}")
        elif p["ActiveState"] not in ("", "inactive"):
            v.append(f"{n}: orchd's ActiveState {p['ActiveState']}, but systemd has no such unit")
        if p["Alert"] != "/":
            al = next((x for x in s.alerts.values() if x["path"] == p["Alert"]), None)
            if not al or al["State"] == "resolved" or al["InstanceId"] != p["Id"]:
                v.append(f"{n}: its Alert {p['Alert']} is not an open alert of it")
        if gave_up_alerts and state == "failed" and want and p["Restart"] != "no" and p["Alert"] == "/":
            v.append(f"{n}: failed and marked to run, neither restarting nor with an open alert "
                     f"(a give-up without its alert, or a failure not acted on)")

    # Alerts: at most one open per instance, each of an instance that exists.
    ids = {p["Id"]: n for n, p in s.instances.items()}
    open_per = collections.Counter(a["InstanceId"] for a in s.alerts.values() if a["State"] != "resolved")
    for iid, k in open_per.items():
        if k > 1:
            v.append(f"instance {ids.get(iid, iid)} has {k} open alerts")
        if iid not in ids:
            v.append(f"an open alert of instance {iid}, which is not registered")
    return v


def explain(names, limit=2, lines=20):
    """The last lines orchd and systemd logged of the first few NAMES, for the diagnosis."""
    for name in sorted(names)[:limit]:
        p = run(["journalctl", "-o", "short-monotonic", "--no-pager", "-q", "-u", "orchd.service",
                 "-u", f"orchd-{name}.service", "--grep", f"(Instance {name}[:( ]|orchd-{name}\\.service)"])
        diag(f"what orchd and systemd logged of {name} (last {lines} lines):")
        diag("\n".join("  " + l for l in p.stdout.splitlines()[-lines:]))


def settle(problems_of, timeout=60, interval=0.25):
    """Looks until PROBLEMS_OF(snapshot) is empty or TIMEOUT passes: the two sides are looked at
    one after the other, and orchd learns of changes a moment after systemd makes them. Returns
    (snapshot, problems, seconds)."""
    start = time.monotonic()
    while True:
        try:
            s = Snapshot()
            problems = problems_of(s)
        except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
            s, problems = None, [f"could not look: {e}"]
        if not problems or time.monotonic() - start > timeout:
            return s, problems, time.monotonic() - start
        time.sleep(interval)


# --- what the callers were told ---------------------------------------------------------------

class Model:
    """Per instance name, what orchd acknowledged: exists (True, False, None: unknown, a call
    that was not answered), its id, and whether it is marked to run (None: unknown)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = {}
        self.contacts = {}      # name -> True (acknowledged), None (unknown)
        self.alerts = {}        # id -> instance name: every alert seen must stay
        self.anomalies = []     # what a reply said that contradicts an earlier acknowledgement

    def set(self, name, **kw):
        with self.lock:
            e = self.entries.setdefault(name, {"exists": None, "id": None, "want": None, "argv": None})
            e.update(kw)

    def apply(self, op, name, reply, argv=None, start=False):
        """Records what REPLY (to OP on NAME) tells."""
        if reply.ok:
            if op == "add":
                self.set(name, exists=True, id=reply_id(reply), want=start, argv=argv)
            elif op in ("start", "restart"):
                self.set(name, exists=True, want=True)
            elif op == "stop":
                self.set(name, exists=True, want=False)
            elif op == "remove":
                self.set(name, exists=False, want=None)
        elif reply.error == DEST + ".Error.NoSuchInstance":
            with self.lock:
                e = self.entries.get(name)
                if e and e["exists"] is True:
                    self.anomalies.append(f"{name}: acknowledged (id {e['id']}), but {op} said: {reply.text}")
            self.set(name, exists=False, want=None)
        elif op in ("add", "remove"):
            # Not answered (orchd was killed) or refused: either outcome is allowed.
            self.set(name, exists=None, want=None, **({"argv": argv} if op == "add" else {}))
        else:
            self.set(name, want=None)

    def problems(self, s):
        with self.lock:
            entries = dict((k, dict(e)) for k, e in self.entries.items())
            v = list(self.anomalies)
        for name, e in sorted(entries.items()):
            p = s.instances.get(name)
            if e["exists"] is True and not p:
                v.append(f"{name}: acknowledged (id {e['id']}), but not registered")
            if e["exists"] is False and p:
                v.append(f"{name}: its removal was acknowledged (or it never was), but it is registered (id {p['Id']})")
            if p and e["id"] and p["Id"] != e["id"]:
                v.append(f"{name}: registered with id {p['Id']}, acknowledged with {e['id']}")
            if p and e["argv"] is not None and p["ExecStart"] != e["argv"]:
                v.append(f"{name}: ExecStart {p['ExecStart']}, registered with {e['argv']}")
            if p and e["want"] is not None and p["WantRunning"] != e["want"]:
                v.append(f"{name}: WantRunning {p['WantRunning']}, the last acknowledged call said {e['want']}")
        for c, known in sorted(self.contacts.items()):
            if known is True and c not in s.contacts:
                v.append(f"contact {c}: acknowledged, but not there")
            if known is False and c in s.contacts:
                v.append(f"contact {c}: its removal was acknowledged, but it is there")
        for aid, inst in sorted(self.alerts.items()):
            if aid not in s.alerts:
                v.append(f"alert {aid} (of {inst}) is gone")
        return v


def add_many(specs, threads=6):
    """Adds the instances of SPECS [(name, argv, opts)] with a few concurrent callers; returns
    {name: Reply}."""
    replies = {}
    lock = threading.Lock()
    todo = list(specs)

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                name, argv, opts = todo.pop()
            r = add_instance(name, argv, **opts)
            with lock:
                replies[name] = r

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return replies


def setup_dropin(name, text):
    write_file(os.path.join(DROPIN_DIR, name), text)
    daemon_reload()


def remove_dropin(name):
    try:
        os.unlink(os.path.join(DROPIN_DIR, name))
    except FileNotFoundError:
        pass
    daemon_reload()


def set_orchd_conf(text):
    write_file(os.path.join(CONF_DIR, "60-chaos.conf"), text)
    sh("systemctl reload orchd.service")
    time.sleep(0.3)


FLAKY = """#!/bin/bash
# flaky NAME FAILURES DELAY: runs FAILURES times for DELAY seconds ("r": 0.05-0.95) and exits 1,
# then runs for good. Each run is counted in %(work)s/runs/NAME.
f=%(work)s/runs/$1
n=$(( $(cat "$f" 2>/dev/null || echo 0) + 1 ))
echo $n > "$f"
if [ $n -le $2 ]; then
        if [ "$3" = r ]; then sleep 0.$(( RANDOM %% 10 ))5; else sleep "$3"; fi
        exit 1
fi
exec sleep infinity
""" % {"work": WORK}


def install_flaky():
    os.makedirs(os.path.join(WORK, "runs"), exist_ok=True)
    write_file(os.path.join(WORK, "flaky"), FLAKY, 0o755)
    return os.path.join(WORK, "flaky")


def runs_of(name):
    try:
        with open(os.path.join(WORK, "runs", name)) as f:
            return int(f.read().strip() or 0)
    except FileNotFoundError:
        return 0


def failed_runs_in_journal():
    """Per unit, the runs systemd logged as ended with status 1 (MESSAGE_ID of "Main process
    exited"), counted by InvocationID."""
    p = run(["journalctl", "-o", "json", "--no-pager", "--output-fields=UNIT,EXIT_CODE,EXIT_STATUS,INVOCATION_ID",
             "MESSAGE_ID=" + UNIT_PROCESS_EXIT, "_PID=1"], timeout=120)
    runs = collections.defaultdict(set)
    for line in p.stdout.splitlines():
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue
        if e.get("EXIT_CODE") == "exited" and e.get("EXIT_STATUS") == "1" and e.get("UNIT", "").startswith("orchd-"):
            runs[e["UNIT"]].add(e.get("INVOCATION_ID", line))
    return runs


class SignalLog:
    """orchd's broadcast signals, recorded by busctl monitor."""

    def __init__(self, member):
        self.path = os.path.join(WORK, f"signals-{member}.{os.getpid()}.json")
        self.f = open(self.path, "w")
        self.p = subprocess.Popen(["busctl", "monitor", "--json=short", "--match",
                                   f"type=signal,interface={MANAGER},member={member}"],
                                  stdout=self.f, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def args(self):
        res = []
        with open(self.path) as f:
            for line in f:
                try:
                    e = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if e.get("type") == "signal":
                    res.append(e.get("payload", {}).get("data", []))
        return res

    def close(self):
        self.p.terminate()
        self.p.wait()
        self.f.close()


# --- test-chaos-kill.sh --------------------------------------------------------------------------

class Client(threading.Thread):
    """A caller doing add/start/stop/restart/remove on instances of its own, one call at a time."""

    def __init__(self, idx, names, model, gate, rng):
        super().__init__(daemon=True)
        self.idx, self.names, self.model, self.gate, self.rng = idx, list(names), model, gate, rng
        self.touched = set()
        self.idle = True
        self.serial = 0
        self.counts = collections.Counter()

    def pick(self):
        if not self.names:
            return None
        return self.rng.choice(self.names)

    def one(self):
        r = self.rng.random()
        n = len(self.names)
        if r < 0.15 or n < 40 and r < 0.3:
            op = "add"
        elif r < 0.30 and n > 40:
            op = "remove"
        else:
            op = self.rng.choice(["start", "start", "stop", "stop", "restart"])
        if op == "add":
            self.serial += 1
            name = f"c{self.idx}-{self.serial}"
            start = self.rng.random() < 0.7
            argv = ["/bin/sleep", "infinity"]
            self.touched.add(name)
            self.names.append(name)
            reply = add_instance(name, argv, Start=start)
            self.model.apply("add", name, reply, argv=argv, start=start)
        else:
            name = self.pick()
            if not name:
                return
            self.touched.add(name)
            reply = call({"start": "StartInstance", "stop": "StopInstance", "restart": "RestartInstance",
                          "remove": "RemoveInstance"}[op], [("s", name)])
            self.model.apply(op, name, reply)
            if (op == "remove" and reply.ok) or reply.error == DEST + ".Error.NoSuchInstance":
                self.names.remove(name)
        self.counts[op + (" ok" if reply.ok else " " + str(reply.error))] += 1

    def run(self):
        while True:
            with self.gate["cond"]:
                self.idle = True
                self.gate["cond"].notify_all()
                while not self.gate["go"] and not self.gate["stop"]:
                    self.gate["cond"].wait()
                if self.gate["stop"]:
                    return
                self.idle = False
            self.one()


def kill_test(args):
    rng = random.Random(args.seed)
    diag(f"seed {args.seed}, {args.instances} instances, {args.clients} clients, "
         + (f"{args.minutes} minutes" if args.minutes else f"{args.rounds} rounds"))
    journal = Journal()
    # 100 kills within minutes: systemd's start rate limit of orchd.service is not the subject.
    setup_dropin("60-chaos.conf", "[Unit]\nStartLimitIntervalSec=0\n"
                 + ("[Service]\nEnvironment=ORCHD_LOG_LEVEL=debug\n" if args.orchd_debug else ""))
    model = Model()

    specs = [(f"k{i:03d}", ["/bin/sleep", "infinity"], {"Start": True}) for i in range(args.instances)]
    t0 = time.monotonic()
    replies = add_many(specs)
    for name, r in replies.items():
        model.apply("add", name, r, argv=["/bin/sleep", "infinity"], start=True)
    bad = [f"{n}: {r}" for n, r in sorted(replies.items()) if not r.ok]
    check(f"{args.instances} instances added and started ({time.monotonic() - t0:.1f} s)", bad)
    # Three instances that give up at once, each with an open alert that must survive every kill.
    for k in range(3):
        argv = ["/bin/false"]
        r = add_instance(f"gaveup{k}", argv, Start=True, Restart="on-failure", RestartAttempts=1)
        model.apply("add", f"gaveup{k}", r, argv=argv, start=True)
    s, problems, _ = settle(lambda s: [] if sum(1 for a in s.alerts.values() if a["State"] == "open") >= 3
                            else ["fewer than 3 open alerts"], timeout=30)
    for a in (s.alerts.values() if s else []):
        model.alerts[a["Id"]] = a["Instance"]
    check("three instances gave up, each with an open alert", problems)

    s, problems, _ = settle(lambda s: invariant_problems(s, stable=False, gave_up_alerts=True) + model.problems(s))
    check("the invariants hold before the first kill", problems + journal_problems(journal.new_lines()))
    prev = s

    gate = {"cond": threading.Condition(), "go": False, "stop": False}
    names = sorted(n for n in model.entries if n.startswith("k"))
    clients = [Client(c, names[c::args.clients], model, gate, random.Random(rng.random()))
               for c in range(args.clients)]
    for c in clients:
        c.start()

    def pause():
        with gate["cond"]:
            gate["go"] = False
            gate["cond"].wait_for(lambda: all(c.idle for c in clients))

    def resume():
        with gate["cond"]:
            for c in clients:
                c.touched = set()
            gate["go"] = True
            gate["cond"].notify_all()

    failures = collections.OrderedDict()   # invariant -> [(round, problems)]
    answer_ms = []
    settle_s = []
    kills = 0
    bad_rounds = 0
    reported = set()
    start = time.monotonic()
    rounds = 0
    while True:
        if args.minutes:
            if time.monotonic() - start > args.minutes * 60:
                break
        elif rounds >= args.rounds:
            break
        rounds += 1
        resume()
        time.sleep(rng.uniform(0.05, 1.2))
        old = orchd_pid()
        if old:
            os.kill(old, signal.SIGKILL)
            kills += 1
        t_kill = time.monotonic()
        if rng.random() < 0.2:
            # Again while it starts: while it loads its state or adopts the units.
            time.sleep(rng.uniform(0.05, 0.6))
            new = orchd_pid()
            if new and new != old:
                os.kill(new, signal.SIGKILL)
                kills += 1
                t_kill = time.monotonic()
        answered = wait_answer(60)
        if answered is None:
            failures.setdefault("orchd answers within 60 s after each kill", []).append((rounds, ["no answer"]))
        else:
            answer_ms.append((time.monotonic() - t_kill) * 1000)
        pause()
        touched = set().union(*(c.touched for c in clients))

        def problems_of(snap):
            v = {"invariants": invariant_problems(snap, stable=True, gave_up_alerts=True),
                 "acknowledged": model.problems(snap)}
            # systemd's view: the runs of instances no call touched are the same runs.
            kept = []
            for n, p in prev.instances.items():
                u = prev.units.get(p["Unit"])
                if n in touched or not u or u["ActiveState"] != "active":
                    continue
                w = snap.units.get(p["Unit"], {})
                if (w.get("InvocationID"), w.get("MainPID")) != (u["InvocationID"], u["MainPID"]):
                    kept.append(f"{n}: run {u['InvocationID']} (PID {u['MainPID']}) became "
                                f"{w.get('InvocationID')} (PID {w.get('MainPID')}), {w.get('ActiveState')}")
            v["untouched"] = kept
            return [f"{k}: {x}" for k, xs in v.items() for x in xs]

        # A problem counts in the first round that shows it (it may well stay for good).
        snap, problems, took = settle(lambda s: [p for p in problems_of(s) if p not in reported], timeout=args.settle)
        settle_s.append(took)
        problems += journal_problems(journal.new_lines())
        reported.update(problems)
        if problems:
            diag(f"round {rounds}: {len(problems)} problems, e.g. {problems[0]}")
            explain({p.split(": ")[1] for p in problems if p.count(": ") >= 2} & set(snap.instances if snap else ()))
            for p in problems:
                key = p.split(":", 1)[0]
                failures.setdefault(key, [])
                if not failures[key] or failures[key][-1][0] != rounds:
                    failures[key].append((rounds, []))
                failures[key][-1][1].append(p)
        if snap:
            prev = snap
        bad_rounds += bool(problems)
        if bad_rounds >= args.max_bad_rounds:
            not_ok(f"stopped after {bad_rounds} rounds with problems (of {rounds})")
            break
        if rounds % 10 == 0:
            diag(f"round {rounds}: {len(snap.instances) if snap else '?'} instances, "
                 f"kill→answer p50 {percentile(answer_ms, 50):.0f} ms, settled in {took:.1f} s")

    with gate["cond"]:
        gate["stop"] = True
        gate["cond"].notify_all()
    for c in clients:
        c.join()
    ops = sum((c.counts for c in clients), collections.Counter())
    diag("operations: " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    p50, p99 = percentile(answer_ms, 50), percentile(answer_ms, 99)
    out(f"# kill -9 → ListInstances answered: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(answer_ms or [0]):.0f} ms "
        f"over {len(answer_ms)} rounds ({kills} kills, {args.instances} instances, {time.monotonic() - start:.0f} s)")
    diag(f"settling after each round: p50 {percentile(settle_s, 50):.2f} s, max {max(settle_s or [0]):.2f} s")

    labels = [("invariants", "units match registrations, orchd's view equals systemd's, state files valid"),
              ("acknowledged", "every acknowledged registration, removal, start and stop survived"),
              ("untouched", "no running instance was restarted by a kill of orchd")]
    for key, label in labels:
        f = failures.pop(key, [])
        check(f"after each of {rounds} rounds: {label}",
              [f"round {r}: {p}" for r, ps in f[:5] for p in ps[:8]])
    check(f"orchd answered after each kill, p99 {p99:.0f} ms (limit {args.answer_limit_ms} ms)",
          [f"round {r}: {p}" for r, ps in failures.pop("orchd answers within 60 s after each kill", []) for p in ps]
          + ([f"p99 {p99:.0f} ms"] if p99 > args.answer_limit_ms else []))
    check("nothing else went wrong", [f"round {r}: {p}" for k, f in failures.items() for r, ps in f[:5] for p in ps[:8]])
    check("some operations of every kind were acknowledged",
          [f"no {op} acknowledged" for op in ("add", "start", "stop", "restart", "remove") if not ops[op + " ok"]])
    remove_dropin("60-chaos.conf")


# --- test-chaos-store.sh ------------------------------------------------------------------------

POINTS = ["after-temp-write", "after-fsync", "after-rename", "after-dir-fsync"]


def store_test(args):
    rng = random.Random(args.seed)
    diag(f"seed {args.seed}")
    journal = Journal()
    model = Model()
    cases = [(p, kind) for kind in ("add", "add-start", "contact", "alert") for p in POINTS]
    cases += [("after-unlink", "remove"), ("after-unlink", "contact-remove")]
    # A few registrations that every case must keep.
    for k in range(5):
        argv = ["/bin/sleep", "infinity"]
        model.apply("add", f"base{k}", add_instance(f"base{k}", argv, Start=k % 2 == 0), argv=argv, start=k % 2 == 0)
    reached = {p: False for p in POINTS + ["after-unlink"]}
    reported = set()
    for case_no, (point, kind) in enumerate(cases):
        n = rng.randint(1, 3) if kind not in ("alert",) else 1
        glob = {"add": "*.instance", "add-start": "*.instance", "remove": "*.instance", "contact": "*.contact",
                "contact-remove": "*.contact", "alert": "*.alert"}[kind]
        label = f"{point}:{n}:{glob} during {kind}"
        # Armed, and left down after the crash (Restart=no) so that the hook fires once.
        setup_dropin("70-crash.conf", f"[Service]\nEnvironment=ORCHD_CRASH_POINT={point}:{n}:{glob}\n"
                     "Restart=no\nLimitCORE=0\n")
        # (It may crash while it starts already, with a write of its own.)
        run(["systemctl", "restart", "orchd.service"])
        lines = journal.new_lines()
        if not any(l.startswith(f"Crash point {point} armed") for l in lines):
            not_ok(f"{label}: orchd armed the crash point", "\n".join(lines[-5:]))
        pid = orchd_pid()
        inflight = None
        ops = 0
        # Registrations until orchd dies; the one without an answer is in flight.
        prepared = []
        if kind in ("remove", "contact-remove"):
            for k in range(n + 3):
                if kind == "remove":
                    name = f"rm{case_no}-{k}"
                    argv = ["/bin/sleep", "infinity"]
                    model.apply("add", name, add_instance(name, argv, Start=k % 2 == 0), argv=argv, start=k % 2 == 0)
                else:
                    name = f"crm{case_no}-{k}"
                    r = call("SetContact", [("s", name), options(Role="operator", Exec="/bin/true")])
                    model.contacts[name] = True if r.ok else None
                prepared.append(name)
        deadline = time.monotonic() + 30
        k = 0
        while time.monotonic() < deadline and pid and orchd_pid() == pid:
            ops += 1
            if kind in ("add", "add-start"):
                name = f"s{case_no}-{k}"
                argv = ["/bin/sleep", "infinity", name]
                r = add_instance(name, argv, timeout=15, Start=kind == "add-start", Description=f"case {case_no}",
                                 Environment=[f"CHAOS={k}"])
                model.apply("add", name, r, argv=argv, start=kind == "add-start")
            elif kind == "contact":
                name = f"ct{case_no}-{k}"
                r = call("SetContact", [("s", name), options(Role="superior", Exec=f"/bin/echo {name}")], timeout=15)
                model.contacts[name] = True if r.ok else None
            elif kind == "alert":
                name = f"al{case_no}-{k}"
                argv = ["/bin/false", name]
                r = add_instance(name, argv, timeout=15, Start=True, Restart="on-failure", RestartAttempts=1)
                model.apply("add", name, r, argv=argv, start=True)
                # The give-up and its alert follow the start: the give-up is what is in flight.
                t = time.monotonic() + 10
                while time.monotonic() < t and orchd_pid() == pid:
                    time.sleep(0.05)
                inflight = (name, argv, r)
                break
            else:
                if k >= len(prepared):
                    break
                name = prepared[k]
                if kind == "remove":
                    r = call("RemoveInstance", [("s", name)], timeout=15)
                    model.apply("remove", name, r)
                else:
                    r = call("RemoveContact", [("s", name)], timeout=15)
                    model.contacts[name] = False if r.ok else None
            k += 1
            if not r.ok:
                inflight = (name, argv if kind.startswith("add") else None, r)
                break
        # Dead: systemd says so (or a call after the crash has activated it again).
        t = time.monotonic() + 10
        while time.monotonic() < t and orchd_service().get("MainPID") == str(pid):
            time.sleep(0.05)
        svc = orchd_service()
        lines += journal.new_lines()
        hit = [l for l in lines if l.startswith(f"Crash point {point} reached")]
        reached[point] |= bool(hit)
        # Before the rename, the crash leaves the temporary file (removed when orchd starts).
        temp = [f for f in os.listdir(STATE_DIR) if f.startswith(".#")]
        check(f"{label}: orchd aborted at the crash point after {ops} calls",
              ([] if hit else [f"the point was never reached ({ops} calls); orchd is {svc}"])
              + ([] if svc.get("MainPID") != str(pid) else [f"orchd did not die: {svc}"])
              + ([f"no temporary file was left: {os.listdir(STATE_DIR)}"]
                 if hit and point in ("after-temp-write", "after-fsync") and not temp
                 and svc.get("ActiveState") in ("failed", "inactive") else []))
        remove_dropin("70-crash.conf")
        # (A call after the crash may have activated orchd again, still armed: restart, not start.)
        sh("systemctl reset-failed orchd.service; systemctl restart orchd.service")
        if wait_answer(60) is None:
            not_ok(f"{label}: orchd answers after the crash")
            continue
        temp = [f for f in os.listdir(STATE_DIR) if f.startswith(".#")]

        def problems_of(s):
            v = invariant_problems(s, gave_up_alerts=True) + model.problems(s)
            if inflight and kind in ("add", "add-start", "alert"):
                name, argv, _ = inflight
                p = s.instances.get(name)
                if p and (p["ExecStart"] != argv or p["Restart"] != ("on-failure" if kind == "alert" else "no")
                          or (kind != "alert" and (p["Description"] != f"case {case_no}"
                                                   or p["EnvironmentNames"] != ["CHAOS"]))):
                    v.append(f"{name} (in flight) is there, but not as registered: {p}")
            if inflight and kind == "contact" and inflight[0] in s.contacts:
                c = s.contacts[inflight[0]]
                if c[1] != "superior" or "exec" not in c[3]:
                    v.append(f"contact {inflight[0]} (in flight) is there, but not as set: {c}")
            return v

        # Each case answers for what it broke: problems reported by an earlier case are left out.
        s, problems, _ = settle(lambda s: [p for p in problems_of(s) if p not in reported], timeout=15)
        for a in (s.alerts.values() if s else []):
            model.alerts.setdefault(a["Id"], a["Instance"])
        what = "none" if not inflight else (
            inflight[0] + (" present" if s and (inflight[0] in s.instances or inflight[0] in s.contacts) else " absent"))
        problems += journal_problems(journal.new_lines())
        problems += [f"temporary files after the restart: {temp}"] if temp else []
        reported.update(problems)
        check(f"{label}: after a restart without the hook, everything acknowledged is there, the call in flight "
              f"({what}) whole or absent, no temporary file", problems)
        if kind == "alert" and inflight:
            # Its alert (if any) resolved, so that no alert is written while the next case starts.
            model.apply("remove", inflight[0], call("RemoveInstance", [("s", inflight[0])]))
    check(f"every crash point was reached ({', '.join(reached)})", [f"{p} never" for p, r in reached.items() if not r])


# --- test-chaos-systemd.sh ----------------------------------------------------------------------

def churn_client(names, model, stop, rng, counts):
    while not stop.is_set():
        name = rng.choice(names)
        op = rng.choice(["start", "stop", "restart"])
        r = call({"start": "StartInstance", "stop": "StopInstance", "restart": "RestartInstance"}[op], [("s", name)])
        model.apply(op, name, r)
        counts[op + (" ok" if r.ok else " " + str(r.error))] += 1
        time.sleep(rng.uniform(0, 0.2))


def flaky_setup():
    """For the tests of failing instances: the journal from now on, the flaky program installed,
    short restart delays, an empty model."""
    journal = Journal()
    flaky = install_flaky()
    set_orchd_conf("[Supervision]\nRestartDelaySec=0.1\nRestartMaxDelaySec=0.5\n")
    return journal, flaky, Model()


def systemd_test(args):
    rng = random.Random(args.seed)
    diag(f"seed {args.seed}, {args.rounds} rounds of {args.instances} flaky instances")
    journal, flaky, model = flaky_setup()
    if args.orchd_debug:
        setup_dropin("61-chaos-debug.conf", "[Service]\nEnvironment=ORCHD_LOG_LEVEL=debug\n")
        sh("systemctl restart orchd.service")
        wait_answer(60)
    service = orchd_service()
    counts = collections.Counter()
    churn = [f"steady{k}" for k in range(8)]
    for name in churn:
        model.apply("add", name, add_instance(name, ["/bin/sleep", "infinity"], Start=True),
                    argv=["/bin/sleep", "infinity"], start=True)
    reloads = collections.Counter()
    expected = {}
    for rnd in range(args.rounds):
        batch = {f"f{rnd}-{k}": rng.randint(3, 10) for k in range(args.instances)}
        expected.update(batch)
        stop = threading.Event()
        churner = threading.Thread(target=churn_client, args=(churn, model, stop, random.Random(rng.random()), counts))
        churner.start()
        # The failures start as the instances are added; systemd reloads and re-executes meanwhile.
        adder = threading.Thread(target=lambda: [model.apply(
            "add", n, add_instance(n, [flaky, n, str(k), "r"], Start=True, Restart="on-failure",
                                   RestartAttempts=1000, RestartWindowUSec=600 * 10**6),
            argv=[flaky, n, str(k), "r"], start=True) for n, k in batch.items()])
        adder.start()
        t0 = time.monotonic()
        reexecs = reloads["daemon-reexec"]
        progress, progress_at = -1, t0
        while time.monotonic() - t0 < 90:
            time.sleep(rng.uniform(0.1, 1.5))
            what = "daemon-reexec" if rng.random() < 0.4 else "daemon-reload"
            run(["systemctl", what], timeout=120)
            reloads[what] += 1
            # Until every failure has happened, with three re-executions at least.
            if (not adder.is_alive() and all(runs_of(n) > k for n, k in batch.items())
                    and reloads["daemon-reexec"] - reexecs >= 3):
                break
            # No run started for 15 s: what is left is stuck (the check below tells).
            runs = sum(runs_of(n) for n in batch)
            if runs != progress:
                progress, progress_at = runs, time.monotonic()
            elif not adder.is_alive() and time.monotonic() - progress_at > 15:
                break
        adder.join()
        stop.set()
        churner.join()
        diag(f"round {rnd + 1}: {sum(batch.values())} failures injected in {time.monotonic() - t0:.0f} s, "
             f"{reloads['daemon-reload']} reloads and {reloads['daemon-reexec']} re-executions so far")

        def problems_of(s):
            v = invariant_problems(s) + model.problems(s)
            for n, k in batch.items():
                p = s.instances.get(n)
                if p and p["State"] != "running":
                    v.append(f"{n}: {p['State']} after {runs_of(n)} runs ({k} failing), restarted {p['RestartCount']} times")
            return v

        s, problems, _ = settle(problems_of, timeout=30)
        if not check(f"round {rnd + 1}: after reloads and re-executions of systemd during the failures, the invariants hold",
                     problems + journal_problems(journal.new_lines())):
            explain({p.split(":")[0] for p in problems} & (set(batch) | set(churn)))

    logged = failed_runs_in_journal()
    s = Snapshot()
    v = []
    for n, k in sorted(expected.items()):
        p = s.instances.get(n)
        jl = len(logged.get(f"orchd-{n}.service", ()))
        if not p:
            v.append(f"{n}: gone")
            continue
        if runs_of(n) != k + 1 or p["RestartCount"] != k or jl != k:
            v.append(f"{n}: {k} failing runs; {runs_of(n)} runs, RestartCount {p['RestartCount']}, "
                     f"{jl} failures in systemd's journal")
    check(f"each of {sum(expected.values())} failures was acted on exactly once (RestartCount = failed runs "
          "systemd logged = runs - 1)", v)
    check(f"systemd re-executed at least {args.rounds * 3} times and reloaded during the failures "
          f"({reloads['daemon-reexec']} re-executions, {reloads['daemon-reload']} reloads)",
          [] if reloads["daemon-reexec"] >= args.rounds * 3 and reloads["daemon-reload"] > 0 else ["too few"])
    after = orchd_service()
    check("orchd was neither restarted nor crashed by systemd's reloads",
          [] if (after["MainPID"], after["NRestarts"]) == (service["MainPID"], service["NRestarts"])
          else [f"before {service}, after {after}"])
    diag("churn calls: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    os.unlink(os.path.join(CONF_DIR, "60-chaos.conf"))
    sh("systemctl reload orchd.service")
    if args.orchd_debug:
        remove_dropin("61-chaos-debug.conf")


# --- test-chaos-stop.sh -------------------------------------------------------------------------

def stop_test(args):
    rng = random.Random(args.seed)
    diag(f"seed {args.seed}")
    journal, flaky, model = flaky_setup()
    gave_up = SignalLog("InstanceGaveUp")
    raised = SignalLog("AlertRaised")
    service = orchd_service()
    # (SIGSTOP for, failures at, re-execute systemd meanwhile)
    plans = [(4.0, 1.5, False), (8.0, "r", False), (5.0, 1.5, True), (1.0, "r", False)]
    restart_expected, giveup_expected = {}, {}
    for rnd, (stopped_s, fail_at, reexec) in enumerate(plans[:args.rounds]):
        restart = {f"r{rnd}-{k}": 1 for k in range(args.restart)}
        give = [f"g{rnd}-{k}" for k in range(args.giveup)]
        specs = [(n, [flaky, n, "1", str(fail_at)], {"Start": True, "Restart": "on-failure",
                                                     "RestartAttempts": 1000}) for n in restart]
        specs += [(n, [flaky, n, "1000", str(fail_at)], {"Start": True, "Restart": "on-failure",
                                                         "RestartAttempts": 1}) for n in give]
        # Started just before orchd stops: they fail while it is stopped.
        replies = add_many(specs)
        for (n, argv, o) in specs:
            model.apply("add", n, replies[n], argv=argv, start=True)
        bad = [f"{n}: {r}" for n, r in replies.items() if not r.ok]
        pid = orchd_pid()
        os.kill(pid, signal.SIGSTOP)
        t0 = time.monotonic()
        if reexec:
            time.sleep(stopped_s / 2)
            run(["systemctl", "daemon-reexec"], timeout=120)
        time.sleep(max(0, stopped_s - (time.monotonic() - t0)))
        failed_now = run(["systemctl", "list-units", "--no-legend", "--plain", "--state=failed", f"orchd-[rg]{rnd}-*"]).stdout
        os.kill(pid, signal.SIGCONT)
        n_failed = len(failed_now.splitlines())
        restart_expected.update(restart)
        giveup_expected.update({n: 1 for n in give})

        def problems_of(s):
            v = invariant_problems(s, gave_up_alerts=True) + model.problems(s)
            for n in restart:
                p = s.instances.get(n)
                if not p or p["State"] != "running" or p["RestartCount"] != 1 or runs_of(n) != 2:
                    v.append(f"{n}: failed once while orchd was stopped; now {p and p['State']}, "
                             f"RestartCount {p and p['RestartCount']}, {runs_of(n)} runs")
            for n in give:
                p = s.instances.get(n)
                if not p or p["State"] != "failed" or p["Alert"] == "/":
                    v.append(f"{n}: should have given up with an alert; now {p and p['State']}, alert {p and p['Alert']}")
            return v

        s, problems, took = settle(problems_of, timeout=30)
        if not check(f"round {rnd + 1}: orchd stopped {stopped_s:.0f} s while {n_failed} of {len(restart) + len(give)} "
              f"instances failed{', systemd re-executed meanwhile' if reexec else ''}: after SIGCONT every failure "
              f"was acted on ({took:.1f} s)", bad + problems + journal_problems(journal.new_lines())):
            explain({p.split(":")[0] for p in problems} & (set(restart) | set(give)))
    time.sleep(1)
    s = Snapshot()
    gave = collections.Counter(a[1] for a in gave_up.args() if len(a) > 1)
    alerts_per = collections.Counter(a["Instance"] for a in s.alerts.values())
    raised_per = collections.Counter(a[1] for a in raised.args() if len(a) > 1)
    v = []
    for n in giveup_expected:
        if (gave[n], alerts_per[n], raised_per[n]) != (1, 1, 1):
            v.append(f"{n}: {gave[n]} InstanceGaveUp, {alerts_per[n]} alerts, {raised_per[n]} AlertRaised")
    for n in restart_expected:
        if gave[n] or alerts_per[n]:
            v.append(f"{n}: {gave[n]} InstanceGaveUp, {alerts_per[n]} alerts; it should have been restarted")
    check(f"exactly one InstanceGaveUp, one AlertRaised and one alert for each of {len(giveup_expected)} "
          f"instances that gave up; none for the {len(restart_expected)} restarted", v)
    after = orchd_service()
    check("orchd itself was not restarted",
          [] if (after["MainPID"], after["NRestarts"]) == (service["MainPID"], service["NRestarts"])
          else [f"before {service}, after {after}"])
    gave_up.close()
    raised.close()
    os.unlink(os.path.join(CONF_DIR, "60-chaos.conf"))
    sh("systemctl reload orchd.service")


# --- test-chaos-random.sh -----------------------------------------------------------------------

def check_test(args):
    """The invariants, once orchd is idle; and the registrations the random callers were told of."""
    journal_lines = run(["journalctl", "-u", "orchd.service", "-o", "cat", "--no-pager", "-q"]).stdout.splitlines()
    # What the random callers were told: "added NAME ID", and what their removals named.
    added, removing = [], set()
    for f in args.acked:
        with open(f) as fh:
            for line in fh:
                w = line.split()
                if len(w) == 3 and w[0] == "added":
                    added.append((w[1], w[2]))
                elif len(w) == 2 and w[0] == "removing":
                    removing.add(w[1])
    acked = [(n, i) for n, i in added if n not in removing and i not in removing]

    def problems_of(s):
        v = invariant_problems(s, strays=args.stray)
        for name, iid in acked:
            p = s.instances.get(name)
            if not p or p["Id"] != iid:
                v.append(f"{name}: acknowledged with id {iid}, never removed, but " +
                         (f"registered with id {p['Id']}" if p else "not registered"))
        return v

    s, problems, took = settle(problems_of, timeout=args.settle)
    if not check(f"the invariants hold once orchd is idle ({len(s.instances) if s else '?'} instances, "
                 f"{len(s.alerts) if s else '?'} alerts, {len(acked)} acknowledged registrations checked, "
                 f"settled in {took:.1f} s)", problems + journal_problems(journal_lines)):
        explain({p.split(":")[0] for p in problems if p.split(":")[0] in dict(added)})


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="test", required=True)
    k = sub.add_parser("kill")
    k.add_argument("--rounds", type=int, default=100)
    k.add_argument("--minutes", type=float, default=0)
    k.add_argument("--instances", type=int, default=200)
    k.add_argument("--clients", type=int, default=4)
    k.add_argument("--answer-limit-ms", type=int, default=10000)
    k.add_argument("--settle", type=float, default=20, help="seconds the two views may take to agree")
    k.add_argument("--max-bad-rounds", type=int, default=5, help="stop after this many rounds with problems")
    k.add_argument("--orchd-debug", action="store_true", help="orchd logs at debug level (for a diagnosis)")
    st = sub.add_parser("store")
    sy = sub.add_parser("systemd")
    sy.add_argument("--rounds", type=int, default=3)
    sy.add_argument("--instances", type=int, default=16)
    sy.add_argument("--orchd-debug", action="store_true", help="orchd logs at debug level (for a diagnosis)")
    sp = sub.add_parser("stop")
    sp.add_argument("--rounds", type=int, default=4)
    sp.add_argument("--restart", type=int, default=12)
    sp.add_argument("--giveup", type=int, default=6)
    c = sub.add_parser("check")
    c.add_argument("--settle", type=float, default=90)
    c.add_argument("--stray", action="append", default=[])
    c.add_argument("--acked", action="append", default=[])
    for p in (k, st, sy, sp, c):
        p.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", "0")) or random.randrange(1 << 30))
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    {"kill": kill_test, "store": store_test, "systemd": systemd_test, "stop": stop_test, "check": check_test}[args.test](args)
    out("# driver done")


if __name__ == "__main__":
    main()
