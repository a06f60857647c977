"""kill -9 of an ingest at any moment, then the same ingest again, ends exactly
where one uninterrupted ingest ends: same nodes, relationships and properties.

Each ingest runs in its own process (``tests.crash_driver``, the command
line's ingest with the stand-in extractor), which kills itself with SIGKILL
at a chosen point: while reading, after the first papers were written, after
the first extractions were stored, in the middle of the concept layer, and
between computing and storing the graph's statistics.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from graph_schema import arcadedb_server
from graph_schema.arcadedb_server import free_port
from graph_schema.file_locks import exclusive_ingest
from graph_schema.settings import settings_from_env
from graph_schema.store import Store
from tests.support import CORPUS, REPO, graph_difference, graph_dump, run_cli

KILL_POINTS = [
    ("read", 0),
    ("write", 50),  # the first batch of papers is written, the rest is not
    ("extract", 32),  # the first batch of extractions is stored
    ("concept layer", 100),  # the first papers' mentions and claims are written
    ("graph statistics", 1),  # computed, not stored
]


# Two of the four sample listings: 169 papers, four transactions of papers and two of concept layer.
LISTINGS = sorted(CORPUS.glob("*.txt"))[:2]


def run_ingest(kill_stage: str = "never", kill_done: int = 0, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tests.crash_driver", kill_stage, str(kill_done), *map(str, LISTINGS)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def uninterrupted(session_store):
    session_store.wipe()
    finished = run_ingest()
    assert finished.returncode == 0, finished.stderr
    return graph_dump(session_store)


@pytest.mark.parametrize(("stage", "done"), KILL_POINTS, ids=[stage for stage, _ in KILL_POINTS])
def test_an_ingest_killed_and_run_again_ends_as_an_uninterrupted_one(store, uninterrupted, stage, done):
    killed = run_ingest(stage, done)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)
    assert f"killing myself at {stage}" in killed.stdout
    rerun = run_ingest()
    assert rerun.returncode == 0, rerun.stderr
    assert (dump := graph_dump(store)) == uninterrupted, graph_difference(uninterrupted, dump)


def test_two_ingests_at_once_end_as_one(store, uninterrupted):
    command = [sys.executable, "-m", "tests.crash_driver", "never", "0", *map(str, LISTINGS)]
    first, second = (subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) for _ in range(2))
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    first.stdout.close()
    second.stdout.close()
    assert (dump := graph_dump(store)) == uninterrupted, graph_difference(uninterrupted, dump)


def test_an_ingest_whose_store_is_killed_says_so_and_the_next_run_recovers(tmp_path):
    """kill -9 of the ArcadeDB server mid-ingest: the ingest ends with one clear line; at restart
    ArcadeDB replays its write-ahead log, so every transaction committed before the kill is there,
    and running the same ingest again ends as an uninterrupted one."""
    env = {**os.environ, "PAPERGRAPH_HOME": str(tmp_path / "home"), "PAPERGRAPH_BOLT_PORT": str(free_port())}
    with pytest.MonkeyPatch.context() as patch:
        for name in ("PAPERGRAPH_HOME", "PAPERGRAPH_BOLT_PORT"):
            patch.setenv(name, env[name])
        settings = settings_from_env()
    try:
        assert run_ingest(env=env).returncode == 0
        with Store.open(settings) as own:
            expected = graph_dump(own)
            own.wipe()
        cut = run_ingest("server:extract", 32, env=env)
        assert cut.returncode == 1, (cut.stdout, cut.stderr)
        assert "killing the server at extract" in cut.stdout
        assert "stopped answering" in cut.stderr and "Traceback" not in cut.stderr
        with Store.open(settings) as own:  # starts the server again
            papers = own.read("MATCH (p:Paper) RETURN count(p) AS n, count(p.extraction) AS extracted")[0]
            # All papers were committed before the kill, and at least the first batch of extractions.
            assert papers["n"] == 169 and papers["extracted"] >= 32
        assert run_ingest(env=env).returncode == 0
        with Store.open(settings) as own:
            assert (dump := graph_dump(own)) == expected, graph_difference(expected, dump)
    finally:
        arcadedb_server.stop(settings)


def test_store_stop_refuses_while_an_ingest_writes(server_settings):
    with exclusive_ingest(server_settings.home):
        refused = run_cli("store", "stop")
    assert refused.returncode == 1
    assert f"an ingest (pid {os.getpid()}) is writing to this store" in refused.stderr
    assert arcadedb_server.status(server_settings).running
