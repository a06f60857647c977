"""The store's graph of papers and concepts as a PyG ``HeteroData``, ready for link prediction.

It is read in pages through ``analysis.graph_reader.read_graph`` and turned
into one edge type per relationship and pair of labels: MENTIONS splits by
the concept's label, ``(Paper, MENTIONS, Method)`` and so on, and each
concept relation keeps its direction, ``(Method, USED_FOR, Task)``.  Edge
types are given forward only (``split_hetero_edges`` adds the reverses after
holding links out), and parallel facts collapse: a paper that mentions a
method in three sentences is one edge; a relation between two concepts of
one label is one undirected pair.

The *targets* are the links to predict: papers to the methods, tasks and
datasets they mention, methods to the tasks they are used for and the
datasets they are evaluated on.  A target type with fewer than
``MIN_TARGET_LINKS`` links stays context.  When a target link and some other
relation join the same two nodes (a method ``USED_FOR`` a task and also in
``CONJUNCTION`` with it, or the task ``USED_FOR`` the method), the other
relation's edge is dropped: otherwise holding the target link out would
leave the pair joined in message passing, and the model would be asked
about a link it can see.

Node features, when a text encoder is given, embed each node's text (a
paper's title and abstract, a concept's name; see ``text_features``).
Degree and other structural features are not stored here: ``models.linkpred``
computes them on whatever graph it encodes, because degrees read from the
whole graph would count the held-out links.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch
from torch_geometric.data import HeteroData

from analysis.graph_reader import DEFAULT_LABELS, GraphSnapshot, read_graph
from analysis.linkpred.text_features import TextEncoder
from graph_schema.schema import Label, Rel
from graph_schema.store import Store
from models.linkpred.split import EdgeType, LinkGraph, is_undirected, with_reverse_edges

NodeKey = tuple[str, str]  # (label, id), as in ``GraphSnapshot``

NODE_TYPES: tuple[str, ...] = tuple(label.value for label in DEFAULT_LABELS)
PAPER_CONCEPT_TARGETS: tuple[EdgeType, ...] = tuple(
    (Label.PAPER.value, Rel.MENTIONS.value, label.value) for label in (Label.METHOD, Label.TASK, Label.DATASET)
)
CONCEPT_TARGETS: tuple[EdgeType, ...] = (
    (Label.METHOD.value, Rel.USED_FOR.value, Label.TASK.value),
    (Label.METHOD.value, Rel.EVALUATED_ON.value, Label.DATASET.value),
)
DEFAULT_TARGETS: tuple[EdgeType, ...] = PAPER_CONCEPT_TARGETS + CONCEPT_TARGETS
MIN_TARGET_LINKS = 20  # fewer leave nothing to hold out for validation and test


def edge_type_name(edge_type: EdgeType) -> str:
    src, rel, dst = edge_type
    return f"{src}-{rel}->{dst}"


@dataclass
class StoreGraph:
    """The ``HeteroData`` (forward edge types only) and how its indices map back to the store."""

    snapshot: GraphSnapshot
    data: HeteroData
    node_keys: dict[str, list[NodeKey]]  # node type -> the node at each index
    target_edge_types: list[EdgeType]
    too_small_targets: dict[EdgeType, int] = field(default_factory=dict)  # wanted targets kept as context: links
    dropped_parallels: dict[EdgeType, int] = field(default_factory=dict)  # context edges dropped, by type

    @cached_property
    def index(self) -> dict[NodeKey, int]:
        return {key: i for keys in self.node_keys.values() for i, key in enumerate(keys)}

    def name(self, key: NodeKey) -> str:
        return self.snapshot.nodes[key]["name"] or key[1]

    def pairs(self, edge_type: EdgeType) -> np.ndarray:
        """``(E, 2)`` local ids of one edge type (empty if the graph has none)."""
        if edge_type not in self.data.edge_types:
            return np.zeros((0, 2), np.int64)
        return self.data[edge_type].edge_index.T.numpy()

    def link_graph(self) -> LinkGraph:
        """Every edge with its reverse: what a trained model passes messages over when predicting."""
        forward = {edge_type: self.pairs(edge_type) for edge_type in self.data.edge_types}
        features = {node_type: self.data[node_type].x for node_type in NODE_TYPES if "x" in self.data[node_type]}
        return LinkGraph(
            {node_type: len(self.node_keys[node_type]) for node_type in NODE_TYPES},
            with_reverse_edges(forward),
            features,
        )


def read_store_graph(
    store: Store,
    *,
    encoder: TextEncoder | None = None,
    targets: tuple[EdgeType, ...] | list[EdgeType] = DEFAULT_TARGETS,
    min_target_links: int = MIN_TARGET_LINKS,
) -> StoreGraph:
    return build_store_graph(read_graph(store), encoder=encoder, targets=targets, min_target_links=min_target_links)


def sample_of_papers(snapshot: GraphSnapshot, max_papers: int, seed: int = 0) -> GraphSnapshot:
    """The snapshot cut to ``max_papers`` papers drawn at random (the same for the same seed), the
    concepts they mention and every edge between what is kept; the snapshot itself where it holds
    no more papers than that.

    Training on a sample bounds a run's time and memory whatever the corpus: full-batch message
    passing over a 100,000-paper graph costs minutes per epoch.  With text features the model is
    inductive (no per-node weights), so ``scoring.load_run`` applies it to the whole graph."""
    papers = sorted(key for key in snapshot.nodes if key[0] == Label.PAPER.value)
    if len(papers) <= max_papers:
        return snapshot
    chosen = set(np.random.default_rng(seed).choice(len(papers), size=max_papers, replace=False).tolist())
    kept = {papers[i] for i in chosen}
    kept |= {target for source, rel, target in snapshot.edges if rel == Rel.MENTIONS.value and source in kept}
    return GraphSnapshot(
        {key: node for key, node in snapshot.nodes.items() if key in kept},
        [(source, rel, target) for source, rel, target in snapshot.edges if source in kept and target in kept],
    )


def build_store_graph(
    snapshot: GraphSnapshot,
    *,
    encoder: TextEncoder | None = None,
    targets: tuple[EdgeType, ...] | list[EdgeType] = DEFAULT_TARGETS,
    min_target_links: int = MIN_TARGET_LINKS,
) -> StoreGraph:
    targets = [tuple(str(part) for part in edge_type) for edge_type in targets]
    _refuse_targets_sharing_node_pairs(targets)
    node_keys = {node_type: sorted(key for key in snapshot.nodes if key[0] == node_type) for node_type in NODE_TYPES}
    index = {key: i for keys in node_keys.values() for i, key in enumerate(keys)}

    pairs_by_type: dict[EdgeType, set[tuple[int, int]]] = defaultdict(set)
    for source, rel, target in snapshot.edges:
        if source == target or source not in index or target not in index:
            continue
        edge_type = (source[0], rel, target[0])
        pair = (index[source], index[target])
        pairs_by_type[edge_type].add(tuple(sorted(pair)) if is_undirected(edge_type) else pair)

    chosen = [edge_type for edge_type in targets if len(pairs_by_type.get(edge_type, ())) >= min_target_links]
    too_small = {edge_type: len(pairs_by_type.get(edge_type, ())) for edge_type in targets if edge_type not in chosen}
    target_pairs = {_node_pair(edge_type, pair) for edge_type in chosen for pair in pairs_by_type[edge_type]}
    dropped: dict[EdgeType, int] = {}
    for edge_type in [edge_type for edge_type in pairs_by_type if edge_type not in chosen]:
        kept = {pair for pair in pairs_by_type[edge_type] if _node_pair(edge_type, pair) not in target_pairs}
        if len(kept) < len(pairs_by_type[edge_type]):
            dropped[edge_type] = len(pairs_by_type[edge_type]) - len(kept)
        pairs_by_type[edge_type] = kept

    data = HeteroData()
    for node_type, keys in node_keys.items():
        data[node_type].num_nodes = len(keys)
        if encoder is not None:
            data[node_type].x = torch.as_tensor(_encode(encoder, [node_text(snapshot.nodes[key]) for key in keys]))
    for edge_type in sorted(pairs_by_type):
        if pairs_by_type[edge_type]:
            pairs = np.array(sorted(pairs_by_type[edge_type]), dtype=np.int64)
            data[edge_type].edge_index = torch.as_tensor(pairs.T.copy())
    return StoreGraph(snapshot, data, node_keys, chosen, too_small, dropped)


def _refuse_targets_sharing_node_pairs(targets: list[EdgeType]) -> None:
    # Two target types over the same two labels could each hold out a link the other shows.
    seen: dict[frozenset, EdgeType] = {}
    for edge_type in targets:
        ends = frozenset((edge_type[0], edge_type[2]))
        if ends in seen:
            raise ValueError(
                f"target edge types {seen[ends]} and {edge_type} join the same labels; predict one of them"
            )
        seen[ends] = edge_type


def _node_pair(edge_type: EdgeType, pair: tuple[int, int]) -> frozenset:
    """The two nodes a typed pair joins, whatever the relationship and its direction."""
    return frozenset(((edge_type[0], pair[0]), (edge_type[2], pair[1])))


def node_text(node: dict) -> str:
    """What a node's text features embed: a paper's title and abstract, a concept's name."""
    return node.get("text") or node.get("name") or ""


def _encode(encoder: TextEncoder, texts: list[str]) -> np.ndarray:
    if texts:
        return encoder.encode(texts)
    return encoder.encode([""])[:0]  # no nodes of this type: an empty block of the right width
