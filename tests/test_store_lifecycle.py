"""The managed ArcadeDB server's life and guard, each test against a real server.

A stop ends the server process; the root password is made up per home, kept in
a private file, and nothing else opens the store; the server runs in production
mode, serves Bolt, and nothing on its HTTP port but ArcadeDB's own password-
protected API.  Every server here has a home and ports of its own, apart from
the test session's server.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import neo4j
import pytest
from neo4j import GraphDatabase

from graph_schema import arcadedb_server
from graph_schema.settings import ARCADEDB_USER, OLD_FIXED_PASSWORD, PASSWORD_FILE, StoreSettings, settings_from_env


def managed_settings(home: Path) -> StoreSettings:
    """Settings for a managed server in ``home`` on a free port; this process's environment stays as it was."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERGRAPH_HOME", str(home))
        patch.setenv("PAPERGRAPH_BOLT_PORT", str(arcadedb_server.free_port()))
        return settings_from_env()


def assert_process_gone(pid: int) -> None:
    # os.kill succeeds on a zombie too, so this also fails for a server that exited but was never reaped.
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def server_processes(home: Path) -> list[int]:
    """The pids of live server processes for ``home`` (a zombie's command line is empty)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"graph_schema.arcadedb_server" in words and str(home).encode() in words:
            pids.append(int(cmdline.parent.name))
    return pids


def connected_driver(settings: StoreSettings) -> neo4j.Driver:
    """A driver that has run a query, so it holds an open connection to the server."""
    driver = GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))
    driver.execute_query("RETURN 1 AS one")
    return driver


def http_status(port: int, path: str, password: str | None, body: dict | None = None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST" if body else "GET")
    if password is not None:
        token = base64.b64encode(f"{ARCADEDB_USER}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
        request.data = json.dumps(body).encode()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def new_home(tmp_path):
    """A home that does not exist yet; a server a test leaves running in it is stopped afterwards."""
    home = tmp_path / "home"
    yield home
    if home.exists():
        arcadedb_server.stop(managed_settings(home))
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """One server for the tests that only look at it: its settings and its status."""
    home = tmp_path_factory.mktemp("store-lifecycle") / "home"
    settings = managed_settings(home)
    current = arcadedb_server.start(settings)
    yield settings, current
    arcadedb_server.stop(settings)
    shutil.rmtree(home, ignore_errors=True)


def test_stop_ends_the_server_process_while_a_client_is_still_connected(new_home):
    settings = managed_settings(new_home)
    pid = arcadedb_server.start(settings).pid
    driver = connected_driver(settings)
    try:
        assert arcadedb_server.stop(settings)
        assert_process_gone(pid)
        assert not arcadedb_server.status(settings).running
    finally:
        driver.close()


def test_repeated_starts_and_stops_leave_no_process_behind(new_home):
    settings = managed_settings(new_home)
    pids, drivers = [], []
    try:
        for _ in range(3):
            pids.append(arcadedb_server.start(settings).pid)
            drivers.append(connected_driver(settings))
            assert arcadedb_server.stop(settings)
        assert len(set(pids)) == 3
        for pid in pids:
            assert_process_gone(pid)
        assert server_processes(new_home) == []
    finally:
        for driver in drivers:
            driver.close()


def test_a_server_that_does_not_exit_is_killed_and_stop_says_so(new_home, monkeypatch, capsys):
    settings = managed_settings(new_home)
    pid = arcadedb_server.start(settings).pid
    os.kill(pid, signal.SIGSTOP)  # a stopped process leaves SIGTERM pending; SIGKILL still ends it
    monkeypatch.setattr(arcadedb_server, "STOP_TIMEOUT_S", 1.0)
    assert arcadedb_server.stop(settings)
    assert_process_gone(pid)
    assert f"(pid {pid}) did not exit within 1 s; killed it" in capsys.readouterr().err


def test_the_password_is_made_up_per_home_and_kept_private(tmp_path):
    first = managed_settings(tmp_path / "first")
    password_file = tmp_path / "first" / PASSWORD_FILE
    assert stat.S_IMODE((tmp_path / "first").stat().st_mode) == 0o700
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password_file.read_text().strip() == first.password
    assert len(first.password) >= 32 and first.password != OLD_FIXED_PASSWORD
    assert managed_settings(tmp_path / "first").password == first.password
    assert managed_settings(tmp_path / "second").password != first.password
    assert [path.name for path in (tmp_path / "first").iterdir()] == [PASSWORD_FILE]  # no temporary file left


def test_bolt_opens_to_the_password_in_the_file_only(running):
    settings, _ = running
    password = (settings.home / PASSWORD_FILE).read_text().strip()
    with GraphDatabase.driver(settings.uri, auth=(ARCADEDB_USER, password)) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
    for wrong in ("not-" + password, OLD_FIXED_PASSWORD):
        with GraphDatabase.driver(settings.uri, auth=(ARCADEDB_USER, wrong)) as driver:
            with pytest.raises(neo4j.exceptions.AuthError):
                driver.verify_connectivity()


def test_the_http_port_serves_no_mcp_and_asks_for_the_password(running):
    settings, current = running
    assert current.http_port
    assert http_status(current.http_port, "/api/v1/server", settings.password) == 200
    assert http_status(current.http_port, "/api/v1/server", None) == 401
    assert http_status(current.http_port, "/api/v1/server", "not-" + settings.password) in (401, 403)
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    assert http_status(current.http_port, "/api/v1/mcp", settings.password, initialize) == 404
    assert http_status(current.http_port, "/api/v1/mcp/config", settings.password) == 404


def test_the_server_runs_in_production_mode_with_bolt_as_its_only_plugin(running):
    settings, _ = running
    log = arcadedb_server.ServerFiles(settings.home).log.read_text(errors="replace")
    assert "ArcadeDB Server started in 'production' mode" in log
    plugins = re.findall(r"Starting ArcadeDB Server in \w+ mode with plugins \[(.*)\]", log)[-1].split(", ")
    # ArcadeDB always adds its backup scheduler, which stays inactive without a config/backup.json.
    assert sorted(plugins) == ["AutoBackupSchedulerPlugin", "Neo4j-Bolt"]
    assert "Auto-backup scheduler disabled" in log


def test_a_home_made_with_the_old_fixed_password_keeps_working(new_home, tmp_path):
    # What the previous papergraph left: an ArcadeDB whose root password is the old fixed one, no password file.
    new_home.mkdir()
    first_start = (
        "import os, sys\n"
        "from arcadedb_embedded.server import ArcadeDBServer\n"
        "server = ArcadeDBServer(root_path=sys.argv[1], root_password=sys.argv[2],"
        " config={'host': '127.0.0.1', 'http_port': int(sys.argv[3])})\n"
        "server.start()\n"
        "server.stop()\n"
        "os._exit(0)\n"
    )
    data_dir = str(arcadedb_server.ServerFiles(new_home).data_dir)
    command = [sys.executable, "-c", first_start, data_dir, OLD_FIXED_PASSWORD, str(arcadedb_server.free_port())]
    subprocess.run(command, check=True, timeout=120, cwd=tmp_path, capture_output=True)

    settings = managed_settings(new_home)
    assert settings.password == OLD_FIXED_PASSWORD
    assert stat.S_IMODE((new_home / PASSWORD_FILE).stat().st_mode) == 0o600
    arcadedb_server.start(settings)
    connected_driver(settings).close()
    assert arcadedb_server.stop(settings)
