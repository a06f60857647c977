"""Graph statistics stored as node properties for the app: degree, PageRank,
betweenness and community, computed with igraph (compiled, one core) over papers and concepts.

They are whole-graph measures, so an ingest does not compute them unless asked
(``papergraph ingest --stats``): ``update_graph_stats`` (``papergraph graph-stats``,
and ``papergraph ui`` in the background when it starts) computes them, never while
an ingest writes.  Each node's statistics carry the ``graph_fingerprint`` they were
computed on and the node's layer hash at the time, so ``stats_outdated`` can tell
outdated statistics from current ones, and ``statistics_state`` can tell it cheaply
enough for every page view (0.1-0.4 s at 10k papers, where the fingerprint takes 3.5 s).

They mean what the networkx computation they replace meant (``bench/bench_graph_stats.py`` runs
both), on the same graph: papers and concepts, one undirected edge per connected pair weighted by
how many facts join it, self-loops dropped (``graph_reader.undirected_graph``'s projection).
Degree counts neighbours.  PageRank is weighted, damping 0.85, and sums to 1; igraph solves it
where networkx stopped once an iteration changed the vector by less than n * 1e-6 in all (0.13 at
130,000 nodes), so networkx's values were up to 7% off at 100k papers (3% on the sample corpus),
and igraph's are networkx's run to a tolerance of 1e-12, within 1e-7.  Betweenness is unweighted and normalised as networkx
normalises it, from every node up to ``EXACT_BETWEENNESS_MAX_NODES`` nodes and above that from
networkx's own sample of ``BETWEENNESS_SAMPLE`` sources: the same values.  Communities are
igraph's Louvain (the algorithm networkx ran, weighted, resolution 1, seeded): a partition of the
same modularity, not the same partition (two networkx runs with other seeds differ as much).
"""

from __future__ import annotations

import random
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import igraph
import neo4j
import numpy as np

from analysis.fingerprint import FingerprintDigest, graph_fingerprint
from analysis.graph_reader import DEFAULT_LABELS, DEFAULT_RELATIONS, PAGE_SIZE
from graph_schema.corpus_state import (
    corpus_state,
    generation_write,
    is_current,
    properties_write,
    record_generation,
    written_generation,
)
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
STATISTICS = "statistics"  # the corpus_state part: the ingests' generation they are current with
STATISTICS_LOOKED = "statistics-looked"  # the part: what statistics_state last found, and at which generation
UPDATE_LOCK_FILE = "graph-stats.lock"  # held under $PAPERGRAPH_HOME while update_graph_stats runs

# What statistics_state finds.
CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"

NodeKey = tuple[str, str]  # (label, id)


class StatisticsAlreadyUpdating(PapergraphError):
    pass


@dataclass
class GraphStatsSummary:
    nodes: int
    edges: int
    communities: int
    seconds: float
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0


# -- the graph ----------------------------------------------------------------------------------


def statistics_graph(nodes: Sequence[NodeKey], sources: Sequence[int], targets: Sequence[int]) -> igraph.Graph:
    """The graph statistics are computed on: the ``nodes`` in their order (vertex attribute
    ``key``), and one undirected edge per pair the facts ``sources[i]`` -> ``targets[i]`` (positions
    in ``nodes``) connect, its ``weight`` how many facts join the pair; self-loops dropped."""
    count = len(nodes)
    sources, targets = np.asarray(sources, dtype=np.int64), np.asarray(targets, dtype=np.int64)
    low, high = np.minimum(sources, targets), np.maximum(sources, targets)
    apart = low != high
    pairs, weights = np.unique(low[apart] * count + high[apart], return_counts=True)
    graph = igraph.Graph(n=count, edges=np.column_stack([pairs // count, pairs % count]).tolist())
    graph.vs["key"] = list(nodes)
    graph.es["weight"] = weights.tolist()
    return graph


def read_statistics_graph(
    store: Store, page_size: int = PAGE_SIZE, fingerprint: FingerprintDigest | None = None
) -> igraph.Graph:
    """``statistics_graph`` of the store's papers and concepts (``DEFAULT_LABELS``), label by label in
    id order as ``graph_reader.read_graph`` orders them, and the facts between them
    (``DEFAULT_RELATIONS``).  Lighter than ``read_graph``, which the statistics do not need whole:
    one query per page of nodes, with no names or texts, and each node's targets by their
    ``elementId`` alone, which the store answers from the relationship without loading the target
    node (a concept's id and label would load it once per fact: 1.86M times at 100k papers).

    A target that is not among the nodes read lies outside ``DEFAULT_LABELS`` and is left out:
    ``update_graph_stats`` reads under the ingest lock, so no node appears (and none is deleted,
    which could let Neo4j give its elementId to another) between two pages.

    Given a ``fingerprint`` digest, the same pages feed it (a second read of every label took 8 s
    of the 62 s ``papergraph graph-stats`` took at 100k papers)."""
    types = "|".join(dict.fromkeys(rel.value for rel in DEFAULT_RELATIONS))
    nodes: list[NodeKey] = []
    position: dict[str, int] = {}  # elementId -> position in nodes
    fact_sources, fact_targets = array("q"), []
    for label in DEFAULT_LABELS:
        content = f", {FingerprintDigest.returned(label)}" if fingerprint else ""
        outgoing = f"""OPTIONAL MATCH (n)-[:{types}]->(b)
            RETURN n.id AS id, elementId(n) AS element{content}, collect(elementId(b)) AS targets"""
        for page in store.read_pages_by_id(label, outgoing, page_size):
            if fingerprint:
                fingerprint.add_nodes(label, page)
            for row in page:
                position[row["element"]] = len(nodes)
                fact_sources.extend(repeat(len(nodes), len(row["targets"])))
                nodes.append((label.value, row["id"]))
                fact_targets += row["targets"]
    targets = np.fromiter(
        (position.get(element, -1) for element in fact_targets), dtype=np.int64, count=len(fact_targets)
    )
    inside = targets >= 0
    return statistics_graph(nodes, np.asarray(fact_sources, dtype=np.int64)[inside], targets[inside])


# -- the statistics -----------------------------------------------------------------------------


def node_statistics(graph: igraph.Graph) -> dict[NodeKey, dict]:
    """Every node's degree, PageRank, betweenness and community, by its ``key``."""
    degree = graph.degree()
    pagerank = weighted_pagerank(graph)
    betweenness = sampled_betweenness(graph)
    community = louvain_communities(graph)
    return {
        key: {"degree": degree[i], "pagerank": pagerank[i], "betweenness": betweenness[i], "community": community[i]}
        for i, key in enumerate(graph.vs["key"])
    }


def weighted_pagerank(graph: igraph.Graph) -> list[float]:
    """PageRank over the weighted edges, damping 0.85, a walk from a node with no edge jumping
    anywhere; 0 everywhere in a graph with no edge."""
    return graph.pagerank(weights="weight", damping=0.85) if graph.ecount() else [0.0] * graph.vcount()


def sampled_betweenness(graph: igraph.Graph) -> list[float]:
    """What ``networkx.betweenness_centrality(graph, k=sample, seed=SEED)`` gives, sample and
    normalisation included: above ``EXACT_BETWEENNESS_MAX_NODES`` nodes, the paths from
    ``BETWEENNESS_SAMPLE`` sources drawn as networkx draws them (``random.Random(SEED).sample`` of the
    nodes in order) to every node, each node's sum divided by the ordered pairs counted
    ((k-1)(n-2) for a source, k(n-2) for any other node); below it, every pair's paths."""
    count = graph.vcount()
    if count <= 2:
        return [0.0] * count
    if count <= EXACT_BETWEENNESS_MAX_NODES:
        # igraph counts each unordered pair once, networkx each ordered one.
        return [2 * value / ((count - 1) * (count - 2)) for value in graph.betweenness(directed=False)]
    sources = random.Random(SEED).sample(range(count), BETWEENNESS_SAMPLE)
    through = graph.betweenness(sources=sources, directed=False)
    pairs = np.full(count, BETWEENNESS_SAMPLE * (count - 2), dtype=float)
    pairs[sources] = (BETWEENNESS_SAMPLE - 1) * (count - 2)
    return (2 * np.asarray(through) / pairs).tolist()


def louvain_communities(graph: igraph.Graph) -> list[int]:
    """Each node's Louvain community (weighted, resolution 1, seeded), numbered by size: community 0
    is the largest (of two as large, the one holding the earlier node), so numbers mean the same
    thing from run to run."""
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        clusters = graph.community_multilevel(weights="weight")
    finally:
        igraph.set_random_number_generator(random)  # igraph's default
    community = [0] * graph.vcount()
    for number, members in enumerate(sorted(clusters, key=lambda members: (-len(members), members[0]))):
        for node in members:
            community[node] = number
    return community


def compute_and_store_graph_stats(
    store: Store, progress: Progress = no_progress, fingerprint: str | None = None
) -> GraphStatsSummary:
    """Compute every node's statistics and store them all in one transaction, with the graph's
    ``fingerprint`` (computed here, from the pages the statistics read, unless given): a reader, or
    a run cut short, never sees some nodes' new values beside others' old ones."""
    started = time.perf_counter()
    generation = written_generation(corpus_state(store))  # first: an ingest writing from now on outdates them
    progress("graph statistics", 0, 2)
    reading = time.perf_counter()
    digest = None if fingerprint else FingerprintDigest()
    graph = read_statistics_graph(store, fingerprint=digest)
    fingerprint = fingerprint or digest.finish(store)
    read = time.perf_counter()
    statistics = node_statistics(graph)
    computed = time.perf_counter()
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
        + [properties_write(STATISTICS, nodes=graph.vcount()), generation_write(STATISTICS, generation)]
    )
    progress("graph statistics", 2, 2)
    finished = time.perf_counter()
    return GraphStatsSummary(
        nodes=graph.vcount(),
        edges=graph.ecount(),
        communities=len({v["community"] for v in statistics.values()}),
        seconds=finished - started,
        read_seconds=read - reading,
        compute_seconds=computed - read,
        write_seconds=finished - computed,
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
    and this does not (a paper's new title, say) leaves the statistics as they were.

    When no ingest has written since the statistics were computed, or since this last looked
    (``graph_schema.corpus_state``), that one small read answers; else every node is looked at."""
    state = corpus_state(store)
    if is_current(state, STATISTICS):
        return CURRENT
    if is_current(state, STATISTICS_LOOKED):
        return state[STATISTICS_LOOKED]["state"]
    found = _statistics_state_of_every_node(store)
    try:  # what the nodes were as of the generation read above; a page beside this one may write it too
        store.write_together(
            [
                properties_write(STATISTICS_LOOKED, state=found),
                generation_write(STATISTICS_LOOKED, written_generation(state)),
            ]
        )
    except neo4j.exceptions.Neo4jError:
        pass
    return found


def _statistics_state_of_every_node(store: Store) -> str:
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
        if not if_outdated:
            return compute_and_store_graph_stats(store, progress)
        generation = written_generation(corpus_state(store))
        fingerprint = graph_fingerprint(store)
        if not stats_outdated(store, fingerprint):
            record_generation(store, STATISTICS, generation)  # found current: the pages need not look again
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


def nodes_with_statistics(store: Store) -> int:
    """How many nodes carry graph statistics: as last computed where they are current, else counted (by pagerank)."""
    state = corpus_state(store)
    if is_current(state, STATISTICS) and isinstance(state[STATISTICS].get("nodes"), int):
        return state[STATISTICS]["nodes"]
    if is_current(state, STATISTICS_LOOKED) and state[STATISTICS_LOOKED].get("state") == MISSING:
        return 0
    return store.read("MATCH (n) WHERE n.pagerank IS NOT NULL RETURN count(n) AS n")[0]["n"]


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
