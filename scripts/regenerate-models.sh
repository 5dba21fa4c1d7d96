#!/usr/bin/env bash
# Regenerates the shipped sample profiles and fitted models from the simulator, then re-embeds them.
# The same commands are in README.md ("Regenerating the example models"). Besides the shipped profile
# (the default design: 10 configurations per memory size, one run each), a validation profile — 60
# configurations per step at random, 31 runs each, another seed — measures the model's error against
# medians, and --check measures the decision error; neither is shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product stepconf
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
for wf in synthetic16 video wordcount chain9 fanout4; do
  # wordcount's reduce has one job, so one configuration per memory size, each a different function: one run
  # each would all be cold starts. Three runs give every configuration warm ones.
  repeats=1; [ "$wf" = wordcount ] && repeats=3
  .build/release/stepconf profile --workflow "examples/$wf.json" --backend sim --seed 1 --repeats "$repeats" \
    --out "examples/$wf.samples.csv"
  .build/release/stepconf profile --workflow "examples/$wf.json" --backend sim --configs sample:60 --repeats 31 \
    --seed 2 --out "$check/$wf.validate.csv"
  .build/release/stepconf fit --samples "examples/$wf.samples.csv" --name "$wf" --holdout 0.3 \
    --validate "$check/$wf.validate.csv" --check "examples/$wf.json" --out "examples/$wf.model.json"
done
scripts/embed-examples.sh
