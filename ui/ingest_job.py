"""An ingest as the command line and the app run it: one at a time, then the per-period counts the
pages read (``analysis.aggregates``) and, when asked, the graph's statistics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph_schema.file_locks import exclusive_ingest
from graph_schema.progress import Progress, no_progress
from graph_schema.settings import papergraph_home
from graph_schema.store import Store
from ingest.extract import Extractor


def ingest_and_update_statistics(
    store: Store,
    paths: list[Path],
    *,
    progress: Progress = no_progress,
    extract: bool = True,
    extractor: Extractor | None = None,
    waiting: Callable[[int], None] = lambda pid: None,
    statistics: bool = False,
    **options,
):
    """``ingest.pipeline.ingest_paths`` under the ingest lock (a second ingest
    waits, calling ``waiting(pid)``), then, by difference, the per-period counts of the papers it
    added or changed (``analysis.aggregates``).  With ``statistics``, then graph statistics
    under the same lock whenever they are outdated: after a concept-layer sync,
    and after a run that was cut short.  Without it (the default, as for
    ``papergraph ingest``), statistics are left to ``analysis.graph_stats.update_graph_stats``:
    they are whole-graph measures, and would make adding papers cost in
    proportion to the graph.  Returns the ``IngestSummary``."""
    from analysis.aggregates import bring_up_to_date
    from ingest.pipeline import ingest_paths  # loads spaCy: only when ingesting

    with exclusive_ingest(papergraph_home(), waiting):
        summary = ingest_paths(store, paths, progress=progress, extract=extract, extractor=extractor, **options)
        bring_up_to_date(store, progress, during_ingest=True)
        if statistics:
            from analysis.fingerprint import graph_fingerprint  # igraph: only when statistics are asked for
            from analysis.graph_stats import compute_and_store_graph_stats, stats_outdated

            fingerprint = graph_fingerprint(store)
            if summary.concept_layer is not None or stats_outdated(store, fingerprint):
                compute_and_store_graph_stats(store, progress, fingerprint)
    return summary
