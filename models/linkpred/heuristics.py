"""Neighbourhood heuristics, computed on the message-passing graph only.

For a pair ``(u, v)`` with neighbour sets ``N(u)``, ``N(v)`` and degrees ``d``:

* Common Neighbours:        ``|N(u) & N(v)|``
* Adamic-Adar:              ``sum over w in N(u) & N(v) of 1 / log d(w)``
* Resource Allocation:      ``sum over w in N(u) & N(v) of 1 / d(w)``
* Preferential Attachment:  ``d(u) * d(v)``

All edge types count as neighbourhood (the graph's global adjacency), so the
same code serves heterogeneous graphs.  Common neighbours come from
row-wise products of sparse adjacency rows, in batches, never from a dense
matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from models.linkpred.split import EdgeType, LinkGraph

COMMON_NEIGHBOURS = "Common Neighbours"
ADAMIC_ADAR = "Adamic-Adar"
RESOURCE_ALLOCATION = "Resource Allocation"
PREFERENTIAL_ATTACHMENT = "Preferential Attachment"
HEURISTICS = (COMMON_NEIGHBOURS, ADAMIC_ADAR, RESOURCE_ALLOCATION, PREFERENTIAL_ATTACHMENT)

PAIR_BATCH = 100_000


def common_neighbour_pairs(adjacency: sp.csr_matrix, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(pair, neighbour)``: one entry per common neighbour ``neighbour`` of pair ``(src[pair], dst[pair])``."""
    pairs, neighbours = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for start in range(0, len(src), PAIR_BATCH):
        stop = start + PAIR_BATCH
        shared = adjacency[src[start:stop]].multiply(adjacency[dst[start:stop]]).tocoo()
        pairs.append(shared.row.astype(np.int64) + start)
        neighbours.append(shared.col.astype(np.int64))
    return np.concatenate(pairs), np.concatenate(neighbours)


def neighbourhood_scores(graph: LinkGraph, src: np.ndarray, dst: np.ndarray) -> dict[str, np.ndarray]:
    """Every heuristic for global-id pairs ``(src[i], dst[i])``."""
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    pair, neighbour = common_neighbour_pairs(graph.adjacency, src, dst)
    return scores_from_common_neighbours(graph.degree, src, dst, pair, neighbour)


def scores_from_common_neighbours(
    degree: np.ndarray, src: np.ndarray, dst: np.ndarray, pair: np.ndarray, neighbour: np.ndarray
) -> dict[str, np.ndarray]:
    degree = degree.astype(np.float64)
    neighbour_degree = degree[neighbour]
    # A common neighbour of two distinct nodes has degree >= 2; the guard only covers u == v.
    inverse_log_degree = np.divide(
        1.0, np.log(neighbour_degree), out=np.zeros_like(neighbour_degree), where=neighbour_degree > 1
    )
    return {
        COMMON_NEIGHBOURS: np.bincount(pair, minlength=len(src)).astype(np.float64),
        ADAMIC_ADAR: np.bincount(pair, weights=inverse_log_degree, minlength=len(src)),
        RESOURCE_ALLOCATION: np.bincount(pair, weights=1.0 / np.maximum(neighbour_degree, 1.0), minlength=len(src)),
        PREFERENTIAL_ATTACHMENT: degree[src] * degree[dst],
    }


def heuristic_scorer(graph: LinkGraph):
    """A pipeline scorer: ``(edge_type, src, dst) -> {heuristic: scores}`` for local ids."""

    def score(edge_type: EdgeType, src: np.ndarray, dst: np.ndarray) -> dict[str, np.ndarray]:
        return neighbourhood_scores(graph, graph.global_ids(edge_type[0], src), graph.global_ids(edge_type[2], dst))

    return score
