#!/usr/bin/env bash
# Set up everything this project needs, then run the main job or the tests.
#
#   bash scripts/setup.sh build [generate options]   # system packages, .venv, then `generate all`
#   bash scripts/setup.sh test  [pytest options]     # also LibreOffice + Chromium, then the test suite
#
# Idempotent: Debian packages are installed only when missing (as root, via apt-get) and
# the virtual environment is reinstalled only when pyproject.toml changes.
set -euo pipefail

mode="${1:-build}"; shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Fonts and text stack for WeasyPrint: see README "What gets installed".
base_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
               fonts-liberation2 fonts-noto-core fonts-crosextra-carlito poppler-utils qpdf)
# Tools the tests use to open the outputs as a user would.
test_packages=(libreoffice-writer-nogui libreoffice-impress-nogui chromium)

packages=("${base_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

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
extras=""; [ "$mode" = test ] && extras="[test]"
stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras:+-test}"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ]; then
  echo "setup: installing the project into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$extras"
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi

case "$mode" in
  build) exec "$venv/bin/generate" all "$@" ;;
  test)  exec "$venv/bin/python" -m pytest "$@" ;;
  *) echo "usage: bash scripts/setup.sh build|test [options]" >&2; exit 2 ;;
esac
