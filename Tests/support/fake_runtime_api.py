#!/usr/bin/env python3
"""A scripted Lambda Runtime API for bootstrap tests.

Usage: fake_runtime_api.py EVENTS.json RECORD.json — prints its port, hands out the events (a JSON list) one
per GET /next with the usual headers, records every POST (path, headers, body) into RECORD.json, and answers
500 to /next once the events are used up, so the runtime exits.
"""
import json
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

events = json.load(open(sys.argv[1]))
record_path = sys.argv[2]
posts = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"{}", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if not self.path.endswith("/invocation/next"):
            return self._reply(404)
        if not events:
            return self._reply(500, b'{"errorMessage":"no more events"}')
        n = len(posts)
        event = events.pop(0)
        deadline = int((time.time() + 30) * 1000)
        self._reply(200, json.dumps(event).encode(), [
            ("Lambda-Runtime-Aws-Request-Id", "req-%d-%d" % (len(events), n)),
            ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test"),
            ("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"),
        ])

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        posts.append({"path": self.path, "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type"), "body": body})
        with open(record_path, "w") as f:
            json.dump(posts, f)
        self._reply(202)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
