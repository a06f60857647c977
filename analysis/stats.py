"""Corpus and graph statistics, read from the store."""

from __future__ import annotations

from dataclasses import dataclass

from graph_schema.schema import CONCEPT_LABELS, Label, Rel
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
    top_concepts: dict[str, list[dict]]  # label -> [{name, papers}]


def corpus_stats(store: Store, top: int = 10) -> CorpusStats:
    counts = store.counts()
    paper_row = store.read(
        f"""MATCH (p:{Label.PAPER})
        RETURN count(p) AS papers,
               sum(CASE WHEN size(coalesce(p.code_urls, [])) > 0 THEN 1 ELSE 0 END) AS with_code,
               avg(size(split(p.abstract, ' '))) AS words"""
    )[0]
    sources = store.read(
        f"""MATCH (s:{Label.SOURCE})
        OPTIONAL MATCH (p:{Label.PAPER})-[:{Rel.LISTED_IN}]->(s)
        RETURN s.name AS name, s.format AS format, s.listings AS listings, count(p) AS papers
        ORDER BY name"""
    )
    several = store.read(
        f"""MATCH (p:{Label.PAPER})-[:{Rel.LISTED_IN}]->(s:{Label.SOURCE})
        WITH p, count(s) AS n WHERE n > 1 RETURN count(p) AS n"""
    )[0]["n"]
    top_concepts = {}
    for label in CONCEPT_LABELS:
        if counts.nodes.get(label.value):
            top_concepts[label.value] = store.read(
                f"""MATCH (p:{Label.PAPER})-[:{Rel.MENTIONS}]->(c:{label})
                RETURN c.name AS name, count(DISTINCT p) AS papers
                ORDER BY papers DESC, name LIMIT $top""",
                top=top,
            )
    return CorpusStats(
        store=store.settings.describe(),
        counts=counts,
        papers=paper_row["papers"],
        sources=sources,
        papers_with_code=paper_row["with_code"] or 0,
        mean_abstract_words=float(paper_row["words"] or 0.0),
        papers_in_several_sources=several,
        top_concepts=top_concepts,
    )
