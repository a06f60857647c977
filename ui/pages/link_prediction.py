"""Link prediction: the background refresh, the latest run's metrics, predicted links, the check
against the future, and training here.

``papergraph ui --refresh-links`` (what ``scripts/run.sh`` starts) brings predicted links up
to date in the background (``analysis.linkpred.refresh``); while it runs, this page shows
its stage and time and looks again every few seconds, then shows what it wrote.

Training here runs ``analysis.linkpred.training.train_run``: the store's graph is read in
pages into typed node and edge sets, target links (papers to their methods, tasks and
datasets; methods to tasks and datasets) are held out without leaks, and the GNNs and every
baseline are scored on the same held-out links against random and hard negatives.  The
best GNN is saved as a run, calibrated, and can then write a few good new links per node as
``PREDICTED_LINK`` relationships, each with a calibrated score and an explanation in words.

The check against the future (``papergraph linkpred evaluate-temporal --until YEAR``) is shown
when it has been run in this home: of the links the model predicted from the papers up to a
year, how many papers wrote later, next to Adamic-Adar.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analysis.graph_stats import nodes_with_statistics, statistics_note
from analysis.linkpred import DEFAULT_THRESHOLD
from analysis.linkpred.predictions import read_predicted_links
from analysis.linkpred.refresh import DONE, FAILED, RUNNING, UP_TO_DATE, RefreshStatus, read_status
from analysis.linkpred.temporal import read_result, temporal_sentences
from models.linkpred.runs import RunNotFound, find_run
from ui.state import StreamlitProgress, store_or_stop

REFRESH_POLL_SECONDS = 3
TEXT_FEATURE_CHOICES = {
    "MiniLM text embeddings (slow the first time, then cached)": "minilm",
    "Hashed word counts (fast)": "hashing",
    "None (structure only)": "none",
}
TEXT_FEATURE_NAMES = {"minilm": "MiniLM text embeddings", "hashing": "hashed word counts", "none": "none"}


def train_and_predict(store, max_epochs: int, num_negatives: int, text_features: str, top_k: int, progress) -> None:
    """Train a run on the store, and write its predictions when ``top_k``."""
    # Only when asked: they load torch, which takes seconds.
    from analysis.linkpred.predictions import predict_links
    from analysis.linkpred.training import train_run
    from models.runtime import use_torch_threads

    use_torch_threads(1)
    result = train_run(
        store, text_features=text_features, max_epochs=max_epochs, num_negatives=num_negatives, progress=progress
    )
    if top_k:
        summary = predict_links(store, result.run, top_k, progress=progress)
        progress(f"wrote {summary.total_written:,} predicted links for run {summary.run_id}")
    progress(f"saved run {result.run.run_id}: {result.report.best_gnn()}")


def when(timestamp: str) -> str:
    return datetime.fromisoformat(timestamp).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def show_refresh_status() -> RefreshStatus | None:
    """The background refresh: nothing if none has run; while one runs, its stage, looked at again
    every few seconds until it ends, when the whole page is drawn again with what it wrote."""
    status = read_status()
    if status is None:
        return None
    if status.state == RUNNING:
        st.fragment(run_every=REFRESH_POLL_SECONDS)(show_running_refresh)()
    else:
        show_finished_refresh(status)
    return status


def show_running_refresh() -> None:
    status = read_status()
    if status is None or status.state != RUNNING:
        st.rerun()  # it has ended: draw the page again, with its links and metrics
    text = (
        f"**Refreshing predicted links in the background** ({status.stage}, {duration(status.elapsed_seconds())} "
        f"so far): {status.message}.  \nThe new links and their run's metrics show below when it is done; "
        "this page updates itself."
    )
    st.info(text, icon=":material/autorenew:")
    if status.total:
        st.progress(min(status.done / status.total, 1.0), text=f"{status.message}: {status.done:,}/{status.total:,}")


def show_finished_refresh(status: RefreshStatus) -> None:
    if status.state == DONE:
        verb = "checked" if status.outcome == UP_TO_DATE else "refreshed"
        st.caption(
            f"Predicted links {verb} {when(status.finished)} (in {duration(status.elapsed_seconds())}): "
            f"{status.message}."
        )
        return
    ended = f" at {when(status.finished)}" if status.finished else ""
    rerun = "`papergraph linkpred refresh` runs it again."
    if status.state == FAILED:
        st.error(
            f"The background refresh of predicted links failed{ended} while {status.stage}: {status.error}. {rerun}"
        )
    else:
        st.warning(f"The background refresh of predicted links was stopped{ended} while {status.stage}. {rerun}")


def show_latest_run() -> None:
    st.subheader("Latest run")
    try:
        run = find_run()
    except RunNotFound:
        st.caption("No run yet: train one below, or with `papergraph linkpred train`.")
        return
    config = run.config
    text_features = TEXT_FEATURE_NAMES.get(config["text_features"], config["text_features"])
    st.caption(
        f"Run `{run.run_id}`, trained {when(config['created'])} (text features: {text_features}); "
        f"**{run.model_name}** was chosen by validation AUC.  Test metrics on held-out links, averaged over the "
        "target link types."
    )
    summary = pd.DataFrame(run.metrics["summary"])
    for regime, rows in summary.groupby("negatives", sort=False):
        st.markdown(f"**Against {regime} negatives**")
        st.dataframe(rows.drop(columns=["negatives"]).sort_values("auc", ascending=False), hide_index=True)
    if calibration := run.metrics.get("calibration"):
        st.caption(
            "Scores are calibrated on the validation links, each against 50 non-links of its source (half of them "
            "nearby): a score of 0.3 means that of such pairs scored like it, 30% were links. By default links "
            f"are written from {DEFAULT_THRESHOLD:g} up. Validation F1 is highest at "
            + "; ".join(
                f"{target_type} {values['best_f1']:.2f}"
                + (f" (test Brier {values['test_brier']:.3f})" if "test_brier" in values else "")
                for target_type, values in calibration.items()
                if "best_f1" in values
            )
            + "."
        )


def show_predicted_links(store, refreshing: bool) -> None:
    st.subheader("Predicted links")
    predictions = read_predicted_links(store)
    if not predictions:
        st.info(
            "No predicted links in the graph yet: link prediction has not written any `PREDICTED_LINK` relationships"
            + (" (the refresh above writes them)." if refreshing else ".")
        )
        return
    frame = pd.DataFrame(predictions)
    models = sorted(frame["model"].dropna().unique())
    chosen = st.multiselect("Models", models, default=models)
    least = st.slider("Least score (calibrated, 0-1)", 0.0, 1.0, 0.0, 0.05)
    shown = frame[frame["model"].isin(chosen)] if chosen else frame
    shown = shown[shown["score"] >= least]
    st.caption(
        f"The {len(frame):,} best-scored predicted links (score: the calibrated chance that the pair is a link, "
        "see the latest run above); each node has at most a few, none touches a concept marked generic, "
        "and none joins two nodes of one name."
    )
    columns = ["source", "source_label", "target", "target_label", "score", "rank", "model", "run", "created"]
    st.dataframe(
        shown[columns],
        hide_index=True,
        width="stretch",
        column_config={"score": st.column_config.NumberColumn(format="%.3f")},
    )
    for row in shown.head(20).to_dict("records"):
        with st.expander(f"{row['source']} → {row['target']}  ({row['score']:.3f})"):
            st.markdown(row["explanation"] or "No explanation was written with this link.")


def show_check_against_the_future() -> None:
    result = read_result()
    if result is None:
        return
    st.subheader("Checked against the future")
    span = f"{result['until'] + 1}–{result['horizon']}"
    st.caption(
        f"`papergraph linkpred evaluate-temporal --until {result['until']}`: a run trained on the "
        f"{result['papers']['past']:,} papers dated up to {result['until']} ranked each link that the "
        f"{result['papers']['future']:,} papers of {span} wrote first between concepts the past already had, "
        "against hard (nearby) negatives, next to the heuristics on the same links."
    )
    for sentence in temporal_sentences(result):
        st.markdown(sentence)
    rows = pd.DataFrame(result["summary"])
    hard = rows[rows["negatives"] == "hard"].drop(columns=["negatives"]).sort_values("mrr", ascending=False)
    st.dataframe(hard, hide_index=True)


store = store_or_stop()
st.title("Link prediction")
refresh = show_refresh_status()
# Filled after the training form below, so that a run trained there shows at once.
latest_run_area = st.container()
predicted_links_area = st.container()

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
    top_k = right.number_input("Then write at most K new links per node and type (0: none)", 0, 50, 0)
    features = st.selectbox("Node text features", list(TEXT_FEATURE_CHOICES))
    run = st.form_submit_button("Train and evaluate", type="primary")
if run:
    from analysis.linkpred.training import NotEnoughLinks

    with st.status("Training…", expanded=True) as status:
        try:
            train_and_predict(
                store,
                int(max_epochs),
                int(num_negatives),
                TEXT_FEATURE_CHOICES[features],
                int(top_k),
                StreamlitProgress(status),
            )
            status.update(label="Training done: the latest run, above, is this one", state="complete", expanded=False)
        except NotEnoughLinks as error:
            status.update(label="Not trained", state="error")
            st.error(f"Cannot train: {error}")

st.subheader("Node statistics")
with_statistics = nodes_with_statistics(store)
if with_statistics:
    st.write(
        f"{with_statistics:,} nodes carry degree, PageRank, betweenness and community; the Concept page shows them."
    )
if statistics := statistics_note(store):
    st.caption(statistics)

with latest_run_area:
    show_latest_run()
with predicted_links_area:
    show_predicted_links(store, refreshing=refresh is not None and refresh.state == RUNNING)
    show_check_against_the_future()
