"""Which new links are worth writing: nearby pairs, scored, and a few good ones per node.

Predicting "every pair of a paper and a method" wrote 102 links per paper on 1,000 real
abstracts, many of them between a concept and itself under another label, or to hubs such
as "machine learning".  Here a link must pass, in order (``DropCounts`` counts each reason):

1. *reach*: its two nodes are joined by a path of at most ``max_hops`` facts in the graph
   (a pair with no path has nothing to explain it) and by no fact (it would not be new);
2. *allowed ends*: neither end is excluded (the store excludes concepts marked generic);
3. *one concept*: the two ends do not share a name key (one concept, two labels or two wordings);
4. *threshold*: its calibrated score is at least ``threshold``;
5. *per node*: greedily, best first, each node keeps at most ``per_node`` links of the
   target type; a source's candidates beyond its ``PER_SOURCE_KEPT * per_node`` best are
   dropped as they are scored, so memory stays bounded on a large graph.

Candidates come in blocks of sources (about ``PAIRS_PER_BLOCK`` pairs each), so the whole
pair matrix never exists at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from models.linkpred.split import EdgeType, LinkGraph, is_undirected

DEFAULT_MAX_HOPS = 3
PAIRS_PER_BLOCK = 262_144
PER_SOURCE_KEPT = 4

# Reasons a candidate was not written, in the order they are checked.
NOT_NEW = "already joined by a fact"
UNREACHABLE = f"no path of at most {DEFAULT_MAX_HOPS} facts"
EXCLUDED_END = "an end is excluded (generic)"
SAME_NAME = "both ends name one concept, or one is a kind of the other"
BELOW_THRESHOLD = "score below the threshold"
OVER_LIMIT = "beyond the per-node limit"
REASONS = (NOT_NEW, UNREACHABLE, EXCLUDED_END, SAME_NAME, BELOW_THRESHOLD, OVER_LIMIT)


@dataclass
class NodeFilter:
    """Per node type: which nodes may be an end of a predicted link (absent types allow every
    node), each node's name keys as a 0/1 matrix (node, key) over one key numbering for every
    type, and the keys of what each node's name says it is a kind of (``broader_keys``, on the
    same numbering).  Two nodes that share a key are one concept; a node whose broader keys hold
    the other's key is a kind of it ("unsupervised domain adaptation", "domain adaptation"): a
    link between them would tell a reader nothing either."""

    allowed: dict[str, np.ndarray] = field(default_factory=dict)
    name_keys: dict[str, sp.csr_matrix] = field(default_factory=dict)
    broader_keys: dict[str, sp.csr_matrix] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        allowed: dict[str, np.ndarray],
        names: dict[str, list[Iterable[str]]],
        broader: dict[str, list[Iterable[str]]] | None = None,
    ) -> NodeFilter:
        """``names``: per node type, the keys of each node in order (any strings; none for a node
        without); ``broader``: likewise, the keys of what each node is a kind of."""
        key_ids: dict[str, int] = {}
        rows = {
            node_type: [[key_ids.setdefault(key, len(key_ids)) for key in set(keys)] for keys in by_node]
            for node_type, by_node in names.items()
        }
        broader_rows = {
            node_type: [[key_ids[key] for key in set(keys) if key in key_ids] for keys in by_node]
            for node_type, by_node in (broader or {}).items()
        }
        width = max(len(key_ids), 1)
        return cls(
            dict(allowed),
            {node_type: _key_matrix(by_node, width) for node_type, by_node in rows.items()},
            {node_type: _key_matrix(by_node, width) for node_type, by_node in broader_rows.items()},
        )

    def allowed_ends(self, edge_type: EdgeType, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Whether neither end of each pair is excluded."""
        keep = np.ones(len(src), dtype=bool)
        for node_type, ends in ((edge_type[0], src), (edge_type[2], dst)):
            if node_type in self.allowed:
                keep &= self.allowed[node_type][ends]
        return keep

    def one_concept(self, edge_type: EdgeType, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Whether the two ends of each pair share a name key, or one is a kind of the other."""
        src_type, dst_type = edge_type[0], edge_type[2]
        found = np.zeros(len(src), dtype=bool)
        if len(src) == 0:
            return found
        pairs = [(self.name_keys.get(src_type), self.name_keys.get(dst_type))]
        if src_type in self.broader_keys and dst_type in self.broader_keys:  # both ends have names that say so
            pairs += [
                (self.broader_keys[src_type], self.name_keys.get(dst_type)),
                (self.name_keys.get(src_type), self.broader_keys[dst_type]),
            ]
        for src_keys, dst_keys in pairs:
            if src_keys is not None and dst_keys is not None:
                found |= src_keys[src].multiply(dst_keys[dst]).getnnz(axis=1) > 0
        return found


def _key_matrix(keys_by_node: list[list[int]], width: int) -> sp.csr_matrix:
    row = np.repeat(np.arange(len(keys_by_node)), [len(keys) for keys in keys_by_node])
    col = np.array([key for keys in keys_by_node for key in keys], dtype=np.int64)
    return sp.csr_matrix((np.ones(len(col), np.int8), (row, col)), shape=(len(keys_by_node), width))


@dataclass
class DropCounts:
    """How many pairs each reason removed, and how many were written."""

    dropped: Counter = field(default_factory=Counter)
    scored: int = 0
    written: int = 0

    def add(self, other: DropCounts) -> None:
        self.dropped.update(other.dropped)
        self.scored += other.scored
        self.written += other.written

    def as_json(self) -> dict:
        return {
            "scored": self.scored,
            "written": self.written,
            "dropped": {reason: int(self.dropped[reason]) for reason in REASONS if self.dropped[reason]},
        }


@dataclass(frozen=True)
class Candidates:
    """Scored candidate pairs of one target type (local ids), best first within each source."""

    edge_type: EdgeType
    src: np.ndarray
    dst: np.ndarray
    logit: np.ndarray
    score: np.ndarray  # calibrated


def candidate_pairs(
    graph: LinkGraph,
    edge_type: EdgeType,
    node_filter: NodeFilter | None = None,
    *,
    max_hops: int = DEFAULT_MAX_HOPS,
    pairs_per_block: int = PAIRS_PER_BLOCK,
    counts: DropCounts | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of ``(src, dst)`` local ids of ``edge_type`` that pass reach, allowed ends and one name.

    ``counts`` (if given) gets the pairs each of those checks removed."""
    node_filter = node_filter or NodeFilter()
    counts = counts if counts is not None else DropCounts()
    src_type, _, dst_type = edge_type
    num_src, num_dst = graph.num_nodes[src_type], graph.num_nodes[dst_type]
    if num_src == 0 or num_dst == 0:
        return
    lo = graph.offsets[dst_type]
    adjacency = graph.adjacency
    to_dst = adjacency[:, lo : lo + num_dst].tocsr()
    undirected = is_undirected(edge_type)
    rows_per_block = max(1, pairs_per_block // num_dst)
    for first in range(0, num_src, rows_per_block):
        sources = np.arange(first, min(first + rows_per_block, num_src))
        linked, reach = _reach(adjacency, to_dst, graph.global_ids(src_type, sources), max_hops)
        pairs = len(sources) * num_dst
        if undirected:
            # Each unordered pair once, from its smaller end; never a node with itself.
            upper = sp.csr_matrix(np.arange(num_dst)[None, :] > sources[:, None])
            linked, reach = linked.multiply(upper).tocsr(), reach.multiply(upper).tocsr()
            pairs = int(upper.sum())
        linked_count = linked.nnz
        reach = (reach - reach.multiply(linked)).tocoo()  # reachable, not joined
        counts.dropped[NOT_NEW] += linked_count
        counts.dropped[UNREACHABLE] += pairs - linked_count - reach.nnz
        src, dst = sources[reach.row], reach.col.astype(np.int64)
        keep = node_filter.allowed_ends(edge_type, src, dst)
        counts.dropped[EXCLUDED_END] += int((~keep).sum())
        src, dst = src[keep], dst[keep]
        same = node_filter.one_concept(edge_type, src, dst)
        counts.dropped[SAME_NAME] += int(same.sum())
        if len(src) - same.sum():
            yield src[~same], dst[~same]


def _reach(
    adjacency: sp.csr_matrix, to_dst: sp.csr_matrix, sources: np.ndarray, max_hops: int
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(joined, within max_hops)``: 0/1 matrices of the sources against the target type's nodes."""
    frontier = adjacency[sources]
    joined = to_dst[sources]
    reach = joined.copy()
    for hop in range(2, max_hops + 1):
        reach = reach + (frontier @ to_dst)
        if hop < max_hops:
            frontier = frontier @ adjacency
            frontier.data[:] = 1.0
    reach = reach.tocsr()
    reach.data[:] = 1.0
    joined = joined.tocsr()
    joined.data[:] = 1.0
    return joined, reach


def score_candidates(
    graph: LinkGraph,
    edge_type: EdgeType,
    logits_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
    probability_of: Callable[[np.ndarray], np.ndarray],
    per_node: int,
    node_filter: NodeFilter | None = None,
    *,
    threshold: float = -np.inf,
    max_hops: int = DEFAULT_MAX_HOPS,
    counts: DropCounts | None = None,
) -> Candidates:
    """Every candidate pair scored (``logits_of(src, dst)``, then ``probability_of(logits)``); those
    scored at least ``threshold`` are kept, at most ``PER_SOURCE_KEPT * per_node`` per source."""
    counts = counts if counts is not None else DropCounts()
    kept_per_source = max(1, PER_SOURCE_KEPT * per_node)
    blocks: list[tuple[np.ndarray, ...]] = []
    for src, dst in candidate_pairs(graph, edge_type, node_filter, max_hops=max_hops, counts=counts):
        logits = np.asarray(logits_of(src, dst), dtype=np.float64)
        score = np.asarray(probability_of(logits), dtype=np.float64)
        counts.scored += len(src)
        above = score >= threshold
        counts.dropped[BELOW_THRESHOLD] += int((~above).sum())
        src, dst, logits, score = src[above], dst[above], logits[above], score[above]
        order = np.lexsort((-score, src))  # by source, best first
        src, dst, logits, score = src[order], dst[order], logits[order], score[order]
        rank = np.arange(len(src)) - np.searchsorted(src, src)  # position within the source's run
        keep = rank < kept_per_source
        counts.dropped[OVER_LIMIT] += int((~keep).sum())
        blocks.append((src[keep], dst[keep], logits[keep], score[keep]))
    if not blocks:
        empty = np.zeros(0, np.int64)
        return Candidates(edge_type, empty, empty, np.zeros(0), np.zeros(0))
    src, dst, logits, score = (np.concatenate(parts) for parts in zip(*blocks))
    return Candidates(edge_type, src, dst, logits, score)


def select_links(
    candidates: Candidates, threshold: float, per_node: int, counts: DropCounts | None = None
) -> np.ndarray:
    """Indices into ``candidates`` of the links to write, best first: score at least ``threshold``,
    and, taken greedily in order of score, at most ``per_node`` per node on either side."""
    counts = counts if counts is not None else DropCounts()
    above = np.flatnonzero(candidates.score >= threshold)
    counts.dropped[BELOW_THRESHOLD] += len(candidates.score) - len(above)
    # Best first; ties by ids, so that a run is reproducible.
    order = above[np.lexsort((candidates.dst[above], candidates.src[above], -candidates.score[above]))]
    undirected = is_undirected(candidates.edge_type)
    src_used: Counter = Counter()
    dst_used: Counter = Counter()
    chosen = []
    for index in order.tolist():
        source, target = int(candidates.src[index]), int(candidates.dst[index])
        ends = (src_used, source), (src_used if undirected else dst_used, target)
        if all(used[node] < per_node for used, node in ends):
            chosen.append(index)
            for used, node in ends:
                used[node] += 1
    counts.dropped[OVER_LIMIT] += len(order) - len(chosen)
    counts.written += len(chosen)
    return np.array(chosen, dtype=np.int64)
