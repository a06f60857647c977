"""``papergraph ui`` never leaves its Streamlit app behind: SIGTERM or SIGINT stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graph_schema.arcadedb_server import free_port, port_accepts
from tests.support import REPO


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


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_papergraph_ui_stops_the_app_too(server_settings, signum):
    port = free_port()
    command = [sys.executable, "-m", "ui.cli", "ui", "--port", str(port)]
    cli = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not port_accepts(port):
            assert cli.poll() is None and time.monotonic() < deadline, "the app did not come up"
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
            assert response.status == 200
        apps = _children(cli.pid)
        assert apps, "papergraph ui runs Streamlit as its child"
        cli.send_signal(signum)
        cli.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(app) for app in apps) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(app) for app in apps)
        assert not port_accepts(port)
    finally:
        if cli.poll() is None:
            cli.kill()
