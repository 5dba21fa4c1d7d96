#!/usr/bin/env python3
"""A forwarding proxy in front of an AWS-like server that injects faults, for retry and integrity tests.

Usage: fault_proxy.py UPSTREAM_PORT RULES_JSON — prints its own port, then forwards every request to
127.0.0.1:UPSTREAM_PORT unless a rule applies. Rules (all optional):
  "fail_first": N, "status": S   the first N requests get status S (default 503) with an S3 SlowDown body
  "fail_always": S               every request gets status S
  "stall_first": N               the first N requests get no answer (the connection is held open)
  "fail_part": K                 every UploadPart of part number K gets 500
  "corrupt_get": true            GET answers of 200 have their first body byte flipped
It counts the requests it saw; GET /__count answers that number.
"""
import http.client
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

upstream = int(sys.argv[1])
rules = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
lock = threading.Lock()
seen = [0]


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__count":
            return self._answer(200, str(seen[0]).encode())
        with lock:
            seen[0] += 1
            n = seen[0]
        if n <= rules.get("stall_first", 0):
            time.sleep(3600)
            return
        if n <= rules.get("fail_first", 0) or "fail_always" in rules:
            status = rules.get("fail_always", rules.get("status", 503))
            code = "SlowDown" if status == 503 else "InternalError"
            return self._answer(status, (
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>injected</Message></Error>" % code
            ).encode(), [("Content-Type", "application/xml")])
        if "fail_part" in rules and "partNumber=%d&" % rules["fail_part"] in self.path + "&":
            return self._answer(500, b"<Error><Code>InternalError</Code><Message>injected part failure</Message></Error>")
        connection = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")}
        connection.request(self.command, self.path, body=body if body or self.command in ("PUT", "POST") else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        if rules.get("corrupt_get") and self.command == "GET" and response.status == 200 and data:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        passed = [(k, v) for k, v in response.getheaders() if k.lower() not in ("content-length", "transfer-encoding", "connection")]
        self._answer(response.status, data, passed)
        connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
