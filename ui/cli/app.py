"""``papergraph ui``: the Streamlit app and, beside it, a refresh of the graph statistics
(``papergraph graph-stats --if-outdated``) and with ``--refresh-links`` then one of the predicted
links, as child processes that never outlive this one.  The refreshes run one after the other:
each is CPU-bound, and two at once would only slow both; and they run at a lower priority than
the app (``BACKGROUND_NICENESS``), so that a page asked for meanwhile gets the CPU first."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from graph_schema import arcadedb_server
from graph_schema.settings import settings_from_env

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_WAIT_SECONDS = 10  # after SIGTERM, before a child that has not exited is killed
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
POLL_SECONDS = 1.0  # how often, while the app runs, to see whether the next refresh may start
BACKGROUND_NICENESS = 10  # added to the refreshes' niceness (os.nice): the app's pages come first


def app_command(port: int, host: str) -> list[str]:
    """The Streamlit server of the app, as ``papergraph ui`` runs it (``ui.streamlit_server``: the
    pages' libraries imported before it serves)."""
    return [
        sys.executable, "-m", "ui.streamlit_server", "run", str(APP_PATH),
        "--server.port", str(port), "--server.address", host,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",  # nothing leaves the machine
        "--client.toolbarMode", "minimal",  # a local tool: no Deploy button, no developer menu
        "--server.enableStaticServing", "true",  # the graph's library, from the app (ui.graph_view)
        # No reloading on a source edit: after every run, watching walked each module the server
        # imported (torch's among them), 0.45 s of every page visit measured.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


@click.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--refresh-links",
    is_flag=True,
    help="Also bring predicted links up to date in the background (`papergraph linkpred refresh`), once the "
    "graph statistics are; the app does not wait, and its Link prediction page shows how far it has got.",
)
def ui(port: int, host: str, refresh_links: bool) -> None:
    """Serve the Streamlit app, and bring the per-period counts and the graph statistics up to date
    in the background (`papergraph graph-stats --if-outdated`, after any running ingest).  SIGTERM, SIGINT or
    SIGHUP stop the app, and the refreshes, too."""
    settings = settings_from_env()
    if settings.managed:
        arcadedb_server.start(settings)
    click.echo(f"papergraph app on http://{host}:{port}")
    app = _start_child(app_command(port, host))
    children = [app]
    refreshes = [
        [sys.executable, "-m", "analysis.aggregates"],  # the per-period counts, when an ingest left them outdated
        [sys.executable, "-m", "ui.cli", "graph-stats", "--if-outdated"],
    ]
    click.echo("bringing graph statistics up to date in the background")
    if refresh_links:
        click.echo("then predicted links; the Link prediction page shows their progress")
        refreshes.append([sys.executable, "-m", "ui.cli", "linkpred", "refresh"])
    stopping = []

    def stop_children(signum, frame) -> None:
        stopping.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop_children)
    try:
        while True:
            refreshing = [child for child in children[1:] if child.poll() is None]  # poll() reaps those that ended
            if refreshes and not stopping and not refreshing:
                children.append(_start_child(refreshes.pop(0), niceness=BACKGROUND_NICENESS))
            try:
                returncode = app.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
    finally:  # the app has exited, or this process is exiting for another reason: take every child along
        _stop(children)
    raise SystemExit(returncode)


def _start_child(command: list[str], niceness: int = 0) -> subprocess.Popen:
    return subprocess.Popen(command, env=os.environ.copy(), preexec_fn=_prepare_child(os.getpid(), niceness))


def _prepare_child(parent_pid: int, niceness: int):
    """For the child, before it runs its command: lower its priority by ``niceness``; and on Linux,
    have the kernel send it SIGTERM when this process dies, even by SIGKILL, which no handler here
    can pass on."""

    def prepare() -> None:
        if niceness:
            os.nice(niceness)
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before the line above took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return prepare


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
