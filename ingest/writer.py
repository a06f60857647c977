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
from dataclasses import dataclass
from pathlib import Path

from graph_schema.schema import SEARCH_TEXT, Label, Rel
from graph_schema.store import Store
from ingest.records import PaperRecord

_PAPER_FIELDS = ("title", "abstract", "authors", "date", "url", "external_id", "code_urls", "links")

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
    content = json.dumps([getattr(paper, f) for f in _PAPER_FIELDS], sort_keys=True)
    return hashlib.sha1(content.encode()).hexdigest()


def source_id(path: Path) -> str:
    """A source is a file's name plus a hash of its bytes: the same file read
    from another folder is the same source; an edited file is a new one."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{path.name}@{digest[:12]}"


def _stored_hashes(store: Store, ids: list[str]) -> dict[str, str]:
    rows = store.read(f"MATCH (p:{Label.PAPER}) WHERE p.id IN $ids RETURN p.id AS id, p.content_hash AS hash", ids=ids)
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
        props = {f: getattr(paper, f) for f in _PAPER_FIELDS}
        props["content_hash"] = content_hash
        props[SEARCH_TEXT] = f"{paper.title} {paper.abstract}"
        # A changed abstract must be extracted again.
        props["extraction"] = None
        props["extractor_version"] = None
        rows.append({"id": paper.id, "props": props})
    store.write_rows(WRITE_PAPERS, rows)
    return PaperWriteResult(new=new, updated=updated, unchanged=unchanged)


def write_sources(store: Store, papers: list[PaperRecord], files: list[Path]) -> None:
    """A Source per file, and ``LISTED_IN`` from each paper to each file it was read from."""
    ids = {str(path): source_id(path) for path in files}
    lines_by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for paper in papers:
        for ref in paper.sources:
            lines_by_pair[(paper.id, ids[ref.path])].append(ref.line)
    listings = defaultdict(int)
    for (_, source), lines in lines_by_pair.items():
        listings[source] += len(lines)
    store.write_rows(
        WRITE_SOURCES,
        [
            {
                "id": ids[str(path)],
                "props": {
                    "name": path.name,
                    "path": str(path.resolve()),
                    "format": path.suffix.lower().lstrip(".") or "txt",
                    "listings": listings[ids[str(path)]],
                },
            }
            for path in files
        ],
    )
    store.write_rows(
        WRITE_LISTED_IN,
        [
            {"paper": paper, "source": source, "lines": sorted(lines)}
            for (paper, source), lines in lines_by_pair.items()
        ],
    )


# -- extraction and the concept layer ----------------------------------------------

WRITE_EXTRACTIONS = f"""
UNWIND $rows AS row
MATCH (p:{Label.PAPER} {{id: row.id}})
SET p.extraction = row.extraction, p.extractor_version = row.version
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
        f"""MATCH (p:{Label.PAPER}) WHERE p.id IN $ids
        AND (p.extractor_version IS NULL OR p.extractor_version <> $version) RETURN p.id AS id""",
        ids=ids,
        version=version,
    )
    return [row["id"] for row in rows]


def write_extractions(store: Store, rows: list[dict]) -> None:
    """Store each paper's raw extraction (rows: id, extraction JSON, version)."""
    store.write_rows(WRITE_EXTRACTIONS, rows)


def clear_concept_layer(store: Store) -> None:
    """Delete what resolution derives: MENTIONS, concept relations and claims.
    Concept nodes stay, so that their ids (and what analysis stored on them) live on."""
    store.delete_in_batches(f"MATCH (:{Label.PAPER})-[r:{Rel.MENTIONS}]->()", "DELETE r")
    for rel in RELATION_OF_SCIERC_TYPE.values():
        store.delete_in_batches(f"MATCH ()-[r:{rel[0]}]->()", "DELETE r")
    store.delete_in_batches(f"MATCH (c:{Label.CLAIM})", "DETACH DELETE c")


def write_concepts(store: Store, rows_by_label: dict[Label, list[dict]]) -> None:
    """MERGE every concept by id; delete concepts no mention resolves to any more."""
    for label, rows in rows_by_label.items():
        store.write_rows(f"UNWIND $rows AS row MERGE (c:{label} {{id: row.id}}) SET c += row.props", rows)
    for label in rows_by_label:
        keep = [row["id"] for row in rows_by_label[label]]
        store.write(f"MATCH (c:{label}) WHERE NOT c.id IN $keep DETACH DELETE c", keep=keep)


def write_mentions(store: Store, rows_by_label: dict[Label, list[dict]]) -> None:
    for label, rows in rows_by_label.items():
        store.write_rows(
            f"""UNWIND $rows AS row
            MATCH (p:{Label.PAPER} {{id: row.paper}}), (c:{label} {{id: row.concept}})
            CREATE (p)-[:{Rel.MENTIONS} {{sentence: row.sentence, start: row.start, end: row.end,
                text: row.text, type: row.type, confidence: row.confidence}}]->(c)""",
            rows,
        )


def write_concept_relations(store: Store, rows_by_shape: dict[tuple[Label, Rel, Label], list[dict]]) -> None:
    for (head, rel, tail), rows in rows_by_shape.items():
        store.write_rows(
            f"""UNWIND $rows AS row
            MATCH (a:{head} {{id: row.head}}), (b:{tail} {{id: row.tail}})
            MERGE (a)-[r:{rel}]->(b)
            SET r.papers = row.papers, r.paper_count = size(row.papers),
                r.evidence = row.evidence, r.confidence = row.confidence""",
            rows,
        )


def write_claims(store: Store, claims: list[dict], links_by_shape: dict[tuple[Rel, Label], list[dict]]) -> None:
    store.write_rows(
        f"""UNWIND $rows AS row
        MATCH (p:{Label.PAPER} {{id: row.paper}})
        MERGE (c:{Label.CLAIM} {{id: row.id}})
        SET c += row.props
        MERGE (p)-[:{Rel.CLAIMS}]->(c)""",
        claims,
    )
    for (rel, label), rows in links_by_shape.items():
        store.write_rows(
            f"""UNWIND $rows AS row
            MATCH (c:{Label.CLAIM} {{id: row.claim}}), (x:{label} {{id: row.concept}})
            MERGE (c)-[:{rel}]->(x)""",
            rows,
        )
