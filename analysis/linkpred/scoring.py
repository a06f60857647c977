"""A run's model on the current graph: a few good new links per node, with calibrated scores.

``load_run`` rebuilds the store's graph as the run's model knows it, with the run's
calibration (``models.linkpred.calibration``); ``best_new_links`` scores the candidate pairs of
a target type (nearby, unjoined, neither end excluded, not one name) and keeps those at or
at or above a calibrated threshold, at most ``per_node`` per node (``models.linkpred.candidates``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.linkpred import DEFAULT_THRESHOLD
from analysis.linkpred.store_graph import StoreGraph, read_store_graph
from analysis.linkpred.text_features import text_encoder
from graph_schema.store import Store
from models.linkpred.calibration import Calibration
from models.linkpred.candidates import DropCounts, NodeFilter, score_candidates, select_links
from models.linkpred.gnn import LinkPredictor
from models.linkpred.runs import Run
from models.linkpred.split import EdgeType, LinkGraph


@dataclass
class LoadedRun:
    run: Run
    graph: StoreGraph
    full_graph: LinkGraph  # every edge of the current store: which pairs are already linked
    message_passing: LinkGraph  # ``full_graph`` cut to the edge types the model knows
    model: LinkPredictor
    calibration: Calibration

    def node_embeddings(self) -> dict[str, np.ndarray]:
        """The GNN's embedding of every node, by node type, in ``graph.node_keys`` order."""
        import torch

        with torch.no_grad():
            return {node_type: z.numpy() for node_type, z in self.model.encode(self.message_passing).items()}


def load_run(store: Store, run: Run) -> LoadedRun:
    encoder = text_encoder(run.config["text_features"])
    # The run's own targets and no minimum: leaky parallels are dropped as they were in training.
    graph = read_store_graph(store, encoder=encoder, targets=run.target_edge_types, min_target_links=0)
    full_graph = graph.link_graph()
    model, message_passing = run.load_model(full_graph)
    return LoadedRun(run, graph, full_graph, message_passing, model, run.calibration)


@dataclass(frozen=True)
class PredictedLink:
    edge_type: EdgeType
    source: int
    target: int
    logit: float
    score: float  # calibrated probability


def best_new_links(
    scorer,
    name: str,
    graph: LinkGraph,
    edge_type: EdgeType,
    calibration: Calibration,
    *,
    per_node: int,
    threshold: float = DEFAULT_THRESHOLD,
    node_filter: NodeFilter | None = None,
    counts: DropCounts | None = None,
) -> list[PredictedLink]:
    """The links of ``edge_type`` worth writing, best first; ``counts`` gets why the others were not.
    ``threshold``: the least calibrated score."""
    candidates = score_candidates(
        graph,
        edge_type,
        lambda src, dst: scorer(edge_type, src, dst)[name],
        lambda logits: calibration.probability(edge_type, logits),
        per_node,
        node_filter,
        threshold=threshold,
        counts=counts,
    )
    chosen = select_links(candidates, threshold, per_node, counts)
    return [
        PredictedLink(
            edge_type,
            int(candidates.src[i]),
            int(candidates.dst[i]),
            float(candidates.logit[i]),
            float(candidates.score[i]),
        )
        for i in chosen
    ]
