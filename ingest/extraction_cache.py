"""Extractions kept on disk, keyed by extractor version and abstract.

Re-ingesting a paper into an emptied or another database, or re-running an
ingest after a crash, then costs no model time.  The cache lives under
``$PAPERGRAPH_HOME/cache/extractions/<extractor version>/``; deleting it is
always safe.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from graph_schema.settings import papergraph_home


class ExtractionCache:
    def __init__(self, version: str, root: Path | None = None):
        safe_version = "".join(c if c.isalnum() or c in "._-+" else "_" for c in version)
        self.directory = (root or papergraph_home() / "cache" / "extractions") / safe_version

    def _path(self, abstract: str) -> Path:
        digest = hashlib.sha256(abstract.encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, abstract: str) -> str | None:
        try:
            return self._path(abstract).read_text()
        except OSError:
            return None

    def put(self, abstract: str, extraction_json: str) -> None:
        path = self._path(abstract)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(extraction_json)
        partial.replace(path)  # atomic: a reader never sees half a file
