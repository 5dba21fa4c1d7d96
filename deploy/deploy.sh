#!/usr/bin/env bash
# Deploys the stack with SAM: checks the bundle deploy/build.sh made, `sam build` (deploy/Makefile copies
# the bundle into every function), then `sam deploy` with deploy/samconfig.toml. Extra arguments go to
# `sam deploy`, e.g. --parameter-overrides Runtime=provided.al2023 --guided.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x deploy/bundle/bootstrap ]; then
  echo "deploy.sh: no bundle at deploy/bundle: run deploy/build.sh first" >&2
  exit 1
fi
command -v sam >/dev/null || { echo "deploy.sh: the SAM CLI is not installed (python3 -m pip install aws-sam-cli)" >&2; exit 1; }
runtime=provided.al2
for arg in "$@"; do case "$arg" in *Runtime=provided.al2023*) runtime=provided.al2023 ;; esac; done
swift build --product stepconf >/dev/null
.build/debug/stepconf check-bundle --runtime "$runtime" deploy/bundle
sam build --config-file "$PWD/deploy/samconfig.toml"
sam deploy --config-file "$PWD/deploy/samconfig.toml" "$@"
