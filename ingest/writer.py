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
    rows = store.read(
        f"MATCH (p:{Label.PAPER}) WHERE p.id IN $ids RETURN p.id AS id, p.content_hash AS hash", ids=ids
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
        props = {f: getattr(paper, f) for f in _PAPER_FIELDS}
        props["content_hash"] = content_hash
        props[SEARCH_TEXT] = f"{paper.title} {paper.abstract}"
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
        [{"paper": paper, "source": source, "lines": sorted(lines)} for (paper, source), lines in lines_by_pair.items()],
    )
