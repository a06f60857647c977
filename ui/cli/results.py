"""Commands for the results table: results (the table, or a leaderboard) and eval-results.

``ui.cli`` registers them in the main group.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ui.cli.common import open_store, print_rows

TABLE_COLUMNS = ["method", "dataset", "task", "metric", "value", "unit", "relative", "baseline", "paper"]
BOARD_COLUMNS = ["rank", "method", "value", "unit", "paper", "sentence"]


@click.command()
@click.option("--concept", "concept_id", help="Only rows whose method, dataset or task has this concept id.")
@click.option("--dataset", help="Only rows on this dataset (name or concept id); with --metric, a leaderboard.")
@click.option("--metric", help="Only rows of this metric (by name); with --dataset, a leaderboard.")
@click.option("--sentences", is_flag=True, help="Add each row's sentence and the number as it is written.")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def results(concept_id: str | None, dataset: str | None, metric: str | None, sentences: bool, output: str) -> None:
    """The results table derived from abstracts: method × dataset × metric × value, with the paper.

    With --dataset and --metric: a leaderboard ranking methods by their best absolute score
    on that dataset and metric across papers, with the paper and sentence of each score."""
    from analysis.results import SOURCE_NOTE, leaderboard, stored_results

    with open_store() as connected:
        rows = stored_results(connected, concept_id, dataset, metric)
    if dataset and metric:
        boards = leaderboard(rows, dataset, metric)
        if not boards:
            raise click.ClickException(f"no absolute scores on {dataset!r} in {metric!r}; see `papergraph results`")
        for board in boards:
            ranked = [
                {"rank": rank, **{c: row[c] for c in BOARD_COLUMNS[1:]}} for rank, row in enumerate(board.rows, 1)
            ]
            if output == "table":
                order = "lower is better" if board.lower_is_better else "higher is better"
                unit = f" ({board.unit})" if board.unit else ""
                click.echo(f"{board.dataset} · {board.metric}{unit} · {order}")
            print_rows(ranked, BOARD_COLUMNS, output)
        if output == "table":
            click.echo(SOURCE_NOTE, err=True)
        return
    columns = TABLE_COLUMNS + (["stated", "sentence"] if sentences else [])
    print_rows([{c: row[c] for c in columns} for row in rows], columns, output)
    if output == "table":
        click.echo(SOURCE_NOTE, err=True)


@click.command("eval-results")
@click.argument("path", type=click.Path(), required=False)
@click.option(
    "--split",
    type=click.Choice(["test", "tune", "all"]),
    default="test",
    show_default=True,
    help="Score the held-out abstracts, the ones the rules were tuned on, or both.",
)
@click.option(
    "--context",
    "context_paths",
    multiple=True,
    type=click.Path(),
    help="Corpora to resolve names with, as an ingest of them would (repeatable; reserved papers are left out).",
)
@click.option("--mistakes", is_flag=True, help="Print each wrong and each missed row.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
def eval_results(path: str | None, split: str, context_paths: tuple[str, ...], mistakes: bool, as_json: bool) -> None:
    """Score the results table against hand-annotated abstracts (default:
    data/annotations/results/results.jsonl): precision and recall per field and for whole rows."""
    from analysis.results import DEFAULT_ANNOTATIONS, FIELDS, predict_results, read_result_annotations, score_results
    from ingest.readers import read_paths

    annotations = read_result_annotations(Path(path) if path else DEFAULT_ANNOTATIONS)
    for message in annotations.skipped:
        click.echo(f"skipped {message}", err=True)
    for message in annotations.changed:
        click.echo(f"warning: the abstract of {message} is not the text that was annotated", err=True)
    abstracts = [a for a in annotations.abstracts if split == "all" or a.split == split]
    if not abstracts:
        raise click.ClickException(f"no annotated abstracts to score in the {split!r} split")
    context = [p for p in read_paths(context_paths).papers if p.id not in annotations.reserved] if context_paths else []
    scores = score_results(abstracts, predict_results(abstracts, context))
    summary = {
        "split": split,
        "abstracts": scores.abstracts,
        "tuples": scores.rows.gold,
        "unnamed_method_tuples": scores.unnamed,
        "rows": _as_dict(scores.rows),
        "rows_but_dataset": _as_dict(scores.rows_but_dataset),
        "fields": {name: _as_dict(scores.fields[name]) for name in FIELDS},
    }
    if as_json:
        click.echo(json.dumps(summary | ({"mistakes": scores.mistakes} if mistakes else {}), indent=2))
        return
    console = Console()
    table = Table(title=f"{scores.abstracts} annotated abstracts ({split}), {scores.rows.gold} result tuples")
    for column in ("field", "P", "R", "F1", "right", "predicted", "annotated"):
        table.add_column(column, justify="left" if column == "field" else "right")
    named = [(name, scores.fields[name]) for name in FIELDS]
    for name, score in [*named, ("row (all)", scores.rows), ("row but dataset", scores.rows_but_dataset)]:
        table.add_row(
            name,
            f"{100 * score.precision:.1f}",
            f"{100 * score.recall:.1f}",
            f"{100 * score.f1:.1f}",
            str(score.right),
            str(score.predicted),
            str(score.gold),
        )
    console.print(table)
    console.print(
        "A row is right when its method, dataset (or none where the abstract names none), value and "
        f"relative flag all are; {scores.unnamed} tuples whose method the abstract does not name are "
        "not in recall, and rows on them count as wrong."
    )
    if mistakes:
        for mistake in scores.mistakes:
            console.print(json.dumps(mistake, ensure_ascii=False), soft_wrap=True, highlight=False)


def _as_dict(score) -> dict:
    return {
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "right": score.right,
        "predicted": score.predicted,
        "annotated": score.gold,
    }
