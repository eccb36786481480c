#!/usr/bin/env bash
# Set up everything the tests need and run the whole suite (unit, AppTest, chromium end-to-end, deck rendering).
# System packages come from Debian: chromium (browser tests), fonts-noto-cjk (Chinese text),
# libreoffice-impress + poppler-utils (rendering the PowerPoint deck), libreoffice-calc (opening the Excel template), libreoffice-writer (rendering the Word bulletin). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-impress)
dpkg -s libreoffice-calc >/dev/null 2>&1 || need+=(libreoffice-calc)  # opens the Excel template in tests
dpkg -s libreoffice-writer >/dev/null 2>&1 || need+=(libreoffice-writer)  # renders the Word bulletin in tests
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" fontconfig
fi
PY=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
