"""Link prediction: train and evaluate on this graph, and browse predicted links.

Training runs ``analysis.linkpred.training.train_run``: the store's graph is read in
pages into typed node and edge sets, target links (papers to their methods,
tasks and datasets; methods to tasks and datasets) are held out without
leaks, and the GNNs and every baseline are scored on the same held-out links
against random and hard negatives.  The best GNN is saved as a run, and can
then write its top new links as ``PREDICTED_LINK`` relationships.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.details import nodes_with_statistics, top_predicted_links
from ui.state import StreamlitProgress, store_or_stop

_RESULTS = "link_prediction_results"
TEXT_FEATURE_CHOICES = {
    "MiniLM text embeddings (slow the first time, then cached)": "minilm",
    "Hashed word counts (fast)": "hashing",
    "None (structure only)": "none",
}


def train_and_predict(
    store, max_epochs: int, num_negatives: int, text_features: str, top_k: int, progress
) -> pd.DataFrame:
    """Train a run on the store; write its predictions when ``top_k``; the metrics, averaged over target types."""
    # Only when asked: they load torch, which takes seconds.
    from analysis.linkpred.predictions import predict_links
    from analysis.linkpred.training import train_run
    from models.linkpred.comparison import mean_over_edge_types
    from models.runtime import use_torch_threads

    use_torch_threads(1)
    result = train_run(
        store, text_features=text_features, max_epochs=max_epochs, num_negatives=num_negatives, progress=progress
    )
    if top_k:
        summary = predict_links(store, result.run, top_k, progress=progress)
        progress(f"wrote {summary.total_written:,} predicted links for run {summary.run_id}")
    progress(f"saved run {result.run.run_id}: {result.report.best_gnn()}")
    return pd.DataFrame([row.as_json() for row in mean_over_edge_types(result.report.rows)])


store = store_or_stop()
st.title("Link prediction")

st.subheader("Train and evaluate")
st.caption(
    "GraphSAGE with a dot or an NCN-style decoder against Common Neighbours, Adamic-Adar, Resource Allocation, "
    "Preferential Attachment, text cosine and DeepWalk, on links held out of this graph (papers to their methods, "
    "tasks and datasets; methods to tasks and datasets), each against random and hard (nearby) negatives. "
    "Training runs here, on this machine's CPU; `papergraph linkpred train` does the same from the command line."
)
with st.form("training"):
    left, middle, right = st.columns(3)
    max_epochs = left.number_input("Most training epochs per GNN", 1, 1000, 100)
    num_negatives = middle.number_input("Negatives per held-out link", 1, 500, 50)
    top_k = right.number_input("Then write the top K new links per node (0: none)", 0, 50, 0)
    features = st.selectbox("Node text features", list(TEXT_FEATURE_CHOICES))
    run = st.form_submit_button("Train and evaluate", type="primary")
if run:
    from analysis.linkpred.training import NotEnoughLinks

    with st.status("Training…", expanded=True) as status:
        try:
            st.session_state[_RESULTS] = train_and_predict(
                store,
                int(max_epochs),
                int(num_negatives),
                TEXT_FEATURE_CHOICES[features],
                int(top_k),
                StreamlitProgress(status),
            )
            status.update(label="Training done", state="complete", expanded=False)
        except NotEnoughLinks as error:
            status.update(label="Not trained", state="error")
            st.error(f"Cannot train: {error}")
results = st.session_state.get(_RESULTS)
if results is not None:
    st.caption("Test metrics, averaged over the target link types.")
    for regime, rows in results.groupby("negatives", sort=False):
        st.markdown(f"**Against {regime} negatives**")
        st.dataframe(rows.drop(columns=["negatives"]).sort_values("auc", ascending=False), hide_index=True)

st.subheader("Node statistics")
with_statistics = nodes_with_statistics(store)
if with_statistics:
    st.write(
        f"{with_statistics:,} nodes carry degree, PageRank, betweenness and community; the Concept page shows them."
    )
else:
    st.caption("No node statistics (degree, PageRank, betweenness, community) are stored yet.")

st.subheader("Predicted links")
predictions = top_predicted_links(store)
if not predictions:
    st.info("No predicted links in the graph yet: link prediction has not written any `PREDICTED_LINK` relationships.")
    st.stop()
frame = pd.DataFrame(predictions)
models = sorted(frame["model"].dropna().unique())
chosen = st.multiselect("Models", models, default=models)
shown = frame[frame["model"].isin(chosen)] if chosen else frame
st.dataframe(shown.drop(columns=["explanation"]), hide_index=True, width="stretch")
for row in shown.head(20).to_dict("records"):
    with st.expander(f"{row['source']} → {row['target']}  ({row['score']:.3f}, {row['model']})"):
        st.json(row["explanation"])
