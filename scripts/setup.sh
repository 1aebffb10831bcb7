#!/usr/bin/env bash
# Set up everything this project needs, then run the main job or the tests.
#
#   bash scripts/setup.sh build [generate options]   # system packages, .venv, then `generate all`
#   bash scripts/setup.sh test  [pytest options]     # also LibreOffice + Chromium, then the test suite
#   bash scripts/setup.sh lock  [pytest options]     # refresh requirements/*.lock to the newest versions, then test
#
# Idempotent: Debian packages are installed only when missing (as root, via apt-get) and
# the virtual environment is reinstalled only when a lock file or pyproject.toml changes.
# Then `generate` is made runnable by name: scripts/link-generate.sh links it into
# /usr/local/bin as root (never over a file that is not its own link), else prints the
# `source .venv/bin/activate` line to use.
set -euo pipefail

mode="${1:-build}"; shift || true
case "$mode" in
  build|test|lock) ;;
  *) echo "usage: bash scripts/setup.sh build|test|lock [options]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Fonts and text stack for WeasyPrint: see the README, "Quick start". The six UN languages:
# Latin, Cyrillic and Arabic (Noto Naskh Arabic) come with fonts-liberation2 and fonts-noto-core;
# Chinese with fonts-wqy-microhei, the smallest Debian font with every GB 2312 character and the
# CJK punctuation (5 MB installed; fonts-noto-cjk would add 89 MB, fonts-droid-fallback lacks
# punctuation): docs/languages.md.
base_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
               fonts-liberation2 fonts-noto-core fonts-crosextra-carlito fonts-wqy-microhei
               poppler-utils qpdf)
# Tools the tests use to open the outputs as a user would.
test_packages=(libreoffice-writer-nogui libreoffice-impress-nogui chromium)

packages=("${base_packages[@]}")
[ "$mode" != build ] && packages+=("${test_packages[@]}")
# Node.js runs the browser-side checkers of the tests (Marp CLI, axe-core: package.json);
# Debian's packages unless a node and npm are already installed.
if [ "$mode" != build ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

python="${PYTHON:-python3}"
# Debian's own Python needs python3-venv for `python -m venv` (it carries ensurepip).
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  packages+=(python3-venv)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these need root; run: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: Python 3.11 or newer is required ($python is $("$python" --version 2>&1))" >&2; exit 1; }

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  "$python" -m venv "$venv"
fi

# Exact versions, with hashes, from the committed lock files (requirements/README.md):
# build.lock holds what `generate` needs, test.lock adds the test and benchmark tools.
lock_inputs=(pyproject.toml requirements/tools.in)
compile_lock() {  # compile_lock OUTPUT [uv pip compile options]
  local output="$1"; shift
  "$venv/bin/uv" pip compile "${lock_inputs[@]}" --universal --python-version 3.11 \
    --generate-hashes --quiet "$@" -o "$output"
}
# The project itself, editable, built with the setuptools pinned in the lock (no download).
# editable_mode=compat: a static .pth entry for the checkout instead of setuptools' import-hook
# finder, which every start of the venv's Python would import (pathlib, urllib.parse,
# ipaddress...: a quarter of `generate --help`); docs/performance.md, issue 18.
project_install=(--no-deps --no-build-isolation --no-index --config-settings editable_mode=compat -e .)
install_locked() {  # install_locked build|test
  local lock="requirements/$1.lock"
  # The stamp names the lock, pyproject.toml and how the project is installed: a change to any
  # of them (an older venv installed another way) installs again.
  local stamp="$venv/.installed-$1-$({ cat "$lock" pyproject.toml; echo "${project_install[*]}"; } | sha256sum | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  echo "setup: installing the project into $venv from $lock"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$lock"
  # setuptools warns that compat mode is transitional, in a 12-line banner: it is pinned in the
  # lock, and requirements/README.md says what to do when a refresh brings one without the mode.
  PYTHONWARNINGS="ignore:Compat editable installs" \
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${project_install[@]}"
  rm -f "$venv/.installed-$1-"*
  touch "$stamp"
}

# The npm packages the tests use, exactly as package-lock.json pins them (integrity hashes),
# reinstalled only when the lock changes. No install scripts run: Marp CLI drives the system
# Chromium (CHROME_PATH), it never downloads a browser.
install_node_tools() {
  local stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  echo "setup: installing the test tools of package-lock.json into node_modules/"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch "$stamp"
}

case "$mode" in
  lock)
    # Refresh both lock files to the newest versions pyproject.toml allows, install them, and
    # run the whole test suite against them. Review `git diff requirements/` before committing.
    install_locked test
    compile_lock requirements/build.lock --upgrade
    compile_lock requirements/test.lock --upgrade --extra test --extra bench
    install_locked test
    install_node_tools
    exec "$venv/bin/python" -m pytest "$@" ;;
  build) install_locked build ;;
  test)  install_locked test; install_node_tools ;;
esac

# `generate` by name, as the README's next line uses it (a link on the PATH, or the activation line).
bash "$root/scripts/link-generate.sh" "$venv"

case "$mode" in
  build) exec "$venv/bin/generate" all "$@" ;;
  test)  exec "$venv/bin/python" -m pytest "$@" ;;
esac
