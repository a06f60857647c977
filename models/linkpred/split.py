"""Hold links out of a graph so that no model can see them.

A split keeps, for each *target* edge type, disjoint train / validation / test
positives (85 / 5 / 10 by default).  Models may only look at the
message-passing graph, which is built from the *context* edges (edge types
that are not predicted, kept whole) and the train positives of the target
types, and only then gets reverse edges: a held-out link is therefore absent
in both directions.  The train positives are also the supervision edges;
``train.py`` hides the ones it supervises on from message passing in each
epoch, so a model never sees the edge it is asked about.

Homogeneous graphs are the special case with one node type ``"node"`` and
one undirected target type ``("node", "link", "node")``.  For an edge type
whose two ends have the same node type, pairs are undirected: ``(u, v)`` and
``(v, u)`` are one link.  For any other type ``(src, rel, dst)`` the reverse
type is ``(dst, "rev_" + rel, src)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

EdgeType = tuple[str, str, str]

NODE = "node"
LINK: EdgeType = (NODE, "link", NODE)
REVERSE_PREFIX = "rev_"

DEFAULT_VAL_FRACTION = 0.05
DEFAULT_TEST_FRACTION = 0.10


def reverse_edge_type(edge_type: EdgeType) -> EdgeType:
    src, rel, dst = edge_type
    return (dst, REVERSE_PREFIX + rel, src)


def is_undirected(edge_type: EdgeType) -> bool:
    return edge_type[0] == edge_type[2]


def canonical_pairs(pairs: np.ndarray, undirected: bool) -> np.ndarray:
    """Distinct pairs, self-loops dropped when undirected, each undirected pair once as ``(min, max)``."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if undirected:
        pairs = np.sort(pairs, axis=1)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


@dataclass
class LinkGraph:
    """What a model may see: node counts, message-passing edges with their reverses, features."""

    num_nodes: dict[str, int]
    edges: dict[EdgeType, Tensor]  # (2, E) local indices, reverse edges included
    features: dict[str, Tensor] = field(default_factory=dict)

    @property
    def node_types(self) -> list[str]:
        return list(self.num_nodes)

    @property
    def metadata(self) -> tuple[list[str], list[EdgeType]]:
        return self.node_types, list(self.edges)

    @cached_property
    def offsets(self) -> dict[str, int]:
        """Where each node type starts in the global numbering that heuristics and walks use."""
        starts = np.cumsum([0, *self.num_nodes.values()])
        return {node_type: int(start) for node_type, start in zip(self.num_nodes, starts)}

    @property
    def total_nodes(self) -> int:
        return sum(self.num_nodes.values())

    def with_edge_types(self, edge_types: list[EdgeType]) -> LinkGraph:
        """This graph with exactly ``edge_types`` (those it lacks empty): what a model trained on them encodes."""
        empty = torch.zeros((2, 0), dtype=torch.long)
        return LinkGraph(
            dict(self.num_nodes),
            {edge_type: self.edges.get(edge_type, empty) for edge_type in edge_types},
            dict(self.features),
        )

    def global_ids(self, node_type: str, local: np.ndarray) -> np.ndarray:
        return np.asarray(local, dtype=np.int64) + self.offsets[node_type]

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency over global ids, all edge types merged."""
        rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for (src, _, dst), edge_index in self.edges.items():
            rows.append(edge_index[0].numpy() + self.offsets[src])
            cols.append(edge_index[1].numpy() + self.offsets[dst])
        row, col = np.concatenate(rows + cols), np.concatenate(cols + rows)
        n = self.total_nodes
        matrix = sp.csr_matrix((np.ones(len(row), np.float32), (row, col)), shape=(n, n))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        return matrix

    @cached_property
    def degree(self) -> np.ndarray:
        return np.diff(self.adjacency.indptr)

    def walk_step(self, position: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One uniform random-walk step from each global id in ``position``; isolated nodes stay."""
        adjacency = self.adjacency
        if adjacency.nnz == 0:
            return position
        degree = self.degree[position]
        offset = (rng.random(len(position)) * degree).astype(np.int64)
        moved = adjacency.indices[np.minimum(adjacency.indptr[position] + offset, adjacency.nnz - 1)]
        return np.where(degree > 0, moved, position)


@dataclass
class LinkSplit:
    """Held-out positives per target edge type and the graph models may use.

    Positives are ``(n, 2)`` int64 arrays of local ``(src, dst)`` ids.
    """

    num_nodes: dict[str, int]
    context_edges: dict[EdgeType, np.ndarray]  # non-target types, one direction, never held out
    train: dict[EdgeType, np.ndarray]
    val: dict[EdgeType, np.ndarray]
    test: dict[EdgeType, np.ndarray]
    features: dict[str, Tensor] = field(default_factory=dict)

    @property
    def target_edge_types(self) -> list[EdgeType]:
        return list(self.train)

    def message_passing_graph(self, train_keep: dict[EdgeType, np.ndarray] | None = None) -> LinkGraph:
        """The graph built from context edges and train positives (optionally a masked subset), plus reverses."""
        forward = dict(self.context_edges)
        for edge_type, pairs in self.train.items():
            forward[edge_type] = pairs if train_keep is None else pairs[train_keep[edge_type]]
        return LinkGraph(dict(self.num_nodes), with_reverse_edges(forward), dict(self.features))

    @cached_property
    def graph(self) -> LinkGraph:
        return self.message_passing_graph()

    def known_pairs(self, edge_type: EdgeType) -> np.ndarray:
        """Every positive of a target type, train and held out: what a negative may never be."""
        return np.concatenate([self.train[edge_type], self.val[edge_type], self.test[edge_type]])


def with_reverse_edges(forward: dict[EdgeType, np.ndarray]) -> dict[EdgeType, Tensor]:
    edges: dict[EdgeType, Tensor] = {}
    for edge_type, pairs in forward.items():
        pairs = torch.as_tensor(np.asarray(pairs, dtype=np.int64).reshape(-1, 2)).T
        if is_undirected(edge_type):
            edges[edge_type] = torch.cat([pairs, pairs.flip(0)], dim=1)
        else:
            edges[edge_type] = pairs
            edges[reverse_edge_type(edge_type)] = pairs.flip(0)
    return edges


def split_edges(
    edges: np.ndarray,
    num_nodes: int,
    *,
    features: Tensor | None = None,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    seed: int = 0,
) -> LinkSplit:
    """Split an undirected homogeneous edge list ``(E, 2)`` (either direction, duplicates allowed)."""
    rng = np.random.default_rng(seed)
    train, val, test = _split_pairs(canonical_pairs(edges, undirected=True), rng, val_fraction, test_fraction)
    return LinkSplit(
        num_nodes={NODE: int(num_nodes)},
        context_edges={},
        train={LINK: train},
        val={LINK: _random_orientation(val, rng)},
        test={LINK: _random_orientation(test, rng)},
        features={} if features is None else {NODE: features},
    )


def split_hetero_edges(
    data: HeteroData,
    target_edge_types: list[EdgeType],
    *,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    seed: int = 0,
) -> LinkSplit:
    """Split the target edge types of a heterogeneous graph given *without* reverse edge types.

    The other edge types stay whole as context.  Node features are taken from
    ``data[node_type].x`` where present.
    """
    rng = np.random.default_rng(seed)
    for edge_type in data.edge_types:
        if edge_type[1].startswith(REVERSE_PREFIX):
            raise ValueError(
                f"edge type {edge_type} looks like a reverse type; pass the graph without "
                "reverse edges, the split adds them after holding links out"
            )
    missing = [edge_type for edge_type in target_edge_types if edge_type not in data.edge_types]
    if missing:
        raise ValueError(f"target edge types not in the graph: {missing}")
    # Plain strings: labels may arrive as StrEnum members, and type names end up in module keys.
    split = LinkSplit(
        num_nodes={str(node_type): int(data[node_type].num_nodes) for node_type in data.node_types},
        context_edges={},
        train={},
        val={},
        test={},
        features={str(node_type): data[node_type].x for node_type in data.node_types if "x" in data[node_type]},
    )
    targets = {_plain(edge_type) for edge_type in target_edge_types}
    for stored_type in data.edge_types:
        edge_type = _plain(stored_type)
        pairs = canonical_pairs(data[stored_type].edge_index.T.numpy(), is_undirected(edge_type))
        if edge_type not in targets:
            split.context_edges[edge_type] = pairs
            continue
        train, val, test = _split_pairs(pairs, rng, val_fraction, test_fraction)
        if is_undirected(edge_type):
            val, test = _random_orientation(val, rng), _random_orientation(test, rng)
        split.train[edge_type], split.val[edge_type], split.test[edge_type] = train, val, test
    return split


def _plain(edge_type) -> EdgeType:
    return tuple(str(part) for part in edge_type)


def _split_pairs(pairs: np.ndarray, rng: np.random.Generator, val_fraction: float, test_fraction: float):
    if val_fraction < 0 or test_fraction < 0 or val_fraction + test_fraction >= 1:
        raise ValueError("validation and test fractions must be non-negative and sum to less than 1")
    order = rng.permutation(len(pairs))
    num_test = int(round(test_fraction * len(pairs)))
    num_val = int(round(val_fraction * len(pairs)))
    test, val, train = np.split(pairs[order], [num_test, num_test + num_val])
    return train, val, test


def _random_orientation(pairs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    # Canonical pairs put the smaller id first; evaluation ranks candidates
    # for the first node, so flip half of them to keep ids from mattering.
    flip = rng.random(len(pairs)) < 0.5
    return np.where(flip[:, None], pairs[:, ::-1], pairs)
