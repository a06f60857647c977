"""Paper: the abstract with its extracted concepts highlighted, its claims, code and similar papers.

``?id=p-…`` opens a paper; without it, the page lists every paper, sorted and a
page at a time, or those matching a search, and a row opens its paper.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.details import LIST_PAGE_SIZE, paper_concepts, paper_details, paper_list, similar_papers
from analysis.search import search
from graph_schema.schema import Label
from graph_schema.store import Store
from ui.abstract_view import highlighted_abstract_html
from ui.navigation import linked_table, open_in_explore, page_of_list, page_selector, stop_as_not_found
from ui.state import store_or_stop

SEARCH_HITS = 50
LIST_KEY = "paper-list"
# The list's orders: what the reader picks -> (sort, descending) for analysis.details.paper_list.
ORDERS = {
    "Newest first": ("date", True),
    "Oldest first": ("date", False),
    "Title A–Z": ("title", False),
    "Title Z–A": ("title", True),
    "Most concepts": ("concepts", True),
    "Fewest concepts": ("concepts", False),
}


def list_papers(store: Store) -> None:
    st.title("Papers")
    text = st.text_input("Find a paper by title or words in its abstract", key=f"{LIST_KEY}-search")
    if text.strip():
        hits = search(store, text, labels=(Label.PAPER,), limit=SEARCH_HITS)
        found = {row["id"]: row for row in paper_list(store, ids=[hit.id for hit in hits], limit=len(hits)).rows}
        rows = [found[hit.id] for hit in hits if hit.id in found]
        if rows:
            st.caption(f"{len(rows)} best matches, best first. Select a row to open the paper.")
        else:
            st.info(f"No paper matches {text!r}.")
        linked_table(rows, key=LIST_KEY, label=Label.PAPER, columns=["title", "date", "concepts"])
        return
    sort, descending = ORDERS[st.selectbox("Order", list(ORDERS), key=f"{LIST_KEY}-order")]
    offset = (page_of_list(LIST_KEY) - 1) * LIST_PAGE_SIZE
    listed = paper_list(store, sort=sort, descending=descending, offset=offset)
    if listed.total:
        st.caption("Select a row to open the paper; *concepts* counts the distinct concepts it mentions.")
    else:
        st.info("No papers yet. Ingest listings on the Data page or with `papergraph ingest PATH`.")
    linked_table(listed.rows, key=LIST_KEY, label=Label.PAPER, columns=["title", "date", "concepts"])
    page_selector(LIST_KEY, listed, "Papers")


store = store_or_stop()

paper_id = st.query_params.get("id")
if not paper_id:
    list_papers(store)
    st.stop()
paper = paper_details(store, paper_id)
if paper is None:
    stop_as_not_found("Paper", "paper", paper_id)

st.title(paper.title)
properties = paper.properties
facts = [", ".join(properties.get("authors") or []), properties.get("date"), properties.get("url")]
st.caption(" · ".join(str(fact) for fact in facts if fact) or paper.id)
for url in properties.get("code_urls") or []:
    st.markdown(f"💻 Code: [{url}]({url})")
if st.button("Show in graph"):
    open_in_explore(Label.PAPER, paper.id)

st.subheader("Abstract")
# Only mentions with their place in the abstract can be highlighted (a graph written by other tools may lack it).
located = [mention for mention in paper.mentions if mention.start is not None and mention.end is not None]
if located:
    st.html(highlighted_abstract_html(paper.abstract, located))
else:
    st.write(paper.abstract)
    st.caption(
        "No concepts extracted from this paper yet."
        if not paper.extraction
        else "The extractor found no concepts here."
    )

concepts = paper_concepts(paper.mentions)
if concepts:
    st.subheader(f"Concepts ({len(concepts)})")
    st.caption("Select a row to open the concept.")
    linked_table(concepts, key="concepts", columns=["label", "concept", "mentions", "as written"])

st.subheader(f"Claims ({len(paper.claims)})")
if not paper.claims:
    st.caption(
        "No claims found in this abstract." if paper.extraction else "Claims are found when concepts are extracted."
    )
else:
    claims = pd.DataFrame(
        {
            "kind": claim["kind"],
            "claim": claim["text"],
            "numbers": ", ".join(
                f"{value:g}{unit or ''}" + (f" {metric}" if metric else "")
                for value, unit, metric in zip(claim["values"] or [], claim["units"] or [], claim["metrics"] or [])
            ),
        }
        for claim in paper.claims
    )
    st.dataframe(claims, hide_index=True, width="stretch")

similar = similar_papers(store, paper.id)
if similar:
    st.subheader("Similar papers")
    st.caption(
        "By concepts in common, found through this paper's less common concepts. Select a row to open the paper."
    )
    for row in similar:
        row["shared"] = ", ".join(row["shared"])
    linked_table(similar, key="similar", label=Label.PAPER, columns=["title", "shared_concepts", "shared"])

st.subheader("Listed in")
st.dataframe(pd.DataFrame(paper.sources), hide_index=True)
links = [url for url in properties.get("links") or [] if url not in (properties.get("code_urls") or [])]
if links:
    st.markdown("Other links: " + ", ".join(f"[{url}]({url})" for url in links))
