"""Paper: the abstract with its extracted concepts highlighted, its claims, code and similar papers.

``?id=p-…`` opens a paper; without it, a search box picks one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.details import paper_concepts, paper_details, similar_papers
from graph_schema.schema import Label
from ui.abstract_view import highlighted_abstract_html
from ui.navigation import linked_table, open_in_explore, requested_node_id, stop_as_not_found
from ui.state import store_or_stop

store = store_or_stop()

paper_id = requested_node_id(store, "Paper", "Find a paper by title or words in its abstract", (Label.PAPER,))
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
if paper.mentions:
    st.html(highlighted_abstract_html(paper.abstract, paper.mentions))
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
    st.caption("By concepts in common. Select a row to open the paper.")
    for row in similar:
        row["shared"] = ", ".join(row["shared"])
    linked_table(similar, key="similar", label=Label.PAPER, columns=["title", "shared_concepts", "shared"])

st.subheader("Listed in")
st.dataframe(pd.DataFrame(paper.sources), hide_index=True)
links = [url for url in properties.get("links") or [] if url not in (properties.get("code_urls") or [])]
if links:
    st.markdown("Other links: " + ", ".join(f"[{url}]({url})" for url in links))
