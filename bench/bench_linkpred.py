"""Benchmark link-prediction training and scoring on generated citation-like graphs and on the sample corpus.

    .venv/bin/python bench/bench_linkpred.py [--sizes 10000,100000,1000000] [--threads 1]
    .venv/bin/python bench/bench_linkpred.py --corpus [--threads 1]

For each size (number of edges; nodes = edges / 2) and each GNN decoder, a
fresh subprocess generates the graph (with 32 noisy topic features), splits
it 85/5/10, trains with early stopping, then measures scoring.  Peak memory
is the subprocess's ``ru_maxrss``, reported next to its RSS after imports.
Larger graphs get fewer epochs and fewer validation negatives (see
``EPOCHS``), so compare seconds per epoch across sizes, not totals.  Test
metrics use at most 10,000 test links and 20 negatives per link in each
regime.  Results go to ``bench/results/linkpred.json``.

``--corpus`` ingests ``data/corpus`` (with extraction) into a throw-away
managed store, then, in a fresh subprocess: reads the graph, embeds its
texts with MiniLM (cold, then from the cache), runs ``papergraph linkpred
train`` (every GNN and baseline, default settings) and ``papergraph linkpred
predict --top 3``.  Predictions/s is candidate pairs scored per second
(encoding the graph once included).  Results go to
``bench/results/linkpred_corpus.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "linkpred.json"
CORPUS_RESULTS = Path(__file__).parent / "results" / "linkpred_corpus.json"
CORPUS_TOP_K = 3
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
# edges -> (most epochs, validation negatives per validation link)
EPOCHS = {10_000: (200, 50), 100_000: (100, 20), 1_000_000: (20, 10)}
SCORED_PAIRS = 200_000
TEST_LINKS = 10_000
TEST_NEGATIVES = 20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(num_edges: int, decoder: str, threads: int, seed: int = 0) -> dict:
    """One (size, decoder) run; called in a fresh process so ``ru_maxrss`` is its own."""
    import numpy as np
    import torch

    from models.linkpred.evaluator import evaluate_scorer
    from models.linkpred.gnn import ModelConfig
    from models.linkpred.heuristics import heuristic_scorer
    from models.linkpred.negatives import evaluation_negatives
    from models.linkpred.split import LINK, split_edges
    from models.linkpred.synthetic import block_features, citation_like_graph
    from models.linkpred.train import TrainConfig, fit_link_predictor, link_predictor_scorer

    torch.set_num_threads(threads)
    baseline = peak_rss_mib()
    started = time.perf_counter()
    edges, blocks = citation_like_graph(num_edges // 2, seed=seed)
    features = torch.as_tensor(block_features(blocks, seed=seed))
    split = split_edges(edges, len(blocks), features=features, seed=seed)
    split.graph.adjacency  # noqa: B018 -- built once here, not inside the first epoch
    prepare_seconds = time.perf_counter() - started

    max_epochs, validation_negatives = EPOCHS.get(num_edges, (20, 10))
    config = TrainConfig(
        model=ModelConfig(decoder=decoder), max_epochs=max_epochs, validation_negatives=validation_negatives
    )
    model, history = fit_link_predictor(split, config, seed)
    train_peak = peak_rss_mib()

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    scorer = link_predictor_scorer(model, split.graph, decoder)
    encode_seconds = time.perf_counter() - started
    src, dst = rng.integers(len(blocks), size=(2, SCORED_PAIRS))
    started = time.perf_counter()
    scorer(LINK, src, dst)
    decode_seconds = time.perf_counter() - started
    started = time.perf_counter()
    heuristic_scorer(split.graph)(LINK, src, dst)
    heuristic_seconds = time.perf_counter() - started

    test = split.test[LINK][:TEST_LINKS]
    negatives = evaluation_negatives(split, LINK, test, TEST_NEGATIVES, rng)
    test_metrics = {
        regime: evaluate_scorer(scorer, LINK, test, regime_negatives)[decoder]
        for regime, regime_negatives in negatives.items()
    }
    return {
        "edges": int(len(edges)),
        "nodes": int(len(blocks)),
        "decoder": decoder,
        "threads": threads,
        "max_epochs": max_epochs,
        "validation_negatives": validation_negatives,
        "epochs_run": history.epochs_run,
        "best_epoch": history.best_epoch + 1,
        "train_seconds": round(history.seconds, 2),
        "seconds_per_epoch": round(history.seconds / history.epochs_run, 4),
        "prepare_seconds": round(prepare_seconds, 2),
        "baseline_rss_mib": round(baseline, 1),
        "train_peak_rss_mib": round(train_peak, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "encode_seconds": round(encode_seconds, 3),
        "predictions_per_second": round(SCORED_PAIRS / decode_seconds),
        "predictions_per_second_with_encode": round(SCORED_PAIRS / (decode_seconds + encode_seconds)),
        "heuristic_pairs_per_second": round(SCORED_PAIRS / heuristic_seconds),
        "test_auc": {regime: round(metrics["auc"], 4) for regime, metrics in test_metrics.items()},
        "test_mrr": {regime: round(metrics["mrr"], 4) for regime, metrics in test_metrics.items()},
    }


def measure_corpus(threads: int, seed: int = 0) -> dict:
    """The sample corpus, read from the store the environment names; called in a fresh process."""
    import torch

    from analysis.graph_reader import read_graph
    from analysis.linkpred.predictions import clear_predictions, predict_links
    from analysis.linkpred.store_graph import build_store_graph
    from analysis.linkpred.text_features import MINILM, MiniLMEncoder
    from analysis.linkpred.training import train_run
    from graph_schema.store import Store

    torch.set_num_threads(threads)
    baseline = peak_rss_mib()
    with Store.open() as store:
        started = time.perf_counter()
        snapshot = read_graph(store)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        graph = build_store_graph(snapshot)
        build_seconds = time.perf_counter() - started
        text_seconds = []
        for _cold_then_warm in range(2):
            started = time.perf_counter()
            build_store_graph(snapshot, encoder=MiniLMEncoder())
            text_seconds.append(time.perf_counter() - started)
        result = train_run(store, text_features=MINILM, seed=seed)
        train_peak = peak_rss_mib()
        prediction = predict_links(store, result.run, CORPUS_TOP_K)
        clear_predictions(store, result.run.run_id)
    metrics = result.run.metrics
    return {
        "nodes": {node_type: graph.data[node_type].num_nodes for node_type in graph.data.node_types},
        "edge_types": len(graph.data.edge_types),
        "facts": len(snapshot.edges),
        "targets": metrics["graph"]["targets"],
        "threads": threads,
        "read_graph_seconds": round(read_seconds, 2),
        "build_heterodata_seconds": round(build_seconds, 2),
        "minilm_features_cold_seconds": round(text_seconds[0], 2),
        "minilm_features_cached_seconds": round(text_seconds[1], 2),
        "train_command_seconds": metrics["seconds"]["total"],
        "training": metrics["training"],
        "chosen_model": metrics["chosen_model"],
        "baseline_rss_mib": round(baseline, 1),
        "train_peak_rss_mib": round(train_peak, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "test_summary": [
            {key: round(value, 4) if isinstance(value, float) else value for key, value in row.items()}
            for row in metrics["summary"]
        ],
        "predict_top_k": CORPUS_TOP_K,
        "scored_pairs": prediction.scored_pairs,
        "scoring_seconds": round(prediction.scoring_seconds, 2),
        "predictions_per_second": round(prediction.pairs_per_second),
        "predicted_links": prediction.total_written,
        "explaining_seconds": round(prediction.explaining_seconds, 2),
        "writing_seconds": round(prediction.writing_seconds, 2),
        "predicted_links_written_per_second": round(prediction.total_written / max(prediction.writing_seconds, 1e-9)),
        "why": prediction.why(),
        "predict_command_seconds": round(prediction.seconds, 2),
    }


def corpus_case(threads: int) -> dict:
    """Ingest the sample corpus into a throw-away store, then measure it in a child process."""
    import os
    import shutil
    import tempfile

    home = tempfile.mkdtemp(prefix="papergraph-bench-")
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEO4J_")}
    env["PAPERGRAPH_HOME"] = home
    os.environ.update(env)
    from graph_schema import arcadedb_server
    from graph_schema.settings import settings_from_env

    env["PAPERGRAPH_BOLT_PORT"] = os.environ["PAPERGRAPH_BOLT_PORT"] = str(arcadedb_server.free_port())
    settings = settings_from_env()
    try:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ui.cli", "ingest", "--quiet", str(REPO / "data" / "corpus")],
            check=True,
            cwd=REPO,
            env=env,
            capture_output=True,
        )
        ingest_seconds = time.perf_counter() - started
        child = subprocess.run(
            [sys.executable, __file__, "--corpus-child", "--threads", str(threads)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env=env,
        )
        return {
            "ingest_with_extraction_seconds": round(ingest_seconds, 1),
            **json.loads(child.stdout.strip().splitlines()[-1]),
        }
    finally:
        arcadedb_server.stop(settings)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="edge counts, comma-separated")
    parser.add_argument("--decoders", default="dot,structural")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--corpus", action="store_true", help="benchmark the sample corpus's graph instead")
    parser.add_argument("--child", nargs=2, metavar=("EDGES", "DECODER"), help=argparse.SUPPRESS)
    parser.add_argument("--corpus-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(int(args.child[0]), args.child[1], args.threads)))
        return
    if args.corpus_child:
        print(json.dumps(measure_corpus(args.threads)))
        return
    if args.corpus:
        result = corpus_case(args.threads)
        CORPUS_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        CORPUS_RESULTS.write_text(
            json.dumps(
                {"machine": _machine(), "notes": __doc__.split("\n\n", 3)[3].strip(), "corpus": result}, indent=2
            )
            + "\n"
        )
        print(f"wrote {CORPUS_RESULTS}", file=sys.stderr)
        return
    runs = []
    for size in map(int, args.sizes.split(",")):
        for decoder in args.decoders.split(","):
            print(f"{size:,} edges, {decoder} decoder ...", file=sys.stderr, flush=True)
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(size), decoder, "--threads", str(args.threads)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": _machine(),
                "notes": __doc__.split("\n\n", 3)[2].strip(),
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}", file=sys.stderr)


def _machine() -> dict:
    import os

    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpus": len(os.sched_getaffinity(0)),
        "processor": platform.processor() or platform.machine(),
    }


if __name__ == "__main__":
    main()
