#!/usr/bin/python3
"""A local HTTP receiver for orchd's webhook channel, run inside the sandbox by the tests and the
demo. Usage: webhook-receiver.py MODE PORT_FILE OUT_FILE
  MODE ok:   answers 200 and appends each POST's path and body (one JSON line) to OUT_FILE
  MODE hang: reads the request, appends a line, and never answers
The chosen port (on 127.0.0.1) is written to PORT_FILE once the socket listens."""
import http.server
import json
import sys
import threading

mode, port_file, out_file = sys.argv[1:4]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        with open(out_file, "a") as f:
            f.write(json.dumps({"path": self.path, "type": self.headers.get("Content-Type"), "body": body}) + "\n")
        if mode == "hang":
            threading.Event().wait()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
