"""``papergraph ingest``: listings into the graph, then the graph's statistics."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

from ui.cli.common import RichProgress, open_store


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-extract", is_flag=True, help="Papers and sources only: no concepts, relations or claims.")
def ingest(paths: tuple[Path, ...], quiet: bool, no_extract: bool) -> None:
    """Read listings (files or folders: .txt daily-papers pages, .jsonl, .csv) into the graph."""
    # The store's server (if it has to start) boots while the pipeline's imports load.
    with ThreadPoolExecutor(max_workers=1) as background:
        opening = background.submit(open_store)
        from analysis.graph_stats import compute_and_store_graph_stats
        from ingest.pipeline import ingest_paths

        store_opened = opening.result()
    with store_opened as connected:
        with RichProgress(quiet) as progress:
            summary = ingest_paths(connected, paths, progress=progress, extract=not no_extract)
            if summary.papers_extracted:
                progress("graph statistics", 0, 1)
                compute_and_store_graph_stats(connected)
                progress("graph statistics", 1, 1)
    for problem in summary.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(summary.describe())
