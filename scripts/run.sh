#!/usr/bin/env bash
# Set up, ingest the bundled sample corpus into the default store, then serve the app
# on http://127.0.0.1:8501 (PORT=... to change it).  Beside the app, one after the other:
# the graph statistics are computed when the graph has changed since they last were (seconds
# on the sample corpus), then link prediction is trained and its top links written when the
# graph has changed since the last run (about 2 minutes); the pages say what is in progress.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/papergraph ingest data/corpus
exec .venv/bin/papergraph ui --port "${PORT:-8501}" --refresh-links
