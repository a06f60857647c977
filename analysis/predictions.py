"""Link prediction over the store: train a run, predict missing links with explanations, write them back.

* ``train_run``: read the store's graph (``analysis.store_graph``), hold
  target links out, score every GNN and baseline on the same split through
  the one evaluator (``analysis.linkpred.pipeline``), and save the GNN with
  the best validation AUC as a run (``models.linkpred.runs``).
* ``predict_links``: with a run's model, passing messages over the whole
  current graph, give every node of each target type its ``top_k`` best new
  partners (pairs no extracted fact joins yet), in both directions of the
  type; explain each with the pair's shared neighbours and shortest paths;
  and write them as ``PREDICTED_LINK`` relationships (``PREDICTED_LINK_PROPERTIES``).
* ``clear_predictions``: delete one run's predicted links, or all.

Predicted links are the only relationships written here; extracted facts are
never touched.  Writing is idempotent per run: each link is MERGEd on its two
nodes and ``run_id``, and a run's links that a new prediction no longer
yields are deleted, so the store holds exactly the latest prediction of each run.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice

import networkx as nx
import numpy as np
from scipy.special import expit

from analysis.graph_reader import GraphSnapshot
from analysis.linkpred import DEFAULT_NEGATIVES, DEFAULT_TOP_K
from analysis.linkpred.pipeline import PipelineReport, evaluate_link_predictors, mean_over_edge_types
from analysis.linkpred.split import EdgeType, LinkGraph, is_undirected, split_hetero_edges
from analysis.linkpred.text_features import MINILM, text_encoder
from analysis.store_graph import MIN_TARGET_LINKS, NodeKey, StoreGraph, edge_type_name, read_store_graph
from graph_schema.schema import Label, Rel
from graph_schema.store import Store
from models.linkpred import DEFAULT_MAX_EPOCHS
from models.linkpred.gnn import LinkPredictor
from models.linkpred.runs import Run, save_run
from models.linkpred.train import link_predictor_scorer

# What every PREDICTED_LINK carries; ``explanation`` is a JSON string (see ``LinkExplainer``).
PREDICTED_LINK_PROPERTIES = ("score", "model", "run_id", "created", "target_type", "explanation")
SHARED_NEIGHBOURS_SHOWN = 5
PATHS_SHOWN = 3
PATH_CUTOFF = 4  # hops; longer paths explain nothing
PAIRS_PER_BLOCK = 262_144

Log = Callable[[str], None]


def _no_log(message: str) -> None:
    pass


# -- training --------------------------------------------------------------


class NotEnoughLinks(ValueError):
    pass


@dataclass
class TrainingResult:
    run: Run
    report: PipelineReport
    graph: StoreGraph


def train_run(
    store: Store,
    *,
    text_features: str = MINILM,
    max_epochs: int | None = None,
    seed: int = 0,
    num_negatives: int = DEFAULT_NEGATIVES,
    min_target_links: int = MIN_TARGET_LINKS,
    log: Log = _no_log,
) -> TrainingResult:
    started = time.perf_counter()
    log("reading the graph")
    graph = read_store_graph(store, encoder=text_encoder(text_features), min_target_links=min_target_links)
    if not graph.target_edge_types:
        raise NotEnoughLinks(f"no target edge type has {min_target_links} links to learn from; "
                         f"link counts: {_named(graph.too_small_targets)}")
    read_seconds = time.perf_counter() - started
    split = split_hetero_edges(graph.data, graph.target_edge_types, seed=seed)
    log(f"{sum(split.num_nodes.values()):,} nodes; target links (train/val/test): " + ", ".join(
        f"{edge_type_name(t)} {len(split.train[t])}/{len(split.val[t])}/{len(split.test[t])}"
        for t in split.target_edge_types))
    report = evaluate_link_predictors(split, seed=seed, max_epochs=max_epochs, num_negatives=num_negatives, log=log)
    chosen = report.best_gnn()
    config = {
        "created": _now(),
        "model": chosen,
        "text_features": text_features,
        "seed": seed,
        "max_epochs": max_epochs or DEFAULT_MAX_EPOCHS,
        "num_negatives": num_negatives,
        "min_target_links": min_target_links,
    }
    metrics = {
        "chosen_model": chosen,
        "summary": [row.as_json() for row in mean_over_edge_types(report.rows)],
        "results": [{"edge_type": edge_type_name(row.edge_type), **row.as_json()} for row in report.rows],
        "training": {name: {"best_val_auc": history.best_val_auc, "best_epoch": history.best_epoch + 1,
                            "epochs_run": history.epochs_run, "seconds": round(history.seconds, 2)}
                     for name, history in report.training.items()},
        "graph": {
            "nodes": dict(split.num_nodes),
            "targets": {edge_type_name(t): {"train": len(split.train[t]), "val": len(split.val[t]),
                                            "test": len(split.test[t])} for t in split.target_edge_types},
            "context_edges": {edge_type_name(t): len(pairs) for t, pairs in split.context_edges.items()},
            "too_small_targets": _named(graph.too_small_targets),
            "dropped_parallels": _named(graph.dropped_parallels),
        },
        "notes": report.notes,
        "seconds": {"read": round(read_seconds, 2), "total": round(time.perf_counter() - started, 2)},
    }
    run = save_run(report.models[chosen], split.graph, config, metrics)
    log(f"saved run {run.run_id} ({chosen}) in {run.directory}")
    return TrainingResult(run, report, graph)


def _named(by_edge_type: dict[EdgeType, int]) -> dict[str, int]:
    return {edge_type_name(edge_type): count for edge_type, count in by_edge_type.items()}


def _now() -> str:
    # Milliseconds: re-running a prediction tells its links from the last run's by this stamp.
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# -- a run's model on the current graph --------------------------------------


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


# -- predicting --------------------------------------------------------------


@dataclass
class PredictionSummary:
    run_id: str
    model: str
    written: dict[str, int] = field(default_factory=dict)  # target type -> links
    removed: int = 0  # the run's earlier links that this prediction no longer yields
    scored_pairs: int = 0
    scoring_seconds: float = 0.0  # encoding the graph once and scoring every candidate pair
    explaining_seconds: float = 0.0
    writing_seconds: float = 0.0
    seconds: float = 0.0  # all of it, reading the graph and loading the model included

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def pairs_per_second(self) -> float:
        return self.scored_pairs / self.scoring_seconds if self.scoring_seconds else 0.0


@dataclass(frozen=True)
class PredictedLink:
    edge_type: EdgeType
    source: int
    target: int
    logit: float

    @property
    def score(self) -> float:
        return float(expit(self.logit))


def predict_links(store: Store, run: Run, top_k: int = DEFAULT_TOP_K, log: Log = _no_log) -> PredictionSummary:
    started = time.perf_counter()
    log(f"loading run {run.run_id} and reading the graph")
    loaded = load_run(store, run)
    summary = PredictionSummary(run.run_id, run.model_name)
    scoring_started = time.perf_counter()
    scorer = link_predictor_scorer(loaded.model, loaded.message_passing, run.model_name)
    links: list[PredictedLink] = []
    for edge_type in run.target_edge_types:
        found, scored = top_new_links(scorer, run.model_name, loaded.full_graph, edge_type, top_k)
        links += found
        summary.scored_pairs += scored
    summary.scoring_seconds = time.perf_counter() - scoring_started
    log(f"scored {summary.scored_pairs:,} pairs in {summary.scoring_seconds:.1f} s; explaining {len(links):,} links")
    explaining_started = time.perf_counter()
    explanations = explain_links(LinkExplainer(loaded.graph.snapshot), loaded.graph, links)
    summary.explaining_seconds = time.perf_counter() - explaining_started
    created = _now()
    rows_by_labels: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for link, explanation in zip(links, explanations):
        src_type, _, dst_type = link.edge_type
        rows_by_labels[(src_type, dst_type)].append({
            "a": loaded.graph.node_keys[src_type][link.source][1],
            "b": loaded.graph.node_keys[dst_type][link.target][1],
            "score": link.score,
            "model": run.model_name,
            "run_id": run.run_id,
            "created": created,
            "target_type": edge_type_name(link.edge_type),
            "explanation": json.dumps(explanation),
        })
    summary.written = dict(Counter(edge_type_name(link.edge_type) for link in links))
    log(f"writing {len(links):,} predicted links")
    writing_started = time.perf_counter()
    for (src_label, dst_label), rows in rows_by_labels.items():
        store.write_rows(_merge_predicted_links(src_label, dst_label), rows)
    summary.removed = _delete_predicted_links(store, "r.run_id = $run AND r.created <> $created",
                                              run=run.run_id, created=created)
    summary.writing_seconds = time.perf_counter() - writing_started
    summary.seconds = time.perf_counter() - started
    return summary


def _merge_predicted_links(src_label: str, dst_label: str) -> str:
    return f"""UNWIND $rows AS row
        MATCH (a:{Label(src_label)} {{id: row.a}}), (b:{Label(dst_label)} {{id: row.b}})
        MERGE (a)-[r:{Rel.PREDICTED_LINK} {{run_id: row.run_id}}]->(b)
        SET r.score = row.score, r.model = row.model, r.created = row.created,
            r.target_type = row.target_type, r.explanation = row.explanation"""


def top_new_links(scorer, name: str, full_graph: LinkGraph, edge_type: EdgeType, top_k: int,
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
        linked = full_graph.adjacency[full_graph.global_ids(src_type, sources)][:, dst_start:dst_start + num_dst]
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


# -- explaining --------------------------------------------------------------


class LinkExplainer:
    """Why two nodes may be linked, read off the store's graph (all facts, undirected).

    An explanation is ``{"shared_neighbours": [node, ...], "shared_neighbour_count": n,
    "paths": [{"nodes": [node, ...], "relationships": [type, ...]}, ...]}`` with each node
    ``{"label", "name"}``.  Shared neighbours come rarest first (lowest degree: a
    shared niche concept says more than a shared hub, as in Adamic-Adar), at most
    ``SHARED_NEIGHBOURS_SHOWN``; paths are up to ``PATHS_SHOWN`` shortest ones within
    ``PATH_CUTOFF`` hops, with ``relationships[i]`` joining ``nodes[i]`` and
    ``nodes[i + 1]`` (``A|B`` where several facts join them).
    """

    def __init__(self, snapshot: GraphSnapshot):
        self.graph = nx.Graph()
        self.graph.add_nodes_from(snapshot.nodes)
        for source, rel, target in snapshot.edges:
            if source == target:
                continue
            if self.graph.has_edge(source, target):
                self.graph[source][target]["types"].add(rel)
            else:
                self.graph.add_edge(source, target, types={rel})
        self.names = {key: props["name"] or key[1] for key, props in snapshot.nodes.items()}

    def explain(self, source: NodeKey, targets: list[NodeKey]) -> list[dict]:
        """Explanations for ``(source, target)`` for each of ``targets``; one breadth-first search in all."""
        predecessors = nx.predecessor(self.graph, source, cutoff=PATH_CUTOFF) if source in self.graph else {}
        source_neighbours = set(self.graph[source]) if source in self.graph else set()
        explanations = []
        for target in targets:
            shared = source_neighbours & set(self.graph[target]) if target in self.graph else set()
            shown = sorted(shared, key=lambda node: (self.graph.degree(node), self.names.get(node, ""), node))
            explanations.append({
                "shared_neighbours": [self._node(node) for node in shown[:SHARED_NEIGHBOURS_SHOWN]],
                "shared_neighbour_count": len(shared),
                "paths": [self._path(path) for path in
                          islice(shortest_paths(predecessors, source, target), PATHS_SHOWN)],
            })
        return explanations

    def _node(self, key: NodeKey) -> dict:
        return {"label": key[0], "name": self.names.get(key, key[1])}

    def _path(self, path: list[NodeKey]) -> dict:
        return {
            "nodes": [self._node(node) for node in path],
            "relationships": ["|".join(sorted(self.graph[a][b]["types"])) for a, b in zip(path, path[1:])],
        }


def shortest_paths(predecessors: dict, source, target) -> Iterator[list]:
    """Shortest paths from ``source`` to ``target``, lazily, given ``nx.predecessor(graph, source)``."""
    if target not in predecessors or target == source:
        return
    stack = [[target]]
    while stack:
        path = stack.pop()
        if path[-1] == source:
            yield path[::-1]
            continue
        for previous in sorted(predecessors[path[-1]], reverse=True):
            stack.append([*path, previous])


def explain_links(explainer: LinkExplainer, graph: StoreGraph, links: list[PredictedLink]) -> list[dict]:
    """One explanation per link, in order; one search per distinct source node."""
    by_source: dict[NodeKey, list[int]] = defaultdict(list)
    for position, link in enumerate(links):
        by_source[graph.node_keys[link.edge_type[0]][link.source]].append(position)
    explanations: list[dict] = [{}] * len(links)
    for source, positions in by_source.items():
        targets = [graph.node_keys[links[p].edge_type[2]][links[p].target] for p in positions]
        for position, explanation in zip(positions, explainer.explain(source, targets)):
            explanations[position] = explanation
    return explanations


# -- clearing ----------------------------------------------------------------


def clear_predictions(store: Store, run_id: str | None = None) -> int:
    """Delete the predicted links of one run (or of every run); returns how many."""
    if run_id is None:
        return _delete_predicted_links(store, "true")
    return _delete_predicted_links(store, "r.run_id = $run", run=run_id)


def _delete_predicted_links(store: Store, condition: str, **params) -> int:
    return store.delete_in_batches(f"MATCH ()-[r:{Rel.PREDICTED_LINK}]->() WHERE {condition}", "DELETE r", **params)
