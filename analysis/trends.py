"""How the corpus moves over time: papers mentioning each concept per year or month,
rising and falling concepts, and what a concept is mentioned with, period by period.

A paper's year is its ``year`` property when it has one, else the first four
digits of its ``date`` (ISO ``YYYY-MM-DD``, or ``YYYY``, ``YYYY-MM``); its
month comes from a ``date`` that starts ``YYYY-MM``.  Papers without either
are undated and left out of every figure here.  A period is a string, ``"2024"``
or ``"2024-05"``, so periods sort in time order.

Every figure is aggregated in the store, by one query or two (never one per
concept), and returned as plain data; a *share* is the fraction of the
period's dated papers that mention the concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from analysis.details import CONCEPT_LABEL_EXPRESSION, concept_list
from analysis.subgraph import primary_label
from graph_schema.schema import Label, Rel
from graph_schema.store import Store

YEAR = "year"
MONTH = "month"
GRANULARITIES = (YEAR, MONTH)


def period_of(granularity: str, paper: str = "p") -> str:
    """The Cypher expression for the period of the paper bound to ``paper``: a string, or null when undated."""
    given = f"toString({paper}.date)"
    if granularity == YEAR:
        from_date = f"CASE WHEN {given} =~ '[0-9]{{4}}.*' THEN left({given}, 4) END"
        return f"coalesce(toString(toInteger({paper}.year)), {from_date})"
    if granularity == MONTH:
        return f"CASE WHEN {given} =~ '[0-9]{{4}}-(0[1-9]|1[0-2]).*' THEN left({given}, 7) END"
    raise ValueError(f"unknown granularity {granularity!r}; choose one of {', '.join(GRANULARITIES)}")


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

    @property
    def periods(self) -> list[str]:
        return list(self.totals)

    @property
    def dated(self) -> int:
        return sum(self.totals.values())

    @property
    def undated(self) -> int:
        return self.papers - self.dated


def corpus_timeline(store: Store, granularity: str = YEAR) -> Timeline:
    rows = store.read(
        f"MATCH (p:{Label.PAPER}) WITH {period_of(granularity)} AS period RETURN period, count(*) AS papers"
    )
    totals = {row["period"]: row["papers"] for row in sorted(rows, key=lambda r: r["period"] or "") if row["period"]}
    return Timeline(granularity, sum(row["papers"] for row in rows), totals)


def _share(papers: int, total: int) -> float:
    return papers / total if total else 0.0


# -- concepts per period -------------------------------------------------------------


@dataclass(frozen=True)
class ConceptTotal:
    concept_id: str
    label: str
    name: str
    papers: int  # dated papers mentioning it


def top_concepts(store: Store, timeline: Timeline, limit: int = 200) -> list[ConceptTotal]:
    """The concepts most dated papers mention, most first.  When every paper is dated, these are
    the papers the concept layer counted (``paper_count``), and nothing needs counting."""
    if not timeline.undated:
        rows = concept_list(store, sort="papers", limit=limit).rows
        return [ConceptTotal(row["id"], row["label"], row["name"], row["papers"]) for row in rows]
    rows = store.read(
        f"""MATCH (p:{Label.PAPER}) WHERE {period_of(timeline.granularity)} IS NOT NULL
        MATCH (p)-[:{Rel.MENTIONS}]->(c)
        WITH c, count(DISTINCT p) AS papers ORDER BY papers DESC, c.name, c.id LIMIT $limit
        RETURN c.id AS id, labels(c) AS labels, c.name AS name, papers""",
        limit=limit,
    )
    return [
        ConceptTotal(row["id"], primary_label(row["labels"]), row["name"] or row["id"], row["papers"]) for row in rows
    ]


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
        return _share(self.papers, self.total)


def concept_trends(store: Store, timeline: Timeline, concept_ids: Sequence[str]) -> list[ConceptPeriod]:
    """For each concept (in the order given; unknown ids are left out), one row per period
    of the timeline, zeros included, so a chart shows where a concept is absent."""
    rows = store.read(
        f"""MATCH (c:{CONCEPT_LABEL_EXPRESSION}) WHERE c.id IN $ids
        OPTIONAL MATCH (c)<-[:{Rel.MENTIONS}]-(p:{Label.PAPER})
        WITH c, p, {period_of(timeline.granularity)} AS period
        RETURN c.id AS id, labels(c) AS labels, c.name AS name, period, count(DISTINCT p) AS papers""",
        ids=list(concept_ids),
    )
    concepts = {row["id"]: (primary_label(row["labels"]), row["name"] or row["id"]) for row in rows}
    counts = {(row["id"], row["period"]): row["papers"] for row in rows if row["period"]}
    return [
        ConceptPeriod(concept_id, *concepts[concept_id], period, counts.get((concept_id, period), 0), total)
        for concept_id in dict.fromkeys(concept_ids)
        if concept_id in concepts
        for period, total in timeline.totals.items()
    ]


# -- rising and falling ----------------------------------------------------------------


@dataclass(frozen=True)
class ConceptChange:
    """A concept's share of the dated papers in the recent periods against the earlier ones."""

    concept_id: str
    label: str
    name: str
    recent_papers: int
    earlier_papers: int
    recent_share: float
    earlier_share: float

    @property
    def change(self) -> float:
        """The share's change, as a fraction (0.05 is five percentage points)."""
        return self.recent_share - self.earlier_share


@dataclass(frozen=True)
class Movers:
    recent: list[str]  # the periods compared ...
    earlier: list[str]  # ... with these
    recent_total: int  # dated papers in each side
    earlier_total: int
    rising: list[ConceptChange]  # largest gain in share first
    falling: list[ConceptChange]  # largest loss first


def rising_and_falling(
    store: Store, timeline: Timeline, recent_periods: int = 1, min_papers: int = 3, limit: int = 10
) -> Movers | None:
    """Compare each concept's share of papers in the last ``recent_periods`` periods with
    its share in every period before; rank by the change in share.  Concepts in fewer
    than ``min_papers`` dated papers in all are left out (one paper more or less would
    move them most).  None when the timeline has fewer than two periods."""
    periods = timeline.periods
    if len(periods) < 2:
        return None
    recent_periods = min(max(1, recent_periods), len(periods) - 1)
    recent, earlier = periods[-recent_periods:], periods[:-recent_periods]
    recent_total = sum(timeline.totals[period] for period in recent)
    earlier_total = timeline.dated - recent_total
    rows = _papers_per_concept(store, timeline, since=recent[0], min_papers=min_papers)
    changes = [
        ConceptChange(
            row["id"],
            primary_label(row["labels"]),
            row["name"] or row["id"],
            row["recent_papers"],
            row["earlier_papers"],
            _share(row["recent_papers"], recent_total),
            _share(row["earlier_papers"], earlier_total),
        )
        for row in rows
    ]
    rising = sorted((c for c in changes if c.change > 0), key=lambda c: (-c.change, -c.recent_papers, c.name))
    falling = sorted((c for c in changes if c.change < 0), key=lambda c: (c.change, -c.earlier_papers, c.name))
    return Movers(recent, earlier, recent_total, earlier_total, rising[:limit], falling[:limit])


def _papers_per_concept(store: Store, timeline: Timeline, since: str, min_papers: int) -> list[dict]:
    """Each concept in at least ``min_papers`` dated papers: ``recent_papers`` (of a period from
    ``since`` on) and ``earlier_papers``.  When every paper is dated, a concept's dated papers are
    those the concept layer counted (``paper_count``): only the recent papers need counting."""
    if timeline.undated:
        return store.read(
            f"""MATCH (p:{Label.PAPER}) WITH p, {period_of(timeline.granularity)} AS period WHERE period IS NOT NULL
            MATCH (p)-[:{Rel.MENTIONS}]->(c)
            WITH c, count(DISTINCT CASE WHEN period >= $since THEN p END) AS recent_papers, count(DISTINCT p) AS papers
            WHERE papers >= $min_papers
            RETURN c.id AS id, labels(c) AS labels, c.name AS name, recent_papers,
                   papers - recent_papers AS earlier_papers""",
            since=since,
            min_papers=min_papers,
        )
    recent = store.read(
        f"""MATCH (p:{Label.PAPER}) WHERE {period_of(timeline.granularity)} >= $since
        MATCH (p)-[:{Rel.MENTIONS}]->(c)
        RETURN c.id AS id, count(DISTINCT p) AS papers""",
        since=since,
    )
    recent_papers = {row["id"]: row["papers"] for row in recent}
    rows = store.read(
        f"""MATCH (c:{CONCEPT_LABEL_EXPRESSION}) WHERE c.paper_count >= $min_papers
        RETURN c.id AS id, labels(c) AS labels, c.name AS name, c.paper_count AS papers""",
        min_papers=min_papers,
    )
    for row in rows:
        row["recent_papers"] = recent_papers.get(row["id"], 0)
        row["earlier_papers"] = row.pop("papers") - row["recent_papers"]
    return rows


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
        return _share(self.papers, self.concept_papers)


def co_mentions_over_time(store: Store, timeline: Timeline, concept_id: str, per_period: int = 5) -> list[CoMention]:
    """The ``per_period`` concepts most often mentioned in the same papers as ``concept_id``, period by period."""
    # Every paper of the concept mentions the concept itself, so its own row counts its papers in
    # the period; sorted first among equals, it is always the period's first row.
    rows = store.read(
        f"""MATCH (:{CONCEPT_LABEL_EXPRESSION} {{id: $id}})<-[:{Rel.MENTIONS}]-(p:{Label.PAPER})
        WITH DISTINCT p
        WITH p, {period_of(timeline.granularity)} AS period WHERE period IS NOT NULL
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
