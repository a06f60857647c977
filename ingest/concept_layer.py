"""From stored extractions to the concept layer of the graph, synced by difference.

Resolution's state (``ingest.resolution.state``) lives beside the store, in
``$PAPERGRAPH_HOME/state/``.  A sync reads only the papers it has to:

1. papers whose layer is pending (a new extraction, or a sync cut short), and
   papers the state has not read (a new state: other rules, or another store);
2. their acronym definitions go into the state, and the papers that use an
   acronym whose expansion changed are read again;
3. their readings replace what the state held for them, and the state
   re-decides the groups they touch (``ResolutionState.decide``);
4. what changed is written: the concepts recomputed, the layers of the papers
   read and of the papers whose mentions now resolve to another concept, the
   relations of the concepts that changed and of the new evidence; concepts no
   mention resolves to any more are deleted.

Adding papers thus reads and writes what they touch, however large the store,
and memory holds a block of papers at a time.  A first sync over a store (or a
new state) reads every paper once, in pages.

Crash safety: the state changes in one SQLite transaction, which also records
what is to be written (``pending``); a paper's extraction is stored with
``layer_pending``, and its flag is cleared (and the paper stamped with the
state's id) only after everything has been written.  A sync cut short before
the state's commit leaves the state as it was and the flags set: the next sync
does it again.  One cut short after it finds the pending writes and writes them
first.  Either way the result is that of an uninterrupted run.  Each paper's
mentions and claims change in one transaction (``writer.write_paper_layers``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from graph_schema.progress import Progress, no_progress
from graph_schema.schema import CONCEPT_LABELS, GENERIC, SEARCH_TEXT, SPECIFICITY, Label, Rel
from graph_schema.settings import papergraph_home
from graph_schema.store import Store, batched
from ingest import writer
from ingest.claims import results_table
from ingest.mention_splits import split_coordinated_datasets
from ingest.paper_analysis import analysis_key, cached_analyses
from ingest.records import Claim, Concept, ConceptRelation, Mention, Resolution, Sentence
from ingest.resolution.readings import acronym_keys, definitions_of, read_paper
from ingest.resolution.state import RULES_VERSION, Changes, ResolutionState
from ingest.serialize import extraction_from_json

PAGE_SIZE = 500
LAYER_BLOCK = 2000  # papers whose layer rows are built, compared and written together
RELATION_BLOCK = 2000  # concepts whose relations are built, compared and written together
STAMP = "resolution_stamp"  # on a paper: the id of the state that has read it


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
    results: int  # claims with result rows
    dropped: dict[str, int]
    # What the sync read and wrote: the difference from what was stored.
    papers_read: int = 0
    papers_written: int = 0
    concepts_written: int = 0
    concepts_deleted: int = 0
    relations_written: int = 0
    relations_deleted: int = 0


def state_path(store: Store) -> Path:
    """Where the state of ``store`` lives: one file per store (a Neo4j URI and database, or the home's own)."""
    settings = store.settings
    where = settings.database if settings.managed else f"{settings.uri}/{settings.database}"
    return papergraph_home() / "state" / f"resolution-{hashlib.sha1(where.encode()).hexdigest()[:12]}.sqlite"


def open_state(store: Store) -> ResolutionState:
    return ResolutionState(state_path(store))


def load_papers(store: Store, ids: Sequence[str]) -> Iterator[list[StoredPaper]]:
    """The papers of ``ids`` that have an extraction, a page at a time, with their claims and
    where they say what they propose (from ``ingest.paper_analysis``'s cache where known)."""
    for page_ids in batched(sorted(ids), PAGE_SIZE):
        rows = store.read(
            f"""UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}}) WHERE p.extraction IS NOT NULL
            RETURN p.id AS id, p.title AS title, p.abstract AS abstract, p.extraction AS extraction ORDER BY id""",
            ids=page_ids,
        )
        papers = []
        for row in rows:
            found = split_coordinated_datasets(extraction_from_json(row["abstract"], row["extraction"]))
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
        yield papers


def _analyse(papers: list[StoredPaper]) -> None:
    analyses = cached_analyses({p.analysis_key: (p.abstract, p.sentences, p.mentions) for p in papers})
    for paper in papers:
        analysis = analyses[paper.analysis_key]
        paper.claims, paper.contributions = analysis.claims, analysis.contributions


# ---- rows --------------------------------------------------------------------------------


def concept_row(concept: Concept, papers: int) -> dict:
    aliases = sorted(concept.aliases.items(), key=lambda item: (-item[1], item[0]))
    props = {
        "name": concept.name,
        "key": concept.key,
        "acronym": concept.acronym,
        "aliases": [form for form, _ in aliases],
        "alias_counts": [count for _, count in aliases],
        "mention_count": concept.mention_count,
        "paper_count": papers,
        "merge_reasons": json.dumps(concept.merge_reasons),
        SPECIFICITY: concept.specificity,
        GENERIC: concept.generic,
        SEARCH_TEXT: " ".join([concept.name, *(form for form, _ in aliases)]),
    }
    props[writer.LAYER_HASH] = writer.content_hash(props)
    return {"id": concept.id, "props": props}


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


def claim_rows(
    papers: list[StoredPaper], resolution: Resolution
) -> tuple[list[dict], dict[tuple[Rel, Label], list[dict]], int]:
    results_by_claim: dict[str, list[dict]] = defaultdict(list)
    results = results_table(((paper.id, paper.claims) for paper in papers), resolution, {p.id: p.title for p in papers})
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


def _block_resolution(state: ResolutionState, papers: list[StoredPaper]) -> Resolution:
    """The resolution of one block of papers: their mentions' concepts, and what they propose."""
    by_paper = state.concepts_of_papers([paper.id for paper in papers])
    concept_of = {
        (paper.id, paper.mentions[index]): concept_id
        for paper in papers
        for index, concept_id in by_paper.get(paper.id, {}).items()
    }
    proposed_index = state.proposed([paper.id for paper in papers])
    mentions_of = {paper.id: paper.mentions for paper in papers}
    proposed = {
        paper_id: concept_of[(paper_id, mentions_of[paper_id][index])]
        for paper_id, index in proposed_index.items()
        if (paper_id, mentions_of[paper_id][index]) in concept_of
    }
    concepts = {
        concept_id: concept for concept_id, (concept, _) in state.concept_rows(set(concept_of.values())).items()
    }
    return Resolution(concepts, concept_of, proposed, {}, {})


def layer_outdated(store: Store) -> bool:
    """Whether a sync has something to do: a paper's layer pending (a new extraction, or a sync
    cut short), a paper these rules have not read, or writes a cut sync left."""
    if writer.layer_pending(store) or writer.papers_unstamped(store, STAMP, RULES_VERSION):
        return True
    with closing(open_state(store)) as state:
        return not state.pending().empty


def stored_resolution(store: Store) -> tuple[Resolution, dict[str, int]]:
    """The resolution the store's state holds (its concepts; no mentions), and how many names each
    rule gave their label: for ``papergraph concept-report``.  Empty where no sync has run."""
    from ingest.resolve import resolution_of_state

    with closing(open_state(store)) as state:
        return resolution_of_state(state, {}), state.label_decisions()


# ---- the sync ----------------------------------------------------------------------------


def _progress_in_block(progress: Progress, start: int, total: int, stage: str, done: int, _: int) -> None:
    """A block's written layers, reported as papers done of all papers (by each transaction)."""
    progress(stage, start + done, total)


def sync_concept_layer(store: Store, progress: Progress = no_progress) -> ConceptLayerSummary:
    """Bring the concept layer up to date with the stored extractions, reading and writing what changed."""
    with closing(open_state(store)) as state:
        leftover = state.pending()
        if not leftover.empty:  # a sync cut short after its state's commit
            _write(store, state, leftover, progress)
            _finish(store, state, leftover)
        fresh = state.paper_count() == 0
        if writer.papers_stamped(store, STAMP, state.stamp) != state.paper_count():
            state.reset()  # the store changed under the state (wiped, lost, or another store at this address)
            fresh = True
        to_read = writer.papers_to_resolve(store, STAMP, None if fresh else state.stamp)
        to_remove = writer.papers_unextracted(store, STAMP, state.stamp)
        with state.transaction():
            state.remove_papers(to_remove)
            changed_acronyms = state.set_definitions(
                {paper_id: definitions_of(abstract) for paper_id, abstract in writer.abstracts_of(store, to_read)}
            )
            again = sorted(state.papers_using(changed_acronyms) - set(to_read))
            read = 0
            for page in load_papers(store, [*to_read, *again]):
                expansions = state.expansions(acronym_keys(m.text for paper in page for m in paper.mentions))
                state.replace_papers(
                    [
                        read_paper(
                            paper.id,
                            paper.title,
                            paper.abstract,
                            paper.mentions,
                            paper.relations,
                            paper.contributions,
                            expansions,
                        )
                        for paper in page
                    ]
                )
                read += len(page)
                progress("resolve", read, len(to_read) + len(again))
            changes = state.decide()
            if fresh:  # a new state knows nothing of what the store holds: compare with all of it
                stored = set(writer.stored_concept_ids(store))
                changes.deleted_concepts |= stored - set(state.all_concept_ids())
                changes.relation_concepts |= stored | set(state.all_concept_ids())
            state.add_pending(changes)
        summary = _write(store, state, changes, progress)
        _finish(store, state, changes)
        summary.papers_read = read
        return summary


def _write(store: Store, state: ResolutionState, changes: Changes, progress: Progress) -> ConceptLayerSummary:
    # Concepts first, so that the papers' mentions find them; stale ones last, once nothing points at them.
    concepts = state.concept_rows(changes.concepts)
    stored_concepts = writer.stored_concept_hashes_of(store, concepts)
    changed_concepts: dict[Label, list[dict]] = defaultdict(list)
    for concept_id, (concept, papers) in concepts.items():
        row = concept_row(concept, papers)
        if stored_concepts.get(concept_id) != (concept.label, row["props"][writer.LAYER_HASH]):
            changed_concepts[Label(concept.label)].append(row)
    writer.write_concepts(store, changed_concepts)

    # Papers' layers a block at a time, only the changed ones written.
    in_state = state.holds(changes.papers)
    papers = sorted(in_state)
    papers_written = 0
    done = 0
    for block_ids in batched(papers, LAYER_BLOCK):
        stored_layers = writer.stored_paper_layer_hashes_of(store, block_ids)
        for block in load_papers(store, block_ids):
            resolution = _block_resolution(state, block)
            layers = paper_layers(block, mention_rows(block, resolution), *claim_rows(block, resolution)[:2])
            changed = [layer for paper_id, layer in layers.items() if stored_layers.get(paper_id) != layer.hash]
            writer.write_paper_layers(store, changed, partial(_progress_in_block, progress, done, len(papers)))
            papers_written += len(changed)
            done += len(block)
            progress("concept layer", done, len(papers))
    emptied = [writer.PaperLayer(paper_id, {}, [], {}, None) for paper_id in sorted(changes.papers - in_state)]
    writer.write_paper_layers(store, emptied)

    relations_written = relations_deleted = 0
    everywhere = changes.relation_concepts
    pairs = {pair for pair in changes.relation_pairs if pair[0] not in everywhere and pair[2] not in everywhere}
    for chunk in batched(sorted(everywhere - changes.deleted_concepts), RELATION_BLOCK):
        written, deleted = _write_relations(store, state, set(chunk), set(), everywhere)
        relations_written, relations_deleted = relations_written + written, relations_deleted + deleted
    written, deleted = _write_relations(store, state, set(), pairs, everywhere)
    relations_written, relations_deleted = relations_written + written, relations_deleted + deleted

    deleted: dict[Label, list[str]] = defaultdict(list)
    for concept_id in sorted(changes.deleted_concepts):
        deleted[_label_of_id(concept_id)].append(concept_id)
    writer.delete_concepts(store, deleted)
    return _summary(
        store,
        state,
        papers_written=papers_written + len(emptied),
        concepts_written=sum(len(rows) for rows in changed_concepts.values()),
        concepts_deleted=len(changes.deleted_concepts),
        relations_written=relations_written,
        relations_deleted=relations_deleted,
    )


def _write_relations(
    store: Store, state: ResolutionState, concepts: set[str], pairs: set[tuple[str, str, str]], everywhere: set[str]
) -> tuple[int, int]:
    """Write the relations of ``concepts`` (a block of ``everywhere``, the concepts whose every
    relation is recomputed) and of ``pairs`` that differ from the store, and delete the stored
    ones that are no more.  How many of each.  A relation belongs to one block: its head's, or
    else its tail's."""

    def owned(head: str, tail: str) -> bool:
        return not concepts or head in concepts or (tail in concepts and head not in everywhere)

    relations = {key: row for key, row in state.relation_rows(concepts, pairs).items() if owned(key[0], key[2])}
    ends = {c for head, _, tail in relations for c in (head, tail)}
    labels = {concept_id: Label(concept.label) for concept_id, (concept, _) in state.concept_rows(ends).items()}
    computed = {
        (labels[head], head, Rel(rel), labels[tail], tail): {
            "head": head,
            "tail": tail,
            **row,
            "hash": writer.content_hash(row),
        }
        for (head, rel, tail), row in relations.items()
    }
    stored = {
        key: value
        for key, value in writer.stored_relation_hashes_of(store, concepts, pairs | set(relations)).items()
        if owned(key[1], key[4])
    }
    changed: dict[tuple[Label, Rel, Label], list[dict]] = defaultdict(list)
    for key, row in computed.items():
        if stored.get(key) != row["hash"]:
            changed[(key[0], key[2], key[3])].append(row)
    stale = [key for key in stored if key not in computed]
    writer.write_concept_relations(store, changed)
    writer.delete_concept_relations(store, stale)
    return sum(len(rows) for rows in changed.values()), len(stale)


def _finish(store: Store, state: ResolutionState, changes: Changes) -> None:
    """Stamp the papers read, clear their pending flags, then forget the pending writes."""
    in_state = state.holds(changes.papers)
    writer.stamp_papers(store, STAMP, state.stamp, sorted(in_state), sorted(changes.papers - in_state))
    writer.clear_layer_pending(store)
    state.clear_pending()


def _label_of_id(concept_id: str) -> Label:
    prefix = concept_id.split(":", 1)[0]
    return next(label for label in CONCEPT_LABELS if str(label).casefold() == prefix)


def _summary(store: Store, state: ResolutionState, **written: int) -> ConceptLayerSummary:
    totals = state.totals()
    stored = writer.claim_totals(store)
    return ConceptLayerSummary(
        papers=totals["papers"],
        mentions=totals["mentions"],
        concepts=totals["concepts"],
        relations=totals["relations"],
        claims=stored["claims"],
        results=stored["results"],
        dropped=state.dropped(),
        **written,
    )
