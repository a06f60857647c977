"""Commands that read the graph: stats, results, concept-report, graph-stats, query."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from graph_schema.query_console import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, run_read_query
from ui.cli.common import RichProgress, open_store, print_rows


@click.command()
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


@click.command("concept-report")
@click.option("--top", type=click.IntRange(min=1), default=30, show_default=True, help="Concepts listed per label.")
@click.option("--unsure", type=click.IntRange(min=1), default=10, show_default=True, help="Least-sure merges listed.")
def concept_report(top: int, unsure: int) -> None:
    """How mentions resolved to concepts: counts per label, the most-mentioned
    concepts, and the merges resolution is least sure of."""
    from analysis.concept_report import print_concept_report
    from ingest.concept_layer import stored_resolution

    with open_store() as connected:
        resolution, decided = stored_resolution(connected)
    if not resolution.concepts:
        raise click.ClickException(
            "no resolved concepts for this store: run `papergraph ingest` first "
            "(again after an update of papergraph, whose resolution rules may have changed)"
        )
    print_concept_report(resolution, Console(width=200), top=top, unsure=unsure, label_decisions=decided)


@click.command("graph-stats")
@click.option(
    "--if-outdated",
    is_flag=True,
    help="Only if they were not computed on the graph as it is now; else say they are up to date.",
)
def graph_stats(if_outdated: bool) -> None:
    """Recompute degree, PageRank, betweenness and communities, stored on papers and concepts.

    Never while an ingest writes: waits for it to finish first."""
    from analysis.graph_stats import update_graph_stats

    def waiting(pid: int) -> None:
        click.echo(
            f"an ingest (pid {pid}) is writing to this store; computing statistics once it has finished", err=True
        )

    with open_store() as connected, RichProgress() as progress:
        summary = update_graph_stats(connected, if_outdated=if_outdated, progress=progress, waiting=waiting)
    if summary is None:
        click.echo("graph statistics are up to date")
        return
    click.echo(
        f"{summary.nodes:,} nodes, {summary.edges:,} connected pairs, "
        f"{summary.communities:,} communities; {summary.seconds:.1f} s (read {summary.read_seconds:.1f} s, "
        f"computed {summary.compute_seconds:.1f} s, stored {summary.write_seconds:.1f} s)"
    )


@click.command()
@click.argument("cypher")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=JSON",
    help="A query parameter; the value is read as JSON, else as a string.",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Time limit in seconds.",
)
@click.option(
    "--max-rows", "row_cap", type=click.IntRange(min=1), default=DEFAULT_ROW_CAP, show_default=True, help="Row cap."
)
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
        result = run_read_query(connected, cypher, parameters, timeout_s=timeout_s, row_cap=row_cap)
    print_rows(result.rows, result.columns, output)
    if output == "table":
        click.echo(f"{len(result.rows)} row(s) in {result.seconds:.2f} s", err=True)
    if result.truncated:
        click.echo(
            f"warning: stopped at the row cap of {result.row_cap:,} rows; raise it with --max-rows or narrow the query",
            err=True,
        )
