"""Graph statistics: degree, PageRank, betweenness and communities on papers and concepts; when
they are computed (``papergraph graph-stats``, ``ingest --stats``, never beside an ingest), and how
the command line and the app say they are outdated."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import igraph
import networkx as nx
from streamlit.testing.v1 import AppTest

from analysis import graph_reader, graph_stats
from analysis.fingerprint import FingerprintDigest, graph_fingerprint
from analysis.graph_reader import GraphSnapshot, read_graph, undirected_graph
from graph_schema.corpus_state import mark_written
from graph_schema.file_locks import exclusive_ingest
from graph_schema.schema import Label
from graph_schema.settings import papergraph_home
from tests.support import CORPUS, REPO, GazetteerExtractor, run_cli
from ui.ingest_job import ingest_and_update_statistics


def _keyed(graph: nx.Graph) -> nx.Graph:
    """The same graph with (label, id) nodes, as the store's graph has."""
    return nx.relabel_nodes(graph, {n: (Label.METHOD.value if n % 2 else Label.PAPER.value, f"n{n}") for n in graph})


def _as_statistics_graph(graph: nx.Graph) -> igraph.Graph:
    """``graph`` as graph_stats computes on it: its nodes in order, one fact per edge (two where it weighs 2)."""
    index = {node: i for i, node in enumerate(graph)}
    facts = [(index[a], index[b]) for a, b, weight in graph.edges(data="weight", default=1) for _ in range(weight)]
    return graph_stats.statistics_graph(list(graph), [a for a, _ in facts], [b for _, b in facts])


def test_small_graphs_get_exact_statistics():
    graph = _keyed(nx.barbell_graph(5, 2))  # two cliques joined by a path: the path carries the shortest paths
    stats = graph_stats.node_statistics(_as_statistics_graph(graph))
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
    stats = graph_stats.node_statistics(_as_statistics_graph(graph))
    sampled = nx.betweenness_centrality(graph, k=graph_stats.BETWEENNESS_SAMPLE, seed=graph_stats.SEED)
    assert all(abs(stats[n]["betweenness"] - sampled[n]) < 1e-12 for n in graph)
    exact = nx.betweenness_centrality(graph)
    assert max(abs(stats[n]["betweenness"] - exact[n]) for n in graph) > 1e-6  # a sample, not every source


def test_pagerank_is_networkxs_weighted_pagerank_solved_to_convergence():
    graph = _keyed(nx.gnm_random_graph(300, 900, seed=2))
    for a, b in list(graph.edges)[::7]:
        graph[a][b]["weight"] = 3
    graph.add_nodes_from([("Paper", "alone-1"), ("Paper", "alone-2")])  # a walk there jumps anywhere
    stats = graph_stats.node_statistics(_as_statistics_graph(graph))
    expected = nx.pagerank(graph, weight="weight", tol=1e-12, max_iter=10_000)
    assert all(abs(stats[n]["pagerank"] - expected[n]) < 1e-9 for n in graph)
    assert stats[("Paper", "alone-1")]["pagerank"] > 0
    unweighted = nx.pagerank(graph, weight=None, tol=1e-12, max_iter=10_000)
    assert max(abs(stats[n]["pagerank"] - unweighted[n]) for n in graph) > 1e-5


def test_statistics_graph_projects_facts_as_undirected_graph_does():
    snapshot = GraphSnapshot(
        nodes={("Paper", "p1"): {}, ("Paper", "p2"): {}, ("Method", "m1"): {}, ("Task", "t1"): {}},
        edges=[
            (("Paper", "p1"), "MENTIONS", ("Method", "m1")),
            (("Paper", "p1"), "MENTIONS", ("Method", "m1")),  # twice: weight 2
            (("Method", "m1"), "USED_FOR", ("Paper", "p1")),  # the other way: the same pair, weight 3
            (("Method", "m1"), "USED_FOR", ("Method", "m1")),  # a self-loop: dropped
            (("Method", "m1"), "USED_FOR", ("Task", "t1")),
        ],
    )
    nodes = list(snapshot.nodes)
    index = {key: i for i, key in enumerate(nodes)}
    graph = graph_stats.statistics_graph(
        nodes, [index[s] for s, _, _ in snapshot.edges], [index[t] for _, _, t in snapshot.edges]
    )
    assert _weighted_pairs(graph) == _weighted_pairs_of(undirected_graph(snapshot), nodes)
    assert _weighted_pairs(graph) == {(0, 2, 3), (2, 3, 1)}
    assert graph.vs["key"] == nodes and graph.degree() == [1, 0, 2, 1]


def test_the_store_is_read_as_read_graph_and_undirected_graph_read_it(concept_store):
    expected = undirected_graph(read_graph(concept_store))
    for page_size in (graph_reader.PAGE_SIZE, 7):  # dozens of pages per label
        graph = graph_stats.read_statistics_graph(concept_store, page_size=page_size)
        assert graph.vs["key"] == list(expected)  # the same order: the same betweenness sample
        assert _weighted_pairs(graph) == _weighted_pairs_of(expected, list(expected))
    assert graph.ecount() > 300 and max(graph.es["weight"]) > 1  # facts joining one pair count once each


def test_the_statistics_read_gives_the_fingerprint_graph_fingerprint_gives(concept_store):
    expected = graph_fingerprint(concept_store)
    for page_size in (graph_reader.PAGE_SIZE, 7):
        digest = FingerprintDigest()
        graph_stats.read_statistics_graph(concept_store, page_size=page_size, fingerprint=digest)
        assert digest.finish(concept_store) == expected
    left_out = FingerprintDigest()  # a label's nodes missing: another digest
    for label in graph_reader.DEFAULT_LABELS[1:]:
        for page in concept_store.read_pages_by_id(label, f"RETURN n.id AS id, {FingerprintDigest.returned(label)}"):
            left_out.add_nodes(label, page)
    assert left_out.finish(concept_store) != expected


def test_communities_are_louvains_numbered_alike_from_run_to_run():
    planted = nx.random_partition_graph([40, 60, 80, 100], 0.25, 0.01, seed=3)
    graph = _as_statistics_graph(_keyed(planted))
    random.seed(5)
    expected_next = random.random()
    random.seed(5)
    communities = graph_stats.louvain_communities(graph)
    assert random.random() == expected_next  # the process's own random numbers are left as they were
    assert communities == graph_stats.louvain_communities(graph)
    planted_membership = [planted.nodes[n]["block"] for n in planted]
    assert igraph.compare_communities(communities, planted_membership, method="nmi") > 0.9
    assert communities[-1] == 0 and communities[0] == 3  # the largest block is community 0, the smallest 3
    louvain = nx.community.louvain_communities(planted, seed=graph_stats.SEED)
    assert graph.modularity(communities) >= nx.community.modularity(planted, louvain) - 0.01


def _weighted_pairs(graph: igraph.Graph) -> set[tuple[int, int, int]]:
    return {(edge.source, edge.target, edge["weight"]) for edge in graph.es}


def _weighted_pairs_of(graph: nx.Graph, nodes: list) -> set[tuple[int, int, int]]:
    index = {key: i for i, key in enumerate(nodes)}
    return {(min(index[a], index[b]), max(index[a], index[b]), weight) for a, b, weight in graph.edges(data="weight")}


def test_statistics_are_stored_on_every_node_of_the_graph(corpus_store):
    summary = graph_stats.compute_and_store_graph_stats(corpus_store)
    assert summary.nodes > 1000 and summary.communities > 1
    stored = corpus_store.read(
        "MATCH (n) WHERE n.betweenness IS NOT NULL AND n.community IS NOT NULL RETURN count(n) AS n"
    )[0]["n"]
    assert stored == summary.nodes
    carried = corpus_store.read(f"MATCH (n) RETURN DISTINCT n.{graph_stats.STATS_FINGERPRINT} AS f")
    assert {row["f"] for row in carried} - {None} == {graph_fingerprint(corpus_store)}  # read beside the graph


# -- when statistics are computed, and how the app and the command line say they are not ----------


def test_statistics_go_from_missing_to_current_to_outdated_as_papers_are_added(store):
    listings = sorted(CORPUS.glob("*.txt"))
    ingest_and_update_statistics(store, listings[:3], extractor=GazetteerExtractor())  # as papergraph ingest
    assert graph_stats.statistics_state(store) == graph_stats.MISSING
    assert "not computed yet" in graph_stats.statistics_note(store)

    assert graph_stats.update_graph_stats(store).nodes > 0
    assert graph_stats.statistics_state(store) == graph_stats.CURRENT
    assert not graph_stats.stats_outdated(store, graph_fingerprint(store))
    assert graph_stats.statistics_note(store) is None
    assert graph_stats.update_graph_stats(store, if_outdated=True) is None  # nothing to do

    ingest_and_update_statistics(store, listings, extractor=GazetteerExtractor())
    assert graph_stats.statistics_state(store) == graph_stats.OUTDATED
    assert graph_stats.stats_outdated(store, graph_fingerprint(store))
    assert store.read("MATCH (p:Paper) WHERE p.pagerank IS NULL RETURN count(p) AS n")[0]["n"] > 0  # the new papers
    note = graph_stats.statistics_note(store)
    assert "computed on an earlier graph" in note and "`papergraph graph-stats` updates them" in note

    assert graph_stats.update_graph_stats(store, if_outdated=True).nodes > 0
    assert graph_stats.statistics_state(store) == graph_stats.CURRENT


def test_a_changed_concept_layer_outdates_the_statistics_even_with_no_new_node(concept_store):
    graph_stats.update_graph_stats(concept_store, if_outdated=True)
    assert graph_stats.statistics_state(concept_store) == graph_stats.CURRENT
    accuracy = "MATCH (c:Metric {id: 'metric:accuracy'})"
    layer_hash = concept_store.read(f"{accuracy} RETURN c.layer_hash AS hash")[0]["hash"]
    # As a re-resolution does: the concept's layer changes, its statistics stay as computed.
    concept_store.write(f"{accuracy} SET c.layer_hash = 'changed'")
    mark_written(concept_store)
    try:
        assert graph_stats.statistics_state(concept_store) == graph_stats.OUTDATED
    finally:
        concept_store.write(f"{accuracy} SET c.layer_hash = $hash", hash=layer_hash)
        mark_written(concept_store)
    assert graph_stats.statistics_state(concept_store) == graph_stats.CURRENT


def test_graph_stats_never_runs_beside_an_ingest_and_the_app_says_it_is_updating(store):
    ingest_and_update_statistics(store, sorted(CORPUS.glob("*.txt"))[:1], extractor=GazetteerExtractor())
    home = papergraph_home()
    with exclusive_ingest(home):  # as an ingest holds it
        command = [sys.executable, "-m", "ui.cli", "graph-stats", "--if-outdated"]
        waiting = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not graph_stats.statistics_updating(home):
            assert waiting.poll() is None and time.monotonic() < deadline, waiting.communicate()
            time.sleep(0.1)
        time.sleep(2)
        assert waiting.poll() is None
        assert graph_stats.statistics_state(store) == graph_stats.MISSING
        assert "being computed in the background" in graph_stats.statistics_note(store)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert f"an ingest (pid {os.getpid()}) is writing to this store" in err
    assert "communities" in out
    assert graph_stats.statistics_state(store) == graph_stats.CURRENT


def test_ingest_leaves_statistics_and_says_so_unless_asked(store):
    listings = sorted(CORPUS.glob("*.txt"))
    first = run_cli("ingest", "--quiet", "--no-extract", str(listings[0]), check=True)
    assert "graph statistics (PageRank, betweenness, community) are not computed yet" in first.stdout
    assert "`papergraph graph-stats` updates them" in first.stdout.splitlines()[-1]
    computed = run_cli("graph-stats", "--if-outdated", check=True)
    assert "communities" in computed.stdout
    assert run_cli("graph-stats", "--if-outdated", check=True).stdout.strip() == "graph statistics are up to date"

    added = run_cli("ingest", "--quiet", "--no-extract", str(listings[1]), check=True)
    assert "graph statistics (PageRank, betweenness, community) are outdated" in added.stdout
    assert graph_stats.statistics_state(store) == graph_stats.OUTDATED

    with_statistics = run_cli("ingest", "--quiet", "--no-extract", "--stats", str(listings[2]), check=True)
    assert "graph statistics" not in with_statistics.stdout
    assert graph_stats.statistics_state(store) == graph_stats.CURRENT


def test_pages_say_statistics_are_outdated_and_bear_a_node_without_them(concept_store):
    graph_stats.update_graph_stats(concept_store, if_outdated=True)
    # As a concept added since the statistics were computed.
    concept_store.write(
        """MATCH (c:Metric {id: 'metric:accuracy'})
        REMOVE c.degree, c.pagerank, c.betweenness, c.community, c.stats_fingerprint, c.stats_layer_hash"""
    )
    mark_written(concept_store)
    pages = [("concept", {"id": "metric:accuracy"}), ("explore", {"label": "Metric", "id": "metric:accuracy"})]
    for page, query_params in [*pages, ("link_prediction", {})]:
        app = AppTest.from_file(str(REPO / "ui" / "app.py"), default_timeout=60).run()
        app.switch_page(f"pages/{page}.py")
        app.query_params.update(query_params)
        app.run()
        assert not app.exception, [e.message for e in app.exception]
        captions = [caption.value for caption in app.caption]
        assert any("computed on an earlier graph" in caption for caption in captions), (page, captions)
        if page == "concept":
            assert not any("pagerank" in caption for caption in captions)
