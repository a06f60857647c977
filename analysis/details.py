"""What the Paper and Concept pages show, read from the store as plain data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from analysis.aggregates import (
    COUNTED_CONCEPTS,
    EXTRACTED_LINKS,
    START_CANDIDATES,
    START_KEPT,
    bring_up_to_date,
    most_connected_rows,
    read_concepts_by_id,
    stored_start_concepts,
)
from analysis.linkpred.shown_run import shown_run
from analysis.subgraph import primary_label
from graph_schema.schema import CONCEPT_LABELS, CONCEPT_RELATIONS, GENERIC, SEARCH_TEXT, Label, Rel
from graph_schema.store import Store

CLAIM_LINKS = (Rel.ABOUT, Rel.ON, Rel.MEASURED_BY)
_HIDDEN_PROPERTIES = {SEARCH_TEXT, "extraction", "content_hash"}


CONCEPT_LABEL_EXPRESSION = "|".join(CONCEPT_LABELS)  # matches any concept: (c:Method|Task|Dataset|Metric)
LIST_PAGE_SIZE = 100


@dataclass(frozen=True)
class ListPage:
    """One page of a sorted list: ``rows`` from ``offset``, and how many rows the whole list has."""

    rows: list[dict]
    total: int
    offset: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


def parse_json(text: str | None, default: Any) -> Any:
    """A JSON property as Python; ``default`` when it is absent or not JSON."""
    if not text:
        return default
    try:
        return json.loads(text)
    except (TypeError, json.JSONDecodeError):
        return default


def visible_properties(properties: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k not in _HIDDEN_PROPERTIES}


# -- papers ---------------------------------------------------------------------


@dataclass
class MentionSpan:
    start: int
    end: int
    text: str
    label: str  # the concept's label
    concept_id: str
    concept: str
    confidence: float | None


@dataclass
class PaperDetails:
    properties: dict[str, Any]
    mentions: list[MentionSpan]
    sources: list[dict]
    claims: list[dict]
    extraction: str | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.properties["id"]

    @property
    def title(self) -> str:
        return self.properties.get("title") or self.id

    @property
    def abstract(self) -> str:
        return self.properties.get("abstract") or ""


def paper_details(store: Store, paper_id: str) -> PaperDetails | None:
    rows = store.read(f"MATCH (p:{Label.PAPER} {{id: $id}}) RETURN properties(p) AS properties", id=paper_id)
    if not rows:
        return None
    properties = rows[0]["properties"]
    mentions = [
        MentionSpan(
            row["start"],
            row["end"],
            row["text"],
            primary_label(row["labels"]),
            row["id"],
            row["name"],
            row["confidence"],
        )
        for row in store.read(
            f"""MATCH (:{Label.PAPER} {{id: $id}})-[m:{Rel.MENTIONS}]->(c)
            RETURN m.start AS start, m.end AS end, m.text AS text, m.confidence AS confidence,
                   labels(c) AS labels, c.id AS id, c.name AS name ORDER BY start""",
            id=paper_id,
        )
    ]
    sources = store.read(
        f"""MATCH (:{Label.PAPER} {{id: $id}})-[l:{Rel.LISTED_IN}]->(s:{Label.SOURCE})
        RETURN s.name AS source, s.format AS format, l.lines AS lines ORDER BY source""",
        id=paper_id,
    )
    claims = store.read(
        f"""MATCH (:{Label.PAPER} {{id: $id}})-[:{Rel.CLAIMS}]->(c:{Label.CLAIM})
        RETURN c.sentence AS sentence, c.kind AS kind, c.text AS text, c.values AS values, c.units AS units,
               c.metrics AS metrics, c.results AS results ORDER BY sentence""",
        id=paper_id,
    )
    return PaperDetails(visible_properties(properties), mentions, sources, claims, properties.get("extraction"))


def paper_concepts(mentions: list[MentionSpan]) -> list[dict]:
    """One row per concept the paper mentions, most mentioned first."""
    rows: dict[str, dict] = {}
    for mention in mentions:
        row = rows.setdefault(
            mention.concept_id,
            {
                "label": mention.label,
                "concept": mention.concept,
                "id": mention.concept_id,
                "mentions": 0,
                "as written": [],
            },
        )
        row["mentions"] += 1
        if mention.text not in row["as written"]:
            row["as written"].append(mention.text)
    return sorted(rows.values(), key=lambda row: (-row["mentions"], row["concept"]))


SIMILAR_CANDIDATES = 2000  # papers examined for the similar papers


def similar_papers(store: Store, paper_id: str, limit: int = 10) -> list[dict]:
    """Papers sharing the most concepts with this one.  They are found through its less common
    concepts (specific ones first, then by fewer papers): those whose papers fit in
    ``SIMILAR_CANDIDATES``, and at least the rarest, at most that many papers in all; each is then
    ranked by every concept it shares.  So a paper mentioning "transformer" costs no more than one
    mentioning rare concepts, and a paper sharing only the most common ones may be left out."""
    mentioned = store.read(
        f"""MATCH (:{Label.PAPER} {{id: $id}})-[:{Rel.MENTIONS}]->(c)
        RETURN DISTINCT elementId(c) AS key, coalesce(c.paper_count, 0) AS papers, coalesce(c.{GENERIC}, false) AS generic""",
        id=paper_id,
    )
    through, room = [], SIMILAR_CANDIDATES
    for concept in sorted(mentioned, key=lambda c: (c["generic"], c["papers"], c["key"])):
        if through and concept["papers"] > room:
            break
        through.append(concept["key"])
        room -= concept["papers"]
    if not through:
        return []
    return store.read(
        f"""MATCH (p:{Label.PAPER} {{id: $id}})-[:{Rel.MENTIONS}]->(c)
        WITH p, collect(DISTINCT elementId(c)) AS mine
        UNWIND $through AS key
        MATCH (t) WHERE elementId(t) = key
        MATCH (t)<-[:{Rel.MENTIONS}]-(q:{Label.PAPER}) WHERE q.id <> p.id
        WITH DISTINCT mine, q LIMIT $candidates
        MATCH (q)-[:{Rel.MENTIONS}]->(s) WHERE elementId(s) IN mine
        WITH q, collect(DISTINCT s.name) AS shared
        RETURN q.id AS id, q.title AS title, size(shared) AS shared_concepts, shared
        ORDER BY shared_concepts DESC, title LIMIT $limit""",
        id=paper_id,
        through=through,
        candidates=SIMILAR_CANDIDATES,
        limit=limit,
    )


# -- concepts -------------------------------------------------------------------


@dataclass
class ConceptDetails:
    label: str
    properties: dict[str, Any]

    @property
    def id(self) -> str:
        return self.properties["id"]

    @property
    def name(self) -> str:
        return self.properties.get("name") or self.id

    def aliases(self) -> list[dict]:
        forms = self.properties.get("aliases") or []
        counts = self.properties.get("alias_counts") or [None] * len(forms)
        return [{"alias": form, "mentions": count} for form, count in zip(forms, counts)]

    def merge_reasons(self) -> list[dict]:
        return parse_json(self.properties.get("merge_reasons"), [])


def concept_details(store: Store, concept_id: str) -> ConceptDetails | None:
    rows = store.read(
        f"MATCH (c:{CONCEPT_LABEL_EXPRESSION} {{id: $id}}) RETURN labels(c) AS labels, properties(c) AS properties",
        id=concept_id,
    )
    if not rows:
        return None
    return ConceptDetails(primary_label(rows[0]["labels"]), visible_properties(rows[0]["properties"]))


def concept_papers(store: Store, concept: ConceptDetails, offset: int = 0, limit: int = LIST_PAGE_SIZE) -> ListPage:
    """The papers mentioning the concept, most mentions first, one page of them; how many there
    are as the concept layer counted them (``paper_count``)."""
    rows = store.read(
        f"""MATCH (c:{concept.label} {{id: $id}})<-[m:{Rel.MENTIONS}]-(p:{Label.PAPER})
        WITH p, count(m) AS mentions ORDER BY mentions DESC, p.title, p.id SKIP $offset LIMIT $limit
        RETURN p.id AS id, p.title AS title, p.date AS date, mentions""",
        id=concept.id,
        offset=offset,
        limit=limit,
    )
    total = concept.properties.get("paper_count")
    if not isinstance(total, int) or total < offset + len(rows):
        total = store.read(
            f"MATCH (c:{concept.label} {{id: $id}})<-[:{Rel.MENTIONS}]-(p:{Label.PAPER}) RETURN count(DISTINCT p) AS n",
            id=concept.id,
        )[0]["n"]
    return ListPage(rows, total, offset, limit)


def related_concepts(store: Store, concept: ConceptDetails) -> list[dict]:
    """Extracted relations to other concepts, both directions, best supported first."""
    return store.read(
        f"""MATCH (c:{concept.label} {{id: $id}})-[r:{"|".join(CONCEPT_RELATIONS)}]-(o)
        RETURN CASE WHEN elementId(startNode(r)) = elementId(c) THEN 'out' ELSE 'in' END AS direction,
               type(r) AS relation, labels(o)[0] AS label, o.id AS id, o.name AS concept,
               r.paper_count AS papers, r.confidence AS confidence
        ORDER BY papers DESC, confidence DESC""",
        id=concept.id,
    )


def concept_claims(store: Store, concept: ConceptDetails) -> list[dict]:
    return store.read(
        f"""MATCH (c:{concept.label} {{id: $id}})<-[:{"|".join(CLAIM_LINKS)}]-(cl:{Label.CLAIM})<-[:{Rel.CLAIMS}]-(p:{Label.PAPER})
        RETURN p.id AS paper_id, p.title AS paper, cl.kind AS kind, cl.text AS text, cl.results AS results
        ORDER BY paper, cl.sentence""",
        id=concept.id,
    )


def results_rows(claims: list[dict], concept: ConceptDetails) -> list[dict]:
    """The result rows (method, dataset, metric, value) of these claims that involve the concept:
    as their method or dataset, or, for a metric, by name."""
    names = {concept.name.lower(), *(a["alias"].lower() for a in concept.aliases())}
    rows = []
    for claim in claims:
        for result in parse_json(claim["results"], []):
            involved = concept.id in (result.get("method_id"), result.get("dataset_id"))
            if involved or (concept.label == Label.METRIC and str(result.get("metric", "")).lower() in names):
                rows.append(
                    {
                        "method": result.get("method"),
                        "dataset": result.get("dataset"),
                        "metric": result.get("metric"),
                        "value": result.get("value"),
                        "unit": result.get("unit") or "",
                        "relative": bool(result.get("relative")),
                        "paper": claim["paper"],
                    }
                )
    return rows


def _with_parsed_explanations(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["explanation"] = parse_json(row["explanation"], row["explanation"])
    return rows


def predicted_links(store: Store, concept: ConceptDetails, limit: int = 50) -> list[dict]:
    """The links predicted for this concept by the run shown (``linkpred.shown_run``), best first."""
    return _with_parsed_explanations(
        store.read(
            f"""MATCH (c:{concept.label} {{id: $id}})-[r:{Rel.PREDICTED_LINK}]-(o) WHERE r.run_id = $run
            RETURN labels(o)[0] AS label, o.id AS id, coalesce(o.name, o.title) AS name, r.score AS score,
                   r.model AS model, r.run_id AS run, r.created AS created, r.explanation AS explanation
            ORDER BY score DESC LIMIT $limit""",
            id=concept.id,
            run=shown_run(store),
            limit=limit,
        )
    )


def top_predicted_links(store: Store, limit: int = 200) -> list[dict]:
    """The best-scored predicted links in the whole graph."""
    return _with_parsed_explanations(
        store.read(
            f"""MATCH (a)-[r:{Rel.PREDICTED_LINK}]->(b)
            RETURN labels(a)[0] AS source_label, a.id AS source_id, coalesce(a.name, a.title) AS source,
                   labels(b)[0] AS target_label, b.id AS target_id, coalesce(b.name, b.title) AS target,
                   r.score AS score, r.model AS model, r.run_id AS run, r.created AS created, r.explanation AS explanation
            ORDER BY score DESC LIMIT $limit""",
            limit=limit,
        )
    )


# -- lists: every paper, every concept, a page at a time ---------------------------

# How each list may be sorted -> the Cypher expression it sorts by.
# Papers without a date sort last whichever the direction.
PAPER_SORTS = {"date": "p.date", "title": "p.title", "concepts": f"size(coalesce(p.{COUNTED_CONCEPTS}, []))"}
CONCEPT_SORTS = {
    "papers": "coalesce(c.paper_count, 0)",
    "mentions": "coalesce(c.mention_count, 0)",
    "name": "c.name",
    "label": "labels(c)[0]",
}


def _sort_clause(sorts: dict[str, str], sort: str, descending: bool, tie_break: str) -> str:
    if sort not in sorts:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(sorts)}")
    expression = sorts[sort]
    direction = " DESC" if descending else ""
    return f"{expression} IS NULL, {expression}{direction}, {tie_break}"


def paper_list(
    store: Store,
    sort: str = "date",
    descending: bool = True,
    offset: int = 0,
    limit: int = LIST_PAGE_SIZE,
    ids: list[str] | None = None,
) -> ListPage:
    """Papers with their title, date and how many distinct concepts they mention, one page of them.
    ``ids`` keeps only those papers.  Only the page's papers have their concepts counted: sorting
    by concepts sorts by the counts ``analysis.aggregates`` stored (brought up to date first)."""
    if sort == "concepts":
        bring_up_to_date(store)
    match = f"UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}})" if ids is not None else f"MATCH (p:{Label.PAPER})"
    order = _sort_clause(PAPER_SORTS, sort, descending, "p.title, p.id")
    count_concepts = f"OPTIONAL MATCH (p)-[:{Rel.MENTIONS}]->(c) WITH p, count(DISTINCT c) AS concepts"
    query = f"{match} WITH p ORDER BY {order} SKIP $offset LIMIT $limit {count_concepts} ORDER BY {order}"
    rows = store.read(
        f"{query} RETURN p.id AS id, p.title AS title, p.date AS date, concepts",
        ids=ids,
        offset=offset,
        limit=limit,
    )
    total = store.read(f"{match} RETURN count(p) AS n", ids=ids)[0]["n"]
    return ListPage(rows, total, offset, limit)


def concept_list(
    store: Store,
    labels: tuple[str, ...] = CONCEPT_LABELS,
    sort: str = "papers",
    descending: bool = True,
    offset: int = 0,
    limit: int = LIST_PAGE_SIZE,
    ids: list[str] | None = None,
) -> ListPage:
    """Concepts with their label, name, mentions and papers (as the concept layer counted them), one page of them."""
    chosen = [label for label in CONCEPT_LABELS if label in labels]
    if not chosen:
        return ListPage([], 0, offset, limit)
    if ids is None:
        match, keys = f"MATCH (c:{'|'.join(chosen)})", None
    else:  # each found on its label's id index first
        keys = [row["key"] for row in read_concepts_by_id(store, ids, "RETURN elementId(c) AS key", labels=chosen)]
        match = "UNWIND $keys AS key MATCH (c) WHERE elementId(c) = key"
    rows = store.read(
        f"""{match} WITH c ORDER BY {_sort_clause(CONCEPT_SORTS, sort, descending, "c.name, c.id")}
        SKIP $offset LIMIT $limit
        RETURN labels(c) AS labels, c.id AS id, c.name AS name,
               coalesce(c.mention_count, 0) AS mentions, coalesce(c.paper_count, 0) AS papers""",
        keys=keys,
        offset=offset,
        limit=limit,
    )
    for row in rows:
        row["label"] = primary_label(row.pop("labels"))
    if keys is not None:
        total = len(keys)
    else:  # one count per label, which the store keeps
        total = sum(store.read(f"MATCH (c:{label}) RETURN count(c) AS n")[0]["n"] for label in chosen)
    return ListPage(rows, total, offset, limit)


def most_connected_concepts(
    store: Store, rel_types: tuple[str, ...] = EXTRACTED_LINKS, limit: int = 10, candidates: int = START_CANDIDATES
) -> list[dict]:
    """The first ``limit`` of ``analysis.aggregates.most_connected_rows``: with its defaults, as
    ranked at the last update when that is current (one small read), else ranked now."""
    if tuple(rel_types) == EXTRACTED_LINKS and candidates == START_CANDIDATES and limit <= START_KEPT:
        kept = stored_start_concepts(store)
        if kept is not None:
            return kept[:limit]
    return most_connected_rows(store, rel_types, candidates)[:limit]
