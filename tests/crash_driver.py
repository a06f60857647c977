"""Run an ingest that kills itself (SIGKILL, as kill -9 would) at a chosen point.

    python -m tests.crash_driver STAGE DONE PATH...
    python -m tests.crash_driver server:STAGE DONE PATH...

The second form kills the store's server instead (SIGKILL to the managed
ArcadeDB process) and carries on, as an ingest whose store dies would: it
ends with the one-line error the command line prints, and exit status 1.

Papers are written 50 to a transaction (the command line writes 200), so that
a small corpus still has several batches to be killed between.

The ingest is the one the command line runs (``ui.ingest_job``) with ``--stats``,
so that it can be killed while computing the graph's statistics too, and with the
stand-in extractor; it kills its own process the first time progress reports
``STAGE`` with ``done >= DONE``.  With STAGE ``never`` it runs to the end.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from graph_schema import arcadedb_server
from graph_schema.errors import PapergraphError
from graph_schema.settings import settings_from_env
from graph_schema.store import Store
from tests.support import GazetteerExtractor
from ui.ingest_job import ingest_and_update_statistics


def main(stage: str, done: int, paths: list[str]) -> int:
    target, _, stage = stage.rpartition(":")
    killed = []

    def progress(reported: str, reported_done: int | None = None, total: int | None = None) -> None:
        if reported != stage or (reported_done or 0) < done or killed:
            return
        if target == "server":
            print(f"killing the server at {reported} {reported_done}/{total}", flush=True)
            os.kill(arcadedb_server.status(settings_from_env()).pid, signal.SIGKILL)
            killed.append(True)
        else:
            print(f"killing myself at {reported} {reported_done}/{total}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    with Store.open() as store:
        try:
            ingest_and_update_statistics(
                store,
                [Path(p) for p in paths],
                progress=progress,
                extractor=GazetteerExtractor(),
                statistics=True,
                batch_size=50,
            )
        except PapergraphError as error:
            print(f"Error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))
