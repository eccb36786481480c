#!/usr/bin/env bash
# Set up a virtual environment (Python 3.11) and run the dashboard on the embedded SQLite database.
# The first run creates var/tracker.sqlite and fills it with the policy catalogue and the built-in data.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/streamlit run app.py "$@"
