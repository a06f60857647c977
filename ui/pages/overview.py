"""Overview: what the corpus and the graph hold, which store holds it, and how good the extractor is."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.stats import corpus_stats
from ui.models_status import EXTRACTOR_MANIFEST, extractor_manifest, extractor_quality
from ui.state import store_or_stop

store = store_or_stop()
stats = corpus_stats(store)

st.title("papergraph")
st.caption(f"Store: {stats.store} — server: {store.server_agent()}")

if stats.papers == 0:
    st.info("The graph is empty. Ingest listings on the Data page or with `papergraph ingest PATH`.")
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
    nodes = pd.DataFrame(stats.counts.nodes.items(), columns=["label", "nodes"])
    st.bar_chart(nodes, x="label", y="nodes", horizontal=True, sort="-nodes")
with right:
    st.subheader("Relationships per type")
    relationships = pd.DataFrame(stats.counts.relationships.items(), columns=["type", "relationships"])
    st.bar_chart(relationships, x="type", y="relationships", horizontal=True, sort="-relationships")

st.subheader("Top concepts")
if not stats.top_concepts:
    st.info("No concepts yet: concept extraction has not run on this graph.")
concept_columns = st.columns(2)
for index, (label, rows) in enumerate(stats.top_concepts.items()):
    with concept_columns[index % 2]:
        st.markdown(f"**{label}** — papers mentioning it")
        st.bar_chart(pd.DataFrame(rows), x="name", y="papers", horizontal=True, sort="-papers", height=280)

st.subheader("Sources")
st.dataframe(pd.DataFrame(stats.sources), hide_index=True)

st.subheader("Extractor quality")
manifest = extractor_manifest()
if manifest is None:
    st.info(f"The concept extractor is not trained yet (no manifest at `{EXTRACTOR_MANIFEST}`).")
else:
    sources = manifest.get("training_data", [])
    if isinstance(sources, dict):  # older manifests named one train and one dev file
        sources = [sources.get("train", {})]
    training_files = ", ".join(source.get("file", "?") for source in sources)
    st.caption(
        f"Version {manifest.get('version', '?')}, trained {manifest.get('created', '?')} on "
        f"{training_files or '?'}; strict scores on the dev set."
    )
    st.dataframe(pd.DataFrame(extractor_quality(manifest)), hide_index=True)
