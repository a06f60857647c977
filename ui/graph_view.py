"""Drawing a subgraph (``analysis.subgraph``) as a pyvis page that draws without network access.

In the app, the page loads vis-network from the app itself (``served_library``): a copy beside
the app, served by Streamlit's static file serving, which the browser caches and compiles once.
Inlined at each drawing, its 690 kB travelled with every run of a page and was parsed again in
every frame.  Where the app does not serve static files, or for a file of its own, the page
carries the library inline.
Every graph is laid out by vis-network's physics, stabilised before it is
shown, and then frozen (physics off), so it stays where it was fitted and a
500-node graph stays responsive to dragging and zooming.  Laying it out in
Python measured slower than in the browser.  Double-clicking a paper
or a concept opens its page in a new tab.
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

import networkx as nx
import pyvis
import streamlit as st
from pyvis.network import Network

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

# 250 took 0.9 s of a 150-node first drawing on 2 cores; 150 leaves the browser tests' neighbourhoods as untangled.
STABILISATION_ITERATIONS = 150
LARGE_GRAPH_STABILISATION_ITERATIONS = 120  # enough to untangle a 500-node neighbourhood
# pyvis links Bootstrap from a CDN for menus this view does not use (offline,
# those requests only delay the page), and adds empty headings above the graph.
_UNUSED_MARKUP = re.compile(
    r"<link[^>]*cdn\.jsdelivr\.net[^>]*>|<script[^>]*cdn\.jsdelivr\.net[^>]*>\s*</script>|<center>\s*<h1>\s*</h1>\s*</center>",
    re.S,
)
# Runs inside pyvis's drawGraph(), right after the network is created, so no
# event can fire before these handlers exist.  data-drawn marks the moment
# the graph is laid out and drawn (the browser tests and bench wait for it).
_AFTER_NETWORK_CREATED = """
function markDrawn() { document.body.setAttribute("data-drawn", "true"); }
network.once("stabilizationIterationsDone", function () {
  network.setOptions({physics: {enabled: false}});
  network.fit();
  network.once("afterDrawing", markDrawn);
  network.redraw();
});
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


def graph_html(
    graph: nx.MultiDiGraph, height_px: int = 650, centre: str | None = None, library: str | None = None
) -> str:
    """An HTML page drawing ``graph``: colour by label, size by degree.  ``library``: the address
    vis-network is loaded from (``served_library``); None carries it inline."""
    network = Network(height=f"{height_px}px", width="100%", directed=True, cdn_resources="in_line")
    large = graph.number_of_nodes() > LARGE_GRAPH_NODES
    for key, data in graph.nodes(data=True):
        degree = graph.degree(key)
        network.add_node(
            key,
            label=short(data["caption"]),
            title=_tooltip(graph, key),
            color=label_colour(data["label"]),
            size=8 + 4 * math.sqrt(degree),
            borderWidth=4 if key == centre else 1,
            page=detail_page_link(data["label"], data.get("id")),
        )
    for start, end, data in graph.edges(data=True):
        predicted = data["type"] == Rel.PREDICTED_LINK
        network.add_edge(
            start, end, title=_edge_title(data), color="#E45756" if predicted else "#BBBBBB", dashes=predicted, width=1
        )
    network.set_options(
        json.dumps(
            {
                "physics": {
                    "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90},
                    "stabilization": {
                        "iterations": LARGE_GRAPH_STABILISATION_ITERATIONS if large else STABILISATION_ITERATIONS,
                        "fit": True,
                    },
                },
                # vis-network's default initial layout clusters large graphs first, which
                # measured slower than plain stabilisation and no better looking.
                "layout": {"improvedLayout": not large},
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
