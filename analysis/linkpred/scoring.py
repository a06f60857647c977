"""A run's model on the current graph: every node's best new partners.

``load_run`` rebuilds the store's graph as the run's model knows it;
``top_new_links`` scores every candidate pair of a target type in blocks and
keeps, for each node on either side, its ``top_k`` best partners among the
pairs that no extracted fact joins yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from analysis.linkpred.store_graph import StoreGraph, read_store_graph
from analysis.linkpred.text_features import text_encoder
from graph_schema.store import Store
from models.linkpred.gnn import LinkPredictor
from models.linkpred.runs import Run
from models.linkpred.split import EdgeType, LinkGraph, is_undirected

PAIRS_PER_BLOCK = 262_144


@dataclass
class LoadedRun:
    run: Run
    graph: StoreGraph
    full_graph: LinkGraph  # every edge of the current store: which pairs are already linked
    message_passing: LinkGraph  # ``full_graph`` cut to the edge types the model knows
    model: LinkPredictor

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
    return LoadedRun(run, graph, full_graph, message_passing, model)


@dataclass(frozen=True)
class PredictedLink:
    edge_type: EdgeType
    source: int
    target: int
    logit: float

    @property
    def score(self) -> float:
        return float(expit(self.logit))


def top_new_links(
    scorer,
    name: str,
    full_graph: LinkGraph,
    edge_type: EdgeType,
    top_k: int,
) -> tuple[list[PredictedLink], int]:
    """Each source node's ``top_k`` best targets and each target node's ``top_k`` best sources,
    among pairs not linked by any edge of ``full_graph``; also how many pairs were scored."""
    src_type, _, dst_type = edge_type
    num_src, num_dst = full_graph.num_nodes[src_type], full_graph.num_nodes[dst_type]
    if num_src == 0 or num_dst == 0 or top_k <= 0:
        return [], 0
    dst_start = full_graph.offsets[dst_type]
    column_best = np.full((top_k, num_dst), -np.inf)
    column_best_source = np.zeros((top_k, num_dst), dtype=np.int64)
    logits: dict[tuple[int, int], float] = {}
    rows_per_block = max(1, PAIRS_PER_BLOCK // num_dst)
    for first in range(0, num_src, rows_per_block):
        sources = np.arange(first, min(first + rows_per_block, num_src))
        block = scorer(edge_type, np.repeat(sources, num_dst), np.tile(np.arange(num_dst), len(sources)))[name]
        block = block.reshape(len(sources), num_dst)
        linked = full_graph.adjacency[full_graph.global_ids(src_type, sources)][:, dst_start : dst_start + num_dst]
        block[linked.toarray() > 0] = -np.inf
        if is_undirected(edge_type):
            block[np.arange(len(sources)), sources] = -np.inf
        for row, source in enumerate(sources):
            for target in _top_indices(block[row], top_k):
                logits[(int(source), int(target))] = float(block[row, target])
        stacked = np.concatenate([column_best, block])
        stacked_source = np.concatenate([column_best_source, np.repeat(sources[:, None], num_dst, axis=1)])
        keep = np.argsort(-stacked, axis=0, kind="stable")[:top_k]
        column_best = np.take_along_axis(stacked, keep, axis=0)
        column_best_source = np.take_along_axis(stacked_source, keep, axis=0)
    for rank in range(top_k):
        for target in np.flatnonzero(np.isfinite(column_best[rank])):
            logits[(int(column_best_source[rank, target]), int(target))] = float(column_best[rank, target])
    if is_undirected(edge_type):  # (u, v) and (v, u) are one link
        logits = {tuple(sorted(pair)): logit for pair, logit in logits.items()}
    links = [PredictedLink(edge_type, source, target, logit) for (source, target), logit in sorted(logits.items())]
    return links, num_src * num_dst


def _top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) > k:
        finite = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return finite[np.argsort(-scores[finite], kind="stable")]
