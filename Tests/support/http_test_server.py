#!/usr/bin/env python3
"""A small HTTP server for StepConf's HTTP client tests: prints its port, serves until killed.

/echo            any method: JSON with the method, headers, body length and SHA-256
/status/NNN      answers status NNN
/slow?ms=N       waits N ms, then answers
/bytes?n=N       answers N bytes
/credentials     a container credentials document, for the header "Authorization: Bearer t0k"
"""
import hashlib
import signal
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Test-Server", "stepconf")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/echo":
            reply = {
                "method": self.command,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "length": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
            self._send(200, json.dumps(reply).encode())
        elif url.path.startswith("/status/"):
            self._send(int(url.path.split("/")[2]), b'{"status":"as asked"}')
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", ["1000"])[0]) / 1000)
            self._send(200, b"{}")
        elif url.path == "/credentials":
            # The container credentials endpoint: answers only with the expected Authorization header.
            if self.headers.get("Authorization") != "Bearer t0k":
                return self._send(403, b'{"message":"bad token"}')
            self._send(200, json.dumps({
                "AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "containersecret", "Token": "containertoken",
                "Expiration": "2099-01-01T00:00:00Z"}).encode())
        elif url.path == "/bytes":
            n = int(query.get("n", ["0"])[0])
            self._send(200, bytes(i % 251 for i in range(n)), "application/octet-stream")
        else:
            self._send(404, b'{"error":"not found"}')

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


if __name__ == "__main__":
    # A test runner may start us with SIGTERM ignored; restore the default so we can be stopped.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
