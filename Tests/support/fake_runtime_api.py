#!/usr/bin/env python3
"""A scripted Lambda Runtime API for bootstrap tests.

Usage: fake_runtime_api.py EVENTS.json RECORD.json [mixed] — prints its port, hands out the events (a JSON
list) one per GET /next with the usual headers, records every POST (path, headers, body) into RECORD.json, and
answers 500 to /next once the events are used up, so the runtime exits. With `mixed`, the second of every
three events comes chunked and the third with `Connection: close` (the runtime must open a new connection).
"""
import json
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

events = json.load(open(sys.argv[1]))
record_path = sys.argv[2]
mixed = len(sys.argv) > 3 and sys.argv[3] == "mixed"
posts = []
served = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"{}", headers=(), style="length"):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if style == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(body) // 2
            for part in (body[:half], body[half:]):
                if part:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if style == "close":
            self.send_header("Connection", "close")
            self.close_connection = True
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
        style = "length"
        if mixed:
            style = ("length", "chunked", "close")[served[0] % 3]
        served[0] += 1
        deadline = int((time.time() + 30) * 1000)
        self._reply(200, json.dumps(event).encode(), [
            ("Lambda-Runtime-Aws-Request-Id", "req-%d-%d" % (len(events), n)),
            ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test"),
            ("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"),
        ], style)

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
