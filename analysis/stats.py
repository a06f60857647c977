"""Corpus and graph statistics, read from the store.

Nothing here reads a mention or a paper where ``analysis.aggregates`` keeps the figures current:
nodes per label, relationships per type and the totals over papers (abstract words, papers
with code, listed twice) are those it stored at its last update; the top concepts are those the
concept layer counted in most papers (``paper_count``).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.aggregates import ABSTRACT_WORDS, corpus_totals, graph_counts_of
from graph_schema.schema import CONCEPT_LABELS, GENERIC, Label, Rel
from graph_schema.store import GraphCounts, Store


@dataclass
class CorpusStats:
    store: str
    counts: GraphCounts
    papers: int
    sources: list[dict]  # name, format, listings, papers
    papers_with_code: int
    mean_abstract_words: float
    papers_in_several_sources: int
    top_concepts: dict[str, list[dict]]  # label -> [{name, papers}], generic concepts left out


def corpus_stats(store: Store, top: int = 10) -> CorpusStats:
    """The Overview's figures: from the corpus totals ``analysis.aggregates`` keeps where they are
    current (one small read), else counted over every paper (an ingest at work)."""
    totals = corpus_totals(store)
    counts = graph_counts_of(store, totals)
    sources = store.read(
        f"""MATCH (s:{Label.SOURCE})
        RETURN s.name AS name, s.format AS format, s.listings AS listings,
               COUNT {{ (s)<-[:{Rel.LISTED_IN}]-(:{Label.PAPER}) }} AS papers
        ORDER BY name"""
    )
    if totals is not None:
        with_code, words, several = (
            totals.papers_with_code,
            totals.mean_abstract_words,
            totals.papers_in_several_sources,
        )
    else:
        with_code, words, several = _paper_figures(store, several_sources=len(sources) > 1)
    top_concepts = {}
    for label in CONCEPT_LABELS:
        if counts.nodes.get(label.value):
            top_concepts[label.value] = store.read(
                f"""MATCH (c:{label}) WHERE coalesce(c.{GENERIC}, false) = false AND c.paper_count > 0
                RETURN c.name AS name, c.paper_count AS papers
                ORDER BY papers DESC, name LIMIT $top""",
                top=top,
            )
    return CorpusStats(
        store=store.settings.describe(),
        counts=counts,
        papers=counts.nodes[Label.PAPER.value],
        sources=sources,
        papers_with_code=with_code,
        mean_abstract_words=words,
        papers_in_several_sources=several,
        top_concepts=top_concepts,
    )


def _paper_figures(store: Store, several_sources: bool) -> tuple[int, float, int]:
    """Papers with code, mean abstract words and papers in several sources, over every paper."""
    # The store evaluates every argument of coalesce (splitting every abstract: seconds at 100k
    # papers); CASE splits only those of the papers analysis.aggregates has not counted yet.
    paper_row = store.read(
        f"""MATCH (p:{Label.PAPER})
        RETURN sum(CASE WHEN p.code_urls IS NOT NULL AND size(p.code_urls) > 0 THEN 1 ELSE 0 END) AS with_code,
               avg(CASE WHEN p.{ABSTRACT_WORDS} IS NULL AND p.abstract IS NOT NULL
                   THEN size(split(p.abstract, ' ')) ELSE p.{ABSTRACT_WORDS} END) AS words"""
    )[0]
    several = (
        store.read(
            f"""MATCH (p:{Label.PAPER})-[:{Rel.LISTED_IN}]->(s:{Label.SOURCE})
            WITH p, count(s) AS n WHERE n > 1 RETURN count(p) AS n"""
        )[0]["n"]
        if several_sources
        else 0
    )
    return paper_row["with_code"] or 0, float(paper_row["words"] or 0.0), several
