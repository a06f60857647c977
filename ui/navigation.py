"""The app's pages and the ways between them: detail pages open by ``?id=``, and
without one they list every paper or concept, a page at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from analysis.details import ListPage
from graph_schema.schema import CONCEPT_LABELS, Label

PAGES = Path(__file__).with_name("pages")
OVERVIEW = PAGES / "overview.py"
EXPLORE = PAGES / "explore.py"
TRENDS = PAGES / "trends.py"
PAPER = PAGES / "paper.py"
CONCEPT = PAGES / "concept.py"
CONSOLE = PAGES / "console.py"
LINK_PREDICTION = PAGES / "link_prediction.py"
DATA = PAGES / "data.py"
PAGE_FILES = (OVERVIEW, EXPLORE, TRENDS, PAPER, CONCEPT, CONSOLE, LINK_PREDICTION, DATA)  # in the navigation's order


def app_pages() -> list[st.Page]:
    return [
        st.Page(OVERVIEW, title="Overview", icon=":material/dashboard:", default=True),
        st.Page(EXPLORE, title="Explore", icon=":material/hub:"),
        st.Page(TRENDS, title="Trends", icon=":material/trending_up:"),
        st.Page(PAPER, title="Paper", icon=":material/article:"),
        st.Page(CONCEPT, title="Concept", icon=":material/lightbulb:"),
        st.Page(PAGES / "results.py", title="Results", icon="🏆"),
        st.Page(CONSOLE, title="Cypher console", icon=":material/terminal:"),
        st.Page(LINK_PREDICTION, title="Link prediction", icon=":material/insights:"),
        st.Page(DATA, title="Data", icon=":material/database:"),
    ]


_RAN_IN_THE_APP = "papergraph-ran-in-the-app"  # in a session's state once ui/app.py has run in it


def app_navigation() -> st.Page:
    """ui/app.py's navigation over the app's pages; the page to run."""
    st.session_state[_RAN_IN_THE_APP] = True
    return st.navigation(app_pages())


def run_pages_through_the_app() -> None:
    """Make sure a page runs inside ui/app.py.  Streamlit takes ui/pages/ for an old-style
    pages folder and, until app.py has called st.navigation once in this process, runs a page
    asked for by its address on its own: without app.py's navigation, page titles, toolbar
    setting and error messages.  Then this says there is no pages folder and, in a session
    app.py has not run in yet, runs again.  (AppTest says there is one before every run, and
    runs a switched-to page on its own after the first; a run again would lose its clicks.)"""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(_RAN_IN_THE_APP):
            st.rerun()


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


def open_in_trends(concept_id: str) -> None:
    st.switch_page(TRENDS, query_params={"concept": concept_id})


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


def page_of_list(key: str) -> int:
    """The page of a list the reader chose (``page_selector``), from 1."""
    return max(1, int(st.session_state.get(f"{key}-page") or 1))


def page_selector(key: str, listed: ListPage, what: str) -> None:
    """Under a list: which rows it shows of how many, and the page to show next."""
    if listed.offset >= listed.total > 0:  # the list got shorter since that page was chosen
        st.session_state[f"{key}-page"] = listed.pages
        st.rerun()
    last = min(listed.offset + listed.limit, listed.total)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.caption(f"{what} {listed.offset + 1:,}–{last:,} of {listed.total:,}." if listed.total else f"No {what}.")
    if listed.pages > 1:
        right.number_input(f"Page (of {listed.pages:,})", 1, listed.pages, key=f"{key}-page")


def stop_as_not_found(title: str, what: str, node_id: str) -> None:
    st.title(title)
    st.error(f"No {what} has the id {node_id!r}.")
    st.stop()
