#!/usr/bin/env bash
# Makes sure the pinned Python tools of one set are installed in a virtual environment of their own, and prints
# that environment's bin/ directory.
#
#   scripts/python-tools.sh test     moto's server, aws-sam-translator, the AWS CLI (.ci/requirements-test.txt)
#   scripts/python-tools.sh deploy   statelint, cfn-lint, the SAM CLI (.ci/requirements-deploy.txt)
#   scripts/python-tools.sh bench    Platypus, for `stepconf bench pareto` (.ci/requirements-bench.txt)
#
# The environment is .ci/.venv-SET; it is (re)built when it is missing or the requirements file changed since it
# was built, so a pin bumped in git takes effect on the next run. Needs python3 and PyPI. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
set_name="${1:-}"
case "$set_name" in
  test|deploy|bench) ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "python-tools.sh: say which set: test, deploy or bench (see --help)" >&2; exit 2 ;;
esac
requirements=".ci/requirements-$set_name.txt"
venv="$PWD/.ci/.venv-$set_name"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
  command -v python3 >/dev/null || { echo "python-tools.sh: python3 is required" >&2; exit 1; }
  echo "python-tools.sh: installing the pinned $set_name tools into $venv (once; a few minutes)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin"
