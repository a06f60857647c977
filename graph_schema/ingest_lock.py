"""One ingest at a time per papergraph home, and no store stop under an ingest.

An ingest holds an exclusive lock on ``$PAPERGRAPH_HOME/ingest.lock`` for its
whole run, and writes its pid into the file.  A second ingest waits for the
first (and says so); ``papergraph store stop`` refuses while one runs.  The
lock is the kernel's (``flock``), so a killed ingest releases it at once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "ingest.lock"


def _lock_path(home: Path) -> Path:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home / LOCK_FILE


def running_ingest(home: Path) -> int | None:
    """The pid of the ingest holding the lock for ``home``, or None when none runs."""
    path = home / LOCK_FILE
    if not path.exists():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


@contextmanager
def exclusive_ingest(home: Path, waiting: Callable[[int], None] = lambda pid: None) -> Iterator[None]:
    """Hold the ingest lock of ``home``; if another ingest holds it, call
    ``waiting(its pid)`` once and wait for it to finish."""
    with open(_lock_path(home), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            waiting(int(text) if text.isdigit() else -1)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
