"""Link prediction: evaluate the GNNs against the baselines on this graph, and browse predicted links.

The evaluation runs ``analysis.linkpred.pipeline`` on the store's graph of
papers and concepts (mentions and extracted relations, as one undirected
graph): the same held-out links and the same random and hard negatives for
every model.  Predicted links are read from the store (``PREDICTED_LINK``),
whatever wrote them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from graph_schema.schema import CONCEPT_RELATIONS, Rel
from graph_schema.store import Store
from ui.details import nodes_with_statistics, top_predicted_links
from ui.state import store_or_stop

EVALUATED_RELATIONS = (Rel.MENTIONS, *CONCEPT_RELATIONS)
MIN_LINKS = 20  # fewer leave too few to hold out for validation and test
_EVALUATION = "link_prediction_evaluation"


def store_link_graph(store: Store) -> tuple[np.ndarray, list[str]]:
    """The links the evaluation learns from, as an ``(E, 2)`` index array, and the element id of each index."""
    rows = store.read(
        "MATCH (a)-[r]->(b) WHERE type(r) IN $types RETURN elementId(a) AS a, elementId(b) AS b",
        types=list(EVALUATED_RELATIONS),
    )
    index: dict[str, int] = {}
    pairs = [[index.setdefault(row["a"], len(index)), index.setdefault(row["b"], len(index))] for row in rows]
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2), list(index)


def evaluate_store_graph(store: Store, max_epochs: int, num_negatives: int, log) -> pd.DataFrame:
    """One row per model and negative regime: AUC, AP, Hits@K, MRR on the held-out links."""
    from analysis.linkpred.pipeline import evaluate_link_predictors  # loads torch: only when asked
    from analysis.linkpred.split import split_edges

    links, nodes = store_link_graph(store)
    if len(links) < MIN_LINKS:
        raise ValueError(f"the graph has {len(links)} links to learn from; the evaluation needs at least {MIN_LINKS}")
    log(f"{len(nodes):,} nodes, {len(links):,} links; holding out 5% for validation and 10% for test")
    report = evaluate_link_predictors(split_edges(links, len(nodes)), max_epochs=max_epochs, num_negatives=num_negatives, log=log)
    return pd.DataFrame([row.as_json() for row in report.rows])


store = store_or_stop()
st.title("Link prediction")

st.subheader("Evaluation")
st.caption(
    "GraphSAGE with a dot or an NCN-style decoder against Common Neighbours, Adamic-Adar, Resource Allocation, "
    "Preferential Attachment and DeepWalk, on links held out of this graph, each against random and hard "
    "(nearby) negatives. Training runs here, on this machine's CPU."
)
with st.form("evaluation"):
    left, right = st.columns(2)
    max_epochs = left.number_input("Most training epochs per GNN", 1, 500, 50)
    num_negatives = right.number_input("Negatives per held-out link", 1, 500, 50)
    run = st.form_submit_button("Run evaluation", type="primary")
if run:
    with st.status("Evaluating…", expanded=True) as status:
        try:
            st.session_state[_EVALUATION] = evaluate_store_graph(store, int(max_epochs), int(num_negatives), status.write)
            status.update(label="Evaluation done", state="complete", expanded=False)
        except ValueError as error:
            status.update(label="Evaluation not run", state="error")
            st.error(f"Cannot evaluate: {error}")
evaluation = st.session_state.get(_EVALUATION)
if evaluation is not None:
    for regime, rows in evaluation.groupby("negatives", sort=False):
        st.markdown(f"**Against {regime} negatives**")
        st.dataframe(rows.drop(columns=["negatives"]).sort_values("auc", ascending=False), hide_index=True)

st.subheader("Node statistics")
with_statistics = nodes_with_statistics(store)
if with_statistics:
    st.write(f"{with_statistics:,} nodes carry degree, PageRank, betweenness and community; the Concept page shows them.")
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
