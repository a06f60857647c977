"""Graph statistics: degree, PageRank, betweenness and communities on papers and concepts."""

from __future__ import annotations

import networkx as nx

from analysis import graph_stats
from graph_schema.schema import Label


def _keyed(graph: nx.Graph) -> nx.Graph:
    """The same graph with (label, id) nodes, as the store's graph has."""
    return nx.relabel_nodes(graph, {n: (Label.METHOD.value if n % 2 else Label.PAPER.value, f"n{n}") for n in graph})


def test_small_graphs_get_exact_statistics():
    graph = _keyed(nx.barbell_graph(5, 2))  # two cliques joined by a path: the path carries the shortest paths
    stats = graph_stats.node_statistics(graph)
    exact = nx.betweenness_centrality(graph)
    assert stats.keys() == set(graph)
    assert all(abs(stats[n]["betweenness"] - exact[n]) < 1e-12 for n in graph)
    assert max(graph, key=lambda n: stats[n]["betweenness"]) in {("Method", "n5"), ("Paper", "n6")}
    assert all(stats[n]["degree"] == graph.degree(n) for n in graph)
    sizes = {}
    for values in stats.values():
        sizes[values["community"]] = sizes.get(values["community"], 0) + 1
    assert sizes[0] == max(sizes.values())  # community 0 is the largest


def test_large_graphs_get_the_sampled_estimate_networkx_gives():
    graph = _keyed(nx.gnm_random_graph(graph_stats.EXACT_BETWEENNESS_MAX_NODES + 200, 3000, seed=1))
    stats = graph_stats.node_statistics(graph)
    sampled = nx.betweenness_centrality(graph, k=graph_stats.BETWEENNESS_SAMPLE, seed=graph_stats.SEED)
    assert all(abs(stats[n]["betweenness"] - sampled[n]) < 1e-12 for n in graph)


def test_statistics_are_stored_on_every_node_of_the_graph(corpus_store):
    summary = graph_stats.compute_and_store_graph_stats(corpus_store)
    assert summary.nodes > 1000 and summary.communities > 1
    stored = corpus_store.read(
        "MATCH (n) WHERE n.betweenness IS NOT NULL AND n.community IS NOT NULL RETURN count(n) AS n"
    )[0]["n"]
    assert stored == summary.nodes
