#!/usr/bin/python3
"""Reads what `dbus-monitor --session` printed and tells what went to the notification server.

Usage: notify-calls.py LOG notify|close|invoked

  notify   one line per Notify call:
           ID REPLACES URGENCY APP|SUMMARY|ACTIONS|BODY (ID: the id the server returned, "-" if
           none yet; ACTIONS: key=label pairs joined by ","; newlines of the body as "\\n")
  close    one line per CloseNotification call: the id
  invoked  one line per ActionInvoked signal: ID ACTION

dbus-monitor prints strings between quotes without escaping them, so a string ends at a line
ending in a quote that is followed by another value, a new message or the end.
"""
import re
import sys

HEADER = re.compile(r'^(method call|method return|signal|error) time=\S+ (.*)$')
VALUE = re.compile(r'^\s+(variant\s+)?(string|object path|signature|u?int(16|32|64)|byte|boolean|double|'
                   r'array \[|\]|dict entry\(|\)|struct \{|\}|unix fd)')


def messages(lines):
    msg = None
    k = 0
    while k < len(lines):
        line = lines[k]
        h = HEADER.match(line)
        if h:
            if msg:
                yield msg
            fields = dict(re.findall(r'(\w+)=([^;\s]+)', h.group(2)))
            msg = {'kind': h.group(1), 'fields': fields, 'args': []}
            k += 1
            continue
        if msg is None:
            k += 1
            continue
        m = re.match(r'^\s+(?:variant\s+)?string "(.*)$', line)
        if m:
            text = m.group(1)
            # A string runs on until a line ending in a quote that something else follows.
            while True:
                nxt = lines[k + 1] if k + 1 < len(lines) else None
                if text.endswith('"') and (nxt is None or HEADER.match(nxt) or VALUE.match(nxt)):
                    break
                if nxt is None:
                    break
                text += '\n' + nxt
                k += 1
            msg['args'].append(('s', text[:-1] if text.endswith('"') else text))
            k += 1
            continue
        m = re.match(r'^\s+(?:variant\s+)?(u?int(?:16|32|64)|byte|boolean|double)\s+(\S+)', line)
        if m:
            msg['args'].append((m.group(1), m.group(2)))
        elif re.match(r'^\s+array \[', line):
            msg['args'].append(('[', None))
        elif re.match(r'^\s+\]', line):
            msg['args'].append((']', None))
        k += 1
    if msg:
        yield msg


def notify_record(args):
    app, replaces, icon, summary, body = (a[1] for a in args[:5])
    k = 5
    actions = []
    assert args[k][0] == '['
    k += 1
    while args[k][0] != ']':
        actions.append(args[k][1])
        k += 1
    k += 1
    urgency = '-'
    assert args[k][0] == '['
    k += 1
    while args[k][0] != ']':
        if args[k] == ('s', 'urgency'):
            urgency = args[k + 1][1]
        k += 1
    pairs = [actions[j] + '=' + actions[j + 1] for j in range(0, len(actions) - 1, 2)]
    return replaces, urgency, '%s|%s|%s|%s' % (app, summary, ','.join(pairs), body.replace('\n', '\\n'))


def main():
    log, what = sys.argv[1], sys.argv[2]
    with open(log, errors='replace') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    msgs = list(messages(lines))
    returns = {}
    for m in msgs:
        if m['kind'] == 'method return' and m['args'] and m['args'][0][0] == 'uint32':
            returns[(m['fields'].get('destination'), m['fields'].get('reply_serial'))] = m['args'][0][1]
    for m in msgs:
        member = m['fields'].get('member')
        if m['kind'] == 'method call' and member == 'Notify' and what == 'notify':
            replaces, urgency, rest = notify_record(m['args'])
            nid = returns.get((m['fields'].get('sender'), m['fields'].get('serial')), '-')
            print(nid, replaces, urgency, rest)
        elif m['kind'] == 'method call' and member == 'CloseNotification' and what == 'close':
            print(m['args'][0][1])
        elif m['kind'] == 'signal' and member == 'ActionInvoked' and what == 'invoked':
            print(m['args'][0][1], m['args'][1][1])


if __name__ == '__main__':
    main()
