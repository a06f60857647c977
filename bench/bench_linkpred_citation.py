"""Link prediction on citation graphs the models have never seen: GNNs against Adamic-Adar.

    .venv/bin/python bench/bench_linkpred_citation.py EDGES [EDGES ...] [--seeds 3] [--threads 1]

Each EDGES file is an edge list in the ``papergraph linkpred evaluate`` format (two node ids per
line, e.g. Cora's ``cora.cites`` or CiteSeer's ``citeseer.cites`` from the public
Planetoid/LINQS releases; the data is not part of papergraph, give its path).  Edges are taken
as undirected, structure only.  For each seed the edges are split 85/5/10 and every model and
baseline is scored on the same test links against random and against hard negatives
(``models.linkpred.comparison``, the one evaluator); the table is mean ± std over the seeds.
Results go to ``bench/results/linkpred_citation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RESULTS = Path(__file__).parent / "results" / "linkpred_citation.json"
SHOWN = ("GraphSAGE + NCN/heuristic decoder", "GraphSAGE + dot", "Adamic-Adar", "Common Neighbours", "DeepWalk")
METRICS_SHOWN = ("auc", "hits@10", "mrr")


def bench_graph(path: Path, seeds: int) -> dict:
    from models.linkpred.comparison import evaluate_link_predictors
    from models.linkpred.files import read_edge_list
    from models.linkpred.split import canonical_pairs, split_edges

    edges, node_ids = read_edge_list(path)
    by_model: dict[tuple[str, str], dict[str, list[float]]] = {}
    seconds = []
    for seed in range(seeds):
        started = time.perf_counter()
        split = split_edges(edges, len(node_ids), seed=seed)
        report = evaluate_link_predictors(split, seed=seed)
        seconds.append(time.perf_counter() - started)
        for row in report.rows:
            cell = by_model.setdefault((row.model, row.negatives), {})
            for metric, value in row.metrics.items():
                cell.setdefault(metric, []).append(value)
    return {
        "file": path.name,
        "nodes": len(node_ids),
        "edges": int(len(canonical_pairs(edges, undirected=True))),
        "seeds": seeds,
        "seconds_per_seed": round(float(np.mean(seconds)), 1),
        "results": [
            {
                "model": model,
                "negatives": regime,
                **{
                    metric: {"mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4)}
                    for metric, values in metrics.items()
                },
            }
            for (model, regime), metrics in by_model.items()
        ],
    }


def print_table(result: dict) -> None:
    print(f"\n{result['file']}: {result['nodes']:,} nodes, {result['edges']:,} edges, {result['seeds']} seeds")
    for regime in ("random", "hard"):
        print(f"  against {regime} negatives:")
        for row in result["results"]:
            if row["negatives"] == regime and row["model"] in SHOWN:
                cells = "  ".join(f"{m} {row[m]['mean']:.3f} ± {row[m]['std']:.3f}" for m in METRICS_SHOWN)
                print(f"    {row['model']:<36} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edges", nargs="+", type=Path, help="edge-list files")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    graphs = []
    for path in args.edges:
        graphs.append(bench_graph(path, args.seeds))
        print_table(graphs[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpus": len(os.sched_getaffinity(0)),
        "processor": platform.processor() or platform.machine(),
        "threads": args.threads,
    }
    RESULTS.write_text(json.dumps({"machine": machine, "notes": __doc__.strip(), "graphs": graphs}, indent=2) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
