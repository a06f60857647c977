#!/usr/bin/env bash
# Set up and run the whole test suite.  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# System programs the tests drive: Debian's Chromium (browser tests) and
# docker-compose 1.29 (validates docker/compose.yaml offline).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "warning: ${missing[*]} not installed and not root; the tests that need them will skip" >&2
    fi
fi

# The architecture and the style: layers one way (import-linter), lint and format (ruff).
.venv/bin/lint-imports --no-cache
.venv/bin/ruff check .
.venv/bin/ruff format --check .

mkdir -p test-artifacts
# pytest exits 5 when it collected no test: that fails here too.
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
