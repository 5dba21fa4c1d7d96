#!/usr/bin/env bash
# Installs StepConf for use from anywhere: release builds of `stepconf` and `bootstrap` into PREFIX/bin (default
# ~/.local), a note of the commit they were built from beside them, and shell completions under PREFIX/share.
#   scripts/install.sh [PREFIX]
# Then put PREFIX/bin on PATH. `stepconf --version` says what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-$HOME/.local}"
swift build -c release --product stepconf
swift build -c release --product bootstrap
bin="$prefix/bin"
mkdir -p "$bin"
# Copy to a temporary name, then rename: a running stepconf is never overwritten in place.
for exe in stepconf bootstrap; do
  cp .build/release/$exe "$bin/.$exe.tmp"
  chmod 755 "$bin/.$exe.tmp"
  mv "$bin/.$exe.tmp" "$bin/$exe"
done
echo "commit=$(git rev-parse --short=12 HEAD 2>/dev/null || true)" > "$bin/stepconf.build-info"
for shell in bash zsh fish; do
  case $shell in
    bash) dir="$prefix/share/bash-completion/completions"; file=stepconf ;;
    zsh) dir="$prefix/share/zsh/site-functions"; file=_stepconf ;;
    fish) dir="$prefix/share/fish/vendor_completions.d"; file=stepconf.fish ;;
  esac
  mkdir -p "$dir"
  "$bin/stepconf" --generate-completion-script $shell > "$dir/$file"
done
echo "installed $("$bin/stepconf" --version) into $bin (with bootstrap), completions under $prefix/share"
case ":$PATH:" in *":$bin:"*) ;; *) echo "add $bin to PATH: export PATH=\"$bin:\$PATH\"" ;; esac
