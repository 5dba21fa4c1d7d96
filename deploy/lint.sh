#!/usr/bin/env bash
# Offline checks of what we deploy (CI runs them after the tests):
#  1. regenerating statemachine/*.asl.json and template.yaml gives the committed files (no drift);
#  2. statelint on every state machine;
#  3. cfn-lint and `sam validate --lint` on the template;
#  4. `sam build` through deploy/Makefile, in a scratch copy, with a bundle of the host build:
#     every function of the template, each artifact holding bootstrap and workflows/.
# The linters are the pinned copies of .ci/requirements-deploy.txt (scripts/python-tools.sh deploy installs them on
# first use), whatever else is on PATH: an older cfn-lint carries older runtime dates and would decide otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(scripts/python-tools.sh deploy)
statelint="$bin/statelint" cfnlint="$bin/cfn-lint" sam="$bin/sam"
echo "== pinned linters: $("$cfnlint" --version), $("$sam" --version), statelint $("$bin/python" -c 'import importlib.metadata as m; print(m.version("statelint"))')"
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

echo "== Python helpers compile"
py=()
for f in scripts/python/*.py Tests/support/*.py; do py+=("$f"); done
python3 -I -c 'import py_compile, sys
for i, f in enumerate(sys.argv[2:]):
    py_compile.compile(f, cfile=f"{sys.argv[1]}/{i}.pyc", doraise=True)' "$scratch" "${py[@]}"
echo "ok: ${#py[@]} files (their embedded copies are checked by PythonScriptsTests)"

echo "== statelint"
"$statelint" statemachine/*.asl.json
echo "ok: $(ls statemachine/*.asl.json | wc -l) state machines"

echo "== cfn-lint"
"$cfnlint" template.yaml
echo "ok"

echo "== sam validate --lint"
"$sam" validate --lint --template template.yaml

echo "== sam build of every function through deploy/Makefile (scratch copy, host bundle)"
mkdir -p "$scratch/project/deploy/bundle/workflows" "$scratch/project/deploy/bundle/lib"
cp -R template.yaml statemachine "$scratch/project/"
cp deploy/Makefile "$scratch/project/deploy/"
cp .build/debug/bootstrap "$scratch/project/deploy/bundle/bootstrap"
cp examples/*.json "$scratch/project/deploy/bundle/workflows/"
(cd "$scratch/project" && "$sam" build --build-dir "$scratch/project/.aws-sam/build" >"$scratch/sam-build.log" 2>&1) ||
  { cat "$scratch/sam-build.log" >&2; echo "lint.sh: sam build failed" >&2; exit 1; }
functions=$(grep -c 'Type: "AWS::Serverless::Function"' template.yaml)
built=0
for artifact in "$scratch"/project/.aws-sam/build/*Function; do
  test -x "$artifact/bootstrap" || { echo "lint.sh: $(basename "$artifact") has no bootstrap" >&2; exit 1; }
  test -f "$artifact/workflows/synthetic16.model.json" || { echo "lint.sh: $(basename "$artifact") has no workflows/" >&2; exit 1; }
  built=$((built + 1))
done
[ "$built" = "$functions" ] || { echo "lint.sh: sam build made $built function artifacts, the template has $functions" >&2; exit 1; }
echo "ok: all $built functions built, each artifact holding bootstrap and workflows/"
