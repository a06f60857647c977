"""``papergraph ingest``: listings into the graph, then the graph's statistics."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import click

from ui.cli.common import RichProgress, open_store


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-extract", is_flag=True, help="Papers and sources only: no concepts, relations or claims.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="CATEGORY",
    help="Only papers with an arXiv category starting with this (cs.LG, or cs for every cs.*); repeatable. "
    "Papers without categories are then skipped.",
)
@click.option(
    "--ray",
    "use_ray",
    is_flag=True,
    help="Extract on Ray: a local Ray runtime on this machine's CPUs, or the cluster named by --ray-address. "
    "Writes still go through one writer, this process.",
)
@click.option(
    "--ray-address",
    metavar="ADDRESS",
    help="The Ray cluster to extract on (ray://head:10001, head:6379 or auto); implies --ray.",
)
@click.option(
    "--ray-workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="How many Ray workers extract, one CPU each (default: one per CPU of the cluster).",
)
def ingest(
    paths: tuple[Path, ...],
    quiet: bool,
    no_extract: bool,
    categories: tuple[str, ...],
    use_ray: bool,
    ray_address: str | None,
    ray_workers: int | None,
) -> None:
    """Read listings (files or folders: .txt daily-papers pages, JSON lines such as the arXiv
    metadata snapshot, .csv) into the graph."""
    use_ray = use_ray or ray_address is not None or ray_workers is not None
    if use_ray and no_extract:
        raise click.UsageError("--ray distributes extraction, which --no-extract leaves out")
    # The store's server (if it has to start) boots while the pipeline's imports load.
    with ThreadPoolExecutor(max_workers=1) as background:
        opening = background.submit(open_store)
        from ui.ingest_job import ingest_and_update_statistics

        store_opened = opening.result()

    def waiting(pid: int) -> None:
        click.echo(f"another ingest (pid {pid}) is writing to this store; waiting for it to finish", err=True)

    extractor = None
    if use_ray:
        from ingest.distributed import RayExtractor

        extractor = RayExtractor(address=ray_address, workers=ray_workers)
    with store_opened as connected, extractor or nullcontext():
        with RichProgress(quiet) as progress:
            summary = ingest_and_update_statistics(
                connected,
                list(paths),
                progress=progress,
                extract=not no_extract,
                extractor=extractor,
                waiting=waiting,
                categories=categories,
            )
    for problem in summary.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(summary.describe())
