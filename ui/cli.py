"""The ``papergraph`` command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_schema import arcadedb_server
from graph_schema.query_console import (
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT_S,
    QueryFailed,
    QueryRefused,
    QueryTimeout,
    run_read_query,
)
from graph_schema.settings import settings_from_env
from graph_schema.store import Store, StoreUnavailable

console = Console(stderr=True)
APP_PATH = Path(__file__).with_name("app.py")


def open_store() -> Store:
    try:
        return Store.open()
    except (StoreUnavailable, arcadedb_server.ServerError) as error:
        raise click.ClickException(str(error)) from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papergraph")
def cli() -> None:
    """papergraph: a concept graph of machine-learning papers.

    The store is papergraph's own ArcadeDB server (started on demand), or a
    Neo4j 5 named by NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE.
    """


# -- store ------------------------------------------------------------------


@cli.group()
def store() -> None:
    """Start, stop or inspect the store."""


@store.command("start")
def store_start() -> None:
    """Start papergraph's ArcadeDB server (no-op if it runs, or if NEO4J_URI is set)."""
    settings = settings_from_env()
    if not settings.managed:
        click.echo(f"using an external store: {settings.describe()}; nothing to start")
        return
    try:
        current = arcadedb_server.start(settings)
    except arcadedb_server.ServerError as error:
        raise click.ClickException(str(error)) from error
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
    try:
        stopped = arcadedb_server.stop(settings)
    except arcadedb_server.ServerError as error:
        raise click.ClickException(str(error)) from error
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
    try:
        with Store.open(settings, start_server=False) as connected:
            counts = connected.counts()
            click.echo(f"server: {connected.server_agent()}")
            click.echo(f"graph: {counts.total_nodes:,} nodes, {counts.total_relationships:,} relationships")
    except StoreUnavailable as error:
        raise click.ClickException(str(error)) from error


# -- ingest -------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-extract", is_flag=True, help="Papers and sources only: no concepts, relations or claims.")
def ingest(paths: tuple[Path, ...], quiet: bool, no_extract: bool) -> None:
    """Read listings (files or folders: .txt daily-papers pages, .jsonl, .csv) into the graph."""
    # The store's server (if it has to start) boots while the pipeline's imports load.
    with ThreadPoolExecutor(max_workers=1) as background:
        opening = background.submit(open_store)
        from ingest.extract import ExtractorNotTrained
        from ingest.pipeline import ingest_paths
        from ingest.readers import InputError

        store_opened = opening.result()
    with store_opened as connected:
        progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, disable=quiet, transient=True,
        )  # fmt: skip
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            with progress:
                summary = ingest_paths(connected, paths, progress=report, extract=not no_extract)
        except (InputError, ExtractorNotTrained) as error:
            raise click.ClickException(str(error)) from error
    for problem in summary.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(summary.describe())


# -- reading ------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(as_json: bool) -> None:
    """Corpus and graph statistics."""
    from analysis.stats import corpus_stats

    with open_store() as connected:
        result = corpus_stats(connected)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "store": result.store,
                    "papers": result.papers,
                    "nodes": result.counts.nodes,
                    "relationships": result.counts.relationships,
                    "sources": result.sources,
                    "papers_with_code": result.papers_with_code,
                    "papers_in_several_sources": result.papers_in_several_sources,
                    "mean_abstract_words": round(result.mean_abstract_words, 1),
                    "top_concepts": result.top_concepts,
                },
                indent=2,
            )
        )
        return
    out = Console()
    out.print(f"store: {result.store}")
    out.print(
        f"papers: {result.papers:,} ({result.papers_with_code} with code links, "
        f"{result.papers_in_several_sources} listed in several sources); "
        f"abstracts average {result.mean_abstract_words:.0f} words"
    )
    table = Table("label", "nodes", title="nodes")
    for label, n in result.counts.nodes.items():
        table.add_row(label, f"{n:,}")
    out.print(table)
    table = Table("type", "relationships", title="relationships")
    for rel, n in result.counts.relationships.items():
        table.add_row(rel, f"{n:,}")
    out.print(table)
    table = Table("source", "format", "listings", "papers", title="sources")
    for source in result.sources:
        table.add_row(source["name"], source["format"], str(source["listings"]), str(source["papers"]))
    out.print(table)
    for label, rows in result.top_concepts.items():
        table = Table("name", "papers", title=f"top {label}")
        for row in rows:
            table.add_row(row["name"], str(row["papers"]))
        out.print(table)


@cli.command()
@click.option("--concept", "concept_id", help="Only rows whose method or dataset has this concept id.")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def results(concept_id: str | None, output: str) -> None:
    """The results table derived from claims: method × dataset × metric × value, with the paper."""
    from analysis.results import stored_results

    with open_store() as connected:
        rows = stored_results(connected, concept_id)
    columns = ["method", "dataset", "metric", "value", "unit", "relative", "paper"]
    print_rows([{c: row[c] for c in columns} for row in rows], columns, output)


@cli.command("concept-report")
@click.option("--top", type=click.IntRange(min=1), default=30, show_default=True, help="Concepts listed per label.")
@click.option("--unsure", type=click.IntRange(min=1), default=10, show_default=True, help="Least-sure merges listed.")
def concept_report(top: int, unsure: int) -> None:
    """How mentions resolved to concepts: counts per label, the most-mentioned
    concepts, and the merges resolution is least sure of."""
    from analysis.concept_report import print_concept_report
    from ingest.concept_layer import load_extracted_papers
    from ingest.resolve import resolve

    with open_store() as connected:
        papers = load_extracted_papers(connected)
    if not papers:
        raise click.ClickException("no extracted papers in the store; run `papergraph ingest` first")
    resolution = resolve(((p.id, p.abstract, p.mentions) for p in papers), {p.id: p.title for p in papers})
    print_concept_report(resolution, Console(width=200), top=top, unsure=unsure)


@cli.command("graph-stats")
def graph_stats() -> None:
    """Recompute degree, PageRank, betweenness and communities, stored on papers and concepts."""
    from analysis.graph_stats import compute_and_store_graph_stats

    with open_store() as connected:
        summary = compute_and_store_graph_stats(connected)
    click.echo(
        f"{summary.nodes:,} nodes, {summary.edges:,} connected pairs, "
        f"{summary.communities:,} communities; {summary.seconds:.1f} s"
    )


def _cell(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def print_rows(rows: list[dict], columns: list[str], output: str) -> None:
    """Rows as a table, a JSON array of row objects, or CSV."""
    if output == "json":
        click.echo(json.dumps(rows, indent=2, default=str))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*(_cell(row[c]) for c in columns))
        Console().print(table)


@cli.command()
@click.argument("cypher")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--param", "params", multiple=True, metavar="NAME=JSON", help="A query parameter; the value is read as JSON, else as a string.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT_S, show_default=True, help="Time limit in seconds.")
@click.option("--max-rows", "row_cap", type=click.IntRange(min=1), default=DEFAULT_ROW_CAP, show_default=True, help="Row cap.")
def query(cypher: str, output: str, params: tuple[str, ...], timeout_s: float, row_cap: int) -> None:
    """Run a read-only Cypher query.  Writing clauses and procedures are refused."""
    parameters = {}
    for param in params:
        name, _, raw = param.partition("=")
        try:
            parameters[name] = json.loads(raw)
        except json.JSONDecodeError:
            parameters[name] = raw
    with open_store() as connected:
        try:
            result = run_read_query(connected, cypher, parameters, timeout_s=timeout_s, row_cap=row_cap)
        except (QueryRefused, QueryTimeout, QueryFailed) as error:
            raise click.ClickException(str(error)) from error
    print_rows(result.rows, result.columns, output)
    if output == "table":
        click.echo(f"{len(result.rows)} row(s) in {result.seconds:.2f} s", err=True)
    if result.truncated:
        click.echo(
            f"warning: stopped at the row cap of {result.row_cap:,} rows; raise it with --max-rows or narrow the query",
            err=True,
        )


# -- app -----------------------------------------------------------------------


@cli.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def ui(port: int, host: str) -> None:
    """Serve the Streamlit app."""
    settings = settings_from_env()
    if settings.managed:
        try:
            arcadedb_server.start(settings)
        except arcadedb_server.ServerError as error:
            raise click.ClickException(str(error)) from error
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.port", str(port), "--server.address", host,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    click.echo(f"papergraph app on http://{host}:{port}")
    raise SystemExit(subprocess.call(command, env=os.environ.copy()))


def _register_commands() -> None:
    from ui.cli_extract import eval_extract, extract, train_extractor
    from ui.cli_linkpred import linkpred, similar

    for command in (train_extractor, extract, eval_extract, linkpred, similar):
        cli.add_command(command)


_register_commands()


def main() -> None:
    cli(prog_name="papergraph")


if __name__ == "__main__":
    main()
