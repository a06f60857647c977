"""Resources the app's pages share: one store connection per server process,
and the subgraph a session last drew (which the Data page can export)."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import streamlit as st

from graph_schema.store import Store, StoreUnavailable
from ui.navigation import run_pages_through_the_app

_CURRENT_SUBGRAPH = "current_subgraph"


@st.cache_resource(show_spinner="Connecting to the store…")
def shared_store() -> Store:
    return Store.open()


def store_or_stop() -> Store:
    """The shared store, or a readable error on the page and nothing more.  Every page starts
    here, so this is also where a page is made to run inside the app."""
    run_pages_through_the_app()
    try:
        return shared_store()
    except StoreUnavailable as error:
        st.error(f"The store is not reachable: {error}")
        st.stop()


class StreamlitProgress:
    """``graph_schema.progress.Progress`` on a page: a bar per stage with a known size, a line per message."""

    def __init__(self, container=st):
        self.container = container
        self.bars: dict[str, st.delta_generator.DeltaGenerator] = {}

    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        if total is None:
            self.container.write(stage)
            return
        bar = self.bars.setdefault(stage, self.container.progress(0.0))
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{stage}: {done}/{total}")


@dataclass
class DrawnSubgraph:
    graph: nx.MultiDiGraph
    description: str  # what it is, e.g. "2 hops around accuracy (Metric)"


def remember_subgraph(graph: nx.MultiDiGraph, description: str) -> None:
    st.session_state[_CURRENT_SUBGRAPH] = DrawnSubgraph(graph, description)


def current_subgraph() -> DrawnSubgraph | None:
    return st.session_state.get(_CURRENT_SUBGRAPH)
