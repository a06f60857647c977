"""A training run over the store: learn which links are missing, and keep the best GNN, calibrated.

``train_run`` reads the store's graph (``analysis.linkpred.store_graph``), holds target links
out, scores every GNN and baseline on the same split through the one evaluator
(``models.linkpred.comparison``), calibrates the GNN with the best validation AUC on the
validation links (``models.linkpred.calibration``) and saves it as a run
(``models.linkpred.runs``).  ``fit_on_graph`` is the part after reading, which the temporal
check (``analysis.linkpred.temporal``) runs on the graph of the past.

Each run's config records ``graph_fingerprint``, a digest of the graph it learned from
(``analysis.fingerprint``): a refresh compares it with the store's to tell whether the graph
has changed since.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from analysis.fingerprint import graph_fingerprint
from analysis.graph_reader import read_graph
from analysis.linkpred import DEFAULT_MAX_TRAINING_PAPERS
from analysis.linkpred.store_graph import (
    MIN_TARGET_LINKS,
    StoreGraph,
    build_store_graph,
    edge_type_name,
    sample_of_papers,
)
from analysis.linkpred.text_features import MINILM, NO_TEXT, text_encoder
from graph_schema.errors import PapergraphError
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Label
from graph_schema.store import Store
from models.linkpred import DEFAULT_MAX_EPOCHS, DEFAULT_NEGATIVES
from models.linkpred.calibration import Calibration, calibrate, held_out_reliability
from models.linkpred.comparison import (
    GNN_DECODERS,
    PipelineReport,
    evaluate_link_predictors,
    mean_over_edge_types,
)
from models.linkpred.gnn import LinkPredictor
from models.linkpred.runs import Run, save_run, utc_timestamp
from models.linkpred.split import EdgeType, LinkSplit, split_hetero_edges
from models.linkpred.train import link_predictor_scorer


class NotEnoughLinks(PapergraphError):
    pass


@dataclass
class Fitted:
    """Every model and baseline scored, and the chosen GNN with its calibration."""

    report: PipelineReport
    chosen: str
    model: LinkPredictor
    calibration: Calibration
    reliability: dict[EdgeType, dict[str, float]] = field(default_factory=dict)  # on the test links
    seconds: dict[str, float] = field(default_factory=dict)

    def training_summary(self) -> dict:
        return {
            name: {
                "best_val_auc": history.best_val_auc,
                "best_epoch": history.best_epoch + 1,
                "epochs_run": history.epochs_run,
                "seconds": round(history.seconds, 2),
            }
            for name, history in self.report.training.items()
        }

    def calibration_summary(self) -> dict:
        scaling = self.calibration.by_edge_type
        return {
            edge_type_name(edge_type): {
                "slope": scaling[edge_type].slope,
                "intercept": scaling[edge_type].intercept,
                "best_f1": scaling[edge_type].best_f1,
                **{f"test_{name}": value for name, value in self.reliability.get(edge_type, {}).items()},
            }
            for edge_type in scaling
        }


@dataclass
class TrainingResult:
    run: Run
    report: PipelineReport
    graph: StoreGraph


def fit_on_graph(
    split: LinkSplit,
    *,
    evaluation: LinkSplit | None = None,
    gnns: tuple[str, ...] = tuple(GNN_DECODERS),
    max_epochs: int | None = None,
    seed: int = 0,
    num_negatives: int = DEFAULT_NEGATIVES,
    progress: Progress = no_progress,
) -> Fitted:
    """Train ``gnns`` on ``split`` and score them and every baseline on ``evaluation``'s test links
    (``split``'s by default); calibrate the GNN with the best validation AUC."""
    report = evaluate_link_predictors(
        split,
        evaluation=evaluation,
        gnns=gnns,
        seed=seed,
        max_epochs=max_epochs,
        num_negatives=num_negatives,
        progress=progress,
    )
    chosen = report.best_gnn()
    started = time.perf_counter()
    progress(f"calibrating {chosen} on the validation links")
    model = report.models[chosen]
    scorer = link_predictor_scorer(model, split.graph, chosen)
    rng = np.random.default_rng(seed + 2)
    calibration = calibrate(scorer, chosen, split, rng)
    reliability = held_out_reliability(scorer, chosen, calibration, split, rng) if evaluation is None else {}
    return Fitted(report, chosen, model, calibration, reliability, {"calibrate": time.perf_counter() - started})


def train_run(
    store: Store,
    *,
    text_features: str = MINILM,
    max_epochs: int | None = None,
    seed: int = 0,
    num_negatives: int = DEFAULT_NEGATIVES,
    min_target_links: int = MIN_TARGET_LINKS,
    max_papers: int | None = DEFAULT_MAX_TRAINING_PAPERS,
    gnns: tuple[str, ...] = tuple(GNN_DECODERS),
    progress: Progress = no_progress,
) -> TrainingResult:
    """``max_papers``: train on that many papers drawn at random with their concepts
    (``store_graph.sample_of_papers``), so that a run's time and memory stay bounded whatever the
    corpus; ``None`` for every paper.  Text features are needed for that: without them the model
    learns one vector per node, which a graph of other nodes cannot use.  ``gnns``: the GNNs to
    train (names of ``GNN_DECODERS``); the best of them by validation AUC is saved."""
    started = time.perf_counter()
    # Before reading: a graph that changes while the run reads it makes the recorded digest stale, never wrong.
    fingerprint = graph_fingerprint(store)
    progress("reading the graph")
    snapshot = read_graph(store)
    papers_in_store = sum(1 for key in snapshot.nodes if key[0] == Label.PAPER.value)
    if max_papers is not None and text_features != NO_TEXT:
        snapshot = sample_of_papers(snapshot, max_papers, seed)
    papers_trained_on = sum(1 for key in snapshot.nodes if key[0] == Label.PAPER.value)
    if papers_trained_on < papers_in_store:
        progress(f"training on {papers_trained_on:,} of {papers_in_store:,} papers, drawn at random")
    read_seconds = time.perf_counter() - started
    if text_features != NO_TEXT:
        progress(f"text features ({text_features}) of {len(snapshot.nodes):,} nodes")
    graph = build_store_graph(snapshot, encoder=text_encoder(text_features), min_target_links=min_target_links)
    if not graph.target_edge_types:
        raise NotEnoughLinks(
            f"no target edge type has {min_target_links} links to learn from; "
            f"link counts: {named_counts(graph.too_small_targets)}"
        )
    features_seconds = time.perf_counter() - started - read_seconds
    split = split_hetero_edges(graph.data, graph.target_edge_types, seed=seed)
    progress(
        f"{sum(split.num_nodes.values()):,} nodes; target links (train/val/test): "
        + ", ".join(
            f"{edge_type_name(t)} {len(split.train[t])}/{len(split.val[t])}/{len(split.test[t])}"
            for t in split.target_edge_types
        )
    )
    fitted = fit_on_graph(
        split, gnns=gnns, seed=seed, max_epochs=max_epochs, num_negatives=num_negatives, progress=progress
    )
    config = {
        "created": utc_timestamp(),
        "model": fitted.chosen,
        "text_features": text_features,
        "seed": seed,
        "max_epochs": max_epochs or DEFAULT_MAX_EPOCHS,
        "num_negatives": num_negatives,
        "min_target_links": min_target_links,
        "max_papers": max_papers,
        "gnns": list(gnns),
        "graph_fingerprint": fingerprint,
        "calibration": fitted.calibration.as_json(),
    }
    report = fitted.report
    metrics = {
        "chosen_model": fitted.chosen,
        "summary": [row.as_json() for row in mean_over_edge_types(report.rows)],
        "results": [{"edge_type": edge_type_name(row.edge_type), **row.as_json()} for row in report.rows],
        "training": fitted.training_summary(),
        "calibration": fitted.calibration_summary(),
        "graph": {
            "papers_in_store": papers_in_store,
            "papers_trained_on": papers_trained_on,
            "nodes": dict(split.num_nodes),
            "targets": {
                edge_type_name(t): {"train": len(split.train[t]), "val": len(split.val[t]), "test": len(split.test[t])}
                for t in split.target_edge_types
            },
            "context_edges": {edge_type_name(t): len(pairs) for t, pairs in split.context_edges.items()},
            "too_small_targets": named_counts(graph.too_small_targets),
            "dropped_parallels": named_counts(graph.dropped_parallels),
        },
        "notes": report.notes,
        "seconds": {
            "read": round(read_seconds, 2),
            "text_features": round(features_seconds, 2),
            **{name: round(seconds, 2) for name, seconds in report.seconds.items()},
            "calibrate": round(fitted.seconds["calibrate"], 2),
            "total": round(time.perf_counter() - started, 2),
        },
    }
    run = save_run(fitted.model, split.graph, config, metrics)
    progress(f"saved run {run.run_id} ({fitted.chosen}) in {run.directory}")
    return TrainingResult(run, report, graph)


def named_counts(by_edge_type: dict[EdgeType, int]) -> dict[str, int]:
    return {edge_type_name(edge_type): count for edge_type, count in by_edge_type.items()}
