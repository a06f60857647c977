"""The papergraph Streamlit app: ``papergraph ui`` serves it."""

from __future__ import annotations

import streamlit as st

from graph_schema.errors import PapergraphError
from ui.abstract_view import warm_up_displacy
from ui.navigation import app_pages


@st.cache_resource
def warm_up_once_per_process() -> None:
    warm_up_displacy()


st.set_page_config(page_title="papergraph", page_icon=":material/hub:", layout="wide")
try:
    st.navigation(app_pages()).run()
except PapergraphError as error:  # the one place the app turns papergraph's errors into a message
    st.error(str(error))
# After the page, so that the warm-up never delays a first render.
warm_up_once_per_process()
