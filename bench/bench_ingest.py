"""Ingest benchmarks on the managed ArcadeDB store, in a throw-away PAPERGRAPH_HOME.

    .venv/bin/python bench/bench_ingest.py [--relationships 100000]

* cold: ``papergraph ingest data/corpus`` with the store not running and no
  extraction cache: server start, reading, extraction, resolution, claims,
  graph statistics and every write; also as abstracts/s end to end;
* warm, again: the same files once more (nothing changes);
* warm, empty: the store running, the graph emptied, extractions from the cache;
* relationships/s: a synthetic batch of relationships written through
  ``Store.write_rows`` (UNWIND batches, one explicit transaction each).

Writes ``bench/results/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


def _timed_cli(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ui.cli", *args], check=True, cwd=REPO, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()

    from graph_schema import arcadedb_server
    from graph_schema.settings import settings_from_env
    from graph_schema.store import Store

    arcadedb_server.use_temporary_home("papergraph-bench-")
    settings = settings_from_env()
    corpus = str(REPO / "data" / "corpus")
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "store": "ArcadeDB (managed)",
    }
    try:
        results["ingest_cold_s"] = round(_timed_cli("ingest", "--quiet", corpus), 2)
        with Store.open(settings) as store:
            papers = store.counts().nodes["Paper"]
        results["papers"] = papers
        results["ingest_cold_abstracts_per_s"] = round(papers / results["ingest_cold_s"], 2)
        results["ingest_warm_again_s"] = round(_timed_cli("ingest", "--quiet", corpus), 2)
        with Store.open(settings) as store:
            store.wipe()
        results["ingest_warm_empty_cached_extraction_s"] = round(_timed_cli("ingest", "--quiet", corpus), 2)

        with Store.open(settings) as store:
            store.wipe()
            nodes = max(1000, args.relationships // 10)
            store.write_rows(
                "UNWIND $rows AS row CREATE (:Method {id: row.id, name: row.id})",
                ({"id": f"bench-{i}"} for i in range(nodes)),
                batch_size=args.batch_size,
            )
            rows = [
                {"a": f"bench-{i % nodes}", "b": f"bench-{(i * 7919 + 13) % nodes}", "w": i}
                for i in range(args.relationships)
            ]
            started = time.perf_counter()
            store.write_rows(
                "UNWIND $rows AS row MATCH (a:Method {id: row.a}), (b:Method {id: row.b}) "
                "CREATE (a)-[:USED_FOR {weight: row.w}]->(b)",
                rows,
                batch_size=args.batch_size,
            )
            seconds = time.perf_counter() - started
            written = store.counts().relationships.get("USED_FOR", 0)
            assert written == args.relationships, written
            results["relationships"] = args.relationships
            results["relationship_batch_size"] = args.batch_size
            results["relationships_s"] = round(seconds, 2)
            results["relationships_per_s"] = round(args.relationships / seconds)
            store.wipe()
    finally:
        arcadedb_server.stop(settings)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
