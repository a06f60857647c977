"""Concept: a method, task, dataset or metric — aliases and why they merged, papers,
related concepts, claims, results and predicted links.

``?id=method:…`` opens a concept; without it, the page lists every concept, sorted
and a page at a time, or those matching a search, and a row opens its concept.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.details import (
    LIST_PAGE_SIZE,
    concept_claims,
    concept_details,
    concept_list,
    concept_papers,
    predicted_links,
    related_concepts,
)
from analysis.graph_stats import statistics_note
from analysis.results import SOURCE_NOTE, claim_results, same_name
from analysis.search import search
from analysis.subgraph import NODE_STATISTICS
from graph_schema.schema import CONCEPT_LABELS, Label
from graph_schema.store import Store
from ui.navigation import (
    linked_table,
    open_in_explore,
    open_in_trends,
    page_of_list,
    page_selector,
    stop_as_not_found,
)
from ui.state import store_or_stop

SEARCH_HITS = 50
LIST_KEY = "concept-list"
# The list's orders: what the reader picks -> (sort, descending) for analysis.details.concept_list.
ORDERS = {
    "Most papers": ("papers", True),
    "Most mentions": ("mentions", True),
    "Name A–Z": ("name", False),
    "Name Z–A": ("name", True),
    "Fewest papers": ("papers", False),
}
LIST_COLUMNS = ["label", "name", "mentions", "papers"]


def list_concepts(store: Store) -> None:
    st.title("Concepts")
    text = st.text_input("Find a method, task, dataset or metric", key=f"{LIST_KEY}-search")
    labels = tuple(
        st.pills("Labels", CONCEPT_LABELS, selection_mode="multi", default=CONCEPT_LABELS, key=f"{LIST_KEY}-labels")
    )
    if text.strip():
        hits = search(store, text, labels=labels, limit=SEARCH_HITS) if labels else []
        found = {
            row["id"]: row for row in concept_list(store, labels, ids=[hit.id for hit in hits], limit=len(hits)).rows
        }
        rows = [found[hit.id] for hit in hits if hit.id in found]
        if rows:
            st.caption(f"{len(rows)} best matches, best first. Select a row to open the concept.")
        else:
            st.info(f"No concept matches {text!r}.")
        linked_table(rows, key=LIST_KEY, columns=LIST_COLUMNS)
        return
    sort, descending = ORDERS[st.selectbox("Order", list(ORDERS), key=f"{LIST_KEY}-order")]
    offset = (page_of_list(LIST_KEY) - 1) * LIST_PAGE_SIZE
    listed = concept_list(store, labels, sort=sort, descending=descending, offset=offset)
    if listed.total:
        st.caption("Select a row to open the concept; *papers* counts the papers mentioning it.")
    elif not labels:
        st.caption("Choose at least one label.")
    else:
        st.info("No concepts yet: they are extracted when papers are ingested with the trained extractor.")
    linked_table(listed.rows, key=LIST_KEY, columns=LIST_COLUMNS)
    page_selector(LIST_KEY, listed, "Concepts")


store = store_or_stop()

concept_id = st.query_params.get("id")
if not concept_id:
    list_concepts(store)
    st.stop()
concept = concept_details(store, concept_id)
if concept is None:
    stop_as_not_found("Concept", "concept", concept_id)

properties = concept.properties
st.title(concept.name)
facts = [concept.label, f"acronym {properties['acronym']}" if properties.get("acronym") else None]
facts += [f"{properties.get('mention_count', 0)} mentions in {properties.get('paper_count', 0)} papers"]
facts += [
    f"{name} {properties[name]:.3g}"
    for name in NODE_STATISTICS
    if name != "paper_count" and isinstance(properties.get(name), int | float)
]
st.caption(" · ".join(fact for fact in facts if fact))
if statistics := statistics_note(store):
    st.caption(statistics)
with st.container(horizontal=True):
    if st.button("Show in graph"):
        open_in_explore(concept.label, concept.id)
    if st.button("Show over time"):
        open_in_trends(concept.id)

left, right = st.columns(2)
with left:
    st.subheader("Aliases")
    st.dataframe(pd.DataFrame(concept.aliases()), hide_index=True)
with right:
    st.subheader("Merge reasons")
    reasons = concept.merge_reasons()
    if reasons:
        st.dataframe(pd.DataFrame(reasons), hide_index=True)
    else:
        st.caption("Nothing was merged into this concept: every alias was written the same way.")

PAPERS_KEY = "concept-papers"
papers = concept_papers(store, concept, offset=(page_of_list(PAPERS_KEY) - 1) * LIST_PAGE_SIZE)
st.subheader(f"Papers ({papers.total:,})")
st.caption("Most mentions first. Select a row to open the paper.")
linked_table(papers.rows, key=PAPERS_KEY, label=Label.PAPER, columns=["title", "date", "mentions"])
page_selector(PAPERS_KEY, papers, "Papers")

related = related_concepts(store, concept)
st.subheader(f"Related concepts ({len(related)})")
if related:
    st.caption("Relations extracted from the papers, best supported first; *out* means this concept is the subject.")
    linked_table(related, key="related", columns=["direction", "relation", "label", "concept", "papers", "confidence"])
else:
    st.caption("No relations to other concepts were extracted.")

claims = concept_claims(store, concept)
st.subheader(f"Claims ({len(claims)})")
if claims:
    st.dataframe(pd.DataFrame(claims)[["paper", "kind", "text"]], hide_index=True, width="stretch")

names = {concept.name, *(alias["alias"] for alias in concept.aliases())}
results = [
    row
    for row in claim_results(claims)
    if concept.id in (row["method_id"], row["dataset_id"], row["task_id"])
    or (concept.label == Label.METRIC and any(same_name(name, row["metric"]) for name in names))
]
if results:
    st.subheader("Results")
    st.caption(SOURCE_NOTE)
    table = pd.DataFrame(results)
    scores = table[~table["relative"] & table["dataset"].notna() & table["metric"].notna()]
    pivot = scores.pivot_table(index="method", columns=["dataset", "metric"], values="value", aggfunc="max")
    if not pivot.empty:
        st.caption(
            "Highest absolute value per method, dataset and metric (for errors, lower is better: "
            "the Results page ranks each metric its own way)."
        )
        st.dataframe(pivot)
    with st.expander(f"All {len(table)} result rows, each with its sentence"):
        columns = ["method", "dataset", "task", "metric", "value", "unit", "relative", "baseline", "paper", "sentence"]
        st.dataframe(table[columns], hide_index=True, width="stretch")

st.subheader("Predicted links")
predictions = predicted_links(store, concept)
if not predictions:
    st.caption(
        "No predicted links for this concept: link prediction has not written any yet (see the Link prediction page)."
    )
else:
    frame = pd.DataFrame(predictions)
    linked_table(frame, key="predicted", columns=["label", "name", "score", "model", "run", "created"])
    for row in predictions[:10]:
        with st.expander(f"Why {row['name']} ({row['score']:.3f})"):
            st.json(row["explanation"])
