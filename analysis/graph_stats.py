"""Graph statistics stored as node properties for the app: degree, PageRank,
betweenness and community, computed with networkx over papers and concepts.

They are whole-graph measures, so an ingest does not compute them unless asked
(``papergraph ingest --stats``): ``update_graph_stats`` (``papergraph graph-stats``,
and ``papergraph ui`` in the background when it starts) computes them, never while
an ingest writes.  Each node's statistics carry the ``graph_fingerprint`` they were
computed on and the node's layer hash at the time, so ``stats_outdated`` can tell
outdated statistics from current ones, and ``statistics_state`` can tell it cheaply
enough for every page view (0.1-0.4 s at 10k papers, where the fingerprint takes 3.5 s).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from analysis.fingerprint import graph_fingerprint
from analysis.graph_reader import DEFAULT_LABELS, read_graph, undirected_graph
from graph_schema.errors import PapergraphError
from graph_schema.file_locks import exclusive_ingest, exclusive_job, is_locked
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Label
from graph_schema.settings import create_home, papergraph_home
from graph_schema.store import DEFAULT_BATCH_SIZE, Store, batched
from ingest.writer import LAYER_HASH

# Exact betweenness is O(nm); above this many nodes it is estimated from a sample of sources.
EXACT_BETWEENNESS_MAX_NODES = 1000
BETWEENNESS_SAMPLE = 300
SEED = 0
STATS_FINGERPRINT = "stats_fingerprint"  # the graph_fingerprint the statistics were computed on
STATS_LAYER_HASH = "stats_layer_hash"  # the node's layer hash when they were computed
UPDATE_LOCK_FILE = "graph-stats.lock"  # held under $PAPERGRAPH_HOME while update_graph_stats runs

# What statistics_state finds.
CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"


class StatisticsAlreadyUpdating(PapergraphError):
    pass


@dataclass
class GraphStatsSummary:
    nodes: int
    edges: int
    communities: int
    seconds: float


def node_statistics(graph: nx.Graph) -> dict[tuple[str, str], dict]:
    pagerank = nx.pagerank(graph, weight="weight") if graph.number_of_edges() else {n: 0.0 for n in graph}
    sample = None if graph.number_of_nodes() <= EXACT_BETWEENNESS_MAX_NODES else BETWEENNESS_SAMPLE
    # networkx's shortest-path loops run about twice as fast over int nodes as
    # over (label, id) tuples; the node order, hence the sample, is the same.
    nodes = list(graph)
    numbered = nx.convert_node_labels_to_integers(graph)
    betweenness = {nodes[i]: value for i, value in nx.betweenness_centrality(numbered, k=sample, seed=SEED).items()}
    communities = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    # Community 0 is the largest, so numbers mean the same thing from run to run.
    community_of = {
        node: index for index, members in enumerate(sorted(communities, key=len, reverse=True)) for node in members
    }
    return {
        node: {
            "degree": graph.degree(node),
            "pagerank": pagerank[node],
            "betweenness": betweenness[node],
            "community": community_of[node],
        }
        for node in graph
    }


def compute_and_store_graph_stats(
    store: Store, progress: Progress = no_progress, fingerprint: str | None = None
) -> GraphStatsSummary:
    """Compute every node's statistics and store them all in one transaction, with the graph's
    ``fingerprint`` (computed here unless given): a reader, or a run cut short, never sees some
    nodes' new values beside others' old ones."""
    started = time.perf_counter()
    fingerprint = fingerprint or graph_fingerprint(store)
    progress("graph statistics", 0, 2)
    graph = undirected_graph(read_graph(store))
    statistics = node_statistics(graph)
    progress("graph statistics", 1, 2)
    rows_by_label: dict[str, list[dict]] = defaultdict(list)
    for (label, node_id), values in statistics.items():
        rows_by_label[label].append({"id": node_id, **values})
    store.write_together(
        [
            (
                f"""UNWIND $rows AS row MATCH (n:{Label(label)} {{id: row.id}})
            SET n.degree = row.degree, n.pagerank = row.pagerank,
                n.betweenness = row.betweenness, n.community = row.community,
                n.{STATS_FINGERPRINT} = $fingerprint, n.{STATS_LAYER_HASH} = n.{LAYER_HASH}""",
                {"rows": batch, "fingerprint": fingerprint},
            )
            for label, rows in rows_by_label.items()
            for batch in batched(rows, DEFAULT_BATCH_SIZE)
        ]
    )
    progress("graph statistics", 2, 2)
    return GraphStatsSummary(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        communities=len({v["community"] for v in statistics.values()}),
        seconds=time.perf_counter() - started,
    )


def stats_outdated(store: Store, fingerprint: str) -> bool:
    """Whether some node's statistics were not computed on the graph whose ``graph_fingerprint``
    is ``fingerprint`` (never computed, computed before a change, or a computation cut short).
    Whatever ``statistics_state`` finds not current is outdated here too."""
    query = f"""MATCH (n:{Label.PAPER}) WHERE n.{STATS_FINGERPRINT} IS NULL OR n.{STATS_FINGERPRINT} <> $fingerprint
        RETURN n.id AS id LIMIT 1"""
    return bool(store.read(query, fingerprint=fingerprint)) or statistics_state(store) != CURRENT


def statistics_state(store: Store) -> str:
    """``CURRENT``, ``OUTDATED`` (some paper or concept has none, or its concept layer changed since
    they were computed) or ``MISSING`` (never computed), without computing the fingerprint.

    Statistics depend only on which nodes there are and how they connect, and every change of
    a node's mentions, claims or concept changes its layer hash, so a change the fingerprint sees
    and this does not (a paper's new title, say) leaves the statistics as they were."""
    computed = store.read(
        f"MATCH (n:{Label.PAPER}) WHERE n.{STATS_FINGERPRINT} IS NOT NULL RETURN n.{STATS_FINGERPRINT} AS f LIMIT 1"
    )
    if not computed:
        return MISSING if store.read(f"MATCH (n:{Label.PAPER}) RETURN n.id AS id LIMIT 1") else CURRENT
    for label in DEFAULT_LABELS:
        differing = store.read(
            f"""MATCH (n:{label}) WHERE n.{STATS_FINGERPRINT} IS NULL OR n.{STATS_FINGERPRINT} <> $latest
                OR coalesce(n.{STATS_LAYER_HASH}, '') <> coalesce(n.{LAYER_HASH}, '')
            RETURN n.id AS id LIMIT 1""",
            latest=computed[0]["f"],
        )
        if differing:
            return OUTDATED
    return CURRENT


def update_graph_stats(
    store: Store,
    *,
    if_outdated: bool = False,
    home: Path | None = None,
    progress: Progress = no_progress,
    waiting: Callable[[int], None] = lambda pid: None,
) -> GraphStatsSummary | None:
    """Compute and store the statistics (``compute_and_store_graph_stats``) under the ingest lock:
    while an ingest writes, call ``waiting(its pid)`` and wait for it to finish.  With
    ``if_outdated``, only when ``stats_outdated``; returns None when they were current.

    Raises ``StatisticsAlreadyUpdating`` when another update runs on ``home``."""
    home = home or papergraph_home()
    with _update_lock(home), exclusive_ingest(home, waiting):
        fingerprint = graph_fingerprint(store)
        if if_outdated and not stats_outdated(store, fingerprint):
            return None
        return compute_and_store_graph_stats(store, progress, fingerprint)


def _update_lock(home: Path):
    create_home(home)
    return exclusive_job(
        home / UPDATE_LOCK_FILE,
        lambda: StatisticsAlreadyUpdating(f"graph statistics are already being computed for {home}"),
    )


def statistics_updating(home: Path | None = None) -> bool:
    """Whether ``update_graph_stats`` is running (or waiting for an ingest to finish) on ``home``."""
    return is_locked((home or papergraph_home()) / UPDATE_LOCK_FILE)


def statistics_note(store: Store, home: Path | None = None) -> str | None:
    """A sentence for the pages showing statistics when they are not current, else None."""
    state = statistics_state(store)
    if state == CURRENT:
        return None
    updating = statistics_updating(home)
    if state == MISSING:
        how = "they are being computed in the background" if updating else "`papergraph graph-stats` computes them"
        return f"Graph statistics (PageRank, betweenness, community) are not computed yet: {how}."
    how = "updating in the background" if updating else "`papergraph graph-stats` updates them"
    return (
        "Graph statistics (PageRank, betweenness, community) were computed on an earlier graph, "
        f"and nodes added since have none: {how}."
    )
