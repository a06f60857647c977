"""From stored extractions to the concept layer of the graph.

resolve (corpus-wide) → claims and results → rows for the writer.  The layer
is rebuilt whole whenever an ingest extracted anything, because resolution is
corpus-wide: a new paper that writes "Graph Attention Networks (GATs)" changes
where every other paper's bare "GAT" belongs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from graph_schema.schema import CONCEPT_LABELS, SEARCH_TEXT, Label, Rel
from graph_schema.store import Store
from ingest import writer
from ingest.claims import extract_claims, results_table
from ingest.records import Claim, ConceptRelation, Mention, Resolution, Sentence
from ingest.resolve import resolve
from ingest.serialize import extraction_from_json

PAGE_SIZE = 500


@dataclass
class StoredPaper:
    id: str
    title: str
    abstract: str
    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[ConceptRelation]
    claims: list[Claim] = field(default_factory=list)


@dataclass
class ConceptLayerSummary:
    papers: int
    mentions: int
    concepts: dict[str, int]
    relations: int
    claims: int
    results: int
    dropped: dict[str, int]


def load_extracted_papers(store: Store) -> list[StoredPaper]:
    papers = []
    query = f"""MATCH (p:{Label.PAPER}) WHERE p.extraction IS NOT NULL
        RETURN p.id AS id, p.title AS title, p.abstract AS abstract, p.extraction AS extraction
        ORDER BY p.id SKIP $skip LIMIT $limit"""
    for page in store.read_pages(query, page_size=PAGE_SIZE):
        for row in page:
            found = extraction_from_json(row["abstract"], row["extraction"])
            papers.append(
                StoredPaper(row["id"], row["title"], row["abstract"], found.sentences, found.mentions, found.relations)
            )
    return papers


def concept_rows(resolution: Resolution, papers_of: dict[str, set[str]]) -> dict[Label, list[dict]]:
    rows: dict[Label, list[dict]] = defaultdict(list)
    for concept in resolution.concepts.values():
        aliases = sorted(concept.aliases.items(), key=lambda item: (-item[1], item[0]))
        rows[Label(concept.label)].append(
            {
                "id": concept.id,
                "props": {
                    "name": concept.name,
                    "key": concept.key,
                    "acronym": concept.acronym,
                    "aliases": [form for form, _ in aliases],
                    "alias_counts": [count for _, count in aliases],
                    "mention_count": concept.mention_count,
                    "paper_count": len(papers_of.get(concept.id, ())),
                    "merge_reasons": json.dumps(concept.merge_reasons),
                    SEARCH_TEXT: " ".join([concept.name, *(form for form, _ in aliases)]),
                },
            }
        )
    return rows


def mention_rows(papers: list[StoredPaper], resolution: Resolution) -> dict[Label, list[dict]]:
    rows: dict[Label, list[dict]] = defaultdict(list)
    for paper in papers:
        for mention in paper.mentions:
            concept_id = resolution.concept_of.get((paper.id, mention))
            if concept_id is None:
                continue
            label = Label(resolution.concepts[concept_id].label)
            rows[label].append(
                {
                    "paper": paper.id,
                    "concept": concept_id,
                    "sentence": mention.sentence,
                    "start": mention.start,
                    "end": mention.end,
                    "text": mention.text,
                    "type": mention.type,
                    "confidence": mention.confidence,
                }
            )
    return rows


def relation_rows(papers: list[StoredPaper], resolution: Resolution) -> dict[tuple[Label, Rel, Label], list[dict]]:
    """One row per (head concept, relationship, tail concept), with the papers
    that support it and where ("paper id:sentence")."""
    support: dict[tuple[str, Rel, str], dict] = {}
    for paper in papers:
        for relation in paper.relations:
            head = resolution.concept_of.get((paper.id, relation.head))
            tail = resolution.concept_of.get((paper.id, relation.tail))
            if head is None or tail is None or head == tail or relation.type not in writer.RELATION_OF_SCIERC_TYPE:
                continue
            rel, reverse = writer.RELATION_OF_SCIERC_TYPE[relation.type]
            if reverse:
                head, tail = tail, head
            row = support.setdefault((head, rel, tail), {"papers": [], "evidence": [], "confidence": 0.0})
            if paper.id not in row["papers"]:
                row["papers"].append(paper.id)
            row["evidence"].append(f"{paper.id}:{relation.head.sentence}")
            row["confidence"] = max(row["confidence"], relation.confidence)
    rows: dict[tuple[Label, Rel, Label], list[dict]] = defaultdict(list)
    for (head, rel, tail), row in support.items():
        shape = (Label(resolution.concepts[head].label), rel, Label(resolution.concepts[tail].label))
        rows[shape].append({"head": head, "tail": tail, **row})
    return rows


def claim_rows(
    papers: list[StoredPaper], resolution: Resolution
) -> tuple[list[dict], dict[tuple[Rel, Label], list[dict]], int]:
    results_by_claim: dict[str, list[dict]] = defaultdict(list)
    results = results_table(((paper.id, paper.claims) for paper in papers), resolution)
    for row in results:
        results_by_claim[f"{row.paper_id}:{row.sentence}"].append(asdict(row))
    claims, links = [], defaultdict(list)
    for paper in papers:
        for claim in paper.claims:
            claim_id = f"{paper.id}:{claim.sentence}"
            claims.append(
                {
                    "paper": paper.id,
                    "id": claim_id,
                    "props": {
                        "text": claim.text,
                        "kind": claim.kind,
                        "sentence": claim.sentence,
                        "start": claim.start,
                        "end": claim.end,
                        "values": [n.value for n in claim.numbers],
                        "units": [n.unit or "" for n in claim.numbers],
                        "metrics": [n.metric or "" for n in claim.numbers],
                        "numbers": json.dumps([asdict(n) for n in claim.numbers]),
                        "results": json.dumps(results_by_claim.get(claim_id, [])),
                    },
                }
            )
            linked = {resolution.concept_of.get((paper.id, m)) for m in claim.mentions}
            if claim.kind == "contribution" and paper.id in resolution.proposed:
                linked.add(resolution.proposed[paper.id])
            for concept_id in sorted(c for c in linked if c):
                label = Label(resolution.concepts[concept_id].label)
                links[(writer.CLAIM_LINK_OF_LABEL[label], label)].append({"claim": claim_id, "concept": concept_id})
    return claims, links, len(results)


def rebuild_concept_layer(store: Store) -> ConceptLayerSummary:
    papers = load_extracted_papers(store)
    resolution = resolve(((p.id, p.abstract, p.mentions) for p in papers), {p.id: p.title for p in papers})
    for paper in papers:
        paper.claims = extract_claims(paper.abstract, paper.sentences, paper.mentions)

    papers_of: dict[str, set[str]] = defaultdict(set)
    for (paper_id, _), concept_id in resolution.concept_of.items():
        papers_of[concept_id].add(paper_id)
    concepts = concept_rows(resolution, papers_of)
    mentions = mention_rows(papers, resolution)
    relations = relation_rows(papers, resolution)
    claims, claim_links, results = claim_rows(papers, resolution)

    writer.clear_concept_layer(store)
    writer.write_concepts(store, {label: concepts.get(label, []) for label in CONCEPT_LABELS})
    writer.write_mentions(store, mentions)
    writer.write_concept_relations(store, relations)
    writer.write_claims(store, claims, claim_links)
    return ConceptLayerSummary(
        papers=len(papers),
        mentions=sum(len(rows) for rows in mentions.values()),
        concepts={label.value: len(rows) for label, rows in concepts.items()},
        relations=sum(len(rows) for rows in relations.values()),
        claims=len(claims),
        results=results,
        dropped=dict(resolution.dropped),
    )
