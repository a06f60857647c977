"""Locks on files under ``$PAPERGRAPH_HOME``: who holds one, and holding one.

The locks are the kernel's (``flock``), so a killed process releases its lock
at once.  Three things use them: the managed server owns its data directory
(``graph_schema.arcadedb_server``); one ingest runs at a time per home, and
``papergraph store stop`` refuses while one runs (``exclusive_ingest``,
``running_ingest``); one link-prediction refresh, and one statistics update,
runs at a time (``exclusive_job``).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "ingest.lock"
# A reader asking ``is_locked`` holds a lock for an instant: a job starting then waits that out.
PROBE_WAIT_SECONDS = 2.0


def _lock_path(home: Path) -> Path:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home / LOCK_FILE


def is_locked(path: Path) -> bool:
    """Whether some process holds a lock on ``path``."""
    if not path.exists():
        return False
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def running_ingest(home: Path) -> int | None:
    """The pid of the ingest holding the lock for ``home``, or None when none runs."""
    path = home / LOCK_FILE
    if not is_locked(path):
        return None
    text = path.read_text().strip()
    return int(text) if text.isdigit() else -1


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


@contextmanager
def exclusive_job(path: Path, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold the lock on ``path`` for one job; raise ``busy()`` when another job holds it
    (for longer than a reader's ``is_locked`` probe).  ``path``'s folder must exist."""
    with open(path, "a+") as handle:
        deadline = time.monotonic() + PROBE_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise busy() from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
