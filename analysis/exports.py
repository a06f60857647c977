"""Exporting the graph, whole or a subgraph, as GraphML, GEXF, CSV or JSON.

The export graph is a networkx ``MultiDiGraph`` keyed by element id, each
node carrying ``_labels`` and its store properties, each edge ``_type`` and
its properties (the underscores keep them apart from properties of those
names, as in ``graph_schema.query_console.plain_value``).  GraphML and GEXF take scalars only, so lists and maps are
written as JSON strings there; JSON keeps them as they are.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import networkx as nx
import pandas as pd

from graph_schema.schema import CORPUS_STATE, SEARCH_TEXT
from graph_schema.store import Store

FORMATS = ("GraphML", "GEXF", "CSV", "JSON")
FILE_SUFFIX = {"GraphML": "graphml", "GEXF": "gexf", "CSV": "zip", "JSON": "json"}
MIME_TYPE = {
    "GraphML": "application/xml",
    "GEXF": "application/xml",
    "CSV": "application/zip",
    "JSON": "application/json",
}
PAGE_SIZE = 5000
_DERIVED_PROPERTIES = {SEARCH_TEXT}  # index text, rebuilt from other properties

_ALL_NODES = f"""MATCH (n) WHERE NOT n:{CORPUS_STATE} RETURN elementId(n) AS key, labels(n) AS labels, properties(n) AS properties
    ORDER BY key SKIP $skip LIMIT $limit"""
_ALL_RELATIONSHIPS = """MATCH (a)-[r]->(b) RETURN elementId(r) AS key, type(r) AS type, elementId(a) AS start,
    elementId(b) AS end, properties(r) AS properties ORDER BY key SKIP $skip LIMIT $limit"""
_NODES_AMONG = (
    "MATCH (n) WHERE elementId(n) IN $keys RETURN elementId(n) AS key, labels(n) AS labels, properties(n) AS properties"
)
_RELATIONSHIPS_AMONG = """MATCH (a)-[r]->(b) WHERE elementId(r) IN $keys RETURN elementId(r) AS key, type(r) AS type,
    elementId(a) AS start, elementId(b) AS end, properties(r) AS properties"""


def _stored(properties: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k not in _DERIVED_PROPERTIES and v is not None}


def _graph_from_rows(node_rows: Iterable[dict], relationship_rows: Iterable[dict]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for row in node_rows:
        graph.add_node(row["key"], _labels=":".join(sorted(row["labels"])), **_stored(row["properties"]))
    for row in relationship_rows:
        graph.add_edge(row["start"], row["end"], key=row["key"], _type=row["type"], **_stored(row["properties"]))
    return graph


def whole_graph(store: Store) -> nx.MultiDiGraph:
    nodes = (row for page in store.read_pages(_ALL_NODES, page_size=PAGE_SIZE) for row in page)
    relationships = (row for page in store.read_pages(_ALL_RELATIONSHIPS, page_size=PAGE_SIZE) for row in page)
    return _graph_from_rows(nodes, relationships)


def subgraph_with_properties(store: Store, subgraph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``subgraph`` (as drawn, with few properties) again, with every stored property."""
    nodes = store.read(_NODES_AMONG, keys=list(subgraph.nodes))
    relationships = store.read(_RELATIONSHIPS_AMONG, keys=[key for _, _, key in subgraph.edges(keys=True)])
    return _graph_from_rows(nodes, relationships)


def _scalar(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, default=str)


def with_scalar_attributes(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose node and edge attributes are all scalars (lists and maps as JSON)."""
    scalar = nx.MultiDiGraph()
    scalar.add_nodes_from((key, {k: _scalar(v) for k, v in data.items()}) for key, data in graph.nodes(data=True))
    scalar.add_edges_from(
        (start, end, key, {k: _scalar(v) for k, v in data.items()})
        for start, end, key, data in graph.edges(keys=True, data=True)
    )
    return scalar


def to_graphml(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(with_scalar_attributes(graph), buffer)
    return buffer.getvalue()


def to_gexf(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(with_scalar_attributes(graph), buffer)
    return buffer.getvalue()


def to_json(graph: nx.MultiDiGraph) -> bytes:
    return json.dumps(nx.node_link_data(graph, edges="edges"), default=str, indent=1).encode()


def to_csv_zip(graph: nx.MultiDiGraph) -> bytes:
    """A zip of nodes.csv and relationships.csv; lists and maps as JSON."""
    scalar = with_scalar_attributes(graph)
    nodes = pd.DataFrame([{"key": key, **data} for key, data in scalar.nodes(data=True)])
    relationships = pd.DataFrame(
        [
            {"key": key, "start": start, "end": end, **data}
            for start, end, key, data in scalar.edges(keys=True, data=True)
        ]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", nodes.to_csv(index=False))
        archive.writestr("relationships.csv", relationships.to_csv(index=False))
    return buffer.getvalue()


WRITERS = {"GraphML": to_graphml, "GEXF": to_gexf, "CSV": to_csv_zip, "JSON": to_json}


def export_bytes(graph: nx.MultiDiGraph, format_name: str) -> bytes:
    return WRITERS[format_name](graph)
