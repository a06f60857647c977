"""The ingest pipeline: read → de-duplicate → write, reporting progress.

Each stage is a plain function over plain data (see ``ingest.records``); this
module only wires them together and measures what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph_schema.store import Store
from ingest.readers import InputProblem, read_paths
from ingest.writer import write_papers, write_sources

# progress(stage, done, total)
ProgressCallback = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class IngestSummary:
    files: int
    listings: int
    papers_new: int
    papers_updated: int
    papers_unchanged: int
    nodes: int
    relationships: int
    nodes_added: int
    relationships_added: int
    seconds: float
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def papers(self) -> int:
        return self.papers_new + self.papers_updated + self.papers_unchanged


def ingest_paths(
    store: Store,
    paths: Iterable[Path | str],
    progress: ProgressCallback = _no_progress,
    batch_size: int = 200,
) -> IngestSummary:
    """Ingest every listing under ``paths``.  Raises ``ingest.readers.InputError``
    when nothing at all can be read; the store is untouched then."""
    started = time.perf_counter()
    progress("read", 0, 1)
    read = read_paths(paths)
    progress("read", 1, 1)

    before = store.counts()
    store.ensure_schema()
    new, updated, unchanged = [], [], []
    total = len(read.papers)
    for start in range(0, total, batch_size):
        batch = read.papers[start : start + batch_size]
        result = write_papers(store, batch)
        new += result.new
        updated += result.updated
        unchanged += result.unchanged
        progress("write", min(start + batch_size, total), total)
    files_read = sorted({Path(ref.path) for paper in read.papers for ref in paper.sources})
    write_sources(store, read.papers, files_read)
    after = store.counts()

    return IngestSummary(
        files=len(files_read),
        listings=read.listings,
        papers_new=len(new),
        papers_updated=len(updated),
        papers_unchanged=len(unchanged),
        nodes=after.total_nodes,
        relationships=after.total_relationships,
        nodes_added=after.total_nodes - before.total_nodes,
        relationships_added=after.total_relationships - before.total_relationships,
        seconds=time.perf_counter() - started,
        problems=read.problems,
    )
