"""The Overview's, Trends' and Explore's figures, read the cheap way, equal those counted the plain way."""

from __future__ import annotations

import pytest

from analysis.aggregates import corpus_totals, graph_counts, update_aggregates
from analysis.details import most_connected_concepts
from analysis.stats import corpus_stats
from analysis.trends import YEAR, corpus_timeline, rising_and_falling, top_concepts
from graph_schema.corpus_state import mark_written
from graph_schema.schema import CONCEPT_LABELS, CONCEPT_RELATIONS, GENERIC, Label, Rel


def counted_relationships(store) -> dict[str, int]:
    rows = store.read("MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n")
    return {row["type"]: row["n"] for row in rows if row["n"]}


def test_relationship_counts_equal_every_relationship_counted(concept_store):
    counts = graph_counts(concept_store)
    assert counts.relationships == counted_relationships(concept_store)
    assert counts.relationships[Rel.MENTIONS.value] > 0


def test_mean_abstract_words_counts_uncounted_papers_too(concept_store):
    words = concept_store.read(f"MATCH (p:{Label.PAPER}) RETURN avg(size(split(p.abstract, ' '))) AS n")[0]["n"]
    update_aggregates(concept_store)
    assert corpus_totals(concept_store) is not None
    assert corpus_stats(concept_store).mean_abstract_words == pytest.approx(words, rel=1e-12)
    # While an ingest writes, the totals are not current: a paper whose words are not counted yet is split where it lies.
    first_five = f"MATCH (p:{Label.PAPER}) WITH p ORDER BY p.id LIMIT 5"
    concept_store.write(f"{first_five} REMOVE p.abstract_words")
    mark_written(concept_store)
    assert corpus_totals(concept_store) is None
    assert corpus_stats(concept_store).mean_abstract_words == pytest.approx(words, rel=1e-12)
    concept_store.write(f"{first_five} SET p.abstract_words = size(split(p.abstract, ' '))")
    update_aggregates(concept_store)


def test_corpus_totals_equal_the_papers_counted_the_plain_way(concept_store):
    update_aggregates(concept_store)
    totals = corpus_totals(concept_store)
    plain = concept_store.read(
        f"""MATCH (p:{Label.PAPER})
        RETURN count(p) AS papers, sum(size(split(p.abstract, ' '))) AS abstract_words,
               sum(CASE WHEN size(coalesce(p.code_urls, [])) > 0 THEN 1 ELSE 0 END) AS papers_with_code,
               sum(CASE WHEN COUNT {{ (p)-[:{Rel.LISTED_IN}]->() }} > 1 THEN 1 ELSE 0 END) AS several,
               sum(COUNT {{ (p)-[:{Rel.MENTIONS}]->() }}) AS mentions"""
    )[0]
    assert (totals.papers, totals.abstract_words, totals.papers_with_code, totals.mentions) == (
        plain["papers"], plain["abstract_words"], plain["papers_with_code"], plain["mentions"],
    )  # fmt: skip
    assert totals.papers_in_several_sources == plain["several"] > 0
    assert corpus_stats(concept_store).counts.relationships == counted_relationships(concept_store)


def test_top_and_moving_concepts_equal_one_query_over_all_labels(concept_store):
    update_aggregates(concept_store)
    timeline = corpus_timeline(concept_store, YEAR)
    assert timeline.uncounted == 0
    any_concept = "|".join(CONCEPT_LABELS)
    expected = concept_store.read(
        f"""MATCH (c:{any_concept}) WHERE c.dated_papers_year > 0
        WITH c ORDER BY coalesce(c.{GENERIC}, false), c.dated_papers_year DESC, c.name, c.id LIMIT 7
        RETURN c.id AS id, c.dated_papers_year AS papers"""
    )
    found = top_concepts(concept_store, timeline, 7)
    assert [(row.concept_id, row.papers) for row in found] == [(row["id"], row["papers"]) for row in expected]
    movers = rising_and_falling(concept_store, timeline, min_papers=1, limit=1000)
    if movers is not None:
        moved = {change.concept_id for change in movers.rising + movers.falling}
        every = concept_store.read(f"MATCH (c:{any_concept}) WHERE c.dated_papers_year >= 1 RETURN c.id AS id")
        assert moved <= {row["id"] for row in every}


def test_outdated_papers_are_counted_before_the_timeline(concept_store):
    update_aggregates(concept_store)
    before = corpus_timeline(concept_store, YEAR)
    concept_store.write(f"MATCH (p:{Label.PAPER}) WITH p ORDER BY p.id LIMIT 3 REMOVE p.aggregated_from")
    mark_written(concept_store)  # as an ingest that changed them
    assert corpus_totals(concept_store) is None
    after = corpus_timeline(concept_store, YEAR)
    assert corpus_totals(concept_store) is not None
    assert (after.totals, after.papers, after.uncounted) == (before.totals, before.papers, 0)
    plain = concept_store.read(f"MATCH (p:{Label.PAPER}) WHERE p.counted_year IS NOT NULL RETURN count(p) AS n")
    assert after.dated == plain[0]["n"]


def test_most_connected_concepts_equal_one_query_over_all_labels(concept_store):
    any_concept = "|".join(CONCEPT_LABELS)
    relations = "|".join(CONCEPT_RELATIONS)
    expected = concept_store.read(
        f"""MATCH (c:{any_concept}) WHERE coalesce(c.{GENERIC}, false) = false
        WITH c ORDER BY coalesce(c.paper_count, 0) DESC, c.id LIMIT 20
        WITH c, coalesce(c.paper_count, 0) + COUNT {{ (c)-[:{relations}]-() }} AS links
        RETURN c.id AS id, links ORDER BY links DESC, c.name LIMIT 5"""
    )
    found = most_connected_concepts(concept_store, candidates=20, limit=5)
    assert [(row["id"], row["links"]) for row in found] == [(row["id"], row["links"]) for row in expected]
