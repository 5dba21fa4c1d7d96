#!/usr/bin/env bash
# The whole test suite and the offline checks of what we deploy, on a fresh machine: the README's second command,
# and what CI runs (.ci/run calls exactly this). It installs what the tests need and says so as it does:
# - ffmpeg (one test checks that ffmpeg reads our .y4m streams; skipped when it cannot be installed);
# - the pinned Python tools, each set in a virtual environment of its own (.ci/.venv-test, .ci/.venv-deploy);
# then builds the release bootstraps the deploy tests reuse, and runs `swift test && deploy/lint.sh`.
# Building needs no -dev package beyond the SQLite headers a Swift image ships (libcurl is declared in the
# sources and opened at run time).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain"
swift --version

echo "== system packages"
command -v python3 >/dev/null || { echo "python3 is required (the HTTP tests start small Python servers)"; exit 1; }
if ! command -v ffmpeg >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  echo "installing ffmpeg (apt-get) for the test that checks ffmpeg reads our .y4m streams"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg; } >/dev/null 2>&1; then
    echo "could not install ffmpeg: its test is skipped"
  fi
fi

echo "== pinned Python tools (installed on first use; later runs reuse them)"
# Pinned copies of our own, never whatever is first on PATH (the image ships older moto, awscli and cfn-lint).
# The test set (moto's server, aws-sam-translator, the AWS CLI) goes first on PATH: the tests run python3 and aws.
# deploy/lint.sh finds the deploy set (statelint, cfn-lint, SAM CLI) itself, by the same script.
testbin=$(scripts/python-tools.sh test)
export PATH="$testbin:$PATH"
deploybin=$(scripts/python-tools.sh deploy)
python3 -c "import moto, samtranslator; print('moto', moto.__version__, '· aws-sam-translator', samtranslator.__version__)"
aws --version
"$deploybin/cfn-lint" --version
"$deploybin/sam" --version

echo "== release builds of bootstrap that the deploy/build.sh tests reuse"
# The build.sh tests build bootstrap in release (--host into .build-lambda, the stand-in container into .build-al2,
# both with this host's Swift here). From scratch that is minutes of both cores, and inside swift test it would
# overlap the suites that time servers and instances; built first, the tests' builds are incremental.
flags=(-c release --static-swift-stdlib --product bootstrap -Xlinker -s)
swift build "${flags[@]}" --build-path .build-lambda >/dev/null
swift build "${flags[@]}" --build-path .build-al2 >/dev/null

echo "== tests and deploy checks (swift test && deploy/lint.sh)"
swift test && deploy/lint.sh
