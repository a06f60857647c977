"""The app's pages and the ways between them: detail pages open by ``?id=``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.search import search
from graph_schema.schema import CONCEPT_LABELS, Label
from graph_schema.store import Store
from ui.graph_view import short

PAGES = Path(__file__).with_name("pages")
OVERVIEW = PAGES / "overview.py"
EXPLORE = PAGES / "explore.py"
PAPER = PAGES / "paper.py"
CONCEPT = PAGES / "concept.py"
CONSOLE = PAGES / "console.py"
LINK_PREDICTION = PAGES / "link_prediction.py"
DATA = PAGES / "data.py"


def app_pages() -> list[st.Page]:
    return [
        st.Page(OVERVIEW, title="Overview", icon=":material/dashboard:", default=True),
        st.Page(EXPLORE, title="Explore", icon=":material/hub:"),
        st.Page(PAPER, title="Paper", icon=":material/article:"),
        st.Page(CONCEPT, title="Concept", icon=":material/lightbulb:"),
        st.Page(CONSOLE, title="Cypher console", icon=":material/terminal:"),
        st.Page(LINK_PREDICTION, title="Link prediction", icon=":material/insights:"),
        st.Page(DATA, title="Data", icon=":material/database:"),
    ]


def detail_page(label: str) -> Path | None:
    if label == Label.PAPER:
        return PAPER
    if label in CONCEPT_LABELS:
        return CONCEPT
    return None


def open_node(label: str, node_id: str) -> None:
    """Go to the node's detail page (papers and concepts), else centre Explore on it."""
    page = detail_page(label)
    if page is None:
        open_in_explore(label, node_id)
    else:
        st.switch_page(page, query_params={"id": node_id})


def open_in_explore(label: str, node_id: str) -> None:
    st.switch_page(EXPLORE, query_params={"label": label, "id": node_id})


def linked_table(
    rows: list[dict] | pd.DataFrame, key: str, label: str | None = None, columns: list[str] | None = None
) -> None:
    """A table whose rows open their node when selected.  Rows carry ``id`` and,
    unless all share ``label``, a ``label`` column."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return
    shown = frame[columns or [c for c in frame.columns if c != "id"]].dropna(axis="columns", how="all")
    selection = st.dataframe(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key=key, width="stretch"
    )
    picked = selection.selection.rows if selection else []
    if picked:
        row = frame.iloc[picked[0]]
        open_node(label or row["label"], row["id"])


def requested_node_id(store: Store, title: str, prompt: str, labels: tuple[Label, ...]) -> str:
    """The ``?id=`` a detail page was opened with; without one, the page becomes
    a search box for picking a node, and stops there."""
    node_id = st.query_params.get("id")
    if node_id:
        return node_id
    st.title(title)
    text = st.text_input(prompt)
    for index, hit in enumerate(search(store, text, labels=labels) if text.strip() else []):
        if st.button(f"{hit.label}: {short(hit.name, 120)}", key=f"hit-{index}"):
            open_node(hit.label, hit.id)
    st.stop()


def stop_as_not_found(title: str, what: str, node_id: str) -> None:
    st.title(title)
    st.error(f"No {what} has the id {node_id!r}.")
    st.stop()
