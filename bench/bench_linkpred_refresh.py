"""Time a link-prediction refresh as a new user meets it, and where its time goes.

    .venv/bin/python bench/bench_linkpred_refresh.py CORPUS [--papers N] [--extractions DIR]

CORPUS is what ``papergraph ingest`` takes (``data/corpus``, or a JSON-lines file such as
``bench/corpora/real-ml-2020s.jsonl``); with ``--papers N`` a JSON-lines corpus is cut to N
lines taken evenly through the file.  In a throw-away home (``--extractions DIR``: an
``extractions`` cache folder copied in first, so the ingest does not run the extractor again;
the text-embedding cache starts empty), it ingests the corpus, then runs ``papergraph linkpred
refresh`` twice in its own process: *cold* (MiniLM embeds every text) and, after deleting the
runs, the refresh status and the predicted links, *warm* (embeddings from the cache).  For each
it records the wall seconds and the run's own account: reading, text features, each baseline
and GNN, calibration, then scoring, explaining and writing the links, and how many were
written and why not more.  Results go to ``bench/results/linkpred_refresh.json`` (one entry
per corpus and size, replaced when measured again).  Run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph_schema import arcadedb_server  # noqa: E402
from graph_schema.settings import settings_from_env  # noqa: E402

RESULTS = REPO / "bench" / "results" / "linkpred_refresh.json"


def papergraph(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"papergraph {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, result.stdout


def cut_corpus(corpus: Path, papers: int | None, directory: Path) -> Path:
    if papers is None or corpus.is_dir():
        return corpus
    lines = corpus.read_text().splitlines(keepends=True)
    step = max(len(lines) / papers, 1.0)
    chosen = [lines[int(i * step)] for i in range(min(papers, len(lines)))]
    cut = directory / f"{corpus.stem}-{len(chosen)}.jsonl"
    cut.write_text("".join(chosen))
    return cut


def account(home: Path) -> dict:
    """The latest run's seconds and the refresh's prediction, from what the refresh left in the home."""
    from models.linkpred.runs import list_runs

    run = list_runs(home / "runs")[-1]
    status = json.loads((home / "linkpred-refresh.json").read_text())
    return {
        "run": run.run_id,
        "model": run.model_name,
        "train_seconds": run.metrics["seconds"],
        "epochs": {name: history["epochs_run"] for name, history in run.metrics["training"].items()},
        "status": status["message"],
    }


def bench(corpus: Path, papers: int | None, extractions: Path | None) -> dict:
    home = Path(tempfile.mkdtemp(prefix="papergraph-refresh-"))
    os.environ["PAPERGRAPH_HOME"] = str(home)
    os.environ["PAPERGRAPH_BOLT_PORT"] = str(arcadedb_server.free_port())
    for name in [name for name in os.environ if name.startswith("NEO4J_")]:
        del os.environ[name]
    settings = settings_from_env()
    try:
        if extractions is not None:
            shutil.copytree(extractions, home / "cache" / "extractions")
        source = cut_corpus(corpus, papers, home)
        ingest_seconds, _ = papergraph("ingest", "--quiet", str(source))
        found = {"corpus": corpus.name, "papers": papers, "ingest_seconds": round(ingest_seconds, 1)}
        for attempt in ("cold", "warm"):
            if attempt == "warm":
                papergraph("linkpred", "clear", "--all")
                shutil.rmtree(home / "runs")
                (home / "linkpred-refresh.json").unlink()
            seconds, output = papergraph("linkpred", "refresh")
            found[attempt] = {"seconds": round(seconds, 1), "output": output.strip().splitlines(), **account(home)}
            print(json.dumps({attempt: found[attempt]}), file=sys.stderr, flush=True)
        return found
    finally:
        arcadedb_server.stop(settings)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--papers", type=int, help="cut a JSON-lines corpus to this many papers, evenly")
    parser.add_argument("--extractions", type=Path, help="an extraction cache folder to start from")
    args = parser.parse_args()
    result = bench(args.corpus.resolve(), args.papers, args.extractions)
    flags = Path("/proc/cpuinfo").read_text()
    result["machine"] = {
        "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0)),
        "avx512_bf16": "avx512_bf16" in flags,
    }
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"notes": "", "runs": []}
    key = (result["corpus"], result["papers"])
    runs = [run for run in previous["runs"] if (run["corpus"], run["papers"]) != key] + [result]
    RESULTS.write_text(json.dumps({"notes": __doc__.strip(), "runs": runs}, indent=2) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
