"""Subgraphs read from the store, as the networkx multigraphs that the app's
graph view and exports share.

Nodes are keyed by the store's element id and carry ``label`` (their
papergraph label), ``id`` (the papergraph id), ``caption`` (title, name or
text) and the graph statistics ``analysis.graph_stats`` may have stored.  Edges are
keyed by the relationship's element id and carry ``type`` and ``props``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from neo4j.graph import Node, Path, Relationship

from graph_schema.schema import CONCEPT_LABELS, CONCEPT_RELATIONS, Label, Rel
from graph_schema.store import Store

# Numeric node statistics (from analysis.graph_stats, and paper counts) worth showing when present.
NODE_STATISTICS = ("degree", "pagerank", "betweenness", "community", "paper_count")
MAX_HOPS = 3
_LABEL_NAMES = {label.value for label in Label}

DEFAULT_LABELS: tuple[str, ...] = (Label.PAPER, *CONCEPT_LABELS)
DEFAULT_REL_TYPES: tuple[str, ...] = (Rel.MENTIONS, *CONCEPT_RELATIONS, Rel.PREDICTED_LINK)

_NODE_COLUMNS = "labels({v}) AS labels, {v}.id AS id, coalesce({v}.name, {v}.title, {v}.text) AS caption, " + ", ".join(
    f"{{v}}.{name} AS {name}" for name in NODE_STATISTICS
)

# One hop out of a frontier: each relationship of an allowed type to a node of an allowed label.
# Relationships without a confidence (anything not extracted) always pass the cut-off.  Each
# frontier node is found by its element id, one at a time (UNWIND), so the store looks it up
# rather than testing every node against the list.
_HOP = f"""UNWIND $frontier AS key MATCH (a) WHERE elementId(a) = key
    MATCH (a)-[r]-(b) WHERE type(r) IN $types
    AND any(label IN labels(b) WHERE label IN $labels) AND coalesce(r.confidence, 1.0) >= $min_confidence
    RETURN elementId(r) AS rel, type(r) AS type, elementId(startNode(r)) AS start, elementId(endNode(r)) AS end,
           r.confidence AS confidence, elementId(b) AS node, {_NODE_COLUMNS.format(v="b")}
    LIMIT $cap"""
# The relationships among drawn nodes, each read from its start node: a concept mentioned by
# thousands of papers starts few relationships, so this never walks its mentions.
_EDGES_AMONG = """UNWIND $nodes AS key MATCH (a) WHERE elementId(a) = key
    MATCH (a)-[r]->(b) WHERE elementId(b) IN $nodes AND type(r) IN $types
    AND coalesce(r.confidence, 1.0) >= $min_confidence
    RETURN elementId(r) AS rel, type(r) AS type, elementId(a) AS start, elementId(b) AS end, r.confidence AS confidence"""


def _node_by_id(labels: Sequence[str]) -> str:
    """A query for the node of papergraph id ``$id`` among ``labels`` (papergraph's own), on the id index."""
    known = [label for label in dict.fromkeys(labels) if label in _LABEL_NAMES]
    return f"MATCH (n:{'|'.join(known)} {{id: $id}}) RETURN elementId(n) AS node, {_NODE_COLUMNS.format(v='n')}"


def primary_label(labels: Iterable[str]) -> str:
    """The papergraph label among a node's labels (else the first, alphabetically)."""
    labels = sorted(labels)
    known = [label for label in labels if label in _LABEL_NAMES]
    return (known or labels or ["?"])[0]


def add_node(graph: nx.MultiDiGraph, key: str, labels: Iterable[str], properties: dict[str, Any]) -> None:
    caption = properties.get("caption") or properties.get("name") or properties.get("title") or properties.get("text")
    statistics = {name: properties[name] for name in NODE_STATISTICS if properties.get(name) is not None}
    graph.add_node(
        key,
        label=primary_label(labels),
        id=properties.get("id"),
        caption=str(caption if caption is not None else properties.get("id") or key),
        **statistics,
    )


@dataclass(frozen=True)
class Centre:
    key: str  # element id
    label: str
    id: str
    caption: str


def find_node(store: Store, node_id: str, labels: Sequence[str] = tuple(Label)) -> Centre | None:
    """The node whose papergraph id is ``node_id`` (among ``labels``), if any."""
    if not any(label in _LABEL_NAMES for label in labels):
        return None
    rows = store.read(_node_by_id(labels), id=node_id)
    if not rows:
        return None
    row = rows[0]
    return Centre(row["node"], primary_label(row["labels"]), row["id"], row["caption"] or row["id"])


def neighbourhood(
    store: Store,
    centre: Centre,
    hops: int = 1,
    node_limit: int = 150,
    labels: Sequence[str] = DEFAULT_LABELS,
    rel_types: Sequence[str] = DEFAULT_REL_TYPES,
    min_confidence: float = 0.0,
) -> nx.MultiDiGraph:
    """The nodes within ``hops`` of ``centre``, breadth first, at most ``node_limit`` of them,
    over relationships whose ``confidence`` (extracted ones have one) is at least ``min_confidence``.

    When a hop reaches more nodes than the limit leaves room for, it keeps
    those with the most relationships into what is already drawn.  The
    relationships among the kept nodes are then read as well, so the last
    hop's nodes show how they connect to each other.
    """
    hops = max(1, min(int(hops), MAX_HOPS))
    graph = nx.MultiDiGraph()
    add_node(graph, centre.key, [centre.label], {"id": centre.id, "caption": centre.caption})
    frontier = [centre.key]
    for _ in range(hops):
        room = node_limit - graph.number_of_nodes()
        if room <= 0 or not frontier:
            break
        rows = store.read(
            _HOP,
            frontier=frontier,
            types=list(rel_types),
            labels=list(labels),
            min_confidence=min_confidence,
            cap=max(1000, 20 * node_limit),
        )
        new_rows = [row for row in rows if row["node"] not in graph]
        links_into_drawn = Counter(row["node"] for row in new_rows)
        kept = sorted(links_into_drawn, key=lambda key: -links_into_drawn[key])[:room]
        kept_set = set(kept)
        for row in new_rows:
            if row["node"] in kept_set and row["node"] not in graph:
                add_node(graph, row["node"], row["labels"], row)
        for row in rows:
            if row["start"] in graph and row["end"] in graph:
                add_edge_row(graph, row)
        frontier = kept
    for row in store.read(_EDGES_AMONG, nodes=list(graph.nodes), types=list(rel_types), min_confidence=min_confidence):
        add_edge_row(graph, row)
    return graph


def add_edge_row(graph: nx.MultiDiGraph, row: dict) -> None:
    props = {} if row["confidence"] is None else {"confidence": row["confidence"]}
    graph.add_edge(row["start"], row["end"], key=row["rel"], type=row["type"], props=props)


def graph_from_records(records: Iterable[Any]) -> nx.MultiDiGraph:
    """The nodes, relationships and paths anywhere in query results (driver records)."""
    graph = nx.MultiDiGraph()

    def visit(value: Any) -> None:
        if isinstance(value, Node):
            add_node(graph, value.element_id, value.labels, dict(value))
        elif isinstance(value, Relationship):
            for end in (value.start_node, value.end_node):
                if end is not None and end.element_id not in graph:
                    visit(end)
            if value.start_node is not None and value.end_node is not None:
                graph.add_edge(
                    value.start_node.element_id,
                    value.end_node.element_id,
                    key=value.element_id,
                    type=value.type,
                    props=dict(value),
                )
        elif isinstance(value, Path):
            for part in (*value.nodes, *value.relationships):
                visit(part)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for record in records:
        visit(list(record.values()))
    return graph
