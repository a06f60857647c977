"""The ingest pipeline: read → de-duplicate → write, reporting progress.

Each stage is a plain function over plain data (see ``ingest.records``); this
module only wires them together and measures what changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph_schema.corpus_state import mark_written
from graph_schema.progress import Progress, no_progress
from graph_schema.store import Store
from ingest import writer
from ingest.concept_layer import ConceptLayerSummary, layer_outdated, sync_concept_layer
from ingest.extract import EXTRACTION_GROUP, Extractor, MentionExtractor
from ingest.extraction_cache import ExtractionCache
from ingest.process_pool import ProcessPoolExtractor
from ingest.readers import InputProblem, read_paths
from ingest.records import Extraction, PaperRecord
from ingest.serialize import extraction_to_json

# From this many abstracts on, the default extractor runs on one process of one torch thread per core:
# 25.3 against 23.6 abstracts/s on 2 cores, the workers' figure with the claim rules they also run
# (bench/bench_extract_frontier.py, AVX512-BF16), which pays back the workers' start (5-10 s) after
# some 2,000 abstracts.
POOL_MIN_ABSTRACTS = 2000
POOL_MAX_PROCESSES = 8  # each worker loads its own copy of the model; wider machines are Ray's


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
    papers_extracted: int = 0
    concept_layer: ConceptLayerSummary | None = None
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def papers(self) -> int:
        return self.papers_new + self.papers_updated + self.papers_unchanged

    def describe(self) -> str:
        """The closing summary, as the CLI and the app print it."""
        text = (
            f"ingested {self.files} file(s), {self.listings} listing(s): {self.papers} paper(s) — "
            f"{self.papers_new} new, {self.papers_updated} updated, {self.papers_unchanged} unchanged; "
            f"graph now {self.nodes:,} nodes ({self.nodes_added:+,}), "
            f"{self.relationships:,} relationships ({self.relationships_added:+,}); {self.seconds:.1f} s"
        )
        layer = self.concept_layer
        if layer:
            concepts = ", ".join(f"{n:,} {label}" for label, n in sorted(layer.concepts.items()))
            text += (
                f"\nextracted {self.papers_extracted} paper(s); concept layer over {layer.papers} paper(s): "
                f"{layer.mentions:,} mentions → {concepts}; {layer.relations:,} relations; "
                f"{layer.claims:,} claims ({layer.results:,} with results); "
                f"written: {layer.papers_written:,} paper layer(s), {layer.concepts_written:,} concept(s), "
                f"{layer.relations_written:,} relation(s), {layer.concepts_deleted + layer.relations_deleted:,} deleted"
            )
        return text


def extract_papers(
    store: Store,
    papers: list[PaperRecord],
    extractor: Extractor | None,
    progress: Progress,
    batch_size: int,
    use_cache: bool = True,
) -> int:
    """Run ``extractor`` over the papers it has not seen in its version; store
    what it finds.  Returns how many papers were extracted (from the cache or not).

    The default extractor (``None``: the committed model) runs in this process, or, for
    ``POOL_MIN_ABSTRACTS`` abstracts or more on a machine with several cores, on one
    worker process of one thread per core, up to ``POOL_MAX_PROCESSES`` (``ingest.process_pool``):
    the same extractions."""
    chosen = extractor or MentionExtractor()
    version = chosen.version
    pending = set(writer.papers_to_extract(store, [p.id for p in papers], version))
    todo = [p for p in papers if p.id in pending]
    if not todo:
        return 0
    cache = ExtractionCache(version) if use_cache else None
    rows, uncached = [], []
    for paper in todo:
        cached = cache.get(paper.abstract) if cache else None
        if cached is None:
            uncached.append(paper)
        else:
            rows.append({"id": paper.id, "extraction": cached, "version": version})
    writer.write_extractions(store, rows)
    done = len(rows)
    progress("extract", done, len(todo))
    if not uncached:
        return len(todo)  # all from the cache: the model is not even loaded
    cores = min(os.cpu_count() or 1, POOL_MAX_PROCESSES)
    if extractor is None and len(uncached) >= POOL_MIN_ABSTRACTS and cores > 1:
        with ProcessPoolExtractor(cores, chosen.directory, chosen.backend) as pool:
            _extract_uncached(store, uncached, pool, cache, progress, batch_size, done, len(todo))
    else:
        _extract_uncached(store, uncached, chosen, cache, progress, batch_size, done, len(todo))
    return len(todo)


def _extract_uncached(
    store: Store,
    uncached: list[PaperRecord],
    extractor: Extractor,
    cache: ExtractionCache | None,
    progress: Progress,
    batch_size: int,
    done: int,
    total: int,
) -> None:
    version = extractor.version
    # An extractor may ask for bigger batches: a distributed one spreads each over its workers.
    batch_size = getattr(extractor, "preferred_batch_size", None) or batch_size
    batches = [uncached[start : start + batch_size] for start in range(0, len(uncached), batch_size)]
    for batch, results in zip(batches, _extractions_in_order(extractor, batches)):
        extracted = [extraction_to_json(result) for result in results]
        if cache:
            for paper, extraction in zip(batch, extracted):
                cache.put(paper.abstract, extraction)
        writer.write_extractions(
            store,
            [{"id": p.id, "extraction": e, "version": version} for p, e in zip(batch, extracted)],
        )
        done += len(batch)
        progress("extract", done, total)


def _extractions_in_order(extractor: Extractor, batches: list[list[PaperRecord]]) -> Iterator[list[Extraction]]:
    """Each batch's extractions: from ``extract_batches`` where the extractor has it (it works
    ahead while the caller writes), else one ``extract_many`` call per batch."""
    abstracts = ([paper.abstract for paper in batch] for batch in batches)
    extract_batches = getattr(extractor, "extract_batches", None)
    if extract_batches is not None:
        return extract_batches(abstracts)
    return map(extractor.extract_many, abstracts)


def ingest_paths(
    store: Store,
    paths: Iterable[Path | str],
    progress: Progress = no_progress,
    batch_size: int = 1000,  # papers per write transaction (and per look-up of what is stored)
    extract: bool = True,
    extractor: Extractor | None = None,
    use_cache: bool = True,
    categories: Iterable[str] = (),
) -> IngestSummary:
    """Ingest every listing under ``paths``: papers and sources, then (unless
    ``extract`` is false) concepts, relations and claims, found by
    ``extractor`` (default: the committed model, loaded only if some paper
    needs it).  Raises ``ingest.readers.InputError`` when nothing at all can
    be read; the store is untouched then.  Ingest ends at the graph: whoever
    calls it asks for graph statistics (``analysis.graph_stats``)."""
    started = time.perf_counter()
    progress("read", 0, 1)
    read = read_paths(paths, categories=categories)
    progress("read", 1, 1)

    before = store.counts()
    store.ensure_schema()
    mark_written(store)  # before the first write: a run cut short leaves what reads the papers outdated
    new, updated, unchanged = [], [], []
    total = len(read.papers)
    for start in range(0, total, batch_size):
        batch = read.papers[start : start + batch_size]
        result = writer.write_papers(store, batch)
        new += result.new
        updated += result.updated
        unchanged += result.unchanged
        progress("write", min(start + batch_size, total), total)
    files_read = sorted({Path(ref.path) for paper in read.papers for ref in paper.sources})
    writer.write_sources(store, read.papers, files_read)
    extracted, layer = 0, None
    if extract:
        extracted = extract_papers(store, read.papers, extractor, progress, EXTRACTION_GROUP, use_cache=use_cache)
        # Pending also after a sync that was cut short (kill -9, a lost store), or under new rules: this run does it.
        if layer_outdated(store):
            progress("resolve", 0, 1)
            layer = sync_concept_layer(store, progress)
            progress("resolve", 1, 1)
    mark_written(store)  # after the last: whatever read the papers while this wrote them is outdated
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
        papers_extracted=extracted,
        concept_layer=layer,
        problems=read.problems,
    )
