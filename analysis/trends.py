"""How the corpus moves over time: papers mentioning each concept per year or month,
rising and falling concepts, and what a concept is mentioned with, period by period.

A paper's period follows ``analysis.aggregates.period_of`` (its ``year``, else the first four
digits of its ``date``; its month from a ``date`` that starts ``YYYY-MM``).  Papers without
either are undated and left out of every figure here.  A period is a string, ``"2024"`` or
``"2024-05"``, so periods sort in time order.

Every figure comes from the counts ``analysis.aggregates`` stores once per ingest: each paper's
period, each concept's papers per period, and the co-mentions of concepts in many papers.
``corpus_timeline``, where every page of figures starts, brings them up to date first when an
ingest has changed the graph since; nothing here counts mentions over the whole corpus.  A
*share* is the fraction of the period's dated papers that mention the concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from analysis.aggregates import (
    CO_MENTIONS,
    CO_MENTIONS_KEPT,
    COUNTED_PERIOD,
    DATED_PAPERS,
    GRANULARITIES,
    MONTH,
    MOVERS_KEPT,
    MOVERS_MIN_PAPERS,
    PAPERS_PER,
    TOP_KEPT,
    YEAR,
    ConceptChange,
    Movers,
    bring_up_to_date,
    corpus_totals,
    counted_concept_rows,
    counted_returned,
    default_recent_periods,
    movers_candidates,
    outdated,
    papers_per_period,
    period_of,
    rank_movers,
    read_concepts_by_id,
    share,
    split_periods,
    stored_co_mentions,
    stored_trends_lists,
    top_concept_rows,
)
from analysis.details import CONCEPT_LABEL_EXPRESSION
from analysis.subgraph import primary_label
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import Label, Rel
from graph_schema.store import Store

# Periods are named as analysis.aggregates names them; the pages name them through this module.
__all__ = [
    "CoMention",
    "ConceptChange",
    "ConceptPeriod",
    "ConceptTotal",
    "GRANULARITIES",
    "MONTH",
    "MOVERS_KEPT",
    "MOVERS_MIN_PAPERS",
    "Movers",
    "Timeline",
    "YEAR",
    "co_mentions_over_time",
    "concept_trends",
    "corpus_timeline",
    "default_recent_periods",
    "period_of",
    "period_start",
    "rising_and_falling",
    "top_concepts",
]


def period_start(period: str) -> date:
    """The first day of a period: ``"2024"`` -> 2024-01-01, ``"2024-05"`` -> 2024-05-01."""
    year, _, month = period.partition("-")
    return date(int(year), int(month or 1), 1)


@dataclass(frozen=True)
class Timeline:
    """The corpus's dated papers per period (``totals``, in time order), and how many papers it has in all."""

    granularity: str
    papers: int
    totals: dict[str, int]
    uncounted: int = 0  # papers added or changed since the counts were made (an ingest is at work)

    @property
    def periods(self) -> list[str]:
        return list(self.totals)

    @property
    def dated(self) -> int:
        return sum(self.totals.values())

    @property
    def undated(self) -> int:
        return self.papers - self.dated


def corpus_timeline(store: Store, granularity: str = YEAR, progress: Progress = no_progress) -> Timeline:
    """The timeline of the papers as counted; when some paper was not counted as it now is, the
    counts are brought up to date first (``analysis.aggregates.bring_up_to_date``), unless an
    ingest or another update is at work (that brings them up to date when it ends)."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; choose one of {', '.join(GRANULARITIES)}")
    counted = corpus_totals(store)
    if counted is None and bring_up_to_date(store, progress) is not None:
        counted = corpus_totals(store)
    if counted is not None:  # the usual case: the corpus' own counts, one small read
        return Timeline(granularity, counted.papers, counted.papers_per[granularity], 0)
    # An ingest or another update is at work: the papers as counted so far.
    query = f"MATCH (p:{Label.PAPER}) RETURN p.{COUNTED_PERIOD[granularity]} AS period, count(*) AS papers"
    rows = store.read(query)
    uncounted = store.read(f"MATCH (p:{Label.PAPER}) WHERE {outdated()} RETURN count(p) AS n")[0]["n"]
    totals = {row["period"]: row["papers"] for row in sorted(rows, key=lambda r: r["period"] or "") if row["period"]}
    return Timeline(granularity, sum(row["papers"] for row in rows), totals, uncounted)


# -- concepts per period -------------------------------------------------------------


@dataclass(frozen=True)
class ConceptTotal:
    concept_id: str
    label: str
    name: str
    papers: int  # dated papers mentioning it


def top_concepts(store: Store, timeline: Timeline, limit: int = TOP_KEPT) -> list[ConceptTotal]:
    """The concepts most dated papers mention, most first; generic concepts
    (``graph_schema.schema.GENERIC``) after the others.  As ranked at the last update, when current."""
    stored = stored_trends_lists(store, timeline.granularity) if not timeline.uncounted else None
    if stored is None or limit > TOP_KEPT:
        rows = top_concept_rows(store, timeline.granularity, limit)
    else:
        ranked = stored["top"][:limit]
        returned = (
            f"RETURN c.id AS id, $label AS label, c.name AS name, c.{DATED_PAPERS[timeline.granularity]} AS papers"
        )
        by_id = {row["id"]: row for row in read_concepts_by_id(store, ranked, returned)}
        rows = [by_id[concept_id] for concept_id in ranked if concept_id in by_id]
    return [ConceptTotal(row["id"], row["label"], row["name"] or row["id"], row["papers"]) for row in rows]


@dataclass(frozen=True)
class ConceptPeriod:
    """How many of a period's ``total`` dated papers mention the concept."""

    concept_id: str
    label: str
    name: str
    period: str
    papers: int
    total: int

    @property
    def share(self) -> float:
        return share(self.papers, self.total)


def concept_trends(store: Store, timeline: Timeline, concept_ids: Sequence[str]) -> list[ConceptPeriod]:
    """For each concept (in the order given; unknown ids are left out), one row per period
    of the timeline, zeros included, so a chart shows where a concept is absent."""
    concepts = {
        row["id"]: row
        for row in counted_concept_rows(read_concepts_by_id(store, concept_ids, counted_returned(timeline.granularity)))
    }
    return [
        ConceptPeriod(
            concept_id,
            concepts[concept_id]["label"],
            concepts[concept_id]["name"],
            period,
            concepts[concept_id]["counts"].get(period, 0),
            total,
        )
        for concept_id in dict.fromkeys(concept_ids)
        if concept_id in concepts
        for period, total in timeline.totals.items()
    ]


# -- rising and falling ----------------------------------------------------------------


def rising_and_falling(
    store: Store,
    timeline: Timeline,
    recent_periods: int = 1,
    min_papers: int = MOVERS_MIN_PAPERS,
    limit: int = MOVERS_KEPT,
) -> Movers | None:
    """Compare each concept's share of papers in the last ``recent_periods`` periods with
    its share in every period before; rank by the change in share.  Concepts in fewer
    than ``min_papers`` dated papers in all are left out (one paper more or less would
    move them most).  None when the timeline has fewer than two periods.  With the settings
    the last update ranked them with, only the concepts it ranked first are read."""
    if len(timeline.periods) < 2:
        return None
    recent, earlier = split_periods(timeline.totals, recent_periods)
    stored = stored_trends_lists(store, timeline.granularity) if not timeline.uncounted else None
    ranked = stored.get("movers") if stored else None
    if (
        ranked is not None
        and ranked["totals"] == timeline.totals
        and ranked["recent"] == recent
        and ranked["min_papers"] == min_papers
        and limit <= MOVERS_KEPT
    ):
        rows = counted_concept_rows(read_concepts_by_id(store, ranked["ids"], counted_returned(timeline.granularity)))
    else:
        rows = movers_candidates(store, timeline.granularity, min_papers)
    return rank_movers(rows, timeline.totals, recent, earlier, limit)


# -- co-occurrence over time -------------------------------------------------------------


@dataclass(frozen=True)
class CoMention:
    """In ``period``, ``papers`` of the ``concept_papers`` papers mentioning the chosen concept also mention this one."""

    period: str
    rank: int  # 1 for the most co-mentioned in the period
    concept_id: str
    label: str
    name: str
    papers: int
    concept_papers: int

    @property
    def share(self) -> float:
        return share(self.papers, self.concept_papers)


def co_mentions_over_time(store: Store, timeline: Timeline, concept_id: str, per_period: int = 5) -> list[CoMention]:
    """The ``per_period`` concepts most often mentioned in the same papers as ``concept_id``, period
    by period.  For a concept in many papers these are the ranking ``analysis.aggregates`` stored
    (read in an instant); for the others, its papers' mentions are counted here."""
    rows = store.read(
        f"""MATCH (c:{CONCEPT_LABEL_EXPRESSION} {{id: $id}})
        RETURN c.{PAPERS_PER[timeline.granularity]} AS counts, c.{CO_MENTIONS[timeline.granularity]} AS ranked""",
        id=concept_id,
    )
    if not rows:
        return []
    ranked = stored_co_mentions(rows[0]["ranked"])
    if ranked is None or per_period > CO_MENTIONS_KEPT:
        return _counted_co_mentions(store, timeline, concept_id, per_period)
    concept_papers = papers_per_period(rows[0]["counts"])
    others = {other for period in timeline.periods for other, _ in ranked.get(period, [])}
    named = {
        row["id"]: (primary_label(row["labels"]), row["name"] or row["id"])
        for row in read_concepts_by_id(store, others, "RETURN c.id AS id, labels(c) AS labels, c.name AS name")
    }
    found: list[CoMention] = []
    for period in timeline.periods:
        in_period = sorted(
            ((other, papers) for other, papers in ranked.get(period, []) if other in named),
            key=lambda item: (-item[1], named[item[0]][1], item[0]),
        )
        found += [
            CoMention(period, rank, other, *named[other], papers, concept_papers.get(period, 0))
            for rank, (other, papers) in enumerate(in_period[:per_period], start=1)
        ]
    return found


def _counted_co_mentions(store: Store, timeline: Timeline, concept_id: str, per_period: int) -> list[CoMention]:
    # Every paper of the concept mentions the concept itself, so its own row counts its papers in
    # the period; sorted first among equals, it is always the period's first row.
    rows = store.read(
        f"""MATCH (:{CONCEPT_LABEL_EXPRESSION} {{id: $id}})<-[:{Rel.MENTIONS}]-(p:{Label.PAPER})
        WITH DISTINCT p
        WITH p, p.{COUNTED_PERIOD[timeline.granularity]} AS period WHERE period IS NOT NULL
        MATCH (p)-[:{Rel.MENTIONS}]->(o)
        WITH period, o, count(DISTINCT p) AS together
        ORDER BY period, together DESC, o.id = $id DESC, o.name, o.id
        WITH period, collect({{id: o.id, labels: labels(o), name: o.name, papers: together}})[0..$rows] AS top
        UNWIND top AS other
        RETURN period, other.id AS id, other.labels AS labels, other.name AS name, other.papers AS papers""",
        id=concept_id,
        rows=per_period + 1,
    )
    found: list[CoMention] = []
    for period in sorted({row["period"] for row in rows}):
        in_period = sorted(
            (row for row in rows if row["period"] == period), key=lambda r: (-r["papers"], r["id"] != concept_id)
        )
        concept_papers = in_period[0]["papers"]
        others = sorted(
            (row for row in in_period if row["id"] != concept_id),
            key=lambda r: (-r["papers"], r["name"] or "", r["id"]),
        )
        found += [
            CoMention(
                period,
                rank,
                row["id"],
                primary_label(row["labels"]),
                row["name"] or row["id"],
                row["papers"],
                concept_papers,
            )
            for rank, row in enumerate(others[:per_period], start=1)
        ]
    return found
