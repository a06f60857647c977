"""Counts that pages read at every visit, stored in the graph once per ingest, by difference.

Trends would otherwise count every paper's mentions per period at each visit: seconds at 100k
papers.  Instead each paper records what it was counted as, and each concept what it counts:

* a paper: its periods (``COUNTED_YEAR``, ``COUNTED_MONTH``: a string such as ``"2024"`` and
  ``"2024-05"``, absent when undated), the distinct concepts it mentions (``COUNTED_CONCEPTS``),
  its abstract's words (``ABSTRACT_WORDS``), and a marker of the state they were read from
  (``AGGREGATED_FROM``: its concept layer's hash, content hash, date and year);
* a concept: its papers per period (``PAPERS_PER``, JSON ``{"2024": 12, ...}``) and how many of
  its papers are dated (``DATED_PAPERS``); a concept in at least ``HEAVY_CONCEPT_PAPERS`` dated
  papers also keeps the concepts most often mentioned with it, period by period (``CO_MENTIONS``),
  which would otherwise mean reading every one of its papers' mentions.

* the corpus (``graph_schema.corpus_state``'s ``COUNTS`` node): its papers per period, and the
  totals the Overview shows (papers counted, abstract words, papers with code, papers listed in
  more than one source, mentions), kept by difference too: a paper also records what it added
  to them (``COUNTED_CODE``, ``COUNTED_SOURCES``, ``COUNTED_MENTIONS``, ``ABSTRACT_WORDS``); and
  the ingests' generation the counts were made at, so that a page learns whether they are
  current from that one node (``aggregates_outdated``) rather than from every paper's marker;
* the lists pages open on, ranked once per update: Trends' (the ``TRENDS`` node) and the concepts
  Explore starts from (``EXPLORE_START``), each read only while current, else ranked at the visit.

``update_aggregates`` finds the papers whose marker differs from their state (an ingest's new and
changed papers; every paper the first time), takes their old contribution off the concepts they
were counted in and adds the new one, and ranks co-mentions again only in the periods those
papers were or are in.  A batch's papers and concepts are written in one transaction, so a run cut
short loses nothing and the next one goes on from there.  ``bring_up_to_date`` is what the CLI and
the app call: after an ingest, and lazily from a page that finds the counts outdated.

A period follows ``period_of``: a paper's ``year`` property when it has one, else the first
four digits of its ``date`` (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``); its month comes from a
``date`` that starts ``YYYY-MM``.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graph_schema.corpus_state import (
    corpus_state,
    generation_write,
    is_current,
    properties_write,
    written_generation,
)
from graph_schema.file_locks import exclusive_job, running_ingest
from graph_schema.progress import Progress, no_progress
from graph_schema.schema import CONCEPT_LABELS, CONCEPT_RELATIONS, COUNTED_MONTH, COUNTED_YEAR, GENERIC, Label, Rel
from graph_schema.settings import papergraph_home
from graph_schema.store import GraphCounts, Store, batched
from ingest.writer import LAYER_HASH

YEAR = "year"
MONTH = "month"
GRANULARITIES = (YEAR, MONTH)
PERIOD_LENGTH = {YEAR: len("2024"), MONTH: len("2024-05")}

AGGREGATES_VERSION = "aggregates-2"  # change it when what is counted changes: every paper is counted again
AGGREGATED_FROM = "aggregated_from"
COUNTED_PERIOD = {YEAR: COUNTED_YEAR, MONTH: COUNTED_MONTH}
COUNTED_CONCEPTS = "counted_concepts"
ABSTRACT_WORDS = "abstract_words"
COUNTED_CODE = "counted_code"  # whether it had a code address
COUNTED_SOURCES = "counted_sources"  # the sources it was listed in
COUNTED_MENTIONS = "counted_mentions"
COUNTS = "counts"  # the corpus_state part whose node keeps the corpus totals
TRENDS = "trends"  # ... and the one that keeps the lists Trends opens on, one JSON value per granularity
EXPLORE_START = "explore_start"  # ... and the one that keeps the concepts Explore starts from (JSON rows)
COUNTED_NODES = "nodes_per_label"  # JSON on the COUNTS node, counted at the end of each update
COUNTED_RELATIONSHIPS = "relationships_per_type"
PAPERS_PER = {YEAR: "papers_per_year", MONTH: "papers_per_month"}
DATED_PAPERS = {YEAR: "dated_papers_year", MONTH: "dated_papers_month"}
CO_MENTIONS = {YEAR: "co_mentions_year", MONTH: "co_mentions_month"}
# On a paper counted again whose periods or concepts changed: the periods whose co-mentions are to
# be ranked again, removed once they are; so a run cut short between the two ranks them next time.
RANK_AGAIN_IN = "co_mentions_outdated_in"

HEAVY_CONCEPT_PAPERS = 1000  # from this many dated papers on, a concept's co-mentions are stored
CO_MENTIONS_KEPT = 10  # per period
PAPER_BATCH = 5000  # papers counted per transaction
LOCK_FILE = "aggregates.lock"

CONCEPT = "|".join(CONCEPT_LABELS)  # any concept: (c:Method|Task|Dataset|Metric)


def period_of(granularity: str, paper: str = "p") -> str:
    """The Cypher expression for the period of the paper bound to ``paper``: a string, or null when undated."""
    given = f"toString({paper}.date)"
    if granularity == YEAR:
        from_date = f"CASE WHEN {given} =~ '[0-9]{{4}}.*' THEN left({given}, 4) END"
        return f"coalesce(toString(toInteger({paper}.year)), {from_date})"
    if granularity == MONTH:
        return f"CASE WHEN {given} =~ '[0-9]{{4}}-(0[1-9]|1[0-2]).*' THEN left({given}, 7) END"
    raise ValueError(f"unknown granularity {granularity!r}; choose one of {', '.join(GRANULARITIES)}")


def marker(paper: str = "p") -> str:
    """The Cypher expression for what a paper's counts are read from; a paper whose stored
    marker differs is counted again."""
    return (
        f"'{AGGREGATES_VERSION}|' + coalesce({paper}.{LAYER_HASH}, '') + '|' + coalesce({paper}.content_hash, '') "
        f"+ '|' + coalesce(toString({paper}.date), '') + '|' + coalesce(toString({paper}.year), '') "
        f"+ '|' + toString(size(coalesce({paper}.code_urls, []))) "
        f"+ '|' + toString(COUNT {{ ({paper})-[:{Rel.LISTED_IN}]->() }})"
    )


def outdated(paper: str = "p") -> str:
    """The Cypher condition: the paper bound to ``paper`` was not counted as it now is, or the
    co-mentions of its periods are still to be ranked again."""
    return (
        f"({paper}.{AGGREGATED_FROM} IS NULL OR {paper}.{AGGREGATED_FROM} <> {marker(paper)} "
        f"OR {paper}.{RANK_AGAIN_IN} IS NOT NULL)"
    )


def aggregates_outdated(store: Store) -> bool:
    """Whether the counts may not be those of the papers as they now are: an ingest wrote since
    they were made (``graph_schema.corpus_state``), or they were never made by this version.
    One small read; ``update_aggregates`` then finds which papers, if any, changed."""
    state = corpus_state(store)
    return not all(_made_now(state, part) for part in (COUNTS, TRENDS, EXPLORE_START))


def _made_now(state: dict, part: str) -> bool:
    """Whether ``part``'s node (of ``corpus_state``'s answer) was made by this version at the papers' generation."""
    return state.get(part, {}).get("version") == AGGREGATES_VERSION and is_current(state, part)


@dataclass(frozen=True)
class CorpusTotals:
    """The corpus as last counted (``COUNTS``), current with the papers."""

    papers: int
    abstract_words: int
    papers_with_code: int
    papers_in_several_sources: int
    mentions: int
    papers_per: dict[str, dict[str, int]]  # granularity -> {period: papers}
    nodes: dict[str, int]  # label -> nodes, as the update counted them
    relationships: dict[str, int]  # type -> relationships, those of COUNTED_LIVE left out

    @property
    def mean_abstract_words(self) -> float:
        return self.abstract_words / self.papers if self.papers else 0.0


_TOTALS = ("papers", "abstract_words", "papers_with_code", "papers_in_several_sources", "mentions")


def corpus_totals(store: Store) -> CorpusTotals | None:
    """The stored corpus totals, or None when they may be outdated (see ``aggregates_outdated``)."""
    state = corpus_state(store)
    if not _made_now(state, COUNTS):
        return None
    return _totals_from(state[COUNTS])


def _totals_from(counts: dict) -> CorpusTotals:
    return CorpusTotals(
        **{name: counts.get(name) or 0 for name in _TOTALS},
        papers_per={
            granularity: papers_per_period(counts.get(PAPERS_PER[granularity])) for granularity in GRANULARITIES
        },
        nodes=json.loads(counts.get(COUNTED_NODES) or "{}"),
        relationships=json.loads(counts.get(COUNTED_RELATIONSHIPS) or "{}"),
    )


@dataclass(frozen=True)
class AggregatesUpdate:
    papers: int  # papers counted again
    concepts: int  # concepts whose counts changed
    periods: int  # periods whose co-mentions were ranked again
    seconds: float

    def describe(self) -> str:
        if not self.papers:
            return "per-period counts were up to date"
        return (
            f"counted {self.papers:,} new or changed papers into {self.concepts:,} concepts' per-period counts "
            f"({self.seconds:.1f} s)"
        )


def bring_up_to_date(
    store: Store, progress: Progress = no_progress, home: Path | None = None, during_ingest: bool = False
) -> AggregatesUpdate | None:
    """``update_aggregates`` when the counts are outdated, one updater at a time.  None when it
    did not run: another updater is at work, or an ingest is (unless this runs inside it,
    ``during_ingest``), which brings them up to date when it ends; the stored counts stay as
    they were, consistent with each other."""
    home = home or papergraph_home()
    if not during_ingest and running_ingest(home) is not None:
        return None
    if not aggregates_outdated(store):
        return AggregatesUpdate(0, 0, 0, 0.0)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with exclusive_job(home / LOCK_FILE, busy=_UpdaterBusy):
            return update_aggregates(store, progress)
    except _UpdaterBusy:
        return None


class _UpdaterBusy(Exception):
    pass


# -- nodes and relationships ----------------------------------------------------------------


def graph_counts(store: Store, mentions: int | None = None, leave_out: tuple[Rel, ...] = ()) -> GraphCounts:
    """Nodes per label and relationships per type (but ``leave_out``), one count each (on a
    label or a type, a count the store answers without reading every node and relationship
    together); ``mentions``: the MENTIONS as counted already."""
    nodes = {label.value: store.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"] for label in Label}
    relationships = {
        rel.value: mentions if rel == Rel.MENTIONS and mentions is not None else _relationship_count(store, rel)
        for rel in Rel
        if rel not in leave_out
    }
    return GraphCounts(nodes=nodes, relationships={rel: n for rel, n in sorted(relationships.items()) if n})


# Relationship types that only ever end at these labels (``ingest.writer`` writes MENTIONS from a
# paper to a concept): counted as the sum of each end node's own count of them, which the store
# answers from its adjacency lists, where matching every relationship of the type reads them all.
ENDS_AT: dict[Rel, tuple[Label, ...]] = {Rel.MENTIONS: CONCEPT_LABELS}


def _relationship_count(store: Store, rel: Rel) -> int:
    if rel in ENDS_AT:
        return sum(
            store.read(f"MATCH (n:{label}) RETURN sum(COUNT {{ (n)<-[:{rel}]-() }}) AS n")[0]["n"] or 0
            for label in ENDS_AT[rel]
        )
    return store.read(f"MATCH ()-[r:{rel}]->() RETURN count(*) AS n")[0]["n"]


# Written by link prediction, not by an ingest: counted at every visit (a few per node at most).
COUNTED_LIVE: tuple[Rel, ...] = (Rel.PREDICTED_LINK,)


def graph_counts_of(store: Store, totals: CorpusTotals | None) -> GraphCounts:
    """Nodes per label and relationships per type: as the last update counted them where its
    ``totals`` are current (the types of ``COUNTED_LIVE`` counted now), else counted now."""
    if totals is None or not totals.nodes:
        return graph_counts(store, mentions=totals.mentions if totals else None)
    relationships = {**totals.relationships, **{rel.value: _relationship_count(store, rel) for rel in COUNTED_LIVE}}
    return GraphCounts(
        nodes=dict(totals.nodes), relationships={rel: n for rel, n in sorted(relationships.items()) if n}
    )


# -- concepts by id ------------------------------------------------------------------------------


def read_concepts_by_id(
    store: Store, ids: Iterable[str], returned: str, labels: Iterable[str] = CONCEPT_LABELS, **params
) -> list[dict]:
    """``returned`` (the rest of a query on the concept ``c``, with its label as ``$label``) for
    each concept of ``ids`` (among ``labels``), found on its label's id index: ``UNWIND $ids AS id
    MATCH (c:Method|Task|... {id: id})`` would make ArcadeDB test every concept against each id."""
    ids = sorted(set(ids))
    rows: list[dict] = []
    for label in (label for label in CONCEPT_LABELS if label in set(labels)):
        for page in batched(ids, PAPER_BATCH):
            rows += store.read(
                f"UNWIND $ids AS id MATCH (c:{label} {{id: id}}) {returned}", ids=page, label=label.value, **params
            )
    return rows


def concept_writes(then: str, rows: list[dict]) -> list[tuple[str, dict]]:
    """``UNWIND $rows AS row MATCH (c:<label> {id: row.id})``, then ``then``: one statement per
    concept label, each with the rows whose ``label`` it is, each concept found on the id index."""
    return [
        (f"UNWIND $rows AS row MATCH (c:{label} {{id: row.id}}) {then}", {"rows": of_label})
        for label in CONCEPT_LABELS
        if (of_label := [row for row in rows if row["label"] == label.value])
    ]


# -- counting papers into concepts, by difference --------------------------------------------

_OUTDATED_PAPERS = f"""UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}})
    OPTIONAL MATCH (p)-[:{Rel.MENTIONS}]->(c:{CONCEPT})
    WITH p, collect(DISTINCT c.id) AS concepts
    RETURN p.id AS id, {marker()} AS marker, {period_of(YEAR)} AS year, {period_of(MONTH)} AS month, concepts,
           size(split(coalesce(p.abstract, ''), ' ')) AS words, size(coalesce(p.code_urls, [])) > 0 AS code,
           COUNT {{ (p)-[:{Rel.LISTED_IN}]->() }} AS sources, COUNT {{ (p)-[:{Rel.MENTIONS}]->() }} AS mentions,
           p.{COUNTED_MENTIONS} IS NOT NULL AS counted, p.{COUNTED_YEAR} AS old_year,
           p.{COUNTED_MONTH} AS old_month, coalesce(p.{COUNTED_CONCEPTS}, []) AS old_concepts,
           coalesce(p.{ABSTRACT_WORDS}, 0) AS old_words, coalesce(p.{COUNTED_CODE}, false) AS old_code,
           coalesce(p.{COUNTED_SOURCES}, 0) AS old_sources, coalesce(p.{COUNTED_MENTIONS}, 0) AS old_mentions"""
_WRITE_PAPERS = f"""UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.id}})
    SET p.{AGGREGATED_FROM} = row.marker, p.{COUNTED_YEAR} = row.year, p.{COUNTED_MONTH} = row.month,
        p.{COUNTED_CONCEPTS} = row.concepts, p.{ABSTRACT_WORDS} = row.words, p.{COUNTED_CODE} = row.code,
        p.{COUNTED_SOURCES} = row.sources, p.{COUNTED_MENTIONS} = row.mentions,
        p.{RANK_AGAIN_IN} = CASE WHEN size(row.rank_again_in) > 0
            THEN coalesce(p.{RANK_AGAIN_IN}, []) + row.rank_again_in ELSE p.{RANK_AGAIN_IN} END"""
_CONCEPT_COUNTS = f"RETURN c.id AS id, $label AS label, c.{PAPERS_PER[YEAR]} AS year, c.{PAPERS_PER[MONTH]} AS month"
_WRITE_CONCEPTS = f"""SET c.{PAPERS_PER[YEAR]} = row.year, c.{DATED_PAPERS[YEAR]} = row.year_papers,
        c.{PAPERS_PER[MONTH]} = row.month, c.{DATED_PAPERS[MONTH]} = row.month_papers"""


def update_aggregates(
    store: Store, progress: Progress = no_progress, heavy: int = HEAVY_CONCEPT_PAPERS
) -> AggregatesUpdate:
    """Count every paper whose marker is outdated again, by difference (see the module's docstring).
    ``heavy``: from how many dated papers on a concept's co-mentions are stored.  Run one at a time
    (``bring_up_to_date`` sees to it)."""
    started = time.perf_counter()
    state = corpus_state(store)
    generation = written_generation(state)  # read first: an ingest writing from now on outdates these counts
    by_difference = state.get(COUNTS, {}).get("version") == AGGREGATES_VERSION
    totals = _Totals.from_stored(state.get(COUNTS, {})) if by_difference else _Totals()
    to_count = store.read_ids(Label.PAPER, where=outdated("n"))
    touched_concepts: set[str] = set()
    for done, ids in enumerate(batched(to_count, PAPER_BATCH)):
        progress("Counting papers per period", done * PAPER_BATCH, len(to_count))
        papers = store.read(_OUTDATED_PAPERS, ids=ids)
        concept_rows = _apply(store, _count_changes(papers))
        touched_concepts.update(row["id"] for row in concept_rows)
        paper_rows = [
            {
                **{
                    key: paper[key] for key in ("id", "marker", "year", "month", "words", "code", "sources", "mentions")
                },
                "concepts": sorted(paper["concepts"]),
                "rank_again_in": _periods_changed(paper),
            }
            for paper in papers
        ]
        writes = [*concept_writes(_WRITE_CONCEPTS, concept_rows), (_WRITE_PAPERS, {"rows": paper_rows})]
        if by_difference:
            totals.count(papers)
            writes.append(properties_write(COUNTS, **totals.stored()))
        store.write_together(writes)
    progress("Counting papers per period", len(to_count), len(to_count))
    to_rank = store.read(
        f"MATCH (p:{Label.PAPER}) WHERE p.{RANK_AGAIN_IN} IS NOT NULL RETURN p.id AS id, p.{RANK_AGAIN_IN} AS periods"
    )
    periods = {period for row in to_rank for period in row["periods"]}
    ranked = sum(
        _rank_co_mentions(
            store, granularity, {period for period in periods if len(period) == PERIOD_LENGTH[granularity]}, heavy
        )
        for granularity in GRANULARITIES
    )
    store.write_rows(
        f"UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.id}}) REMOVE p.{RANK_AGAIN_IN}",
        [{"id": row["id"]} for row in to_rank],
    )
    if not by_difference:  # never counted, or by another version: every paper's counts, added up once
        totals = _Totals.from_papers(store)
    # Counted once per update, not at each visit: a count per type reads every relationship of it.
    counted = graph_counts(store, mentions=totals.scalars["mentions"], leave_out=COUNTED_LIVE)
    store.write_together(
        [
            properties_write(
                COUNTS,
                **totals.stored(),
                version=AGGREGATES_VERSION,
                **{
                    COUNTED_NODES: json.dumps(counted.nodes, separators=(",", ":")),
                    COUNTED_RELATIONSHIPS: json.dumps(counted.relationships, separators=(",", ":")),
                },
            ),
            generation_write(COUNTS, generation),
            properties_write(
                TRENDS,
                version=AGGREGATES_VERSION,
                **{
                    granularity: _trends_lists(store, granularity, totals.periods[granularity])
                    for granularity in GRANULARITIES
                },
            ),
            generation_write(TRENDS, generation),
            properties_write(
                EXPLORE_START,
                version=AGGREGATES_VERSION,
                concepts=json.dumps(most_connected_rows(store)[:START_KEPT], separators=(",", ":")),
            ),
            generation_write(EXPLORE_START, generation),
        ]
    )
    return AggregatesUpdate(len(to_count), len(touched_concepts), ranked, round(time.perf_counter() - started, 2))


class _Totals:
    """The corpus totals (``CorpusTotals``) as ``update_aggregates`` keeps them: what each paper
    counted again adds, less what it added before."""

    def __init__(self) -> None:
        self.scalars: Counter = Counter({name: 0 for name in _TOTALS})
        self.periods = {granularity: Counter() for granularity in GRANULARITIES}

    @classmethod
    def from_stored(cls, counts: dict) -> _Totals:
        totals = cls()
        stored = _totals_from(counts)
        totals.scalars.update({name: getattr(stored, name) for name in _TOTALS})
        for granularity in GRANULARITIES:
            totals.periods[granularity].update(stored.papers_per[granularity])
        return totals

    @classmethod
    def from_papers(cls, store: Store) -> _Totals:
        """Every paper's stored counts added up (all of them counted by now)."""
        totals = cls()
        row = store.read(
            f"""MATCH (p:{Label.PAPER}) WHERE p.{COUNTED_MENTIONS} IS NOT NULL
            RETURN count(p) AS papers, sum(p.{ABSTRACT_WORDS}) AS abstract_words,
                   sum(CASE WHEN p.{COUNTED_CODE} THEN 1 ELSE 0 END) AS papers_with_code,
                   sum(CASE WHEN p.{COUNTED_SOURCES} > 1 THEN 1 ELSE 0 END) AS papers_in_several_sources,
                   sum(p.{COUNTED_MENTIONS}) AS mentions"""
        )[0]
        totals.scalars.update({name: row[name] or 0 for name in _TOTALS})
        for granularity in GRANULARITIES:
            for period in store.read(
                f"""MATCH (p:{Label.PAPER}) WHERE p.{COUNTED_PERIOD[granularity]} IS NOT NULL
                RETURN p.{COUNTED_PERIOD[granularity]} AS period, count(*) AS papers"""
            ):
                totals.periods[granularity][period["period"]] += period["papers"]
        return totals

    def count(self, papers: list[dict]) -> None:
        for paper in papers:
            if paper["counted"]:
                self._add(paper["old_words"], paper["old_code"], paper["old_sources"], paper["old_mentions"], -1)
                for granularity in GRANULARITIES:
                    if paper[f"old_{granularity}"]:
                        self.periods[granularity][paper[f"old_{granularity}"]] -= 1
            self._add(paper["words"], paper["code"], paper["sources"], paper["mentions"], 1)
            for granularity in GRANULARITIES:
                if paper[granularity]:
                    self.periods[granularity][paper[granularity]] += 1

    def _add(self, words: int, code: bool, sources: int, mentions: int, sign: int) -> None:
        self.scalars["papers"] += sign
        self.scalars["abstract_words"] += sign * words
        self.scalars["papers_with_code"] += sign * int(code)
        self.scalars["papers_in_several_sources"] += sign * int(sources > 1)
        self.scalars["mentions"] += sign * mentions

    def stored(self) -> dict:
        return {
            **dict(self.scalars),
            **{
                PAPERS_PER[granularity]: json.dumps(
                    {period: papers for period, papers in sorted(counts.items()) if papers > 0}, separators=(",", ":")
                )
                for granularity, counts in self.periods.items()
            },
        }


def _periods_changed(paper: dict) -> list[str]:
    """The periods, old and new, of a paper whose periods or concepts changed; none otherwise."""
    if (paper["year"], paper["month"], sorted(paper["concepts"])) == (
        paper["old_year"],
        paper["old_month"],
        sorted(paper["old_concepts"]),
    ):
        return []
    return sorted({paper[key] for key in ("year", "old_year", "month", "old_month") if paper[key]})


def _count_changes(papers: list[dict]) -> dict[str, dict[str, Counter]]:
    """Per concept and granularity, how many papers each period gains (or, negative, loses)."""
    changes: dict[str, dict[str, Counter]] = defaultdict(
        lambda: {granularity: Counter() for granularity in GRANULARITIES}
    )
    for paper in papers:
        for granularity in GRANULARITIES:
            if paper[f"old_{granularity}"]:
                for concept_id in paper["old_concepts"]:
                    changes[concept_id][granularity][paper[f"old_{granularity}"]] -= 1
            if paper[granularity]:
                for concept_id in paper["concepts"]:
                    changes[concept_id][granularity][paper[granularity]] += 1
    return changes


def _apply(store: Store, changes: dict[str, dict[str, Counter]]) -> list[dict]:
    """The rows that write each changed concept's new counts (a concept no longer stored is left out)."""
    rows = []
    for stored in read_concepts_by_id(store, changes, _CONCEPT_COUNTS):
        row = {"id": stored["id"], "label": stored["label"]}
        changed = False
        for granularity in GRANULARITIES:
            counts = Counter(json.loads(stored[granularity] or "{}"))
            delta = changes[stored["id"]][granularity]
            changed |= any(delta.values())
            counts.update(delta)
            kept = {period: papers for period, papers in sorted(counts.items()) if papers > 0}
            row[granularity] = json.dumps(kept, separators=(",", ":"))
            row[f"{granularity}_papers"] = sum(kept.values())
        if changed or stored["year"] is None:
            rows.append(row)
    return rows


# -- co-mentions of the concepts in many papers ----------------------------------------------


def _rank_co_mentions(store: Store, granularity: str, periods: set[str], heavy: int) -> int:
    """Rank again, in ``periods``, what each heavy concept is mentioned with; a concept that became
    heavy is ranked in every period; one that is no longer heavy loses its stored ranking.
    Returns how many periods were read."""
    counted, stored = COUNTED_PERIOD[granularity], CO_MENTIONS[granularity]
    rows = [
        row
        for label in CONCEPT_LABELS
        for row in store.read(
            f"""MATCH (c:{label}) WHERE c.{DATED_PAPERS[granularity]} >= $heavy OR c.{stored} IS NOT NULL
            RETURN c.id AS id, $label AS label, c.{DATED_PAPERS[granularity]} >= $heavy AS heavy,
                   c.{stored} AS ranked, c.{PAPERS_PER[granularity]} AS papers""",
            heavy=heavy,
            label=label.value,
        )
    ]
    store.write_together(concept_writes(f"REMOVE c.{stored}", [row for row in rows if not row["heavy"]]))
    heavy_rows = {row["id"]: row for row in rows if row["heavy"]}
    if not heavy_rows:
        return 0
    ranked = {concept_id: json.loads(row["ranked"] or "{}") for concept_id, row in heavy_rows.items()}
    periods = set(periods)
    for row in heavy_rows.values():
        if row["ranked"] is None:  # newly heavy: every period it is in
            periods.update(json.loads(row["papers"] or "{}"))
    for period in sorted(periods):
        together: dict[str, Counter] = defaultdict(Counter)
        for paper in store.read(
            f"MATCH (p:{Label.PAPER}) WHERE p.{counted} = $period RETURN p.{COUNTED_CONCEPTS} AS concepts",
            period=period,
        ):
            mentioned = paper["concepts"] or []
            for concept_id in mentioned:
                if concept_id in heavy_rows:
                    together[concept_id].update(other for other in mentioned if other != concept_id)
        for concept_id in heavy_rows:
            top = _top(together.get(concept_id, Counter()))
            if top:
                ranked[concept_id][period] = top
            else:
                ranked[concept_id].pop(period, None)
    store.write_together(
        concept_writes(
            f"SET c.{stored} = row.ranked",
            [
                {
                    "id": concept_id,
                    "label": heavy_rows[concept_id]["label"],
                    "ranked": json.dumps(dict(sorted(by_period.items())), separators=(",", ":")),
                }
                for concept_id, by_period in ranked.items()
            ],
        )
    )
    return len(periods)


def _top(together: Counter) -> list[list]:
    """The ``CO_MENTIONS_KEPT`` most co-mentioned concepts as ``[id, papers]``, ties by id."""
    return [[other, papers] for other, papers in sorted(together.items(), key=lambda item: (-item[1], item[0]))][
        :CO_MENTIONS_KEPT
    ]


# -- the lists Trends opens on ------------------------------------------------------------------
# Ranked once per update, for each granularity: the concepts most dated papers mention and the
# concepts rising and falling most with the page's first settings.  Ranking them at a visit read
# every concept's per-period counts.  A visit with other settings ranks them itself.

TOP_KEPT = 200
MOVERS_KEPT = 10
MOVERS_MIN_PAPERS = 3  # below this, a concept is left out of rising and falling


def share(papers: int, total: int) -> float:
    return papers / total if total else 0.0


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


def default_recent_periods(granularity: str, periods: int) -> int:
    """How many of the last periods are compared with all before at first: the last year, or the last three months."""
    return max(1, min(1 if granularity == YEAR else 3, periods - 1))


def split_periods(totals: dict[str, int], recent_periods: int) -> tuple[list[str], list[str]]:
    """The last ``recent_periods`` of ``totals`` (in time order), at least one and never all, and those before."""
    periods = list(totals)
    recent_periods = min(max(1, recent_periods), len(periods) - 1)
    return periods[-recent_periods:], periods[:-recent_periods]


def rank_movers(rows: list[dict], totals: dict[str, int], recent: list[str], earlier: list[str], limit: int) -> Movers:
    """Each concept of ``rows`` (``id``, ``label``, ``name``, ``counts``: its papers per period) ranked
    by the change of its share of ``totals``' papers from the ``earlier`` periods to the ``recent``."""
    recent_total = sum(totals[period] for period in recent)
    earlier_total = sum(totals[period] for period in earlier)
    changes = []
    for row in rows:
        recent_papers = sum(row["counts"].get(period, 0) for period in recent)
        earlier_papers = sum(row["counts"].get(period, 0) for period in earlier)
        changes.append(
            ConceptChange(
                row["id"],
                row["label"],
                row["name"],
                recent_papers,
                earlier_papers,
                share(recent_papers, recent_total),
                share(earlier_papers, earlier_total),
            )
        )
    rising = sorted((c for c in changes if c.change > 0), key=lambda c: (-c.change, -c.recent_papers, c.name))
    falling = sorted((c for c in changes if c.change < 0), key=lambda c: (c.change, -c.earlier_papers, c.name))
    return Movers(recent, earlier, recent_total, earlier_total, rising[:limit], falling[:limit])


def counted_concept_rows(rows: list[dict]) -> list[dict]:
    """Rows read with ``counted_returned``, each with a ``name`` (its id when unnamed) and ``counts`` as a dict."""
    for row in rows:
        row["name"] = row["name"] or row["id"]
        row["counts"] = papers_per_period(row["counts"])
    return rows


def counted_returned(granularity: str) -> str:
    """The rest of a query on concepts ``c`` of the label ``$label`` that ``counted_concept_rows`` reads."""
    return f"RETURN c.id AS id, $label AS label, c.name AS name, c.{PAPERS_PER[granularity]} AS counts"


def movers_candidates(store: Store, granularity: str, min_papers: int) -> list[dict]:
    """Every concept in at least ``min_papers`` dated papers, as ``counted_concept_rows``."""
    return counted_concept_rows(
        [
            row
            for label in CONCEPT_LABELS
            for row in store.read(
                f"MATCH (c:{label}) WHERE c.{DATED_PAPERS[granularity]} >= $min_papers {counted_returned(granularity)}",
                min_papers=max(1, min_papers),
                label=label.value,
            )
        ]
    )


def top_concept_rows(store: Store, granularity: str, limit: int) -> list[dict]:
    """The concepts most dated papers mention (``id``, ``label``, ``name``, ``generic``, ``papers``),
    most first; generic concepts (``graph_schema.schema.GENERIC``) after the others."""
    dated = f"c.{DATED_PAPERS[granularity]}"
    # One query per label, merged here: the store reads a multi-label pattern with no index.
    rows = [
        row
        for label in CONCEPT_LABELS
        for row in store.read(
            f"""MATCH (c:{label}) WHERE {dated} > 0
            WITH c ORDER BY coalesce(c.generic, false), {dated} DESC, c.name, c.id LIMIT $limit
            RETURN c.id AS id, $label AS label, c.name AS name, coalesce(c.generic, false) AS generic,
                   {dated} AS papers""",
            limit=limit,
            label=label.value,
        )
    ]
    rows.sort(key=lambda row: (row["generic"], -row["papers"], row["name"] is None, row["name"] or "", row["id"]))
    return rows[:limit]


def _trends_lists(store: Store, granularity: str, papers_per: dict[str, int]) -> str:
    """The lists kept for ``granularity``, as stored (``stored_trends_lists`` reads them)."""
    lists: dict = {"top": [row["id"] for row in top_concept_rows(store, granularity, TOP_KEPT)]}
    totals = {period: papers for period, papers in sorted(papers_per.items()) if papers > 0}
    if len(totals) >= 2:
        recent, earlier = split_periods(totals, default_recent_periods(granularity, len(totals)))
        movers = rank_movers(
            movers_candidates(store, granularity, MOVERS_MIN_PAPERS), totals, recent, earlier, MOVERS_KEPT
        )
        lists["movers"] = {
            "totals": totals,
            "recent": recent,
            "min_papers": MOVERS_MIN_PAPERS,
            "ids": [change.concept_id for change in movers.rising + movers.falling],
        }
    return json.dumps(lists, separators=(",", ":"))


def stored_trends_lists(store: Store, granularity: str) -> dict | None:
    """The lists ranked at the last update for ``granularity`` (``top``: concept ids, most mentioned
    first; ``movers``: the ``totals`` and ``recent`` periods they were ranked with, ``min_papers``
    and the ``ids`` among which the ``MOVERS_KEPT`` rising and falling most are), or None when an
    ingest wrote since."""
    state = corpus_state(store)
    if not _made_now(state, TRENDS) or not state[TRENDS].get(granularity):
        return None
    return json.loads(state[TRENDS][granularity])


EXTRACTED_LINKS: tuple[Rel, ...] = (Rel.MENTIONS, *CONCEPT_RELATIONS)
START_CANDIDATES = 200  # the concepts in most papers, among which the most connected are ranked
START_KEPT = 20


def most_connected_rows(
    store: Store, rel_types: tuple[str, ...] = EXTRACTED_LINKS, candidates: int = START_CANDIDATES
) -> list[dict]:
    """The ``candidates`` concepts in most papers, generic ones (``graph_schema.schema.GENERIC``)
    left out, ranked by their links of ``rel_types`` (by default: the papers mentioning them, as
    the concept layer counted them, and extracted relations), most first.  It reads no mention at
    all, but sorts every concept of each label: ``update_aggregates`` keeps its first ``START_KEPT``."""
    types = [Rel(rel_type) for rel_type in rel_types]
    relations = [rel for rel in types if rel != Rel.MENTIONS]
    papers = "coalesce(c.paper_count, 0)" if Rel.MENTIONS in types else "0"
    related = f" + COUNT {{ (c)-[:{'|'.join(relations)}]-() }}" if relations else ""
    # Each label's own candidates, merged here (the store reads a multi-label pattern with no index):
    # the overall ``candidates`` are among them.
    rows = [
        row
        for label in CONCEPT_LABELS
        for row in store.read(
            f"""MATCH (c:{label}) WHERE coalesce(c.{GENERIC}, false) = false
            WITH c ORDER BY coalesce(c.paper_count, 0) DESC, c.id LIMIT $candidates
            WITH c, {papers}{related} AS links
            RETURN $label AS label, c.id AS id, c.name AS name, links, coalesce(c.paper_count, 0) AS papers""",
            candidates=candidates,
            label=label.value,
        )
    ]
    rows = sorted(rows, key=lambda row: (-row["papers"], row["id"]))[:candidates]
    rows.sort(key=lambda row: (-row["links"], row["name"] is None, row["name"] or ""))
    return rows


def stored_start_concepts(store: Store) -> list[dict] | None:
    """The first ``START_KEPT`` of ``most_connected_rows`` with its defaults, as ranked at the last
    update, or None when an ingest wrote since."""
    state = corpus_state(store)
    if not _made_now(state, EXPLORE_START):
        return None
    return json.loads(state[EXPLORE_START]["concepts"])


# -- reading -----------------------------------------------------------------------------------


def papers_per_period(value: str | None) -> dict[str, int]:
    """A concept's stored ``PAPERS_PER`` value as ``{period: papers}``."""
    return json.loads(value) if value else {}


def stored_co_mentions(value: str | None) -> dict[str, list[tuple[str, int]]] | None:
    """A concept's stored ``CO_MENTIONS`` value, ``{period: [(concept id, papers), ...]}``; None when not stored."""
    if value is None:
        return None
    return {period: [(other, papers) for other, papers in ranked] for period, ranked in json.loads(value).items()}


def main() -> None:
    """``python -m analysis.aggregates``: bring the counts up to date (``papergraph ui`` runs it in
    the background, before the statistics)."""
    with Store.open() as store:
        done = bring_up_to_date(store)
    print(done.describe() if done else "per-period counts: left to the ingest or update at work", flush=True)


if __name__ == "__main__":
    main()
