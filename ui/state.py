"""Resources the app's pages share: one store connection per server process."""

from __future__ import annotations

import streamlit as st

from graph_schema.store import Store, StoreUnavailable


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
