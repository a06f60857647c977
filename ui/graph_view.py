"""Drawing a subgraph (``analysis.subgraph``) as a pyvis page that draws without network access.

In the app, the page loads vis-network from the app itself (``served_library``): a copy beside
the app, served by Streamlit's static file serving, which the browser caches and compiles once.
Inlined at each drawing, its 690 kB travelled with every run of a page and was parsed again in
every frame.  Where the app does not serve static files, or for a file of its own, the page
carries the library inline.
Every graph is laid out here, before it is sent (``layout_positions``: igraph's Kamada-Kawai in
C, 0.03 s for 150 nodes), and drawn with vis-network's physics off, so it appears where it was
laid out and a 500-node graph stays responsive to dragging and zooming.  Laid out by
vis-network's physics in the browser, a 150-node neighbourhood took 0.6 s on an idle 2-core
machine and 1.0 s with the background jobs beside it.  Double-clicking a paper or a concept opens
its page in a new tab.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import igraph
import jinja2
import networkx as nx
import numpy
import pyvis
import streamlit as st
from pyvis.network import Network
from scipy.spatial import KDTree

from analysis.subgraph import NODE_STATISTICS
from graph_schema.schema import CONCEPT_LABELS, Label, Rel

LABEL_COLOURS: dict[str, str] = {
    Label.PAPER: "#4C78A8",
    Label.METHOD: "#F58518",
    Label.TASK: "#54A24B",
    Label.DATASET: "#B279A2",
    Label.METRIC: "#E45756",
    Label.CLAIM: "#BAB0AC",
    Label.SOURCE: "#72B7B2",
}
OTHER_COLOUR = "#9D755D"
LARGE_GRAPH_NODES = 300
CAPTION_CHARS = 40
DETAIL_PAGES = {Label.PAPER: "paper", **{label: "concept" for label in CONCEPT_LABELS}}

# Kamada-Kawai keeps a graph's distances and puts a neighbourhood's centre in the middle, but is
# quadratic in the graph's size (0.26 s at 500 nodes); above it, Fruchterman-Reingold on a grid
# is about linear (0.16 s at 2,000 nodes, 1.3 s at 20,000).
KAMADA_KAWAI_MAX_NODES = 500
NEIGHBOUR_SPACING_PX = 70  # nodes are 8-60 px in radius: about as far apart as vis-network's physics left them
# pyvis links Bootstrap from a CDN for menus this view does not use (offline,
# those requests only delay the page), and adds empty headings above the graph.
_UNUSED_MARKUP = re.compile(
    r"<link[^>]*cdn\.jsdelivr\.net[^>]*>|<script[^>]*cdn\.jsdelivr\.net[^>]*>\s*</script>|<center>\s*<h1>\s*</h1>\s*</center>",
    re.S,
)
# Runs inside pyvis's drawGraph(), right after the network is created, so no
# event can fire before these handlers exist.  data-drawn marks the moment
# the graph is first drawn (the browser tests and bench wait for it).
_AFTER_NETWORK_CREATED = """
network.once("afterDrawing", function () { document.body.setAttribute("data-drawn", "true"); });
network.fit();
network.on("doubleClick", function (params) {
  if (params.nodes.length !== 1) { return; }
  var page = nodes.get(params.nodes[0]).page;
  if (page) { window.open(new URL(page, window.top.location.href).href, "_blank"); }
});
return network;"""


# Streamlit serves the folder "static" beside the app's main script at /app/static/
# (``server.enableStaticServing``, which ``papergraph ui`` turns on).
STATIC_FOLDER = Path(__file__).with_name("static")
STATIC_ADDRESS = "/app/static"
LIBRARY_FOLDER = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
LIBRARY_SCRIPT, LIBRARY_STYLE = "vis-network.min.js", "vis-network.css"


@functools.cache
def _page_templates() -> jinja2.Environment:
    """pyvis's page templates, compiled once: each ``Network`` makes a jinja environment of its
    own, which compiled the page template again for every drawing (60 ms of each)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(pyvis.__file__).parent / "templates"))


@functools.cache
def _library_text(name: str) -> str:
    return (LIBRARY_FOLDER / name).read_text(encoding="utf-8")


def served_library() -> str | None:
    """The address the app serves vis-network's files from (copied beside it on first use), or
    None where it cannot: the server does not serve static files, or the app's folder is not writable."""
    if not st.get_option("server.enableStaticServing"):
        return None
    try:
        for name in (LIBRARY_SCRIPT, LIBRARY_STYLE):
            _copy_once(LIBRARY_FOLDER / name, STATIC_FOLDER / name)
    except OSError:
        return None
    return STATIC_ADDRESS


def _copy_once(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")  # renamed whole: a reader never sees half
    shutil.copyfile(source, partial)
    partial.replace(target)


def label_colour(label: str) -> str:
    return LABEL_COLOURS.get(label, OTHER_COLOUR)


def short(text: str, limit: int = CAPTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tooltip(graph: nx.MultiDiGraph, key: str) -> str:
    data = graph.nodes[key]
    lines = [f"{data['label']}: {data['caption']}", f"id: {data.get('id') or key}", f"links drawn: {graph.degree(key)}"]
    lines += [f"{name}: {data[name]}" for name in NODE_STATISTICS if name in data]
    # pyvis switches to an HTML popup when a tooltip contains "href"; tooltips
    # hold store text, so they must stay plain text.
    return "\n".join(lines).replace("href", "hr\u200bef")


def _edge_title(data: dict) -> str:
    confidence = data.get("props", {}).get("confidence")
    return data["type"] if confidence is None else f"{data['type']} (confidence {confidence:.2f})"


def detail_page_link(label: str, node_id: str | None) -> str | None:
    page = DETAIL_PAGES.get(label)
    return f"{page}?{urlencode({'id': node_id})}" if page and node_id else None


def layout_positions(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Each node's place in the drawing, in vis-network's units, a node's nearest neighbour typically
    ``NEIGHBOUR_SPACING_PX`` away.  Kamada-Kawai from a circle is deterministic, so a neighbourhood
    drawn again looks the same."""
    keys = list(graph.nodes)
    if not keys:
        return {}
    index = {key: position for position, key in enumerate(keys)}
    layout_graph = igraph.Graph(len(keys), [(index[start], index[end]) for start, end in graph.edges()])
    layout_graph.simplify()
    if len(keys) <= KAMADA_KAWAI_MAX_NODES:
        layout = layout_graph.layout_kamada_kawai(seed=layout_graph.layout_circle().coords)
    else:
        layout = layout_graph.layout_fruchterman_reingold(grid=True)
    points = numpy.asarray(layout.coords, dtype=float).reshape(len(keys), 2)
    scale = NEIGHBOUR_SPACING_PX / _typical_nearest_distance(points)
    return {key: (float(x) * scale, float(y) * scale) for key, (x, y) in zip(keys, points, strict=True)}


def _typical_nearest_distance(points: numpy.ndarray) -> float:
    """The median distance from a node (of at most 1,000 spread through the graph) to its nearest other node; 1 if none."""
    if len(points) < 2:
        return 1.0
    distances, _ = KDTree(points).query(points[:: max(1, len(points) // 1000)], k=2)
    nearest = distances[:, 1]
    nearest = nearest[nearest > 0]
    return float(numpy.median(nearest)) if len(nearest) else 1.0


def graph_html(
    graph: nx.MultiDiGraph, height_px: int = 650, centre: str | None = None, library: str | None = None
) -> str:
    """An HTML page drawing ``graph``: colour by label, size by degree.  ``library``: the address
    vis-network is loaded from (``served_library``); None carries it inline."""
    network = Network(height=f"{height_px}px", width="100%", directed=True, cdn_resources="in_line")
    network.templateEnv = _page_templates()
    large = graph.number_of_nodes() > LARGE_GRAPH_NODES
    positions = layout_positions(graph)
    for key, data in graph.nodes(data=True):
        degree = graph.degree(key)
        x, y = positions[key]
        network.add_node(
            key,
            label=short(data["caption"]),
            title=_tooltip(graph, key),
            color=label_colour(data["label"]),
            size=8 + 4 * math.sqrt(degree),
            borderWidth=4 if key == centre else 1,
            page=detail_page_link(data["label"], data.get("id")),
            x=round(x, 1),
            y=round(y, 1),
        )
    for start, end, data in graph.edges(data=True):
        predicted = data["type"] == Rel.PREDICTED_LINK
        network.add_edge(
            start, end, title=_edge_title(data), color="#E45756" if predicted else "#BBBBBB", dashes=predicted, width=1
        )
    network.set_options(
        json.dumps(
            {
                "physics": {"enabled": False},
                "layout": {"improvedLayout": False},  # every node has its place already
                "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}, "smooth": False},
                "nodes": {"font": {"size": 12}},
                "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large},
            }
        )
    )
    html = _UNUSED_MARKUP.sub("", network.generate_html(notebook=False))
    if library is not None:
        html = html.replace(
            f"<style>{_library_text(LIBRARY_STYLE)}</style>",
            f'<link rel="stylesheet" href="{library}/{LIBRARY_STYLE}">',
            1,
        ).replace(
            f"<script>{_library_text(LIBRARY_SCRIPT)}</script>",
            f'<script src="{library}/{LIBRARY_SCRIPT}"></script>',
            1,
        )
    # The last "return network;" is drawGraph's: the inline library comes first.
    head, _, tail = html.rpartition("return network;")
    return head + _AFTER_NETWORK_CREATED + tail
