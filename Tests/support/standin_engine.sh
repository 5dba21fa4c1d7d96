#!/usr/bin/env bash
# A stand-in container engine for the deploy/build.sh tests, installed on PATH as `docker`, `podman` or `finch`.
# `info` answers (or fails when STANDIN_ENGINE_DOWN is set); `run --rm --platform P -v HOST:DIR -w DIR IMAGE bash -c
# SCRIPT` runs SCRIPT on this host instead of in IMAGE: in the mounted folder, with the container's path mapped to
# it, the image's library folder (/usr/lib64/) mapped to this host's, and `yum` answered by a stand-in that only
# records what it was asked to install (this host has the packages already). Every call is appended to
# $STANDIN_LOG, one line each.
set -euo pipefail
name=$(basename "$0")
log="${STANDIN_LOG:-/dev/null}"
echo "$name $*" >> "$log"
case "${1:-}" in
  info) [ -z "${STANDIN_ENGINE_DOWN:-}" ] || { echo "$name: cannot connect to the daemon" >&2; exit 1; }; exit 0 ;;
  run) shift ;;
  *) echo "$name (stand-in): only info and run are served" >&2; exit 2 ;;
esac
mount="" workdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rm) shift ;;
    --platform) shift 2 ;;
    -v) mount="$2"; shift 2 ;;
    -w) workdir="$2"; shift 2 ;;
    -*) echo "$name (stand-in): unexpected option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 4 ] && [ "$2" = bash ] && [ "$3" = -c ] || { echo "$name (stand-in): expected IMAGE bash -c SCRIPT" >&2; exit 2; }
host="${mount%%:*}" inside="${mount#*:}"
[ -n "$host" ] && [ "$workdir" = "$inside" ] || { echo "$name (stand-in): expected -v HOST:DIR -w DIR" >&2; exit 2; }
script="${4//$inside\//$host/}"
script="${script//\/usr\/lib64\//\/usr\/lib\/$(uname -m)-linux-gnu\/}"
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
printf '#!/bin/sh\necho "yum $*" >> "%s"\n' "$log" > "$fake/yum"
chmod +x "$fake/yum"
cd "$host"
PATH="$fake:$PATH" bash -c "$script"
