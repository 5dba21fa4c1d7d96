#!/usr/bin/env bash
# Deploys the stack with SAM: checks the bundle deploy/build.sh made, `sam build` (deploy/Makefile copies the
# bundle into every function), then `sam deploy` with deploy/samconfig.toml.
#
#   deploy/deploy.sh [--runtime provided.al2|provided.al2023] [sam deploy arguments…]
#
# --runtime sets the template's Runtime parameter (default provided.al2, as the product brief asks). provided.al2
# was deprecated on 2026-07-31; AWS blocks creating functions on it from 2027-02-01 and updating them from
# 2027-03-03. A bundle built in the Amazon Linux 2 image (deploy/build.sh) loads on both runtimes. Other arguments go
# to `sam deploy`, e.g. --guided, or --parameter-overrides "Runtime=provided.al2023 Policy=static".
# The bundle check runs $STEPCONF when set (a stepconf binary), else the project's debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
runtime=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "deploy.sh: --runtime needs a value (see --help)" >&2; exit 2; }
      runtime="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$runtime" in ""|provided.al2|provided.al2023) ;; *) echo "deploy.sh: --runtime must be provided.al2 or provided.al2023" >&2; exit 2 ;; esac
overrides=""
for arg in ${args[@]+"${args[@]}"}; do
  case "$arg" in --parameter-overrides*) overrides=1 ;; *Runtime=provided.al2023*) [ -n "$runtime" ] || runtime=provided.al2023 ;; esac
done
if [ -n "$runtime" ] && [ -n "$overrides" ] && [ "${args[*]}" = "${args[*]/Runtime=$runtime/}" ]; then
  echo "deploy.sh: --runtime and --parameter-overrides together: put Runtime=$runtime in your --parameter-overrides" >&2
  exit 2
fi
if [ -n "$runtime" ] && [ -z "$overrides" ]; then
  # The same overrides as deploy/samconfig.toml, with the runtime asked for (sam replaces the file's list whole).
  args+=(--parameter-overrides "Runtime=$runtime Architecture=x86_64 FunctionPrefix=stepconf Policy=stepconf")
fi
runtime="${runtime:-provided.al2}"

if [ ! -x deploy/bundle/bootstrap ]; then
  echo "deploy.sh: no bundle at deploy/bundle: run deploy/build.sh first" >&2
  exit 1
fi
command -v sam >/dev/null || { echo "deploy.sh: the SAM CLI is not installed (python3 -m pip install aws-sam-cli)" >&2; exit 1; }
if [ "$runtime" = provided.al2 ]; then
  when="AWS blocks creating functions on it from 2027-02-01 and updating them from 2027-03-03"
  today=$(date -u +%F)
  if [[ "$today" > "2027-03-02" ]]; then when="AWS blocks creating and updating functions on it (since 2027-02-01 and 2027-03-03)"
  elif [[ "$today" > "2027-01-31" ]]; then when="AWS blocks creating functions on it (since 2027-02-01) and updating them from 2027-03-03"; fi
  echo "deploy.sh: warning: the stack's runtime is provided.al2, deprecated since 2026-07-31; $when." >&2
  echo "deploy.sh: switch with deploy/deploy.sh --runtime provided.al2023 (a bundle built in the Amazon Linux 2 image loads on both)." >&2
fi
stepconf="${STEPCONF:-}"
if [ -z "$stepconf" ]; then swift build --product stepconf >/dev/null; stepconf=.build/debug/stepconf; fi
"$stepconf" check-bundle --runtime "$runtime" deploy/bundle
sam build --config-file "$PWD/deploy/samconfig.toml"
sam deploy --config-file "$PWD/deploy/samconfig.toml" ${args[@]+"${args[@]}"}
