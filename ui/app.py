"""The papergraph Streamlit app: ``papergraph ui`` serves it."""

from __future__ import annotations

import streamlit as st

from ui.abstract_view import warm_up_displacy
from ui.navigation import app_pages


@st.cache_resource
def warm_up_once_per_process() -> None:
    warm_up_displacy()


st.set_page_config(page_title="papergraph", page_icon=":material/hub:", layout="wide")
st.navigation(app_pages()).run()
# After the page, so that the warm-up never delays a first render.
warm_up_once_per_process()
