#!/usr/bin/env python3
"""Signs requests with botocore, for comparing our SigV4 signer with AWS's own Python SDK.

Reads a JSON list from stdin: {"method", "url", "headers": [[name, value], ...], "body_b64", "service", "region",
"access_key", "secret_key", "token" (or null), "epoch"}; writes a JSON list of the Authorization headers botocore
computes (S3SigV4Auth for service s3, SigV4Auth otherwise), in the same order.
"""
import base64
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for item in json.load(sys.stdin):
    moment = datetime.datetime.fromtimestamp(item["epoch"], tz=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda moment=moment: moment
    credentials = Credentials(item["access_key"], item["secret_key"], item.get("token"))
    request = AWSRequest(method=item["method"], url=item["url"], data=base64.b64decode(item["body_b64"]))
    for name, value in item["headers"]:
        request.headers[name] = value
    cls = botocore.auth.S3SigV4Auth if item["service"] == "s3" else botocore.auth.SigV4Auth
    cls(credentials, item["service"], item["region"]).add_auth(request)
    out.append(request.headers["Authorization"])
json.dump(out, sys.stdout)
