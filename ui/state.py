"""Resources the app's pages share: one store connection per server process,
and the subgraph a session last drew (which the Data page can export)."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import streamlit as st

from graph_schema.store import Store, StoreUnavailable

_CURRENT_SUBGRAPH = "current_subgraph"


@st.cache_resource(show_spinner="Connecting to the store…")
def shared_store() -> Store:
    return Store.open()


def store_or_stop() -> Store:
    """The shared store, or a readable error on the page and nothing more."""
    try:
        return shared_store()
    except StoreUnavailable as error:
        st.error(f"The store is not reachable: {error}")
        st.stop()


@dataclass
class DrawnSubgraph:
    graph: nx.MultiDiGraph
    description: str  # what it is, e.g. "2 hops around accuracy (Metric)"


def remember_subgraph(graph: nx.MultiDiGraph, description: str) -> None:
    st.session_state[_CURRENT_SUBGRAPH] = DrawnSubgraph(graph, description)


def current_subgraph() -> DrawnSubgraph | None:
    return st.session_state.get(_CURRENT_SUBGRAPH)
