#!/usr/bin/env bash
# Offline checks of what we deploy (CI runs them after the tests):
#  1. regenerating statemachine/*.asl.json and template.yaml gives the committed files (no drift);
#  2. statelint on every state machine;
#  3. cfn-lint and `sam validate --lint` on the template;
#  4. `sam build` of one function through deploy/Makefile, in a scratch copy, with a bundle of the host build.
# Needs statelint, cfn-lint and the SAM CLI on PATH (python3 -m pip install statelint cfn-lint aws-sam-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in statelint cfn-lint sam; do
  command -v "$tool" >/dev/null || { echo "lint.sh: $tool is not installed (python3 -m pip install statelint cfn-lint aws-sam-cli)" >&2; exit 1; }
done
export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
swift build --product stepconf >/dev/null
swift build --product bootstrap >/dev/null
stepconf=.build/debug/stepconf
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== drift: regenerate statemachine/ and template.yaml"
workflows=()
for asl in statemachine/*.asl.json; do
  name=$(basename "$asl" .asl.json)
  workflows+=(--workflow "examples/$name.json")
  "$stepconf" asl --workflow "examples/$name.json" --out "$scratch/$name.asl.json" >/dev/null
  diff -u "$asl" "$scratch/$name.asl.json" || { echo "statemachine/$name.asl.json is stale: run $stepconf asl --workflow examples/$name.json --out $asl" >&2; exit 1; }
done
"$stepconf" template "${workflows[@]}" --out "$scratch/template.yaml" >/dev/null
diff -u template.yaml "$scratch/template.yaml" || { echo "template.yaml is stale: run $stepconf template ${workflows[*]} --out template.yaml" >&2; exit 1; }
echo "no drift"

echo "== statelint"
statelint statemachine/*.asl.json
echo "ok: $(ls statemachine/*.asl.json | wc -l) state machines"

echo "== cfn-lint"
cfn-lint template.yaml
echo "ok"

echo "== sam validate --lint"
sam validate --lint --template template.yaml

echo "== sam build ConfiguratorFunction through deploy/Makefile (scratch copy, host bundle)"
mkdir -p "$scratch/project/deploy/bundle/workflows" "$scratch/project/deploy/bundle/lib"
cp -R template.yaml statemachine "$scratch/project/"
cp deploy/Makefile "$scratch/project/deploy/"
cp .build/debug/bootstrap "$scratch/project/deploy/bundle/bootstrap"
cp examples/*.json "$scratch/project/deploy/bundle/workflows/"
(cd "$scratch/project" && sam build ConfiguratorFunction --build-dir "$scratch/project/.aws-sam/build" >/dev/null)
test -x "$scratch/project/.aws-sam/build/ConfiguratorFunction/bootstrap"
test -f "$scratch/project/.aws-sam/build/ConfiguratorFunction/workflows/synthetic16.model.json"
echo "ok: the function's artifact holds bootstrap and workflows/"
