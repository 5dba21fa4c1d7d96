#!/usr/bin/env python3
"""Starts moto's server (S3, DynamoDB, Step Functions, ...) on 127.0.0.1 and a free port, prints the port, and
runs until killed (tests stop it by PID) or until its stdin closes.

Usage: moto_server.py [CONFIG_JSON] — CONFIG_JSON, when given, is posted to /moto-api/config (e.g.
{"stepfunctions": {"execute_state_machine": true}}).
"""
import json
import signal
import sys
import urllib.request

import os

from moto.server import ThreadedMotoServer

# DynamoDB's item writes are atomic; moto's threaded server's are not without the launcher's fix (scripts/python).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "python"))
from moto_launcher import atomic_items  # noqa: E402

atomic_items()

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
if len(sys.argv) > 1:
    request = urllib.request.Request(
        "http://127.0.0.1:%d/moto-api/config" % port, data=sys.argv[1].encode(), method="POST",
        headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
print(port, flush=True)
try:
    sys.stdin.read()
finally:
    server.stop()
