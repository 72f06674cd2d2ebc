#!/usr/bin/python3
"""Prints "INTERFACE METHOD" for every method of the contract that changes state: everything but
Get*, List* and the Introspectable/Properties/Peer standard interfaces. The authorization test
runs each one, so that a new mutating method cannot be added without a row in its matrix.
Usage: mutating-methods.py dbus/org.orchd.Orchestrator1.xml"""
import sys
import xml.etree.ElementTree as ET

for iface in ET.parse(sys.argv[1]).getroot().iter("interface"):
    for m in iface.findall("method"):
        name = m.get("name")
        if not name.startswith(("Get", "List")):
            print(iface.get("name"), name)
