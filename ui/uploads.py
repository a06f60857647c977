"""Ingesting listings uploaded through the app, as ``papergraph ingest`` would: every format it
reads (``ingest.readers.LISTING_SUFFIXES``: CSV/TSV, BibTeX, JSON lines and documents, daily-papers
text, and any of them in a .gz or .zip), with the columns guessed by their names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from graph_schema.progress import Progress
from graph_schema.store import Store
from ingest.extract import Extractor
from ingest.readers import LISTING_SUFFIXES
from ui.ingest_job import ingest_and_update_statistics
from ui.models_status import extractor_manifest

UPLOAD_SUFFIXES = sorted(suffix.lstrip(".") for suffix in LISTING_SUFFIXES)


def save_uploads(uploads: Iterable[tuple[str, bytes]], directory: Path) -> list[Path]:
    """Write each upload into ``directory`` under its original file name (never a path)."""
    paths = []
    for name, content in uploads:
        path = directory / (Path(name).name or "upload.txt")
        path.write_bytes(content)
        paths.append(path)
    return paths


def ingest_listing_files(store: Store, paths: list[Path], progress: Progress, extractor: Extractor | None = None):
    """Ingest ``paths`` as ``papergraph ingest`` does, extracting concepts when
    the extractor is trained.  Raises ``ingest.readers.InputError`` as the CLI
    does; returns the ``IngestSummary``."""
    return ingest_and_update_statistics(
        store,
        paths,
        progress=progress,
        extract=extractor is not None or extractor_manifest() is not None,
        extractor=extractor,
    )
