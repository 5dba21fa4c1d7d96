#!/usr/bin/env bash
# Regenerates the README's picture, docs/promise.svg: every policy's mean cost against its SLO attainment on the
# embedded synthetic16 workflow, 1,000 simulated requests per SLO, seed 11 (a few minutes of both cores).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product stepconf >/dev/null
out=$(mktemp -d "${TMPDIR:-/tmp}/stepconf-figures.XXXXXX")
trap 'rm -rf "$out"' EXIT
.build/release/stepconf evaluate --workflow synthetic16 --requests 1000 --seed 11 \
  --policies stepconf,stepconf-exact,static,nono,optimal --out "$out/synthetic16"
cp "$out/synthetic16/cost-attainment.svg" docs/promise.svg.tmp && mv docs/promise.svg.tmp docs/promise.svg
echo "wrote docs/promise.svg"
