"""Negative pairs: the non-links that scores are ranked against.

Evaluation gives every held-out positive ``(u, v)`` its own ``count``
negatives ``(u, w)``, with ``w`` of ``v``'s node type, never ``u`` and never
linked to ``u`` by the target edge type in the *whole* graph (train and held
out).  Two regimes:

* ``random``: ``w`` uniform over the allowed nodes.
* ``hard`` (after HeaRT, Li et al. 2023): ``w`` close to ``u`` in the
  message-passing graph: first every allowed node within two hops (shuffled),
  then three hops, then random ones if the neighbourhood is too small.  These
  share neighbours with ``u``, so common-neighbour counts and smoothed GNN
  embeddings cannot tell them from the positive for free.

Where fewer than ``count`` nodes are allowed (a small node type), they are
drawn with replacement.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from models.linkpred.split import EdgeType, LinkGraph, LinkSplit, is_undirected

RANDOM = "random"
HARD = "hard"
REGIMES = (RANDOM, HARD)


class KnownLinks:
    """Which ``(src, dst)`` pairs of one edge type are links, both directions for an undirected type."""

    def __init__(self, pairs: np.ndarray, num_src: int, num_dst: int, undirected: bool):
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        if undirected:
            pairs = np.concatenate([pairs, pairs[:, ::-1]])
        self.num_dst = num_dst
        self.by_src = sp.csr_matrix(
            (np.ones(len(pairs), np.int8), (pairs[:, 0], pairs[:, 1])), shape=(num_src, num_dst)
        )
        self.by_src.sum_duplicates()
        self._keys = np.unique(pairs[:, 0] * num_dst + pairs[:, 1])

    def contains(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        keys = np.asarray(src, dtype=np.int64) * self.num_dst + np.asarray(dst, dtype=np.int64)
        position = np.searchsorted(self._keys, keys).clip(max=max(len(self._keys) - 1, 0))
        return self._keys[position] == keys if len(self._keys) else np.zeros(keys.shape, bool)

    def of(self, src: int) -> np.ndarray:
        return self.by_src.indices[self.by_src.indptr[src] : self.by_src.indptr[src + 1]]


def links_of_type(pairs: np.ndarray, edge_type: EdgeType, num_nodes: dict[str, int]) -> KnownLinks:
    return KnownLinks(pairs, num_nodes[edge_type[0]], num_nodes[edge_type[2]], is_undirected(edge_type))


def evaluation_negatives(
    split: LinkSplit,
    edge_type: EdgeType,
    positives: np.ndarray,
    count: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """``{regime: (len(positives), count) dst ids}`` for the sources ``positives[:, 0]``."""
    known = links_of_type(split.known_pairs(edge_type), edge_type, split.num_nodes)
    sources = positives[:, 0]
    return {
        RANDOM: random_negatives(known, edge_type, sources, count, rng),
        HARD: hard_negatives(split.graph, known, edge_type, sources, count, rng),
    }


def random_negatives(
    known: KnownLinks, edge_type: EdgeType, sources: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    same_type = is_undirected(edge_type)
    negatives = rng.integers(known.num_dst, size=(len(sources), count))
    rows = np.repeat(np.asarray(sources)[:, None], count, axis=1)
    for _round in range(20):
        bad = known.contains(rows, negatives) | (same_type & (rows == negatives))
        if not bad.any():
            return negatives
        negatives[bad] = rng.integers(known.num_dst, size=int(bad.sum()))
    # Sources linked to nearly everything: draw from what is left, with replacement.
    for row in np.flatnonzero(bad.any(axis=1)):
        allowed = _allowed(known, sources[row], same_type, np.arange(known.num_dst))
        negatives[row] = rng.choice(allowed, size=count) if len(allowed) else sources[row]
    return negatives


def hard_negatives(
    graph: LinkGraph, known: KnownLinks, edge_type: EdgeType, sources: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    src_type, _, dst_type = edge_type
    same_type = is_undirected(edge_type)
    lo = graph.offsets[dst_type]
    hi = lo + graph.num_nodes[dst_type]
    adjacency = graph.adjacency
    negatives = np.empty((len(sources), count), dtype=np.int64)
    unique_sources, group = np.unique(sources, return_inverse=True)
    rows_of_source = np.split(np.argsort(group, kind="stable"), np.cumsum(np.bincount(group))[:-1])
    for source, rows in zip(unique_sources, rows_of_source):
        start = graph.offsets[src_type] + source
        within_one = _neighbours(adjacency, np.array([start]))
        within_two = np.union1d(within_one, _neighbours(adjacency, within_one))
        candidates = rng.permutation(_allowed(known, source, same_type, _local(within_two, lo, hi)))
        if len(candidates) < count:
            three_hops = np.setdiff1d(_neighbours(adjacency, within_two), within_two, assume_unique=True)
            candidates = np.concatenate(
                [candidates, rng.permutation(_allowed(known, source, same_type, _local(three_hops, lo, hi)))]
            )
        if len(candidates) < count:
            candidates = _top_up(known, source, same_type, candidates, count, rng)
        negatives[rows] = candidates[:count]
    return negatives


def _local(global_ids: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return global_ids[(global_ids >= lo) & (global_ids < hi)] - lo


def _neighbours(adjacency: sp.csr_matrix, nodes: np.ndarray) -> np.ndarray:
    return np.unique(adjacency[nodes].indices)


def _allowed(known: KnownLinks, source: int, same_type: bool, candidates: np.ndarray) -> np.ndarray:
    banned = known.of(source)
    if same_type:
        banned = np.append(banned, source)
    return candidates[~np.isin(candidates, banned)]


def _top_up(
    known: KnownLinks, source: int, same_type: bool, candidates: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    rest = _allowed(known, source, same_type, np.arange(known.num_dst))
    rest = rng.permutation(rest[~np.isin(rest, candidates)])
    candidates = np.concatenate([candidates, rest[: count - len(candidates)]])
    if len(candidates) == 0:
        return np.full(count, source)
    if len(candidates) < count:  # a graph too small for ``count`` distinct negatives
        candidates = np.concatenate([candidates, rng.choice(candidates, size=count - len(candidates))])
    return candidates
