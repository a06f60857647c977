"""``papergraph ui``: the Streamlit app, as a child process that never outlives this one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from graph_schema import arcadedb_server
from graph_schema.settings import settings_from_env

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"


@click.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def ui(port: int, host: str) -> None:
    """Serve the Streamlit app.  SIGTERM or SIGINT stops the app too."""
    settings = settings_from_env()
    if settings.managed:
        arcadedb_server.start(settings)
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.port", str(port), "--server.address", host,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    click.echo(f"papergraph app on http://{host}:{port}")
    app = subprocess.Popen(command, env=os.environ.copy())

    def stop_app(signum, frame) -> None:
        app.send_signal(signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop_app)
    try:
        returncode = app.wait()
    finally:
        if app.poll() is None:  # this process is exiting for another reason: take the app along
            app.kill()
            app.wait()
    raise SystemExit(returncode)
