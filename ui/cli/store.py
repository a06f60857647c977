"""``papergraph store start|stop|status``: the managed ArcadeDB server, or which external store is in use."""

from __future__ import annotations

import click

from graph_schema import arcadedb_server
from graph_schema.file_locks import running_ingest
from graph_schema.settings import settings_from_env
from graph_schema.store import Store


@click.group()
def store() -> None:
    """Start, stop or inspect the store."""


@store.command("start")
def store_start() -> None:
    """Start papergraph's ArcadeDB server (no-op if it runs, or if NEO4J_URI is set)."""
    settings = settings_from_env()
    if not settings.managed:
        click.echo(f"using an external store: {settings.describe()}; nothing to start")
        return
    current = arcadedb_server.start(settings)
    with Store.open(settings) as connected:
        connected.ensure_schema()
    click.echo(f"running: pid {current.pid}, {current.uri}, data in {settings.home}")


@store.command("stop")
def store_stop() -> None:
    """Stop papergraph's ArcadeDB server."""
    settings = settings_from_env()
    if not settings.managed:
        click.echo(f"using an external store: {settings.describe()}; nothing to stop")
        return
    ingest_pid = running_ingest(settings.home)
    if ingest_pid is not None:
        raise click.ClickException(
            f"an ingest (pid {ingest_pid}) is writing to this store; stopping the store now would cut it short. "
            "Wait for it to finish (it is safe to interrupt the ingest itself: the next run completes its work)"
        )
    stopped = arcadedb_server.stop(settings)
    click.echo("stopped" if stopped else "not running")


@store.command("status")
def store_status() -> None:
    """Say which store is in use and whether it answers."""
    settings = settings_from_env()
    click.echo(f"store: {settings.describe()}")
    if settings.managed:
        current = arcadedb_server.status(settings)
        if not current.running:
            click.echo("state: not running (it starts on demand)")
            return
        click.echo(f"state: running, pid {current.pid}, {current.uri}")
    with Store.open(settings, start_server=False) as connected:
        counts = connected.counts()
        click.echo(f"server: {connected.server_agent()}")
        click.echo(f"graph: {counts.total_nodes:,} nodes, {counts.total_relationships:,} relationships")
