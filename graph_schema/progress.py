"""The one shape of progress reports, shared by every layer.

A long job (ingest, extractor training, link prediction) takes a
``progress`` callable and calls it as ``progress(stage, done, total)`` while
a stage with a known size advances, or ``progress(message)`` for a step
that has no size.  The command line draws these with rich, the app with
Streamlit's progress bars; ``no_progress`` ignores them.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None: ...


def no_progress(stage: str, done: int | None = None, total: int | None = None) -> None:
    pass
