"""Write papers and their sources to the store, idempotently.

Only this module and ``graph_schema.store`` know Cypher for writing.  Every
write is an ``UNWIND $rows`` batch in its own transaction, and every node is
``MERGE``d on its content-derived id, so re-running an ingest duplicates
nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graph_schema.progress import Progress, no_progress
from graph_schema.schema import CONCEPT_LABELS, SEARCH_TEXT, Label, Rel
from graph_schema.store import Store, batched
from ingest.records import PaperRecord

_PAPER_FIELDS = ("title", "abstract", "authors", "date", "url", "external_id", "code_urls", "links")
# Added later (arXiv metadata): they count in a paper's content hash only when set, so
# papers from formats without them keep the hash they had and a re-ingest leaves them alone.
_PAPER_METADATA_FIELDS = ("year", "categories", "arxiv_id")

WRITE_PAPERS = f"""
UNWIND $rows AS row
MERGE (p:{Label.PAPER} {{id: row.id}})
SET p += row.props
"""

WRITE_SOURCES = f"""
UNWIND $rows AS row
MERGE (s:{Label.SOURCE} {{id: row.id}})
SET s += row.props
"""

WRITE_LISTED_IN = f"""
UNWIND $rows AS row
MATCH (p:{Label.PAPER} {{id: row.paper}}), (s:{Label.SOURCE} {{id: row.source}})
MERGE (p)-[r:{Rel.LISTED_IN}]->(s)
SET r.lines = row.lines
"""


@dataclass(frozen=True)
class PaperWriteResult:
    new: list[str]
    updated: list[str]
    unchanged: list[str]


def paper_content_hash(paper: PaperRecord) -> str:
    values: list = [getattr(paper, f) for f in _PAPER_FIELDS]
    metadata = {f: getattr(paper, f) for f in _PAPER_METADATA_FIELDS if getattr(paper, f)}
    if metadata:
        values.append(metadata)
    content = json.dumps(values, sort_keys=True)
    return hashlib.sha1(content.encode()).hexdigest()


def source_id(path: Path) -> str:
    """A source is a file's name plus a hash of its bytes: the same file read
    from another folder is the same source; an edited file is a new one."""
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return f"{path.name}@{digest[:12]}"


def _stored_hashes(store: Store, ids: list[str]) -> dict[str, str]:
    rows = store.read(
        f"UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}}) RETURN p.id AS id, p.content_hash AS hash", ids=ids
    )
    return {row["id"]: row["hash"] for row in rows}


def write_papers(store: Store, papers: list[PaperRecord]) -> PaperWriteResult:
    """Create new papers and update changed ones; leave unchanged ones untouched."""
    stored = _stored_hashes(store, [p.id for p in papers])
    new, updated, unchanged, rows = [], [], [], []
    for paper in papers:
        content_hash = paper_content_hash(paper)
        if stored.get(paper.id) == content_hash:
            unchanged.append(paper.id)
            continue
        (updated if paper.id in stored else new).append(paper.id)
        props = {f: getattr(paper, f) for f in (*_PAPER_FIELDS, *_PAPER_METADATA_FIELDS)}
        props["content_hash"] = content_hash
        props[SEARCH_TEXT] = f"{paper.title} {paper.abstract}"
        # A changed abstract must be extracted again.
        props["extraction"] = None
        props["extractor_version"] = None
        rows.append({"id": paper.id, "props": props})
    store.write_rows(WRITE_PAPERS, rows)
    return PaperWriteResult(new=new, updated=updated, unchanged=unchanged)


def write_sources(store: Store, papers: list[PaperRecord], files: list[Path]) -> None:
    """A Source per file, and ``LISTED_IN`` from each paper to each file it was read from.

    A source whose links were all written before (its ``listed_hash``, set only once they are, is
    the hash of the very rows to write now) is left alone: re-reading a 100,000-line file that
    did not change writes nothing.  Another ``--category`` of the same file is other rows."""
    ids = {str(path): source_id(path) for path in files}
    links_of: dict[str, list[dict]] = defaultdict(list)
    lines_by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for paper in papers:
        for ref in paper.sources:
            lines_by_pair[(paper.id, ids[ref.path])].append(ref.line)
    for (paper, source), lines in sorted(lines_by_pair.items()):  # in paper order: the hash is of the rows
        links_of[source].append({"paper": paper, "source": source, "lines": sorted(lines)})
    rows = []
    for path in files:
        source = ids[str(path)]
        props = {
            "name": path.name,
            "path": str(path.resolve()),
            "format": path.suffix.lower().lstrip(".") or "txt",
            "listings": sum(len(link["lines"]) for link in links_of[source]),
        }
        rows.append({"id": source, "props": props, "listed_hash": content_hash([props, links_of[source]])})
    written = {
        row["id"]: row["hash"]
        for row in store.read(
            f"UNWIND $ids AS id MATCH (s:{Label.SOURCE} {{id: id}}) RETURN s.id AS id, s.listed_hash AS hash",
            ids=[row["id"] for row in rows],
        )
    }
    to_write = [row for row in rows if written.get(row["id"]) != row["listed_hash"]]
    store.write_rows(WRITE_SOURCES, [{"id": row["id"], "props": row["props"]} for row in to_write])
    store.write_rows(WRITE_LISTED_IN, [link for row in to_write for link in links_of[row["id"]]])
    store.write_rows(
        f"UNWIND $rows AS row MATCH (s:{Label.SOURCE} {{id: row.id}}) SET s.listed_hash = row.listed_hash",
        [{"id": row["id"], "listed_hash": row["listed_hash"]} for row in to_write],
    )


# -- extraction and the concept layer ----------------------------------------------

# A new extraction leaves the paper's concept layer pending until a sync writes it (see ``write_paper_layers``).
WRITE_EXTRACTIONS = f"""
UNWIND $rows AS row
MATCH (p:{Label.PAPER} {{id: row.id}})
SET p.extraction = row.extraction, p.extractor_version = row.version, p.layer_pending = true
"""

# SciERC relation type -> (graph relationship type, whether to reverse it).
# SciERC writes "dataset EVALUATE-FOR method"; the graph says (method)-[:EVALUATED_ON]->(dataset).
RELATION_OF_SCIERC_TYPE: dict[str, tuple[Rel, bool]] = {
    "USED-FOR": (Rel.USED_FOR, False),
    "EVALUATE-FOR": (Rel.EVALUATED_ON, True),
    "COMPARE": (Rel.COMPARED_WITH, False),
    "PART-OF": (Rel.PART_OF, False),
    "HYPONYM-OF": (Rel.HYPONYM_OF, False),
    "FEATURE-OF": (Rel.FEATURE_OF, False),
    "CONJUNCTION": (Rel.CONJUNCTION, False),
}
# Which concept labels a claim links to, and by which relationship.
CLAIM_LINK_OF_LABEL: dict[Label, Rel] = {
    Label.METHOD: Rel.ABOUT,
    Label.DATASET: Rel.ON,
    Label.TASK: Rel.ON,
    Label.METRIC: Rel.MEASURED_BY,
}


def papers_to_extract(store: Store, ids: list[str], version: str) -> list[str]:
    """Those of ``ids`` with no extraction by this extractor version."""
    rows = store.read(
        f"""UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}})
        WHERE p.extractor_version IS NULL OR p.extractor_version <> $version RETURN p.id AS id""",
        ids=ids,
        version=version,
    )
    return [row["id"] for row in rows]


def write_extractions(store: Store, rows: list[dict]) -> None:
    """Store each paper's raw extraction (rows: id, extraction JSON, version)."""
    store.write_rows(WRITE_EXTRACTIONS, rows)


# -- the concept layer, synced by difference ----------------------------------------------
#
# The layer is what resolution derives from the stored extractions: concept nodes, each paper's
# MENTIONS and claims, and the relations between concepts.  ``ingest.concept_layer`` computes the
# rows an ingest touches and these functions read back their stored hashes and write only what
# differs.  Every row carries a hash of its content (``LAYER_HASH``) so that the difference is
# cheap to find.  A paper's
# mentions and claims are replaced in one transaction with its new hash: a reader sees either the
# old or the new layer of a paper, never half of it.


LAYER_HASH = "layer_hash"
PAPER_LAYER_BATCH = 100  # papers per transaction


@dataclass(frozen=True)
class PaperLayer:
    """One paper's part of the concept layer, as rows for the statements below."""

    id: str
    mentions: dict[Label, list[dict]]
    claims: list[dict]
    claim_links: dict[tuple[Rel, Label], list[dict]]
    hash: str


def content_hash(value: object) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def layer_pending(store: Store) -> bool:
    """Whether some paper's concept layer awaits a sync (new extraction, or a sync that did not finish)."""
    rows = store.read(f"MATCH (p:{Label.PAPER}) WHERE p.layer_pending = true RETURN p.id AS id LIMIT 1")
    return bool(rows)


RelationKey = tuple[Label, str, Rel, Label, str]  # head label, head id, type, tail label, tail id


def papers_stamped(store: Store, stamp_property: str, stamp: str) -> int:
    """How many papers carry the stamp of resolution's state ``stamp``."""
    return store.read(f"MATCH (p:{Label.PAPER}) WHERE p.{stamp_property} = $stamp RETURN count(p) AS n", stamp=stamp)[
        0
    ]["n"]


def papers_unstamped(store: Store, stamp_property: str, stamp: str) -> bool:
    """Whether some paper with an extraction lacks the stamp ``stamp``."""
    rows = store.read(
        f"""MATCH (p:{Label.PAPER}) WHERE p.extraction IS NOT NULL
        AND (p.{stamp_property} IS NULL OR p.{stamp_property} <> $stamp) RETURN p.id AS id LIMIT 1""",
        stamp=stamp,
    )
    return bool(rows)


def papers_to_resolve(store: Store, stamp_property: str, stamp: str | None) -> list[str]:
    """The papers with an extraction that the state ``stamp`` has not read as they are
    (every paper with an extraction, for a new state: ``stamp`` None)."""
    if stamp is None:
        return store.read_ids(Label.PAPER, where="n.extraction IS NOT NULL")
    return store.read_ids(
        Label.PAPER,
        where=f"n.extraction IS NOT NULL AND (n.layer_pending = true OR n.{stamp_property} IS NULL "
        f"OR n.{stamp_property} <> $stamp)",
        stamp=stamp,
    )


def papers_unextracted(store: Store, stamp_property: str, stamp: str) -> list[str]:
    """The papers the state ``stamp`` has read that have no extraction any more (a changed abstract)."""
    return store.read_ids(Label.PAPER, where=f"n.extraction IS NULL AND n.{stamp_property} = $stamp", stamp=stamp)


def abstracts_of(store: Store, ids: list[str], page_size: int = 1000) -> list[tuple[str, str]]:
    found = []
    for page in batched(ids, page_size):
        rows = store.read(
            f"UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}}) RETURN p.id AS id, p.abstract AS abstract", ids=page
        )
        found += [(row["id"], row["abstract"]) for row in rows]
    return found


def stamp_papers(store: Store, stamp_property: str, stamp: str, read: list[str], removed: list[str]) -> None:
    """Mark papers as read by the state ``stamp`` (and those it no longer holds as not)."""
    store.write_rows(
        f"UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.id}}) SET p.{stamp_property} = row.stamp",
        [{"id": paper_id, "stamp": stamp} for paper_id in read],
    )
    store.write_rows(
        f"UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.id}}) REMOVE p.{stamp_property}",
        [{"id": paper_id} for paper_id in removed],
    )


def stored_paper_layer_hashes_of(store: Store, ids: list[str]) -> dict[str, str | None]:
    rows = store.read(
        f"UNWIND $ids AS id MATCH (p:{Label.PAPER} {{id: id}}) RETURN p.id AS id, p.{LAYER_HASH} AS hash",
        ids=list(ids),
    )
    return {row["id"]: row["hash"] for row in rows}


def stored_concept_ids(store: Store) -> list[str]:
    return [concept_id for label in CONCEPT_LABELS for concept_id in store.read_ids(label)]


def stored_concept_hashes_of(store: Store, ids: Iterable[str]) -> dict[str, tuple[Label, str | None]]:
    found = {}
    ids = sorted(ids)
    for label in CONCEPT_LABELS:
        for page in batched(ids, 5000):
            rows = store.read(
                f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id, n.{LAYER_HASH} AS hash", ids=page
            )
            found.update({row["id"]: (label, row["hash"]) for row in rows})
    return found


def stored_relation_hashes_of(
    store: Store, concepts: Iterable[str], pairs: Iterable[tuple[str, str, str]]
) -> dict[RelationKey, str | None]:
    """The stored relations with one of ``concepts`` at either end, and those of ``pairs``
    ((head id, relationship type, tail id)), with their hashes."""
    types = "|".join(dict.fromkeys(rel for rel, _ in RELATION_OF_SCIERC_TYPE.values()))
    found: dict[RelationKey, str | None] = {}

    def add(rows: list[dict]) -> None:
        for row in rows:
            found[(Label(row["hl"]), row["h"], Rel(row["rel"]), Label(row["tl"]), row["t"])] = row["hash"]

    returned = (
        f"RETURN labels(a)[0] AS hl, a.id AS h, type(r) AS rel, labels(b)[0] AS tl, b.id AS t, r.{LAYER_HASH} AS hash"
    )
    ids = sorted(concepts)
    for label in CONCEPT_LABELS:
        for page in batched(ids, 1000):
            add(store.read(f"UNWIND $ids AS id MATCH (a:{label} {{id: id}})-[r:{types}]->(b) {returned}", ids=page))
            add(store.read(f"UNWIND $ids AS id MATCH (b:{label} {{id: id}})<-[r:{types}]-(a) {returned}", ids=page))
    by_head: dict[str, list[dict]] = defaultdict(list)
    for head, rel, tail in sorted(set(pairs)):
        by_head[head].append({"rel": rel, "tail": tail})
    heads = sorted(by_head)
    for label in CONCEPT_LABELS:
        for page in batched(heads, 1000):
            rows = store.read(f"UNWIND $ids AS id MATCH (a:{label} {{id: id}})-[r:{types}]->(b) {returned}", ids=page)
            add([row for row in rows if {"rel": row["rel"], "tail": row["t"]} in by_head[row["h"]]])
    return found


def claim_totals(store: Store) -> dict[str, int]:
    """Claims in the store, and result rows among them."""
    row = store.read(
        f"""MATCH (c:{Label.CLAIM}) RETURN count(c) AS claims,
        sum(CASE WHEN c.results IS NULL OR c.results = '[]' THEN 0 ELSE 1 END) AS with_results"""
    )[0]
    return {"claims": row["claims"], "results": row["with_results"] or 0}


def write_concepts(store: Store, rows_by_label: dict[Label, list[dict]]) -> None:
    """MERGE each concept on its id and set its properties (``LAYER_HASH`` among them)."""
    for label, rows in rows_by_label.items():
        store.write_rows(f"UNWIND $rows AS row MERGE (c:{label} {{id: row.id}}) SET c += row.props", rows)


def delete_concepts(store: Store, ids_by_label: dict[Label, list[str]]) -> None:
    """Delete concepts no mention resolves to any more, with their relationships."""
    for label, ids in ids_by_label.items():
        store.write_rows(f"UNWIND $rows AS id MATCH (c:{label} {{id: id}}) DETACH DELETE c", ids)


def _paper_layer_statements(layers: list[PaperLayer]) -> list[tuple[str, dict]]:
    ids = [layer.id for layer in layers]
    statements: list[tuple[str, dict]] = [
        (f"UNWIND $ids AS id MATCH (:{Label.PAPER} {{id: id}})-[m:{Rel.MENTIONS}]->() DELETE m", {"ids": ids}),
        (
            f"UNWIND $ids AS id MATCH (:{Label.PAPER} {{id: id}})-[:{Rel.CLAIMS}]->(c:{Label.CLAIM}) DETACH DELETE c",
            {"ids": ids},
        ),
    ]
    mentions: dict[Label, list[dict]] = defaultdict(list)
    links: dict[tuple[Rel, Label], list[dict]] = defaultdict(list)
    for layer in layers:
        for label, rows in layer.mentions.items():
            mentions[label] += rows
        for shape, rows in layer.claim_links.items():
            links[shape] += rows
    for label, rows in mentions.items():
        statements.append(
            (
                f"""UNWIND $rows AS row
            MATCH (p:{Label.PAPER} {{id: row.paper}}), (c:{label} {{id: row.concept}})
            CREATE (p)-[:{Rel.MENTIONS} {{sentence: row.sentence, start: row.start, end: row.end,
                text: row.text, type: row.type, confidence: row.confidence}}]->(c)""",
                {"rows": rows},
            )
        )
    statements.append(
        (
            f"""UNWIND $rows AS row
        MATCH (p:{Label.PAPER} {{id: row.paper}})
        MERGE (c:{Label.CLAIM} {{id: row.id}})
        SET c += row.props
        MERGE (p)-[:{Rel.CLAIMS}]->(c)""",
            {"rows": [claim for layer in layers for claim in layer.claims]},
        )
    )
    for (rel, label), rows in links.items():
        statements.append(
            (
                f"""UNWIND $rows AS row
            MATCH (c:{Label.CLAIM} {{id: row.claim}}), (x:{label} {{id: row.concept}})
            MERGE (c)-[:{rel}]->(x)""",
                {"rows": rows},
            )
        )
    statements.append(
        (
            f"UNWIND $rows AS row MATCH (p:{Label.PAPER} {{id: row.id}}) SET p.{LAYER_HASH} = row.hash",
            {"rows": [{"id": layer.id, "hash": layer.hash} for layer in layers]},
        )
    )
    return statements


def write_paper_layers(store: Store, layers: list[PaperLayer], progress: Progress = no_progress) -> None:
    """Replace each paper's mentions and claims, ``PAPER_LAYER_BATCH`` papers per transaction."""
    for done, batch in enumerate(batched(layers, PAPER_LAYER_BATCH), start=1):
        store.write_together(_paper_layer_statements(batch))
        progress("concept layer", min(done * PAPER_LAYER_BATCH, len(layers)), len(layers))


def write_concept_relations(store: Store, rows_by_shape: dict[tuple[Label, Rel, Label], list[dict]]) -> None:
    for (head, rel, tail), rows in rows_by_shape.items():
        store.write_rows(
            f"""UNWIND $rows AS row
            MATCH (a:{head} {{id: row.head}}), (b:{tail} {{id: row.tail}})
            MERGE (a)-[r:{rel}]->(b)
            SET r.papers = row.papers, r.paper_count = size(row.papers),
                r.evidence = row.evidence, r.confidence = row.confidence, r.{LAYER_HASH} = row.hash""",
            rows,
        )


def delete_concept_relations(store: Store, keys: list[RelationKey]) -> None:
    by_shape: dict[tuple[Label, Rel, Label], list[dict]] = defaultdict(list)
    for head_label, head, rel, tail_label, tail in keys:
        by_shape[(head_label, rel, tail_label)].append({"head": head, "tail": tail})
    for (head_label, rel, tail_label), rows in by_shape.items():
        store.write_rows(
            f"""UNWIND $rows AS row
            MATCH (:{head_label} {{id: row.head}})-[r:{rel}]->(:{tail_label} {{id: row.tail}}) DELETE r""",
            rows,
        )


def clear_layer_pending(store: Store) -> None:
    store.delete_in_batches(f"MATCH (p:{Label.PAPER}) WHERE p.layer_pending = true", "REMOVE p.layer_pending")
