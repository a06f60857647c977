"""Results: leaderboards made from what abstracts report.

Pick a dataset and metric: methods are ranked by their best absolute score on them across
papers, each with its paper and the sentence it comes from. Below, every result row, with
relative numbers ("by 3.2%") apart from scores. ``?dataset=dataset:…&metric=…`` opens a board.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.results import SOURCE_NOTE, leaderboard, leaderboard_choices, stored_results
from ui.state import store_or_stop

ALL_ROWS_SHOWN = 500
TABLE_COLUMNS = ["method", "dataset", "task", "metric", "value", "unit", "relative", "baseline", "paper", "sentence"]

store = store_or_stop()
st.title("Results")
st.caption(SOURCE_NOTE)
rows = stored_results(store)
if not rows:
    st.info("No results yet: they are read from the abstracts' result sentences when papers are ingested.")
    st.stop()

choices = leaderboard_choices(rows)
if choices:
    asked = (st.query_params.get("dataset"), st.query_params.get("metric"))
    labels = [f"{c['dataset']} · {c['metric']} ({c['methods']} methods)" for c in choices]
    start = next((i for i, c in enumerate(choices) if (c["dataset_id"], c["metric"]) == asked), 0)
    picked = choices[st.selectbox("Leaderboard", range(len(choices)), index=start, format_func=labels.__getitem__)]
    for board in leaderboard(rows, picked["dataset_id"], picked["metric"]):
        order = "lower is better" if board.lower_is_better else "higher is better"
        unit = f", in {board.unit}" if board.unit else ""
        st.subheader(f"{board.dataset} · {board.metric}")
        st.caption(f"Best absolute score of each method across papers{unit}; {order}.")
        ranked = pd.DataFrame(
            [
                {
                    "rank": rank,
                    "method": r["method"],
                    "score": r["value"],
                    "paper": r["paper"],
                    "sentence": r["sentence"],
                }
                for rank, r in enumerate(board.rows, 1)
            ]
        )
        st.dataframe(
            ranked,
            hide_index=True,
            width="stretch",
            column_config={"sentence": st.column_config.TextColumn("sentence", help="Where the abstract says it")},
        )
else:
    st.caption("No dataset and metric has absolute scores from two or more methods yet: no leaderboard to rank.")

st.subheader(f"All result rows ({len(rows):,})")
st.caption(
    "*relative* rows are differences (a gain over *baseline*), not scores; *stated* is the number as the "
    "sentence writes it."
)
frame = pd.DataFrame(rows)
shown = frame[[*TABLE_COLUMNS[:-1], "stated", "sentence"]].head(ALL_ROWS_SHOWN)
st.dataframe(shown, hide_index=True, width="stretch")
if len(frame) > ALL_ROWS_SHOWN:
    st.caption(f"The first {ALL_ROWS_SHOWN:,} of {len(frame):,}; `papergraph results --format csv` writes them all.")
