"""From stored extractions to the concept layer of the graph, synced by difference.

resolve (corpus-wide) → claims and results → rows → only the rows that differ
from the store are written.  Resolution is corpus-wide because a new paper can
change older ones: one that writes "Graph Attention Networks (GATs)" changes
where every other paper's bare "GAT" belongs.  So resolution runs over every
stored extraction, but what costs per paper does not run again: the claim and
"we propose" rules come from ``ingest.paper_analysis``'s cache for papers they
have seen, and papers' layers are built a block at a time and written by
difference: adding k papers writes their layer and whatever they changed
(counts on the concepts they mention, relations, papers whose mentions now
resolve elsewhere), not the whole corpus again.

Crash safety: a paper's extraction is stored with ``layer_pending``; the flags
are cleared only after the whole sync has been written, so a sync cut short at
any point (kill -9 included) is found and finished by the next ingest, which
writes the same rows: the result is that of an uninterrupted run.  Each
paper's mentions and claims change in one transaction (``writer.write_paper_layers``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from graph_schema.progress import Progress, no_progress
from graph_schema.schema import SEARCH_TEXT, Label, Rel
from graph_schema.store import Store
from ingest import writer
from ingest.claims import results_table
from ingest.paper_analysis import PaperAnalysisCache, analyse, analysis_key
from ingest.records import Claim, ConceptRelation, Mention, Resolution, Sentence
from ingest.resolve import resolve
from ingest.serialize import extraction_from_json

PAGE_SIZE = 500
LAYER_BLOCK = 2000  # papers whose layer rows are built, compared and written together


@dataclass
class StoredPaper:
    id: str
    title: str
    abstract: str
    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[ConceptRelation]
    claims: list[Claim] = field(default_factory=list)
    contributions: list[tuple[int, int]] = field(default_factory=list)  # "we propose" and the like
    analysis_key: str = ""


@dataclass
class ConceptLayerSummary:
    papers: int
    mentions: int
    concepts: dict[str, int]
    relations: int
    claims: int
    results: int
    dropped: dict[str, int]
    # What the sync wrote: the difference from what was stored.
    papers_written: int = 0
    concepts_written: int = 0
    concepts_deleted: int = 0
    relations_written: int = 0
    relations_deleted: int = 0


def load_extracted_papers(store: Store) -> list[StoredPaper]:
    """Every paper with an extraction, with its claims and where it says what it proposes
    (from ``ingest.paper_analysis``'s cache where the paper has not changed)."""
    papers = []
    returned = "RETURN n.id AS id, n.title AS title, n.abstract AS abstract, n.extraction AS extraction"
    for page in store.read_pages_by_id(Label.PAPER, returned, PAGE_SIZE, where="n.extraction IS NOT NULL"):
        for row in page:
            found = extraction_from_json(row["abstract"], row["extraction"])
            papers.append(
                StoredPaper(
                    row["id"],
                    row["title"],
                    row["abstract"],
                    found.sentences,
                    found.mentions,
                    found.relations,
                    analysis_key=analysis_key(row["abstract"], row["extraction"]),
                )
            )
    _analyse(papers)
    return papers


def _analyse(papers: list[StoredPaper]) -> None:
    cache = PaperAnalysisCache()
    known = cache.get_many({paper.analysis_key: (paper.abstract, paper.mentions) for paper in papers})
    new = {}
    for paper in papers:
        analysis = known.get(paper.analysis_key)
        if analysis is None:
            analysis = analyse(paper.abstract, paper.sentences, paper.mentions)
            new[paper.analysis_key] = (analysis, paper.mentions)
        paper.claims, paper.contributions = analysis.claims, analysis.contributions
    cache.put_many(new)


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
    for label_rows in rows.values():
        for row in label_rows:
            row["props"][writer.LAYER_HASH] = writer.content_hash(row["props"])
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
        rows[shape].append({"head": head, "tail": tail, **row, "hash": writer.content_hash(row)})
    return rows


def claim_rows(
    papers: list[StoredPaper], resolution: Resolution
) -> tuple[list[dict], dict[tuple[Rel, Label], list[dict]], int]:
    results_by_claim: dict[str, list[dict]] = defaultdict(list)
    results = results_table(((paper.id, paper.claims) for paper in papers), resolution)
    for row in results:
        results_by_claim[f"{row.paper_id}:{row.sentence}"].append(vars(row))  # flat: no asdict deep copy
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
                        "numbers": json.dumps([vars(n) for n in claim.numbers]),
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


def paper_layers(
    papers: list[StoredPaper],
    mentions: dict[Label, list[dict]],
    claims: list[dict],
    claim_links: dict[tuple[Rel, Label], list[dict]],
) -> dict[str, writer.PaperLayer]:
    """The layer rows grouped by paper, each paper with a hash of its rows."""
    mentions_of: dict[str, dict[Label, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for label, rows in mentions.items():
        for row in rows:
            mentions_of[row["paper"]][label].append(row)
    claims_of: dict[str, list[dict]] = defaultdict(list)
    for claim in claims:
        claims_of[claim["paper"]].append(claim)
    paper_of_claim = {claim["id"]: claim["paper"] for claim in claims}
    links_of: dict[str, dict[tuple[Rel, Label], list[dict]]] = defaultdict(lambda: defaultdict(list))
    for shape, rows in claim_links.items():
        for row in rows:
            links_of[paper_of_claim[row["claim"]]][shape].append(row)
    layers = {}
    for paper in papers:
        paper_mentions = dict(mentions_of[paper.id])
        paper_links = dict(links_of[paper.id])
        content = [
            sorted((str(label), rows) for label, rows in paper_mentions.items()),
            claims_of[paper.id],
            sorted((f"{rel}:{label}", rows) for (rel, label), rows in paper_links.items()),
        ]
        layers[paper.id] = writer.PaperLayer(
            paper.id, paper_mentions, claims_of[paper.id], paper_links, writer.content_hash(content)
        )
    return layers


def _progress_in_block(progress: Progress, start: int, total: int, stage: str, done: int, _: int) -> None:
    """A block's written layers, reported as papers done of all papers (by each transaction)."""
    progress(stage, start + done, total)


def sync_concept_layer(store: Store, progress: Progress = no_progress) -> ConceptLayerSummary:
    """Compute the concept layer from every stored extraction and write what differs from the store."""
    papers = load_extracted_papers(store)
    resolution = resolve(
        ((p.id, p.abstract, p.mentions) for p in papers),
        {p.id: p.title for p in papers},
        {p.id: p.contributions for p in papers},
    )

    papers_of: dict[str, set[str]] = defaultdict(set)
    for (paper_id, _), concept_id in resolution.concept_of.items():
        papers_of[concept_id].add(paper_id)
    concepts = concept_rows(resolution, papers_of)
    relations = relation_rows(papers, resolution)

    # Concepts first, so that the papers' mentions find them; stale ones last, once nothing points at them.
    stored_concepts = writer.stored_concept_hashes(store)
    changed_concepts = {
        label: [row for row in rows if stored_concepts.get(row["id"]) != (label, row["props"][writer.LAYER_HASH])]
        for label, rows in concepts.items()
    }
    writer.write_concepts(store, changed_concepts)

    # Papers' layers a block at a time, only the changed ones kept and written: a layer's rows
    # (a dict per mention) for 100,000 papers would take gigabytes.
    stored_layers = writer.stored_paper_layer_hashes(store)
    mentions = claims = results = papers_written = 0
    for start in range(0, len(papers), LAYER_BLOCK):
        block = papers[start : start + LAYER_BLOCK]
        block_mentions = mention_rows(block, resolution)
        block_claims, claim_links, block_results = claim_rows(block, resolution)
        layers = paper_layers(block, block_mentions, block_claims, claim_links)
        changed = [layer for paper_id, layer in layers.items() if stored_layers.get(paper_id) != layer.hash]
        writer.write_paper_layers(store, changed, partial(_progress_in_block, progress, start, len(papers)))
        mentions += sum(len(rows) for rows in block_mentions.values())
        claims += len(block_claims)
        results += block_results
        papers_written += len(changed)
        progress("concept layer", start + len(block), len(papers))
    extracted = {paper.id for paper in papers}
    emptied = [writer.PaperLayer(paper_id, {}, [], {}, None) for paper_id in stored_layers if paper_id not in extracted]
    writer.write_paper_layers(store, emptied)

    relation_key = {
        (head, row["head"], rel, tail, row["tail"]): row
        for (head, rel, tail), rows in relations.items()
        for row in rows
    }
    stored_relations = writer.stored_relation_hashes(store)
    changed_relations: dict[tuple[Label, Rel, Label], list[dict]] = defaultdict(list)
    for (head, _, rel, tail, _), row in relation_key.items():
        if stored_relations.get((head, row["head"], rel, tail, row["tail"])) != row["hash"]:
            changed_relations[(head, rel, tail)].append(row)
    stale_relations = [key for key in stored_relations if key not in relation_key]
    writer.write_concept_relations(store, changed_relations)
    writer.delete_concept_relations(store, stale_relations)

    stale_concepts: dict[Label, list[str]] = defaultdict(list)
    for concept_id, (label, _) in stored_concepts.items():
        if concept_id not in resolution.concepts:
            stale_concepts[label].append(concept_id)
    writer.delete_concepts(store, stale_concepts)
    writer.clear_layer_pending(store)
    return ConceptLayerSummary(
        papers=len(papers),
        mentions=mentions,
        concepts={label.value: len(rows) for label, rows in concepts.items()},
        relations=sum(len(rows) for rows in relations.values()),
        claims=claims,
        results=results,
        dropped=dict(resolution.dropped),
        papers_written=papers_written + len(emptied),
        concepts_written=sum(len(rows) for rows in changed_concepts.values()),
        concepts_deleted=sum(len(ids) for ids in stale_concepts.values()),
        relations_written=sum(len(rows) for rows in changed_relations.values()),
        relations_deleted=len(stale_relations),
    )
