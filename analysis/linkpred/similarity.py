"""The papers and concepts nearest to a named node, by text and by a trained run's GNN embeddings.

The node is found by ``analysis.search.match_names``, the lookup the app's
search uses too.  Nearness is cosine similarity:

* by text: MiniLM embeddings of a paper's title and abstract, of a concept's name;
* by structure: the node embeddings of the latest (or a given) link-prediction
  run's GNN, encoding the current graph; absent when no run exists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from analysis.graph_reader import read_graph
from analysis.linkpred.scoring import load_run
from analysis.linkpred.store_graph import NODE_TYPES, NodeKey, StoreGraph, build_store_graph, node_text
from analysis.linkpred.text_features import MiniLMEncoder, TextEncoder
from analysis.search import match_names
from graph_schema.errors import PapergraphError
from graph_schema.schema import Label
from graph_schema.store import Store
from models.linkpred.runs import Run

DEFAULT_TOP = 10


class NodeNotFound(PapergraphError):
    pass


@dataclass(frozen=True)
class SimilarNode:
    label: str
    id: str
    name: str
    similarity: float  # cosine; for the query node, how well its name matched (100 when exact)


@dataclass
class Nearest:
    papers: list[SimilarNode]
    concepts: list[SimilarNode]


@dataclass
class Similarity:
    query: SimilarNode
    match: str  # EXACT or FUZZY
    by_text: Nearest
    by_structure: Nearest | None
    structure_source: str  # the run used, or why there is no structural neighbourhood

    def as_json(self) -> dict:
        return asdict(self)


def find_node(graph: StoreGraph, name: str) -> tuple[NodeKey, str, float]:
    """``(node, EXACT or FUZZY, match score 0-100)`` for the node best matching ``name``."""
    names = {key: graph.name(key) for keys in graph.node_keys.values() for key in keys}
    best = match_names(name, names, limit=1)
    if not best:
        raise NodeNotFound(f"no paper or concept is named like {name!r}")
    return best[0]


def nearest_nodes(graph: StoreGraph, keys: list[NodeKey], vectors: np.ndarray, query: NodeKey, top: int) -> Nearest:
    """The ``top`` papers and ``top`` concepts whose ``vectors`` rows are closest (cosine) to ``query``'s."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    query_row = keys.index(query)
    similarity = unit @ unit[query_row]
    order = [row for row in np.argsort(-similarity, kind="stable") if row != query_row]
    found = [
        SimilarNode(keys[row][0], keys[row][1], graph.name(keys[row]), round(float(similarity[row]), 4))
        for row in order
    ]
    return Nearest(
        papers=[node for node in found if node.label == Label.PAPER][:top],
        concepts=[node for node in found if node.label != Label.PAPER][:top],
    )


def similar_nodes(
    store: Store, name: str, *, top: int = DEFAULT_TOP, run: Run | None = None, encoder: TextEncoder | None = None
) -> Similarity:
    """Neighbours of the node named ``name`` by text and, with ``run``, by that run's GNN embeddings."""
    loaded = load_run(store, run) if run is not None else None
    graph = loaded.graph if loaded else build_store_graph(read_graph(store), targets=())
    query, match, match_score = find_node(graph, name)
    keys = [key for node_type in NODE_TYPES for key in graph.node_keys[node_type]]
    encoder = encoder or MiniLMEncoder()
    texts = encoder.encode([node_text(graph.snapshot.nodes[key]) for key in keys])
    by_structure, source = None, "no link-prediction run yet; train one with `papergraph linkpred train`"
    if loaded is not None:
        embeddings = loaded.node_embeddings()
        by_structure = nearest_nodes(graph, keys, np.concatenate([embeddings[t] for t in NODE_TYPES]), query, top)
        source = f"run {run.run_id} ({run.model_name})"
    return Similarity(
        query=SimilarNode(query[0], query[1], graph.name(query), match_score),
        match=match,
        by_text=nearest_nodes(graph, keys, texts, query, top),
        by_structure=by_structure,
        structure_source=source,
    )
