"""Benchmark graph statistics: the networkx computation they had against igraph's (analysis.graph_stats).

    flock /tmp/papergraph-heavy.lock nice -n 5 .venv/bin/python bench/bench_graph_stats.py \
        [--cases corpus,synthetic,synthetic-store] [--no-networkx] [--candidates]
    .venv/bin/python bench/bench_graph_stats.py --cases existing-store --home PATH --no-networkx

Each case runs in a fresh subprocess (so its peak memory is its own) and its result replaces that
case's in ``bench/results/graph_stats.json``; the others stay as they were.

``corpus``: ``papergraph ingest`` of ``data/corpus`` (with extraction) into a throw-away store; then
the fingerprint, the old read (``read_graph`` + ``undirected_graph``, networkx) against the new
(``read_statistics_graph``, igraph), each computation part by part, how their values differ, and
``compute_and_store_graph_stats`` as ``papergraph graph-stats`` runs it (read, compute, one write
transaction).

``synthetic``: a graph with the shape of the 100k store (106,000 papers, 24,690 concepts, about
1.86M facts on 1.52M connected pairs, concept popularity Zipf-like so degrees are heavy-tailed:
one concept has some 61,000 neighbours), built in memory; both computations part by part and how
their values differ.  ``--candidates`` adds the other compiled libraries that were considered
(networkit, graspologic-native's Leiden, igraph's Leiden), where installed.

``synthetic-store``: the same graph written to a throw-away store (papers with 1,200-character
abstracts, so that the old read, which reads texts, pays what it pays on real papers); then the
fingerprint, the old read, the new read, and ``papergraph graph-stats`` end to end.

``existing-store`` (only when named, with ``--home``): a store that is already there, such as the
one ``bench/bench_scale.py`` leaves under /tmp after its 100k run (its papers carry everything an
ingest writes on them, which the synthetic ones do not); the fingerprint, the new read, and
``papergraph graph-stats`` end to end with the time of each of its parts (it stores its
statistics there).  The store is left running or stopped, as it was found.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = Path(__file__).parent / "results" / "graph_stats.json"
CASES = ("corpus", "synthetic", "synthetic-store")
EXISTING_STORE = "existing-store"
PAPERS = 106_000
CONCEPTS = (("Method", 17_600), ("Task", 920), ("Dataset", 5_500), ("Metric", 670))  # the 100k store's, +5%
DISTINCT_MENTIONS_PER_PAPER = 14.5
REPEATED_MENTIONS = 0.14  # share of a paper's mentions that name a concept it already mentions
CONCEPT_RELATION_FACTS = 105_700
POPULARITY_EXPONENT = 1.1
WRITE_BATCH = 10_000


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, round(time.perf_counter() - started, 2)


# -- the two computations -------------------------------------------------------------------------


def networkx_statistics(graph) -> tuple[dict, dict]:
    """The networkx computation analysis.graph_stats ran before igraph, part by part, with the seconds of each."""
    import networkx as nx

    from analysis.graph_stats import BETWEENNESS_SAMPLE, EXACT_BETWEENNESS_MAX_NODES, SEED

    seconds = {}
    degree, seconds["degree"] = timed(lambda: dict(graph.degree()))
    pagerank, seconds["pagerank"] = timed(
        lambda: nx.pagerank(graph, weight="weight") if graph.number_of_edges() else dict.fromkeys(graph, 0.0)
    )
    sample = None if graph.number_of_nodes() <= EXACT_BETWEENNESS_MAX_NODES else BETWEENNESS_SAMPLE
    nodes = list(graph)

    def betweenness_by_node():
        numbered = nx.convert_node_labels_to_integers(graph)
        values = nx.betweenness_centrality(numbered, k=sample, seed=SEED)
        return {nodes[i]: value for i, value in values.items()}

    betweenness, seconds["betweenness"] = timed(betweenness_by_node)
    communities, seconds["communities"] = timed(
        lambda: nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    )
    community_of = {
        node: index for index, members in enumerate(sorted(communities, key=len, reverse=True)) for node in members
    }
    seconds["total"] = round(sum(seconds.values()), 2)
    values = {
        "degree": [degree[n] for n in nodes],
        "pagerank": [pagerank[n] for n in nodes],
        "betweenness": [betweenness[n] for n in nodes],
        "community": [community_of[n] for n in nodes],
    }
    return values, seconds


def igraph_statistics(graph) -> tuple[dict, dict]:
    """analysis.graph_stats.node_statistics, part by part, with the seconds of each."""
    from analysis import graph_stats

    seconds = {}
    values = {}
    values["degree"], seconds["degree"] = timed(graph.degree)
    values["pagerank"], seconds["pagerank"] = timed(graph_stats.weighted_pagerank, graph)
    values["betweenness"], seconds["betweenness"] = timed(graph_stats.sampled_betweenness, graph)
    values["community"], seconds["communities"] = timed(graph_stats.louvain_communities, graph)
    seconds["total"] = round(sum(seconds.values()), 2)
    _, seconds["node_statistics_whole"] = timed(graph_stats.node_statistics, graph)
    return values, seconds


def differences(graph, old: dict, new: dict, networkx_graph) -> dict:
    """How the igraph values differ from networkx's on the same graph (``graph``: igraph, same node order)."""
    import igraph
    import networkx as nx

    old_pagerank, new_pagerank = np.asarray(old["pagerank"]), np.asarray(new["pagerank"])
    old_betweenness, new_betweenness = np.asarray(old["betweenness"]), np.asarray(new["betweenness"])
    converged = nx.pagerank(networkx_graph, weight="weight", tol=1e-12, max_iter=10_000)
    converged = np.asarray([converged[n] for n in networkx_graph])
    modularity = {
        name: round(graph.modularity(membership, weights="weight"), 4)
        for name, membership in (("networkx_louvain", old["community"]), ("igraph_louvain", new["community"]))
    }
    # How much two networkx runs with other seeds differ, for scale.
    other_seed = nx.community.louvain_communities(networkx_graph, weight="weight", seed=1)
    index = {node: i for i, node in enumerate(networkx_graph)}
    other_membership = [0] * len(index)
    for number, members in enumerate(other_seed):
        for node in members:
            other_membership[index[node]] = number
    top = 100

    def top_overlap(a, b):
        return len(set(np.argsort(-a)[:top]) & set(np.argsort(-b)[:top])) / top

    return {
        "degree_equal": old["degree"] == new["degree"],
        "betweenness_max_abs_difference": float(np.max(np.abs(old_betweenness - new_betweenness), initial=0)),
        "betweenness_max": float(np.max(new_betweenness, initial=0)),
        "pagerank_max_relative_difference_vs_networkx_default": float(
            np.max(np.abs(old_pagerank - new_pagerank) / np.maximum(old_pagerank, 1e-300), initial=0)
        ),
        "pagerank_l1_difference_vs_networkx_default": float(np.sum(np.abs(old_pagerank - new_pagerank))),
        "pagerank_max_relative_difference_vs_networkx_tol_1e-12": float(
            np.max(np.abs(converged - new_pagerank) / np.maximum(converged, 1e-300), initial=0)
        ),
        "pagerank_top100_shared_with_networkx": top_overlap(old_pagerank, new_pagerank),
        "communities": {"networkx_louvain": len(set(old["community"])), "igraph_louvain": len(set(new["community"]))},
        "modularity": {
            **modularity,
            "networkx_louvain_seed_1": round(graph.modularity(other_membership, weights="weight"), 4),
        },
        "nmi_networkx_vs_igraph": round(igraph.compare_communities(old["community"], new["community"], "nmi"), 3),
        "nmi_networkx_seed_0_vs_seed_1": round(
            igraph.compare_communities(old["community"], other_membership, "nmi"), 3
        ),
    }


def candidates(graph) -> dict:
    """The compiled libraries considered besides igraph's Louvain, on the same graph, where installed."""
    from analysis.graph_stats import BETWEENNESS_SAMPLE, SEED

    found: dict[str, dict] = {}
    import igraph

    for iterations in (2, -1):
        igraph.set_random_number_generator(random.Random(SEED))
        clusters, seconds = timed(
            graph.community_leiden, objective_function="modularity", weights="weight", n_iterations=iterations
        )
        igraph.set_random_number_generator(random)
        found[f"igraph_leiden_n_iterations_{iterations}"] = {
            "seconds": seconds,
            "communities": len(clusters),
            "modularity": round(graph.modularity(clusters, weights="weight"), 4),
        }
    edges = np.asarray(graph.get_edgelist(), dtype=np.uint64).reshape(-1, 2)
    weights = np.asarray(graph.es["weight"], dtype=float)
    try:
        import networkit
    except ImportError:
        found["networkit"] = {"skipped": "not installed"}
    else:
        for threads in (1, 2):
            networkit.setNumberOfThreads(threads)
            built, build_seconds = timed(_networkit_graph, networkit, graph.vcount(), edges, weights)
            pagerank = networkit.centrality.PageRank(built, damp=0.85, tol=1e-9)
            _, pagerank_seconds = timed(pagerank.run)
            betweenness = networkit.centrality.EstimateBetweenness(built, BETWEENNESS_SAMPLE, True, True)
            _, betweenness_seconds = timed(betweenness.run)
            louvain = networkit.community.PLM(built, refine=True)
            _, louvain_seconds = timed(louvain.run)
            partition = louvain.getPartition()
            found[f"networkit_{threads}_threads"] = {
                "build_seconds": build_seconds,
                "pagerank_seconds": pagerank_seconds,
                "estimate_betweenness_seconds": betweenness_seconds,
                "plm_louvain_seconds": louvain_seconds,
                "plm_modularity": round(graph.modularity(partition.getVector(), weights="weight"), 4),
                "plm_communities": len(set(partition.getVector())),
            }
    try:
        from graspologic_native import leiden
    except ImportError:
        found["graspologic_native_leiden"] = {"skipped": "not installed"}
    else:
        names = [str(i) for i in range(graph.vcount())]
        listed, list_seconds = timed(
            lambda: [(names[a], names[b], w) for (a, b), w in zip(edges.tolist(), weights.tolist(), strict=True)]
        )
        (quality, partition), seconds = timed(leiden, listed, seed=SEED)
        membership = [partition.get(name, -1 - i) for i, name in enumerate(names)]
        found["graspologic_native_leiden"] = {
            "edge_list_seconds": list_seconds,
            "seconds": seconds,
            "communities": len(set(partition.values())),
            "modularity": round(graph.modularity(_renumbered(membership), weights="weight"), 4),
        }
    return found


def _networkit_graph(networkit, count: int, edges: np.ndarray, weights: np.ndarray):
    built = networkit.Graph(count, weighted=True)
    built.addEdges((weights, (np.ascontiguousarray(edges[:, 0]), np.ascontiguousarray(edges[:, 1]))))
    return built


def _renumbered(membership: list) -> list[int]:
    numbers: dict = {}
    return [numbers.setdefault(value, len(numbers)) for value in membership]


# -- the synthetic graph --------------------------------------------------------------------------


def synthetic_facts(seed: int = 0):
    """Nodes (label, id) in the order the store reads them (labels in DEFAULT_LABELS order, ids
    sorted) and the facts (source position, type, target position) of a graph shaped like the
    100k store: each paper mentions about 14.5 concepts, drawn by a Zipf-like popularity, some of
    them twice; concepts relate to each other by the same popularity."""
    from analysis.graph_reader import DEFAULT_LABELS
    from graph_schema.schema import CONCEPT_RELATIONS

    rng = np.random.default_rng(seed)
    per_label = dict(CONCEPTS)
    concept_labels = [label.value for label in DEFAULT_LABELS[1:]]
    nodes = [("Paper", f"synthetic-{i:06d}") for i in range(PAPERS)]
    for label in concept_labels:
        nodes += [(label, f"{label.lower()}:synthetic-{i:05d}") for i in range(per_label[label])]
    concepts = len(nodes) - PAPERS
    popularity = 1.0 / (np.arange(concepts) + 3.0) ** POPULARITY_EXPONENT
    popularity /= popularity.sum()
    by_rank = PAPERS + rng.permutation(concepts)  # the most popular concept is any label's
    mentions = rng.poisson(DISTINCT_MENTIONS_PER_PAPER - 1, PAPERS) + 1
    papers = np.repeat(np.arange(PAPERS), mentions)
    mentioned = by_rank[rng.choice(concepts, size=len(papers), p=popularity)]
    again = rng.random(len(papers)) < REPEATED_MENTIONS
    heads = by_rank[rng.choice(concepts, size=CONCEPT_RELATION_FACTS, p=popularity)]
    tails = by_rank[rng.choice(concepts, size=CONCEPT_RELATION_FACTS, p=popularity)]
    relation_types = [rel.value for rel in CONCEPT_RELATIONS]
    types = ["MENTIONS"] * (len(papers) + int(again.sum())) + [
        relation_types[i] for i in rng.integers(len(relation_types), size=CONCEPT_RELATION_FACTS)
    ]
    sources = np.concatenate([papers, papers[again], heads])
    targets = np.concatenate([mentioned, mentioned[again], tails])
    return nodes, sources, types, targets


def synthetic_snapshot(nodes, sources, types, targets):
    from analysis.graph_reader import GraphSnapshot

    return GraphSnapshot(
        nodes={key: {"name": key[1], "text": key[1]} for key in nodes},
        edges=[(nodes[s], rel, nodes[t]) for s, rel, t in zip(sources.tolist(), types, targets.tolist(), strict=True)],
    )


def shape(graph) -> dict:
    degrees = np.asarray(graph.degree())
    return {
        "nodes": graph.vcount(),
        "connected_pairs": graph.ecount(),
        "facts": int(sum(graph.es["weight"])),
        "max_degree": int(degrees.max(initial=0)),
        "median_degree": float(np.median(degrees)) if len(degrees) else 0.0,
        "nodes_of_degree_0": int((degrees == 0).sum()),
    }


def compare_in_memory(graph, networkx_graph, run_networkx: bool) -> dict:
    new, new_seconds = igraph_statistics(graph)
    result = {"igraph_seconds": new_seconds}
    if run_networkx:
        old, old_seconds = networkx_statistics(networkx_graph)
        result["networkx_seconds"] = old_seconds
        result["differences"] = differences(graph, old, new, networkx_graph)
    return result


# -- the cases ------------------------------------------------------------------------------------


def corpus_case(run_networkx: bool, with_candidates: bool) -> dict:
    from analysis import graph_stats
    from analysis.fingerprint import graph_fingerprint
    from analysis.graph_reader import read_graph, undirected_graph
    from graph_schema.store import Store

    ingest = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", "--quiet", str(REPO / "data" / "corpus")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    with Store.open() as store:
        fingerprint, fingerprint_seconds = timed(graph_fingerprint, store)
        snapshot, old_read_seconds = timed(read_graph, store)
        networkx_graph, old_build_seconds = timed(undirected_graph, snapshot)
        graph, new_read_seconds = timed(graph_stats.read_statistics_graph, store)
        summary = graph_stats.compute_and_store_graph_stats(store, fingerprint=fingerprint)
    result = {
        "ingest_output": ingest.stdout.strip().splitlines()[:1],
        "shape": shape(graph),
        "same_graph_as_networkx_read": _same_graph(graph, networkx_graph),
        "fingerprint_seconds": fingerprint_seconds,
        "old_read_seconds": {"read_graph": old_read_seconds, "undirected_graph": old_build_seconds},
        "new_read_seconds": new_read_seconds,
        **compare_in_memory(graph, networkx_graph, run_networkx),
        "compute_and_store_graph_stats": _summary(summary),
    }
    if with_candidates:
        result["candidates"] = candidates(graph)
    return result


def synthetic_case(run_networkx: bool, with_candidates: bool) -> dict:
    from analysis import graph_stats
    from analysis.graph_reader import undirected_graph

    (nodes, sources, types, targets), generate_seconds = timed(synthetic_facts)
    graph, build_seconds = timed(graph_stats.statistics_graph, nodes, sources, targets)
    result = {"shape": shape(graph), "generate_seconds": generate_seconds, "igraph_build_seconds": build_seconds}
    networkx_graph = None
    if run_networkx:
        snapshot, result["snapshot_seconds"] = timed(synthetic_snapshot, nodes, sources, types, targets)
        networkx_graph, result["networkx_undirected_graph_seconds"] = timed(undirected_graph, snapshot)
        del snapshot
        result["same_graph_as_networkx_projection"] = _same_graph(graph, networkx_graph)
    result.update(compare_in_memory(graph, networkx_graph, run_networkx))
    if with_candidates:
        result["candidates"] = candidates(graph)
    return result


def synthetic_store_case(run_networkx: bool, with_candidates: bool) -> dict:
    from analysis import graph_stats
    from analysis.fingerprint import graph_fingerprint
    from analysis.graph_reader import read_graph, undirected_graph
    from graph_schema.store import Store

    nodes, sources, types, targets = synthetic_facts()
    with Store.open() as store:
        store.ensure_schema()
        _, write_seconds = timed(_write_synthetic_store, store, nodes, sources, types, targets)
        counts = store.counts()
        fingerprint, fingerprint_seconds = timed(graph_fingerprint, store)
        graph, new_read_seconds = timed(graph_stats.read_statistics_graph, store)
        result = {
            "store": {"nodes": counts.total_nodes, "relationships": counts.total_relationships},
            "write_store_seconds": write_seconds,
            "shape": shape(graph),
            "fingerprint_seconds": fingerprint_seconds,
            "new_read_seconds": new_read_seconds,
        }
        if run_networkx:
            snapshot, old_read_seconds = timed(read_graph, store)
            networkx_graph, old_build_seconds = timed(undirected_graph, snapshot)
            del snapshot
            result["old_read_seconds"] = {"read_graph": old_read_seconds, "undirected_graph": old_build_seconds}
            result["same_graph_as_networkx_read"] = _same_graph(graph, networkx_graph)
            del networkx_graph
        del graph
    result["peak_rss_mib_before_graph_stats"] = round(peak_rss_mib())
    command = [sys.executable, "-m", "ui.cli", "graph-stats"]
    done, result["graph_stats_command_seconds"] = timed(
        subprocess.run, command, cwd=REPO, capture_output=True, text=True, check=True
    )
    result["graph_stats_command_output"] = done.stdout.strip().splitlines()[-1]
    up_to_date, result["graph_stats_if_outdated_seconds"] = timed(
        subprocess.run, [*command, "--if-outdated"], cwd=REPO, capture_output=True, text=True, check=True
    )
    result["graph_stats_if_outdated_output"] = up_to_date.stdout.strip()
    return result


def existing_store_case(run_networkx: bool, with_candidates: bool) -> dict:
    from analysis import graph_stats
    from analysis.fingerprint import graph_fingerprint
    from graph_schema.store import Store

    with Store.open() as store:
        counts = store.counts()
        _, fingerprint_seconds = timed(graph_fingerprint, store)
        graph, new_read_seconds = timed(graph_stats.read_statistics_graph, store)
        result = {
            "store": {"nodes": counts.total_nodes, "relationships": counts.total_relationships},
            "shape": shape(graph),
            "fingerprint_seconds": fingerprint_seconds,
            "new_read_seconds": new_read_seconds,
        }
        del graph
    command = [sys.executable, "-m", "ui.cli", "graph-stats"]
    done, result["graph_stats_command_seconds"] = timed(
        subprocess.run, command, cwd=REPO, capture_output=True, text=True, check=True
    )
    result["graph_stats_command_output"] = done.stdout.strip().splitlines()[-1]
    return result


def _write_synthetic_store(store, nodes, sources, types, targets) -> None:
    from graph_schema.schema import Label

    abstract = ("a synthetic abstract of the length of a real one, " * 24)[:1200]
    papers = [
        {"id": node_id, "title": f"Synthetic paper {node_id}", "abstract": abstract}
        for label, node_id in nodes
        if label == "Paper"
    ]
    store.write_rows(
        f"""UNWIND $rows AS row CREATE (n:{Label.PAPER} {{id: row.id, title: row.title, abstract: row.abstract,
            content_hash: row.id, extractor_version: 'synthetic', layer_hash: row.id}})""",
        papers,
        WRITE_BATCH,
    )
    for concept_label in {label for label, _ in nodes} - {"Paper"}:
        rows = [{"id": node_id} for label, node_id in nodes if label == concept_label]
        store.write_rows(
            f"UNWIND $rows AS row CREATE (n:{Label(concept_label)} {{id: row.id, name: row.id, layer_hash: row.id}})",
            rows,
            WRITE_BATCH,
        )
    by_shape: dict[tuple[str, str, str], list[dict]] = {}
    for s, rel, t in zip(sources.tolist(), types, targets.tolist(), strict=True):
        (source_label, source_id), (target_label, target_id) = nodes[s], nodes[t]
        by_shape.setdefault((source_label, rel, target_label), []).append({"a": source_id, "b": target_id})
    for (source_label, rel, target_label), rows in by_shape.items():
        store.write_rows(
            f"""UNWIND $rows AS row MATCH (a:{Label(source_label)} {{id: row.a}}), (b:{Label(target_label)} {{id: row.b}})
            CREATE (a)-[:{rel} {{text: 'synthetic'}}]->(b)""",
            rows,
            WRITE_BATCH,
        )


def _same_graph(graph, networkx_graph) -> bool:
    if graph.vs["key"] != list(networkx_graph):
        return False
    index = {key: i for i, key in enumerate(graph.vs["key"])}
    expected = sorted(
        (min(index[a], index[b]), max(index[a], index[b]), data["weight"])
        for a, b, data in networkx_graph.edges(data=True)
    )
    return expected == sorted((edge.source, edge.target, edge["weight"]) for edge in graph.es)


def _summary(summary) -> dict:
    return {name: round(value, 2) if isinstance(value, float) else value for name, value in vars(summary).items()}


# -- running --------------------------------------------------------------------------------------

CASE_FUNCTIONS = {
    "corpus": corpus_case,
    "synthetic": synthetic_case,
    "synthetic-store": synthetic_store_case,
    EXISTING_STORE: existing_store_case,
}
NEEDS_STORE = {"corpus", "synthetic-store", EXISTING_STORE}


def run_case(case: str, run_networkx: bool, with_candidates: bool, existing_home: Path | None = None) -> dict:
    """``case`` in a fresh process, with a throw-away store where it needs one (``existing_home``'s
    for ``existing-store``, left running or not as it was found)."""
    from graph_schema import arcadedb_server
    from graph_schema.settings import settings_from_env

    env = {name: value for name, value in os.environ.items() if not name.startswith("NEO4J_")}
    home = existing_home or Path(tempfile.mkdtemp(prefix="papergraph-bench-stats-"))
    env["PAPERGRAPH_HOME"] = str(home)
    env["PAPERGRAPH_BOLT_PORT"] = str(arcadedb_server.free_port())
    was_running = False
    if existing_home:
        os.environ.update(PAPERGRAPH_HOME=env["PAPERGRAPH_HOME"])
        found = arcadedb_server.status(settings_from_env())
        was_running = found.running
        if was_running:
            env["PAPERGRAPH_BOLT_PORT"] = str(found.bolt_port)
    command = [sys.executable, __file__, "--child", case]
    command += [] if run_networkx else ["--no-networkx"]
    command += ["--candidates"] if with_candidates else []
    try:
        started = time.perf_counter()
        child = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
        if child.returncode:
            raise SystemExit(f"{case} failed:\n{child.stderr}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        result["case_wall_seconds"] = round(time.perf_counter() - started, 1)
        return result
    finally:
        if case in NEEDS_STORE and not was_running:
            subprocess.run([sys.executable, "-m", "ui.cli", "store", "stop"], cwd=REPO, env=env, capture_output=True)
        if not existing_home:
            shutil.rmtree(home, ignore_errors=True)


def _machine() -> dict:
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in flags.splitlines() if "model name" in line), "")
    import igraph

    return {
        "cpu": model,
        "avx512_bf16": "avx512_bf16" in flags,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "igraph": igraph.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated, of " + ", ".join([*CASES, EXISTING_STORE])
    )
    parser.add_argument("--no-networkx", action="store_true", help="skip the old networkx computation (13 min at 100k)")
    parser.add_argument("--candidates", action="store_true", help="also time networkit, graspologic-native, Leiden")
    parser.add_argument("--home", type=Path, help=f"the store of the {EXISTING_STORE} case")
    parser.add_argument("--child", choices=[*CASES, EXISTING_STORE], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if (EXISTING_STORE in args.cases.split(",")) != bool(args.home):
        parser.error(f"--home goes with --cases {EXISTING_STORE}, and it needs one")
    if args.child:
        result = CASE_FUNCTIONS[args.child](not args.no_networkx, args.candidates)
        result["peak_rss_mib"] = round(peak_rss_mib())
        print(json.dumps(result))
        return
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("cases", {})
    for case in args.cases.split(","):
        print(f"{case} ...", file=sys.stderr, flush=True)
        results["cases"][case] = {
            "machine": _machine(),
            **run_case(case, not args.no_networkx, args.candidates, args.home),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        results["notes"] = __doc__.split("\n\n", 2)[2].strip()
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
