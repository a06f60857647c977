"""Data: upload listings and ingest them; export the whole graph or the current subgraph."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from analysis.exports import FILE_SUFFIX, FORMATS, MIME_TYPE, export_bytes, subgraph_with_properties, whole_graph
from ingest.readers import InputError
from ui.models_status import extractor_manifest
from ui.state import StreamlitProgress, current_subgraph, store_or_stop
from ui.uploads import UPLOAD_SUFFIXES, ingest_listing_files, save_uploads

store = store_or_stop()
st.title("Data")

# -- ingest ----------------------------------------------------------------------

st.subheader("Ingest listings")
st.caption(
    "Daily-papers text pages (a title line, then its abstract line), JSONL with `title` and `abstract`, "
    "or CSV with those columns; optional `id`, `authors`, `date`, `url`. Re-ingesting changes nothing."
)
if extractor_manifest() is None:
    st.caption(
        "The concept extractor is not trained yet: papers are stored without concepts, and get them at a later ingest."
    )
uploads = st.file_uploader("Listing files", type=UPLOAD_SUFFIXES, accept_multiple_files=True)
if st.button("Ingest", type="primary", disabled=not uploads):
    with tempfile.TemporaryDirectory(prefix="papergraph-upload-") as directory:
        paths = save_uploads(((upload.name, upload.getvalue()) for upload in uploads), Path(directory))
        try:
            with st.spinner(f"Ingesting {len(paths)} file(s)…"):
                summary = ingest_listing_files(store, paths, StreamlitProgress())
        except InputError as error:
            st.error(f"Nothing was ingested: {error}")
            summary = None
    if summary is not None:
        for problem in summary.problems:
            st.warning(f"Skipped: {problem}")
        description = summary.describe()
        st.success(description[0].upper() + description[1:])
        columns = st.columns(3)
        columns[0].metric("Nodes", f"{summary.nodes:,}", f"{summary.nodes_added:+,}")
        columns[1].metric("Relationships", f"{summary.relationships:,}", f"{summary.relationships_added:+,}")
        columns[2].metric("Papers extracted", f"{summary.papers_extracted:,}")

# -- export ----------------------------------------------------------------------

st.subheader("Export")
drawn = current_subgraph()
scopes = ["The whole graph"] + ([f"The current subgraph: {drawn.description}"] if drawn else [])
scope = st.radio("What", scopes, help="The current subgraph is the last one drawn on Explore or in the Cypher console.")
if not drawn:
    st.caption("Draw a neighbourhood on Explore (or a graph in the Cypher console) to export just that subgraph.")
format_name = st.selectbox("Format", FORMATS)


def export_data() -> bytes:
    graph = subgraph_with_properties(store, drawn.graph) if drawn and scope != scopes[0] else whole_graph(store)
    return export_bytes(graph, format_name)


st.download_button(
    f"Download {format_name}",
    export_data,
    file_name=f"papergraph.{FILE_SUFFIX[format_name]}",
    mime=MIME_TYPE[format_name],
    type="primary",
)
st.caption(
    "GraphML and GEXF hold scalars only: lists and maps are written as JSON text. CSV comes as a zip of nodes.csv and relationships.csv."
)
