"""Cypher console: read-only queries, shown as a table and as a graph, downloadable as CSV and JSON.

Queries go through ``graph_schema.query_console.run_read_query``: writing
clauses are refused before anything runs, and a time limit and row cap apply.
"""

from __future__ import annotations

import json

import streamlit as st

from analysis.subgraph import graph_from_records
from graph_schema.dialect import fulltext_index_name
from graph_schema.query_console import DEFAULT_ROW_CAP, QueryFailed, QueryRefused, QueryTimeout, run_read_query
from graph_schema.schema import CONCEPT_LABELS, SEARCH_TEXT, Label, Rel
from ui.graph_view import graph_html, served_library
from ui.query_results import results_csv, results_frame, results_json
from ui.state import remember_subgraph, store_or_stop

CONSOLE_TIMEOUT_S = 20.0
_CONCEPT = "|".join(CONCEPT_LABELS)
EXAMPLES = {
    "Papers per source": f"MATCH (p:{Label.PAPER})-[:{Rel.LISTED_IN}]->(s:{Label.SOURCE})\nRETURN s.name AS source, count(p) AS papers ORDER BY papers DESC",
    "Most mentioned concepts": f"MATCH (p:{Label.PAPER})-[:{Rel.MENTIONS}]->(c)\nRETURN labels(c)[0] AS label, c.name AS concept, count(DISTINCT p) AS papers\nORDER BY papers DESC LIMIT 25",
    "Methods used for tasks (graph)": f"MATCH (m:{Label.METHOD})-[r:{Rel.USED_FOR}]->(t:{Label.TASK})\nRETURN m, r, t LIMIT 100",
    "A paper and its concepts (graph)": f"MATCH (p:{Label.PAPER})-[r:{Rel.MENTIONS}]->(c)\nWITH p, collect(r) AS rels, collect(c) AS concepts LIMIT 3\nRETURN p, rels, concepts",
    "Results on a dataset": f"MATCH (cl:{Label.CLAIM})-[:{Rel.ON}]->(d:{Label.DATASET})\nWHERE size(cl.values) > 0\nRETURN d.name AS dataset, cl.metrics AS metrics, cl.values AS values, cl.text AS claim LIMIT 50",
    "Papers with code": f"MATCH (p:{Label.PAPER}) WHERE size(p.code_urls) > 0\nRETURN p.title AS title, p.code_urls AS code LIMIT 50",
    "Full-text search (parameter)": "CALL db.index.fulltext.queryNodes($index, $text) YIELD node, score\nRETURN node.title AS title, score LIMIT 10",
}
_RESULT = "console_result"

store = store_or_stop()
EXAMPLE_PARAMETERS = {
    "Full-text search (parameter)": json.dumps(
        {"index": fulltext_index_name(store.kind, Label.PAPER, SEARCH_TEXT), "text": "graph"}
    )
}
st.title("Cypher console")
st.caption(
    f"Read-only: writing clauses and unknown procedures are refused before anything runs. "
    f"Concept labels: {_CONCEPT.replace('|', ', ')}."
)


def use_example() -> None:
    name = st.session_state["example"]
    if name in EXAMPLES:
        st.session_state["cypher"] = EXAMPLES[name]
        st.session_state["parameters"] = EXAMPLE_PARAMETERS.get(name, "")


st.selectbox("Examples", ["(choose an example)", *EXAMPLES], key="example", on_change=use_example)
st.session_state.setdefault("cypher", next(iter(EXAMPLES.values())))
with st.form("query"):
    cypher = st.text_area("Cypher", key="cypher", height=160)
    parameters_text = st.text_input("Parameters (a JSON object, optional)", key="parameters")
    left, right = st.columns(2)
    timeout_s = left.number_input("Time limit (s)", 1.0, 300.0, CONSOLE_TIMEOUT_S)
    row_cap = right.number_input("Row cap", 1, 100_000, DEFAULT_ROW_CAP)
    submitted = st.form_submit_button("Run", type="primary")

if submitted:
    st.session_state.pop(_RESULT, None)
    try:
        parameters = json.loads(parameters_text) if parameters_text.strip() else {}
        if not isinstance(parameters, dict):
            raise ValueError('parameters must be a JSON object, e.g. {"word": "graph"}')
        st.session_state[_RESULT] = run_read_query(store, cypher, parameters, timeout_s=timeout_s, row_cap=int(row_cap))
    except QueryRefused as error:
        st.error(f"Refused: {error}")
    except QueryTimeout as error:
        st.error(f"Time limit: {error}")
    except QueryFailed as error:
        st.error(f"The store rejected the query: {error}")
    except ValueError as error:  # json.JSONDecodeError included
        st.error(f"Parameters: {error}")

result = st.session_state.get(_RESULT)
if result is None:
    st.stop()

st.success(f"{len(result.rows)} row(s) in {result.seconds:.2f} s")
if result.truncated:
    st.warning(f"Stopped at the row cap of {result.row_cap:,} rows; raise the cap or narrow the query.")
graph = graph_from_records(result.records)
table_tab, graph_tab, json_tab = st.tabs(["Table", f"Graph ({graph.number_of_nodes()} nodes)", "JSON"])
with table_tab:
    st.dataframe(results_frame(result), hide_index=True, width="stretch")
with graph_tab:
    if graph.number_of_nodes():
        remember_subgraph(graph, "the console's last result")
        st.iframe(graph_html(graph, library=served_library()), height=620)
    else:
        st.caption(
            "The result holds no nodes or relationships to draw; return nodes, relationships or paths to see a graph."
        )
with json_tab:
    st.json(result.rows[:100], expanded=False)
left, right = st.columns(2)
left.download_button("Download CSV", results_csv(result), file_name="papergraph-query.csv", mime="text/csv")
right.download_button("Download JSON", results_json(result), file_name="papergraph-query.json", mime="application/json")
