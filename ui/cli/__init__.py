"""The ``papergraph`` command line: one module per command group.

``common`` holds what they share; the root group below turns papergraph's
own errors (``graph_schema.errors.PapergraphError``) into one readable line.
Heavy libraries (torch, PyG, spaCy) are imported inside the commands, so
that ``papergraph --help`` does not pay for them.
"""

from __future__ import annotations

import click

from ui.cli.app import ui
from ui.cli.common import PapergraphGroup
from ui.cli.crossval import crossval_extractor
from ui.cli.extractor import eval_extract, extract, train_extractor
from ui.cli.ingesting import ingest
from ui.cli.linkpred import linkpred, similar
from ui.cli.reading import concept_report, graph_stats, query, stats
from ui.cli.results import eval_results, results
from ui.cli.store import store


@click.group(cls=PapergraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papergraph")
def cli() -> None:
    """papergraph: a concept graph of machine-learning papers.

    The store is papergraph's own ArcadeDB server (started on demand), or a
    Neo4j 5 named by NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE.
    """


for command in (
    store, ingest, stats, results, concept_report, graph_stats, query, ui,
    train_extractor, extract, eval_extract, crossval_extractor, linkpred, similar, eval_results,
):  # fmt: skip
    cli.add_command(command)


def main() -> None:
    cli(prog_name="papergraph")
