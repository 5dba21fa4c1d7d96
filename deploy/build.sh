#!/usr/bin/env bash
# Builds the Lambda bundle deploy/bundle/ (bootstrap, lib/, workflows/) that `sam build` packages through
# deploy/Makefile, then checks that the chosen runtime can load it.
#
#   deploy/build.sh [--runtime provided.al2|provided.al2023] [--arch x86_64|arm64] [--host] [--engine docker|podman|finch]
#                   [--platform FILE]   (the platform the template was generated with: stepconf template --platform FILE)
#                   [--out DIR]         (default deploy/bundle, where deploy/Makefile takes it from)
# The bundle check runs $STEPCONF when set (a stepconf binary), else the project's debug build.
#
# By default the build runs in the Amazon Linux 2 Swift image (glibc 2.26: loads on provided.al2 and
# provided.al2023) with docker, podman or finch, whichever is installed. --host builds with this machine's
# Swift instead: fine for local use, but a binary linked against a newer glibc than the runtime's is refused
# by the bundle check (exit 1), with the reason.
set -euo pipefail
# Paths given on the command line are the caller's, relative to where the script was called from.
caller="$PWD"
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$caller/$1" ;; esac; }
cd "$(dirname "$0")/.."

runtime=provided.al2
arch=x86_64
host=0
engine=""
platform_file=""
out="$PWD/deploy/bundle"
image="${STEPCONF_SWIFT_IMAGE:-swift:6.1-amazonlinux2}"
value() { [ $# -ge 2 ] && [ -n "$2" ] && [ "${2#--}" = "$2" ] || { echo "build.sh: $1 needs a value (see --help)" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) value "$@"; runtime="$2"; shift 2 ;;
    --arch) value "$@"; arch="$2"; shift 2 ;;
    --host) host=1; shift ;;
    --engine) value "$@"; engine="$2"; shift 2 ;;
    --platform) value "$@"; platform_file=$(absolute "$2"); shift 2 ;;
    --out) value "$@"; out=$(absolute "${2%/}"); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$runtime" in provided.al2|provided.al2023) ;; *) echo "build.sh: --runtime must be provided.al2 or provided.al2023" >&2; exit 2 ;; esac
case "$arch" in x86_64|arm64) ;; *) echo "build.sh: --arch must be x86_64 or arm64" >&2; exit 2 ;; esac
case "$engine" in ""|docker|podman|finch) ;; *) echo "build.sh: --engine must be docker, podman or finch" >&2; exit 2 ;; esac
# Checked before the build, not after it: a typo should not cost a container build. --out replaces only an
# earlier bundle or an empty directory, never a symlink, a file or a folder of something else.
if [ -L "$out" ] || { [ -e "$out" ] && [ ! -d "$out" ]; }; then
  echo "build.sh: --out $out is not a directory (a symlink or a file): not replacing it" >&2
  exit 2
fi
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && { [ ! -f "$out/bootstrap" ] || [ ! -d "$out/workflows" ]; }; then
  echo "build.sh: --out $out holds something other than a bundle (no bootstrap and workflows/): not replacing it" >&2
  exit 2
fi
if [ -n "$platform_file" ] && [ ! -f "$platform_file" ]; then
  echo "build.sh: --platform $platform_file: no such file (the platform file given to stepconf template --platform)" >&2
  exit 2
fi

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
  if [ -n "$engine" ]; then
    command -v "$engine" >/dev/null 2>&1 || { echo "build.sh: --engine $engine: not installed" >&2; exit 1; }
    "$engine" info >/dev/null 2>&1 || { echo "build.sh: --engine $engine does not answer (\`$engine info\` fails: is its daemon or VM running?)" >&2; exit 1; }
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
  # The container's platform, not the --platform file.
  container_platform=linux/amd64; [ "$arch" = arm64 ] && container_platform=linux/arm64
  echo "== building in $image with $engine ($container_platform)"
  "$engine" run --rm --platform "$container_platform" -v "$PWD":/src -w /src "$image" bash -c "
    set -e
    yum install -y -q libcurl-devel sqlite-devel >/dev/null
    swift build ${flags[*]} --build-path .build-al2
    cp -L /usr/lib64/libsqlite3.so.0 .build-al2/release/libsqlite3.so.0"
  binary=.build-al2/release/bootstrap
  libs=(.build-al2/release/libsqlite3.so.0)
fi

echo "== staging $out"
staging="$out.tmp"
rm -rf "$staging"
mkdir -p "$staging/lib" "$staging/workflows"
cp "$binary" "$staging/bootstrap"
for lib in ${libs[@]+"${libs[@]}"}; do cp "$lib" "$staging/lib/"; done
# The configurator reads {workflow}.json and {workflow}.model.json from $LAMBDA_TASK_ROOT/workflows.
for model in examples/*.model.json; do
  name=$(basename "$model" .model.json)
  cp "examples/$name.json" "$model" "$staging/workflows/"
done
if [ -n "$platform_file" ]; then
  cp "$platform_file" "$staging/workflows/platform.json"
fi
# What the bundle was built from (`stepconf check-bundle` compares the bootstrap's version with its own).
{
  echo "version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/StepConfCore/BuildVersion.swift)"
  echo "commit=$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
} > "$staging/BUILD_INFO"
rm -rf "$out"
mv "$staging" "$out"

echo "== bundle check ($runtime, $arch)"
stepconf="${STEPCONF:-}"
if [ -z "$stepconf" ]; then swift build --product stepconf >/dev/null; stepconf=.build/debug/stepconf; fi
"$stepconf" check-bundle --runtime "$runtime" --architecture "$arch" "$out"
echo "bundle ready: $out ($(du -sh "$out" | cut -f1)); next: deploy/deploy.sh"
