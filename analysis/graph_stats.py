"""Graph statistics stored as node properties for the app: degree, PageRank,
betweenness and community, computed with networkx over papers and concepts."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from analysis.fingerprint import graph_fingerprint
from analysis.graph_reader import read_graph, undirected_graph
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Label
from graph_schema.store import DEFAULT_BATCH_SIZE, Store, batched

# Exact betweenness is O(nm); above this many nodes it is estimated from a sample of sources.
EXACT_BETWEENNESS_MAX_NODES = 1000
BETWEENNESS_SAMPLE = 300
SEED = 0
STATS_FINGERPRINT = "stats_fingerprint"  # the graph_fingerprint the statistics were computed on


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


def stats_outdated(store: Store, fingerprint: str) -> bool:
    """Whether some node's statistics were not computed on the graph whose ``graph_fingerprint``
    is ``fingerprint`` (never computed, computed before a change, or a computation cut short)."""
    query = f"""MATCH (n:{Label.PAPER}) WHERE n.{STATS_FINGERPRINT} IS NULL OR n.{STATS_FINGERPRINT} <> $fingerprint
        RETURN n.id AS id LIMIT 1"""
    return bool(store.read(query, fingerprint=fingerprint))


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
                n.betweenness = row.betweenness, n.community = row.community, n.{STATS_FINGERPRINT} = $fingerprint""",
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
