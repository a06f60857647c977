"""Query latency while an ingest writes: p50 and p95 of typical queries, idle and during the ingest.

    .venv/bin/python bench/bench_concurrency.py [--abstracts 2000]

In a throw-away managed store: ingest the sample corpus, then time a few
queries the app and the command line run (search, a neighbourhood, a paper's
details, label counts) in a loop, first with the store idle, then while
``papergraph ingest`` adds N synthetic arXiv abstracts (bench/make_scale_corpus.py)
in another process.  Every query must answer throughout.  Writes
``bench/results/concurrency.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO))

from analysis.search import search  # noqa: E402
from analysis.subgraph import find_node, neighbourhood  # noqa: E402
from bench.bench_scale import cpu_kind  # noqa: E402
from bench.make_scale_corpus import write_corpus  # noqa: E402
from graph_schema import arcadedb_server  # noqa: E402
from graph_schema.settings import settings_from_env  # noqa: E402
from graph_schema.store import Store  # noqa: E402


def typical_queries(store: Store) -> dict:
    centre_id = store.read("MATCH (m:Method) RETURN m.id AS id ORDER BY m.degree DESC LIMIT 1")[0]["id"]
    return {
        "search": lambda: search(store, "graph neural network"),
        "neighbourhood": lambda: neighbourhood(store, find_node(store, centre_id), hops=1),
        "label counts": store.counts,
    }


def latencies(queries: dict, until) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in queries}
    while not until():
        for name, query in queries.items():
            started = time.perf_counter()
            query()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: dict[str, list[float]]) -> dict:
    def percentile(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1], 1) if len(values) > 1 else round(values[0], 1)

    return {
        name: {"n": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)}
        for name, values in timings.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--abstracts", type=int, default=2000)
    parser.add_argument("--idle-seconds", type=float, default=20)
    args = parser.parse_args()
    arcadedb_server.use_temporary_home("papergraph-concurrency-")
    cli = [sys.executable, "-m", "ui.cli"]
    subprocess.run([*cli, "ingest", "--quiet", str(REPO / "data" / "corpus")], cwd=REPO, check=True)
    results: dict = {"cpu": cpu_kind(), "abstracts_ingested_meanwhile": args.abstracts}
    with tempfile.TemporaryDirectory() as work, Store.open() as store:
        corpus = Path(work) / "more.jsonl"
        write_corpus(args.abstracts, corpus, seed=1)
        queries = typical_queries(store)
        stop_at = time.monotonic() + args.idle_seconds
        results["idle"] = summary(latencies(queries, lambda: time.monotonic() > stop_at))
        started = time.perf_counter()
        ingest = subprocess.Popen([*cli, "ingest", "--quiet", str(corpus)], cwd=REPO)
        results["during_ingest"] = summary(latencies(queries, lambda: ingest.poll() is not None))
        results["ingest_seconds"] = round(time.perf_counter() - started, 1)
        results["ingest_exit_status"] = ingest.returncode
    arcadedb_server.stop(settings_from_env())
    print(json.dumps(results, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "concurrency.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
