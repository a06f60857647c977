"""The papergraph Streamlit app: ``papergraph ui`` serves it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).with_name("pages")

st.set_page_config(page_title="papergraph", page_icon="🕸️", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon="📊", default=True),
    ]
)
navigation.run()
