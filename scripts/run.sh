#!/usr/bin/env bash
# Set up, ingest the bundled sample corpus into the default store, then serve the app
# on http://127.0.0.1:8501 (PORT=... to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/papergraph ingest data/corpus
exec .venv/bin/papergraph ui --port "${PORT:-8501}"
