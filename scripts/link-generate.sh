#!/usr/bin/env bash
# Make `generate` runnable by name after set-up (called by setup.sh; safe to run again).
#
#   bash scripts/link-generate.sh VENV
#
# As root: a symbolic link BIN_DIR/generate -> VENV/bin/generate (BIN_DIR: $GENERATE_BIN_DIR,
# default /usr/local/bin, which is on every user's PATH), made only where no file is, or where
# the file is already this link: someone else's file is never replaced. Otherwise, or when the
# link cannot be made, it prints the exact line that puts `generate` on the PATH of this shell.
set -euo pipefail
venv="$(cd "$1" && pwd)"
target="$venv/bin/generate"
bin_dir="${GENERATE_BIN_DIR:-/usr/local/bin}"
link="$bin_dir/generate"

if [ "$(id -u)" -eq 0 ] && [ -d "$bin_dir" ]; then
  if [ ! -e "$link" ] && [ ! -L "$link" ]; then
    ln -s "$target" "$link"
    echo "setup: generate is on the PATH: $link -> $target"
    exit 0
  elif [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
    echo "setup: generate is on the PATH: $link -> $target"
    exit 0
  fi
  echo "setup: $link already exists and is not this checkout's; left alone"
fi
echo "setup: to run generate in this shell: source $venv/bin/activate   (or run $target)"
