#!/usr/bin/env bash
# Installs what bukti needs, idempotently: Debian packages, a virtualenv in .venv, the package.
#   scripts/setup.sh         what `bukti check` needs (Tesseract with the Indonesian model)
#   scripts/setup.sh --test  plus what the test suite needs (Chromium, poppler-utils, PostgreSQL for
#                            the run-store tests (tests/pgserver.py starts its own cluster), test extras)
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(tesseract-ocr tesseract-ocr-ind tesseract-ocr-eng tesseract-ocr-osd)
extras="."
if [[ "${1:-}" == "--test" ]]; then
  # LibreOffice recalculates report.xlsx in the tests: its LKE formulas must give bukti's own score.
  apt_packages+=(chromium poppler-utils fonts-liberation libreoffice-calc-nogui postgresql)
  extras=".[test,postgres]"
fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [[ ! -x .venv/bin/python ]]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    # Debian's own python3 ships venv support separately.
    rm -rf .venv
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$PY" -m venv .venv
  fi
fi

# Reinstall only when the dependency list or the requested extras change.
stamp=".venv/.bukti-installed"
want="$(sha256sum pyproject.toml | cut -c1-16) $extras"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing Python packages into .venv" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e "$extras"
  echo "$want" > "$stamp"
fi
