"""What every ``papergraph`` command shares: the store, errors, progress, output."""

from __future__ import annotations

import csv
import io
import json

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_schema.errors import PapergraphError
from graph_schema.store import Store

console = Console(stderr=True, log_path=False)


class PapergraphGroup(click.Group):
    """The root command group: the one place where papergraph's own errors
    become a one-line ``Error: ...`` and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PapergraphError as error:
            raise click.ClickException(str(error)) from None


def open_store() -> Store:
    return Store.open()


class RichProgress:
    """``graph_schema.progress.Progress`` drawn on stderr: a bar per stage with
    a known size, a log line for each message."""

    def __init__(self, quiet: bool = False):
        self.bars = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, disable=quiet, transient=True,
        )  # fmt: skip
        self.quiet = quiet
        self.tasks: dict[str, int] = {}

    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        if total is None:
            if not self.quiet:
                self.bars.console.log(stage)
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=total)
        self.bars.update(self.tasks[stage], completed=done, total=total)

    def __enter__(self) -> RichProgress:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bars.__exit__(*exc)


def threads_option(command):
    # One thread by default: on graphs of a few thousand nodes each operation is small, and a
    # second thread mostly waits (on a busy two-core machine, training ran 20-80 times slower).
    return click.option("--threads", default=1, show_default=True, type=click.IntRange(min=1),
                        help="Torch threads.")(command)  # fmt: skip


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
