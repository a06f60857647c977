"""Scale benchmark: cold ingest of N synthetic arXiv abstracts, then 1% and 5% more, then analysis.

    .venv/bin/python bench/bench_scale.py                 # N = 1,000 and 10,000
    .venv/bin/python bench/bench_scale.py --sizes 1000    # one size
    .venv/bin/python bench/bench_scale.py --full          # also N = 100,000 (hours on 2 cores)

For each N, in a throw-away managed store (``PAPERGRAPH_HOME`` in /tmp) and a
new extraction cache, each step a ``papergraph`` command in its own process
(as a user runs them), timed with its peak memory (the process, and with its workers):

* cold: ``papergraph ingest`` of N abstracts (``bench/make_scale_corpus.py``);
* +1%, then +5%: the same command with the next N/100 abstracts added, then
  the next N/20 (the earlier files are read again and change nothing); each
  step's share of the cold ingest is its cost; an ingest leaves the
  graph statistics to ``graph-stats``, the next step;
* ``papergraph graph-stats`` and ``papergraph linkpred train`` (hashed-word
  text features: MiniLM embeddings of N abstracts would measure the text
  encoder, not link prediction).

Writes ``bench/results/scale.json``.  Run nothing else meanwhile: with 2 cores,
anything beside it measures nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO))

from bench.make_scale_corpus import write_corpus  # noqa: E402
from graph_schema import arcadedb_server  # noqa: E402
from graph_schema.settings import settings_from_env  # noqa: E402


def cpu_kind() -> str:
    flags = Path("/proc/cpuinfo").read_text()
    return "AVX512-BF16 (extractor in bfloat16)" if "avx512_bf16" in flags else "no AVX512-BF16 (extractor in float32)"


def timed_command(*args: str) -> dict:
    """Run ``papergraph ARGS`` in its own process: wall seconds, and the peak memory of that
    process and of all its processes together (extraction workers, the ones it starts), sampled
    every ``RSS_SAMPLE_SECONDS``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks = {"main": 0, "all": 0}
    sampler = threading.Thread(target=_sample_rss, args=(process.pid, peaks), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"papergraph {' '.join(args)} failed:\n{stderr}")
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(peaks["main"] / 2**20),  # the papergraph process alone
        "peak_rss_mib_with_workers": round(peaks["all"] / 2**20),  # it and its children together
        "output": stdout.strip().splitlines()[-3:],
    }


RSS_SAMPLE_SECONDS = 0.1


def _sample_rss(pid: int, peaks: dict) -> None:
    try:
        main = psutil.Process(pid)
        while main.is_running() and main.status() != psutil.STATUS_ZOMBIE:
            own = main.memory_info().rss
            children = 0
            for child in main.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    children += child.memory_info().rss
            peaks["main"] = max(peaks["main"], own)
            peaks["all"] = max(peaks["all"], own + children)
            time.sleep(RSS_SAMPLE_SECONDS)
    except psutil.Error:
        pass  # the process has ended


def split_corpus(path: Path, n: int, directory: Path) -> list[Path]:
    """The first N lines, the next N/100 and the next N/20, as three files."""
    lines = path.read_text().splitlines(keepends=True)
    sizes = [n, n // 100, n // 20]
    parts, start = [], 0
    for index, size in enumerate(sizes):
        part = directory / f"part{index}.jsonl"
        part.write_text("".join(lines[start : start + size]))
        parts.append(part)
        start += size
    return parts


def bench_size(n: int, work: Path, linkpred: bool = True) -> dict:
    arcadedb_server.use_temporary_home(f"papergraph-scale-{n}-")
    corpus = work / f"scale-{n}.jsonl"
    write_corpus(n + n // 100 + n // 20, corpus, seed=0)
    base, plus_one, plus_five = split_corpus(corpus, n, work)
    figures: dict = {"n": n}
    figures["cold"] = timed_command("ingest", "--quiet", str(base))
    figures["cold"]["abstracts_per_s"] = round(n / figures["cold"]["seconds"], 2)
    figures["plus_1_percent"] = timed_command("ingest", "--quiet", str(base), str(plus_one))
    figures["plus_1_percent"]["share_of_cold"] = round(
        figures["plus_1_percent"]["seconds"] / figures["cold"]["seconds"], 3
    )
    figures["plus_5_percent"] = timed_command("ingest", "--quiet", str(base), str(plus_one), str(plus_five))
    figures["plus_5_percent"]["share_of_cold"] = round(
        figures["plus_5_percent"]["seconds"] / figures["cold"]["seconds"], 3
    )
    figures["graph_stats"] = timed_command("graph-stats")
    if linkpred:
        figures["linkpred_train"] = timed_command("linkpred", "train", "--text-features", "hashing", "--json")
    arcadedb_server.stop(settings_from_env())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--full", action="store_true", help="also 100,000 abstracts")
    parser.add_argument("--no-linkpred", action="store_true", help="leave out `papergraph linkpred train`")
    args = parser.parse_args()
    sizes = args.sizes + ([100_000] if args.full else [])
    results = {"cpu": cpu_kind(), "machine": platform.machine(), "cores": os.cpu_count(), "sizes": []}
    with tempfile.TemporaryDirectory(prefix="papergraph-scale-") as work:
        for n in sizes:
            figures = bench_size(n, Path(work), linkpred=not args.no_linkpred)
            print(json.dumps(figures), flush=True)
            results["sizes"].append(figures)
    RESULTS.mkdir(exist_ok=True)
    previous = json.loads((RESULTS / "scale.json").read_text()) if (RESULTS / "scale.json").exists() else {}
    measured = {figures["n"] for figures in results["sizes"]}
    kept = [figures for figures in previous.get("sizes", []) if figures["n"] not in measured]
    results["sizes"] = sorted(kept + results["sizes"], key=lambda figures: figures["n"])
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
