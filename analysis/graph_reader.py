"""Read the graph out of the store in pages, for graph algorithms and learning.

Never one giant query: nodes are read label by label and relationships type
by type, each in ``ORDER BY ... SKIP/LIMIT`` pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from graph_schema.schema import CONCEPT_RELATIONS, Label, Rel
from graph_schema.store import Store

PAGE_SIZE = 5000

# What the graph-learning view of the store includes by default: papers and
# concepts, and the facts between them.  Sources, claims and predictions stay out.
DEFAULT_LABELS: tuple[Label, ...] = (Label.PAPER, Label.METHOD, Label.TASK, Label.DATASET, Label.METRIC)
DEFAULT_RELATIONS: tuple[Rel, ...] = (Rel.MENTIONS, *CONCEPT_RELATIONS)


@dataclass
class GraphSnapshot:
    """Nodes by (label, id) with their display name and text; typed edges between them."""

    nodes: dict[tuple[str, str], dict] = field(default_factory=dict)  # (label, id) -> {"name", "text"}
    edges: list[tuple[tuple[str, str], str, tuple[str, str]]] = field(default_factory=list)


def undirected_graph(snapshot: GraphSnapshot) -> nx.Graph:
    """The snapshot as networkx sees it for graph algorithms: undirected, one
    edge per connected pair, with ``weight`` (how many facts join the pair)
    and ``types`` (their relationship types); self-loops dropped."""
    graph = nx.Graph()
    graph.add_nodes_from(snapshot.nodes)
    for source, rel, target in snapshot.edges:
        if source == target:
            continue
        if graph.has_edge(source, target):
            graph[source][target]["weight"] += 1
            graph[source][target]["types"].add(rel)
        else:
            graph.add_edge(source, target, weight=1, types={rel})
    return graph


def read_graph(
    store: Store,
    labels: Iterable[Label] = DEFAULT_LABELS,
    relations: Iterable[Rel] = DEFAULT_RELATIONS,
    page_size: int = PAGE_SIZE,
) -> GraphSnapshot:
    labels = tuple(labels)
    snapshot = GraphSnapshot()
    for label in labels:
        name = "title" if label == Label.PAPER else "name"
        text = "p.title + ' ' + p.abstract" if label == Label.PAPER else "p.name"
        query = f"""MATCH (p:{label}) RETURN p.id AS id, p.{name} AS name, {text} AS text
            ORDER BY p.id SKIP $skip LIMIT $limit"""
        for page in store.read_pages(query, page_size=page_size):
            for row in page:
                snapshot.nodes[(label.value, row["id"])] = {"name": row["name"], "text": row["text"]}
    wanted = {label.value for label in labels}
    for rel in relations:
        # Labels come back with each edge so that ids need not be unique across labels.
        query = f"""MATCH (a)-[r:{rel}]->(b)
            RETURN labels(a)[0] AS a_label, a.id AS a, labels(b)[0] AS b_label, b.id AS b
            ORDER BY a, b, elementId(r) SKIP $skip LIMIT $limit"""
        for page in store.read_pages(query, page_size=page_size):
            for row in page:
                if row["a_label"] in wanted and row["b_label"] in wanted:
                    snapshot.edges.append(((row["a_label"], row["a"]), rel.value, (row["b_label"], row["b"])))
    return snapshot
