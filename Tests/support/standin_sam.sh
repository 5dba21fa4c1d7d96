#!/usr/bin/env bash
# A stand-in SAM CLI for the deploy/deploy.sh tests, installed on PATH as `sam`: appends its arguments to
# $STANDIN_LOG (one line per call, arguments separated by " | ") and succeeds.
set -euo pipefail
line="sam"
for arg in "$@"; do line="$line | $arg"; done
echo "$line" >> "${STANDIN_LOG:-/dev/null}"
