"""Prints botocore's presigned URL for GET https://bucket.s3.eu-west-1.amazonaws.com/dir/my%20file.txt, signed at
Unix time 1700000000 for 900 s with the test credentials, for SigV4BotocoreTests.presignedURLsMatchBotocore."""
import datetime
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

botocore.auth.get_current_datetime = lambda: datetime.datetime.fromtimestamp(1700000000, tz=datetime.timezone.utc)
request = AWSRequest(method="GET", url="https://bucket.s3.eu-west-1.amazonaws.com/dir/my%20file.txt")
credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok/en+1")
botocore.auth.S3SigV4QueryAuth(credentials, "s3", "eu-west-1", expires=900).add_auth(request)
sys.stdout.write(request.url)
