"""``papergraph ingest``: listings into the graph; the graph's statistics only with ``--stats``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import click

from models.extractor.backends import BACKEND_VARIABLE, BACKENDS
from ui.cli.common import RichProgress, open_store

# --title-column and its kin: what each names, where guessing the columns by their names is wrong.
COLUMN_FLAGS = {
    "title": "the title",
    "abstract": "the abstract",
    "authors": "the authors",
    "date": "the date or year",
    "categories": "the categories, terms or keywords",
    "id": "the paper's own id",
    "url": "the paper's URL",
}


def _column_options(command):
    for name, holds in reversed(COLUMN_FLAGS.items()):
        help_text = f"The CSV/TSV column or JSON key holding {holds}, where the guess by name is wrong."
        command = click.option(f"--{name}-column", metavar="NAME", help=help_text)(command)
    return command


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-extract", is_flag=True, help="Papers and sources only: no concepts, relations or claims.")
@click.option(
    "--stats",
    is_flag=True,
    help="Then bring the graph statistics up to date (as `papergraph graph-stats --if-outdated`), "
    "holding off other ingests meanwhile; they cost in proportion to the whole graph, not to what was added.",
)
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
@click.option(
    "--extractor-backend",
    type=click.Choice(BACKENDS),
    help=f"How the extractor's encoder runs (default: ${BACKEND_VARIABLE}, else torch). Each backend's "
    "extractions are stored under their own version, so changing it extracts every paper again.",
)
@click.option(
    "--extractor-processes",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Extract on N local processes of one thread each (1: in this process). Default: one per core (at most 8) "
    "when 2,000 abstracts or more are to be extracted, else in this process.",
)
@_column_options
def ingest(
    paths: tuple[Path, ...],
    quiet: bool,
    no_extract: bool,
    stats: bool,
    categories: tuple[str, ...],
    use_ray: bool,
    ray_address: str | None,
    ray_workers: int | None,
    extractor_backend: str | None,
    extractor_processes: int | None,
    **columns: str | None,
) -> None:
    """Read listings into the graph: files or folders of .csv/.tsv (such as Kaggle's arxiv_data.csv),
    .bib (Zotero, Mendeley, Google Scholar), JSON lines (the arXiv metadata snapshot, OpenAlex works,
    Semantic Scholar papers, or any with title and abstract keys), .txt daily-papers pages, and any
    of these in a .gz or .zip.  Columns are found by their names; the closing lines say which were
    guessed, and --title-column and the like name them where the guess is wrong.

    Graph statistics (PageRank, betweenness, community) are left as they were unless --stats:
    the last line says when they are outdated."""
    use_ray = use_ray or ray_address is not None or ray_workers is not None
    if use_ray and no_extract:
        raise click.UsageError("--ray distributes extraction, which --no-extract leaves out")
    if (extractor_backend or extractor_processes) and no_extract:
        raise click.UsageError(
            "--extractor-backend and --extractor-processes choose how extraction runs: not with --no-extract"
        )
    if extractor_processes and use_ray:
        raise click.UsageError("--extractor-processes is for a local extraction; --ray-workers sets Ray's")
    # The store's server (if it has to start) boots while the pipeline's imports load.
    with ThreadPoolExecutor(max_workers=1) as background:
        opening = background.submit(open_store)
        from ingest.readers import ColumnNames, InputNote, named_columns
        from ui.ingest_job import ingest_and_update_statistics

        store_opened = opening.result()

    def waiting(pid: int) -> None:
        click.echo(
            f"another ingest or statistics update (pid {pid}) is writing to this store; waiting for it to finish",
            err=True,
        )

    extractor = None
    if use_ray:
        from ingest.distributed import RayExtractor

        extractor = RayExtractor(address=ray_address, workers=ray_workers, backend=extractor_backend)
    elif extractor_processes and extractor_processes > 1:
        from ingest.process_pool import ProcessPoolExtractor

        extractor = ProcessPoolExtractor(extractor_processes, backend=extractor_backend)
    elif extractor_backend or extractor_processes == 1:
        from ingest.extract import MentionExtractor

        extractor = MentionExtractor(backend=extractor_backend)
    # Ray and the process pool stop their workers at the end of the block.
    stopping = extractor if hasattr(extractor, "close") else nullcontext()
    named = ColumnNames(**{flag.removesuffix("_column"): name for flag, name in columns.items()})
    with store_opened as connected, stopping, named_columns(named):
        with RichProgress(quiet) as progress:
            summary = ingest_and_update_statistics(
                connected,
                list(paths),
                progress=progress,
                extract=not no_extract,
                extractor=extractor,
                waiting=waiting,
                statistics=stats,
                categories=categories,
            )
        outdated = None if stats else _outdated_statistics(connected)
    notes = [problem for problem in summary.problems if isinstance(problem, InputNote)]
    for problem in summary.problems:
        if problem not in notes:
            click.echo(f"warning: {problem}", err=True)
    click.echo(summary.describe())
    for note in notes:  # how files were read: the columns guessed
        click.echo(f"{note} (--title-column and the like name others)")
    if outdated:
        click.echo(outdated)


def _outdated_statistics(store) -> str | None:
    """One line when the graph statistics are not current, saying how they get updated."""
    from analysis.graph_stats import CURRENT, MISSING, statistics_state

    state = statistics_state(store)
    if state == CURRENT:
        return None
    what = "are not computed yet" if state == MISSING else "are outdated"
    return (
        f"graph statistics (PageRank, betweenness, community) {what}: "
        "`papergraph graph-stats` updates them, and `papergraph ui` does in the background when it starts"
    )
