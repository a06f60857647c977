"""Overview: what the corpus and the graph hold, read from the store."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.stats import corpus_stats
from ui.state import store_or_stop

store = store_or_stop()
stats = corpus_stats(store)

st.title("papergraph")
st.caption(f"Store: {stats.store}")

if stats.papers == 0:
    st.info("The graph is empty. Ingest listings with `papergraph ingest PATH`.")
    st.stop()

columns = st.columns(4)
columns[0].metric("Papers", f"{stats.papers:,}")
columns[1].metric("Nodes", f"{stats.counts.total_nodes:,}")
columns[2].metric("Relationships", f"{stats.counts.total_relationships:,}")
columns[3].metric("Papers with code", f"{stats.papers_with_code:,}")
st.write(
    f"Abstracts average {stats.mean_abstract_words:.0f} words; "
    f"{stats.papers_in_several_sources} papers are listed in more than one source."
)

left, right = st.columns(2)
with left:
    st.subheader("Nodes per label")
    st.dataframe(pd.DataFrame(stats.counts.nodes.items(), columns=["label", "nodes"]), hide_index=True)
with right:
    st.subheader("Relationships per type")
    st.dataframe(pd.DataFrame(stats.counts.relationships.items(), columns=["type", "relationships"]), hide_index=True)

st.subheader("Sources")
st.dataframe(pd.DataFrame(stats.sources), hide_index=True)

st.subheader("Top concepts")
if not stats.top_concepts:
    st.info("No concepts yet: concept extraction has not run on this graph.")
for label, rows in stats.top_concepts.items():
    st.markdown(f"**{label}**")
    st.bar_chart(pd.DataFrame(rows).set_index("name")["papers"], horizontal=True)
