#!/usr/bin/env bash
# Builds the Lambda bundle deploy/bundle/ (bootstrap, lib/, workflows/) that `sam build` packages through
# deploy/Makefile, then checks that the chosen runtime can load it.
#
#   deploy/build.sh [--runtime provided.al2|provided.al2023] [--arch x86_64|arm64] [--host] [--engine docker|podman|finch]
#                   [--platform FILE]   (the platform the template was generated with: stepconf template --platform FILE)
#
# By default the build runs in the Amazon Linux 2 Swift image (glibc 2.26: loads on provided.al2 and
# provided.al2023) with docker, podman or finch, whichever is installed. --host builds with this machine's
# Swift instead: fine for local use, but a binary linked against a newer glibc than the runtime's is refused
# by the bundle check (exit 1), with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

runtime=provided.al2
arch=x86_64
host=0
engine=""
platform=""
image="${STEPCONF_SWIFT_IMAGE:-swift:6.1-amazonlinux2}"
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --host) host=1; shift ;;
    --engine) engine="$2"; shift 2 ;;
    --platform) platform="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$runtime" in provided.al2|provided.al2023) ;; *) echo "build.sh: --runtime must be provided.al2 or provided.al2023" >&2; exit 2 ;; esac
case "$arch" in x86_64|arm64) ;; *) echo "build.sh: --arch must be x86_64 or arm64" >&2; exit 2 ;; esac

flags=(-c release --static-swift-stdlib --product bootstrap -Xlinker -s)
if [ "$host" = 1 ]; then
  echo "== host build (for local use; the bundle check says whether $runtime can load it)"
  swift build "${flags[@]}" --build-path .build-lambda
  binary=.build-lambda/release/bootstrap
  libs=()
else
  found=""
  if [ -z "$engine" ]; then
    for candidate in docker podman finch; do
      command -v "$candidate" >/dev/null 2>&1 || continue
      found="$found $candidate"
      # Installed is not enough: the engine must answer (a docker CLI without its daemon does not).
      if "$candidate" info >/dev/null 2>&1; then engine="$candidate"; break; fi
    done
  fi
  if [ -z "$engine" ]; then
    if [ -n "$found" ]; then
      echo "build.sh: found${found}, but none answers (\`<engine> info\` fails: is its daemon or VM running?)." >&2
    else
      echo "build.sh: no container engine (docker, podman or finch) found." >&2
    fi
    echo "Start or install one to build in the Amazon Linux Swift image ($image), or run deploy/build.sh --host" >&2
    echo "for a local build (which provided.al2 cannot load when this machine's glibc is newer than 2.26)." >&2
    exit 1
  fi
  platform=linux/amd64; [ "$arch" = arm64 ] && platform=linux/arm64
  echo "== building in $image with $engine ($platform)"
  "$engine" run --rm --platform "$platform" -v "$PWD":/src -w /src "$image" bash -c "
    set -e
    yum install -y -q libcurl-devel sqlite-devel >/dev/null
    swift build ${flags[*]} --build-path .build-al2
    cp -L /usr/lib64/libsqlite3.so.0 .build-al2/release/libsqlite3.so.0"
  binary=.build-al2/release/bootstrap
  libs=(.build-al2/release/libsqlite3.so.0)
fi

echo "== staging deploy/bundle"
rm -rf deploy/bundle.tmp
mkdir -p deploy/bundle.tmp/lib deploy/bundle.tmp/workflows
cp "$binary" deploy/bundle.tmp/bootstrap
for lib in "${libs[@]}"; do cp "$lib" deploy/bundle.tmp/lib/; done
# The configurator reads {workflow}.json and {workflow}.model.json from $LAMBDA_TASK_ROOT/workflows.
for model in examples/*.model.json; do
  name=$(basename "$model" .model.json)
  cp "examples/$name.json" "$model" deploy/bundle.tmp/workflows/
done
if [ -n "$platform" ]; then
  [ -f "$platform" ] || { echo "build.sh: --platform $platform: no such file" >&2; exit 2; }
  cp "$platform" deploy/bundle.tmp/workflows/platform.json
fi
rm -rf deploy/bundle
mv deploy/bundle.tmp deploy/bundle

echo "== bundle check ($runtime, $arch)"
swift build --product stepconf >/dev/null
.build/debug/stepconf check-bundle --runtime "$runtime" --architecture "$arch" deploy/bundle
echo "bundle ready: deploy/bundle ($(du -sh deploy/bundle | cut -f1)); next: deploy/deploy.sh"
