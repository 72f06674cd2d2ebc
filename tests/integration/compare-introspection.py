#!/usr/bin/python3
"""Compares the live introspection of orchd with the contract in dbus/*.xml.

Usage: compare-introspection.py [--skip=INTERFACE]... CONTRACT.xml LIVE.xml...
(one live file per object introspected). Every interface of the contract but the skipped ones
(those implemented by clients, such as the Agent, or checked by another test) must be served with exactly the contract's methods (argument
names, types and directions), signals and properties (type, access); a difference is printed
and the exit status is 1.
"""
import sys
import xml.etree.ElementTree as ET


def members(iface):
    out = {}
    for m in iface.findall("method"):
        out["method " + m.get("name")] = tuple(
            (a.get("name"), a.get("type"), a.get("direction", "in")) for a in m.findall("arg"))
    for s in iface.findall("signal"):
        out["signal " + s.get("name")] = tuple(
            (a.get("name"), a.get("type")) for a in s.findall("arg"))
    for p in iface.findall("property"):
        out["property " + p.get("name")] = (p.get("type"), p.get("access"))
    return out


def interfaces(path):
    return {i.get("name"): members(i) for i in ET.parse(path).getroot().iter("interface")}


def main():
    skip = {a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--skip=")}
    args = [a for a in sys.argv[1:] if not a.startswith("--skip=")]
    contract, live = interfaces(args[0]), {}
    for name in skip:
        contract.pop(name, None)
    for path in args[1:]:
        live.update(interfaces(path))
    problems = []
    for name, want in contract.items():
        have = live.get(name)
        if have is None:
            problems.append(f"interface {name} is not served")
            continue
        for key in sorted(set(want) | set(have)):
            if key not in have:
                problems.append(f"{name}: {key} is in the contract but not served")
            elif key not in want:
                problems.append(f"{name}: {key} is served but not in the contract")
            elif want[key] != have[key]:
                problems.append(f"{name}: {key} differs: contract {want[key]}, served {have[key]}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
