#!/usr/bin/env bash
# Regenerates the shipped sample profiles and fitted models from the simulator, then re-embeds them.
# The same commands are in README.md ("Regenerating the example models").
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product stepconf
for wf in synthetic16 video; do
  .build/release/stepconf profile --workflow "examples/$wf.json" --backend sim --repeats 3 --seed 1 \
    --out "examples/$wf.samples.csv"
  .build/release/stepconf fit --samples "examples/$wf.samples.csv" --name "$wf" --holdout 0.3 \
    --out "examples/$wf.model.json"
done
scripts/embed-examples.sh
