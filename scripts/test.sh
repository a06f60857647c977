#!/usr/bin/env bash
# Set up and run the whole test suite.  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# System programs the tests drive: Debian's Chromium (browser tests),
# docker-compose 1.29 (validates docker/compose.yaml offline) and Node.js with
# npm (runs Neo4j's Cypher linter: tests/test_neo4j_cypher.py).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "warning: ${missing[*]} not installed and not root; the tests that need them will skip" >&2
    fi
fi

# Neo4j's own Cypher front end (@neo4j-cypher/language-support), at the versions in
# tests/cypher_lint/package-lock.json, into tests/cypher_lint/node_modules (git-ignored).
# Re-running is cheap: nothing is installed again unless the lock file changed.
lint_dir=tests/cypher_lint
if command -v npm >/dev/null; then
    stamp="$lint_dir/node_modules/.papergraph-installed"
    wanted="$(sha256sum "$lint_dir/package-lock.json" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        # --loglevel=error: the package asks for node >= 24 and works on Debian's node (tested on 20).
        npm ci --prefix "$lint_dir" --no-audit --no-fund --loglevel=error
        echo "$wanted" > "$stamp"
    fi
else
    echo "warning: npm not installed; the Neo4j Cypher compatibility tests will skip" >&2
fi

# The architecture and the style: layers one way (import-linter), lint and format (ruff).
.venv/bin/lint-imports --no-cache
.venv/bin/ruff check .
.venv/bin/ruff format --check .

mkdir -p test-artifacts
# pytest exits 5 when it collected no test: that fails here too.
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
