#!/usr/bin/env bash
# Side by side: the Lambda build of bootstrap against the smallest Foundation program (it reads its environment),
# both built the same way (swift build -c release --static-swift-stdlib -Xlinker -s). Prints each one's size and
# zipped size, the start of each (`bootstrap --version` against the program's run: fork, exec, exit; medians over
# alternating runs) and the two ratios. Targets: size ≤ 1.5×, start ≤ 1.2×.
#
#   scripts/bench-bootstrap.sh [RUNS]     RUNS alternating starts of each (default 300)
#
# Builds the bootstrap into .build-lambda (as docs/lambda.md does) and the program in a private temporary
# directory it removes. Needs swift, python3 and gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
runs="${1:-300}"
[[ "$runs" =~ ^[0-9]+$ ]] && (( runs >= 10 && runs <= 100000 )) || { echo "bench-bootstrap.sh: RUNS must be 10…100000" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-c release --static-swift-stdlib -Xlinker -s)

echo "building the Lambda bootstrap (.build-lambda) …" >&2
swift build "${flags[@]}" --product bootstrap --build-path .build-lambda >&2
bootstrap=.build-lambda/release/bootstrap

echo "building the Foundation program …" >&2
mkdir -p "$work/probe/Sources/probe"
cat > "$work/probe/Package.swift" <<'SWIFT'
// swift-tools-version:5.9
import PackageDescription
let package = Package(name: "probe", targets: [.executableTarget(name: "probe")])
SWIFT
cat > "$work/probe/Sources/probe/main.swift" <<'SWIFT'
import Foundation
// The least a runtime does at start: read its environment.
let environment = ProcessInfo.processInfo.environment
print(environment["AWS_LAMBDA_RUNTIME_API"] ?? "-")
SWIFT
(cd "$work/probe" && swift build "${flags[@]}" >&2)
probe="$work/probe/.build/release/probe"

python3 -I - "$bootstrap" "$probe" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
bootstrap, probe, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def zipped(path):
    return len(subprocess.run(["gzip", "-6", "-n", "-c", path], check=True, capture_output=True).stdout) - 18
env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_RUNTIME_API"}
def start(command):
    t = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t
for _ in range(10):
    start([bootstrap, "--version"]); start([probe])
a, b = [], []
for _ in range(runs):
    a.append(start([bootstrap, "--version"]))
    b.append(start([probe]))
size_a, size_b = os.path.getsize(bootstrap), os.path.getsize(probe)
zip_a, zip_b = zipped(bootstrap), zipped(probe)
ma, mb = statistics.median(a), statistics.median(b)
print("%-22s %10s %10s %12s" % ("", "bootstrap", "Foundation", "ratio"))
print("%-22s %9.1fM %9.1fM %11.2f×  (target ≤ 1.5×)" % ("size", size_a / 2**20, size_b / 2**20, size_a / size_b))
print("%-22s %9.1fM %9.1fM %11.2f×" % ("zipped", zip_a / 2**20, zip_b / 2**20, zip_a / zip_b))
print("%-22s %8.2fms %8.2fms %11.2f×  (target ≤ 1.2×; medians of %d alternating starts)" % ("start", ma * 1e3, mb * 1e3, ma / mb, runs))
PY
