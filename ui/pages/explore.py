"""Explore: search papers and concepts, draw a neighbourhood, open what it shows.

It opens on the most connected concepts ("start here") with the neighbourhood
of the first drawn; a search narrows it to what matches.
``?label=Method&id=method:transformer`` centres the graph on a node directly;
``&hops=2&limit=500&labels=Paper,Method&rels=MENTIONS&confidence=0.9`` set the controls.
"""

from __future__ import annotations

import html
import math

import streamlit as st

from analysis.details import most_connected_concepts
from analysis.graph_stats import statistics_note
from analysis.search import search
from analysis.subgraph import DEFAULT_LABELS, DEFAULT_REL_TYPES, Centre, find_node, neighbourhood
from graph_schema.schema import Label, Rel
from graph_schema.store import Store
from ui.graph_view import graph_html, label_colour, served_library, short
from ui.navigation import detail_page, open_node
from ui.state import remember_subgraph, store_or_stop

GRAPH_HEIGHT_PX = 650
START_HERE = 10
ALL_LABELS = [label.value for label in Label]
ALL_REL_TYPES = [rel.value for rel in Rel]


def listed_in_address(name: str, allowed: list[str], default: tuple[str, ...]) -> list[str]:
    given = [item for item in st.query_params.get(name, "").split(",") if item in allowed]
    return given or list(default)


def number_in_address(name: str, low: int, high: int, default: int) -> int:
    try:
        value = int(st.query_params.get(name, ""))
    except ValueError:
        return default
    return min(max(value, low), high)


def fraction_in_address(name: str, default: float) -> float:
    try:
        value = float(st.query_params.get(name, default))
    except ValueError:
        return default
    return default if math.isnan(value) else min(max(value, 0.0), 1.0)


def centre_from_address(store: Store) -> Centre | None:
    node_id = st.query_params.get("id")
    if not node_id:
        return None
    label = st.query_params.get("label")
    centre = find_node(store, node_id, [label] if label else list(Label))
    if centre is None:
        st.warning(f"No node has the id {node_id!r}.")
    return centre


def start_here(store: Store) -> Centre | None:
    """The most connected concepts to pick from; the chosen one (at first, the first) is the centre."""
    concepts = most_connected_concepts(store, limit=START_HERE)
    if not concepts:
        return None
    by_id = {concept["id"]: concept for concept in concepts}
    chosen = st.pills(
        "Start here: the most connected concepts (papers mentioning them and extracted relations)",
        list(by_id),
        default=concepts[0]["id"],
        required=True,
        format_func=lambda concept_id: f"{by_id[concept_id]['name']} · {by_id[concept_id]['links']}",
        key="start-here",
    )
    concept = by_id[chosen]
    return find_node(store, concept["id"], [concept["label"]])


store = store_or_stop()
st.title("Explore")
with st.sidebar:
    st.subheader("Graph")
    hops = st.slider("Hops", 1, 3, number_in_address("hops", 1, 3, 1))
    node_limit = st.slider("Node limit", 10, 1000, number_in_address("limit", 10, 1000, 150), step=10)
    labels = st.multiselect("Labels shown", ALL_LABELS, default=listed_in_address("labels", ALL_LABELS, DEFAULT_LABELS))
    rel_types = st.multiselect(
        "Relationship types shown", ALL_REL_TYPES, default=listed_in_address("rels", ALL_REL_TYPES, DEFAULT_REL_TYPES)
    )
    min_confidence = st.slider(
        "Minimum confidence of extracted links",
        0.0,
        1.0,
        fraction_in_address("confidence", 0.0),
        step=0.05,
        help="Mentions and concept relations the extractor was less sure of are hidden. "
        "`papergraph eval-extract` shows how often links of each confidence are right on SciERC dev.",
    )

text = st.text_input("Search papers and concepts", placeholder="e.g. transformer, ImageNet, continual learning")
centre = None
if text.strip():
    hits = search(store, text)
    if not hits:
        st.info(f"Nothing matches {text!r}.")
    else:
        hit = st.selectbox(
            f"{len(hits)} matches, best first",
            hits,
            format_func=lambda h: f"{h.label}: {short(h.name, 100)}  ({h.score:.0f})",
        )
        centre = find_node(store, hit.id, [hit.label])
elif st.query_params.get("id"):
    centre = centre_from_address(store)
else:
    centre = start_here(store)

if centre is None:
    st.caption("Search for a paper or a concept to draw its neighbourhood.")
    st.stop()

if not labels or not rel_types:
    st.warning("Choose at least one label and one relationship type in the sidebar.")
    st.stop()

graph = neighbourhood(
    store, centre, hops=hops, node_limit=node_limit, labels=labels, rel_types=rel_types, min_confidence=min_confidence
)
description = f"{hops} hop(s) around {centre.caption} ({centre.label})"
if min_confidence > 0:
    description += f", extracted links of confidence ≥ {min_confidence:.2f}"
remember_subgraph(graph, description)

legend = " ".join(
    f'<span style="color:{label_colour(label)}">●</span> {label}'
    for label in sorted({d["label"] for _, d in graph.nodes(data=True)})
)
st.html(
    f"<div>{html.escape(description)}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships &nbsp; {legend}</div>"
)
if graph.number_of_nodes() >= node_limit:
    st.caption(f"Stopped at the node limit of {node_limit}; raise it in the sidebar to see more.")
st.iframe(
    graph_html(graph, height_px=GRAPH_HEIGHT_PX, centre=centre.key, library=served_library()),
    height=GRAPH_HEIGHT_PX + 30,
)
st.caption(
    "Drag to move, scroll to zoom, hover for details; double-click a paper or concept to open its page in a new tab."
)
if statistics := statistics_note(store):  # the details on hover include them
    st.caption(statistics)

openable = sorted(
    ((key, data) for key, data in graph.nodes(data=True) if detail_page(data["label"]) and data.get("id")),
    key=lambda item: -graph.degree(item[0]),
)
if openable:
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    key = left.selectbox(
        "Open a node of this graph",
        [key for key, _ in openable],
        format_func=lambda k: f"{graph.nodes[k]['label']}: {short(graph.nodes[k]['caption'], 100)}",
    )
    if right.button("Open", type="primary"):
        open_node(graph.nodes[key]["label"], graph.nodes[key]["id"])
