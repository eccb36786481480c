#!/usr/bin/env bash
# Serve the dashboard on the intranet (README: "在内网部署 / Deploy on the intranet"): listens on every interface,
# XSRF protection on, headless, against DATABASE_URL (PostgreSQL when several processes or machines serve it).
# Brings the schema to the latest revision first (one process at a time: PostgreSQL advisory lock).
#   DATABASE_URL=postgresql+psycopg://tracker@dbhost:5432/tracker PORT=8501 scripts/serve.sh
# TRACKER_PUBLIC_READ (default false): whether pages may be read without logging in (the accounts'
# `[access] public_read` setting; this variable overrides it, access/auth.py). A browser never gets a traceback
# (client.showErrorDetails none: the error is logged on the server). Extra arguments go to `streamlit run`.
# The first page after a start is as quick as any other: the server starts warm (scripts/serve.py).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL, e.g. postgresql+psycopg://tracker@dbhost:5432/tracker}"
export DATABASE_URL
export TRACKER_PUBLIC_READ="${TRACKER_PUBLIC_READ:-false}"
PY=${TRACKER_PYTHON:-.venv/bin/python}
"$PY" cli.py db upgrade
# scripts/serve.py warms the pages' imports and caches before the server listens (ui/warmup.py), then runs
# `streamlit run app.py` with these options in the same process
exec "$PY" scripts/serve.py \
  --server.address 0.0.0.0 --server.port "${PORT:-8501}" --server.headless true \
  --server.enableXsrfProtection true --server.enableCORS true --server.fileWatcherType none \
  --client.showErrorDetails none --browser.gatherUsageStats false "$@"
