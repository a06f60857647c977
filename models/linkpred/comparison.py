"""Every link predictor and baseline on one split, through one evaluator.

The split, the test negatives (both regimes) and the evaluator are shared,
so rows are comparable: heuristics and embeddings see only the
message-passing graph, GNNs also train on its edges and stop early on the
validation links.  DeepWalk is skipped on graphs with more than
``DEEPWALK_MAX_NODES`` nodes, where it stops being cheap.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from graph_schema.progress import Progress, no_progress
from models.linkpred import DEFAULT_NEGATIVES
from models.linkpred.embeddings import DEEPWALK, deepwalk_scorer, feature_cosine_scorer
from models.linkpred.evaluator import METRICS, evaluate_scorer
from models.linkpred.gnn import LinkPredictor, ModelConfig
from models.linkpred.heuristics import heuristic_scorer
from models.linkpred.negatives import evaluation_negatives
from models.linkpred.split import EdgeType, LinkSplit
from models.linkpred.train import TrainConfig, TrainHistory, fit_link_predictor, link_predictor_scorer

GNN = "gnn"
HEURISTIC = "heuristic"
EMBEDDING = "embedding"

# Model name -> decoder; both encoders are the same GraphSAGE.
GNN_DECODERS = {
    "GraphSAGE + dot": "dot",
    "GraphSAGE + NCN/heuristic decoder": "structural",
}
DEEPWALK_MAX_NODES = 50_000


@dataclass(frozen=True)
class ResultRow:
    model: str
    kind: str
    negatives: str
    edge_type: EdgeType
    metrics: dict[str, float]

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "kind": self.kind,
            **{name: self.metrics[name] for name in METRICS},
            "negatives": self.negatives,
        }


@dataclass
class PipelineReport:
    rows: list[ResultRow] = field(default_factory=list)
    training: dict[str, TrainHistory] = field(default_factory=dict)
    models: dict[str, LinkPredictor] = field(default_factory=dict)  # the trained GNNs, by name
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # where the time went, by stage

    def best_gnn(self) -> str:
        """The GNN with the best validation AUC: chosen without looking at the test links."""
        return max(self.training, key=lambda name: self.training[name].best_val_auc)


# The edge type of rows that average over every target type.
ALL_TARGETS: EdgeType = ("*", "mean over target types", "*")


def mean_over_edge_types(rows: list[ResultRow]) -> list[ResultRow]:
    """One row per model and negative regime, each metric averaged over the target edge types (equal weights)."""
    groups: dict[tuple[str, str, str], list[ResultRow]] = {}
    for row in rows:
        groups.setdefault((row.model, row.kind, row.negatives), []).append(row)
    return [
        ResultRow(
            model,
            kind,
            regime,
            ALL_TARGETS,
            {metric: float(np.mean([row.metrics[metric] for row in group])) for metric in METRICS},
        )
        for (model, kind, regime), group in groups.items()
    ]


def evaluate_link_predictors(
    split: LinkSplit,
    *,
    evaluation: LinkSplit | None = None,
    gnns: tuple[str, ...] | list[str] = tuple(GNN_DECODERS),
    seed: int = 0,
    max_epochs: int | None = None,
    num_negatives: int = DEFAULT_NEGATIVES,
    progress: Progress = no_progress,
) -> PipelineReport:
    """Train ``gnns`` (names of ``GNN_DECODERS``) on ``split`` and score them and every baseline on
    ``evaluation``'s test links against its negatives, everyone passing messages over (or reading
    heuristics off) ``evaluation.graph``.  ``evaluation`` is ``split`` by default; the temporal
    check gives the whole past graph with the links written later as test links."""
    evaluation = evaluation or split
    report = PipelineReport()
    rng = np.random.default_rng(seed)
    progress("drawing test negatives")
    negatives = {
        edge_type: evaluation_negatives(evaluation, edge_type, positives, num_negatives, rng)
        for edge_type, positives in evaluation.test.items()
        if len(positives)
    }
    graph = evaluation.graph

    def run(kind: str, scorer) -> None:
        for edge_type, by_regime in negatives.items():
            positives = evaluation.test[edge_type]
            for regime, regime_negatives in by_regime.items():
                for model, metrics in evaluate_scorer(scorer, edge_type, positives, regime_negatives).items():
                    report.rows.append(ResultRow(model, kind, regime, edge_type, metrics))

    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        report.seconds[stage] = report.seconds.get(stage, 0.0) + time.perf_counter() - started

    progress("scoring heuristics")
    with timed("heuristics"):
        run(HEURISTIC, heuristic_scorer(graph))
    cosine = feature_cosine_scorer(graph)
    if cosine is not None:
        run(EMBEDDING, cosine)
    if graph.total_nodes <= DEEPWALK_MAX_NODES:
        progress("training DeepWalk")
        with timed(DEEPWALK):
            run(EMBEDDING, deepwalk_scorer(graph, seed=seed))
    else:
        report.notes.append(f"{DEEPWALK} skipped: more than {DEEPWALK_MAX_NODES:,} nodes")
    train_config = TrainConfig() if max_epochs is None else TrainConfig(max_epochs=max_epochs)
    for name in gnns:
        progress(f"training {name}")
        config = dataclasses.replace(train_config, model=ModelConfig(decoder=GNN_DECODERS[name]))
        model, history = fit_link_predictor(split, config, seed, progress=progress, stage=f"training {name}")
        report.training[name] = history
        report.models[name] = model
        report.seconds[name] = history.seconds
        with timed(f"{name}: scoring"):
            run(GNN, link_predictor_scorer(model, graph, name))
    return report
