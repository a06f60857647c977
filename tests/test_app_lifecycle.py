"""``papergraph ui`` never leaves a child behind: SIGTERM or SIGINT stops its Streamlit app, and with
``--refresh-links`` the link-prediction refresh too, which records that it was stopped; if ``papergraph ui``
is killed outright, its children still stop.  Beside the app it brings the graph statistics up to date,
before the link-prediction refresh starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.graph_stats import CURRENT, statistics_state
from analysis.linkpred.refresh import RUNNING, STOPPED, read_status, status_path
from graph_schema.arcadedb_server import free_port, port_accepts
from graph_schema.corpus_state import mark_written
from tests.support import REPO
from ui.cli.app import BACKGROUND_NICENESS


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[-1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[16])


def _is_streamlit(pid: int) -> bool:
    return b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes()


def _wait_for_the_app(cli: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while not port_accepts(port):
        assert cli.poll() is None and time.monotonic() < deadline, "the app did not come up"
        time.sleep(0.2)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
        assert response.status == 200


def _outdate_statistics(store) -> None:
    """Make the store's graph statistics outdated, as an ingest of new papers would."""
    store.write("MATCH (p:Paper) WITH p LIMIT 1 SET p.stats_fingerprint = 'an earlier graph'")
    mark_written(store)
    assert statistics_state(store) != CURRENT


def _signal_and_wait(cli: subprocess.Popen, signum: int, children: list[int], port: int) -> None:
    """Send ``signum`` to ``papergraph ui`` and check that it and every child are gone, and the port is free."""
    cli.send_signal(signum)
    cli.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(child) for child in children)
    assert not port_accepts(port)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_papergraph_ui_stops_the_app_too(server_settings, signum):
    port = free_port()
    command = [sys.executable, "-m", "ui.cli", "ui", "--port", str(port)]
    cli = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_the_app(cli, port)
        apps = _children(cli.pid)
        assert apps, "papergraph ui runs Streamlit as its child"
        _signal_and_wait(cli, signum, apps, port)
    finally:
        if cli.poll() is None:
            cli.kill()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_papergraph_ui_with_the_refresh_leaves_no_child_behind(concept_store, signum):
    # On the sample corpus with MiniLM features and the default epochs, the refresh runs for minutes:
    # it is mid-run when the signal comes.
    status_path().unlink(missing_ok=True)
    _outdate_statistics(concept_store)
    port = free_port()
    command = [sys.executable, "-m", "ui.cli", "ui", "--port", str(port), "--refresh-links"]
    cli = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    try:
        _wait_for_the_app(cli, port)
        deadline = time.monotonic() + 60
        while (status := read_status()) is None or status.state != RUNNING:
            assert time.monotonic() < deadline, f"the refresh did not start: {status}"
            time.sleep(0.2)
        assert statistics_state(concept_store) == CURRENT, "statistics are brought up to date before the links"
        children = _children(cli.pid)
        assert len(children) == 2, "papergraph ui runs Streamlit and the refresh as its children"
        [app] = [child for child in children if _is_streamlit(child)]
        [refresh] = [child for child in children if child != app]
        assert _niceness(refresh) >= _niceness(app) + BACKGROUND_NICENESS, "the refresh yields to the app"
        _signal_and_wait(cli, signum, children, port)
        # The refresh said so itself (a status read while no process holds the lock would say so too).
        assert json.loads(status_path().read_text())["state"] == STOPPED
    finally:
        if cli.poll() is None:
            cli.kill()
        for child in children:
            if _alive(child):
                os.kill(child, signal.SIGKILL)
        status_path().unlink(missing_ok=True)


def test_papergraph_ui_brings_the_statistics_up_to_date_in_the_background(concept_store):
    _outdate_statistics(concept_store)
    port = free_port()
    command = [sys.executable, "-m", "ui.cli", "ui", "--port", str(port)]
    cli = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_the_app(cli, port)
        deadline = time.monotonic() + 120
        while statistics_state(concept_store) != CURRENT:
            assert cli.poll() is None and time.monotonic() < deadline, "the statistics were not brought up to date"
            time.sleep(0.5)
        while len(children := _children(cli.pid)) != 1:  # the refresh has ended; the app goes on
            assert time.monotonic() < deadline, f"the refresh did not end: {children}"
            time.sleep(0.2)
        _signal_and_wait(cli, signal.SIGTERM, children, port)
    finally:
        if cli.poll() is None:
            cli.kill()
