"""Commands for the learned extractor: train-extractor, extract, eval-extract.

``ui.cli`` registers them in the main group.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from models.extractor.backends import BACKEND_VARIABLE, BACKENDS
from models.extractor.scierc import evaluate, read_documents, write_documents
from ui.cli.common import RichProgress


def _load_extractor(model_dir: str | None, backend: str | None = None):
    from ingest.extract import MentionExtractor

    return MentionExtractor.load(model_dir, backend)


CONFIDENCE_CUTOFFS = (0.5, 0.7, 0.9, 0.95)


def metrics_by_confidence(documents, predictions) -> list[dict]:
    """Micro P/R/F1 of the entities and relations kept at each confidence
    cut-off: what ``confidence`` on MENTIONS and concept relations is worth."""
    from models.extractor.decoding import predictions_to_documents

    rows = []
    for cutoff in CONFIDENCE_CUTOFFS:
        scores = evaluate(documents, predictions_to_documents(documents, predictions, min_confidence=cutoff))
        rows.append({"min_confidence": cutoff, **{k: scores[k]["micro"] for k in ("entities", "relations")}})
    return rows


def _metrics_table(title: str, scores: dict) -> Table:
    table = Table(title=title)
    for column in ("type", "P", "R", "F1", "gold", "predicted"):
        table.add_column(column, justify="left" if column == "type" else "right")
    rows = [*scores["per_type"].items(), ("micro", scores["micro"])]
    for label, s in rows:
        table.add_row(label, f"{s['p']:.1f}", f"{s['r']:.1f}", f"{s['f1']:.1f}", str(s["gold"]), str(s["predicted"]))
    return table


def print_metrics(metrics: dict) -> None:
    console = Console()
    console.print(_metrics_table("Entities (span + type)", metrics["entities"]))
    console.print(_metrics_table("Relations (both spans + relation type, directed)", metrics["relations"]))
    console.print(_metrics_table("Relations, strict (also both entity types)", metrics["relations_strict"]))
    if "by_confidence" in metrics:
        table = Table(title="Kept at a minimum confidence (micro)")
        for column in ("confidence ≥", "entity P", "entity R", "kept", "relation P", "relation R", "kept"):
            table.add_column(column, justify="right")
        for row in metrics["by_confidence"]:
            entities, relations = row["entities"], row["relations"]
            table.add_row(
                f"{row['min_confidence']:.2f}",
                f"{entities['p']:.1f}", f"{entities['r']:.1f}", str(entities["predicted"]),
                f"{relations['p']:.1f}", f"{relations['r']:.1f}", str(relations["predicted"]),
            )  # fmt: skip
        console.print(table)


@click.command("train-extractor")
@click.option(
    "--train", "train_paths", required=True, multiple=True, type=click.Path(),
    help="SciERC-format JSON lines to train on; repeat for several files.",
)  # fmt: skip
@click.option("--dev", "dev_path", required=True, type=click.Path(), help="SciERC dev JSON lines (scored only).")
@click.option("--out", "out_dir", default=None, type=click.Path(), help="Artifact directory [default: committed one].")
@click.option("--epochs", default=None, type=int, help="Training epochs [default: 8].")
@click.option("--seed", default=None, type=int, help="Random seed [default: 13].")
@click.option("--threads", default=None, type=click.IntRange(1), help="Torch threads [default: 2].")
@click.option(
    "--symmetric-both-directions/--symmetric-as-annotated", default=None,
    help="Teach COMPARE/CONJUNCTION in both directions [default: the shipped setting].",
)  # fmt: skip
def train_extractor(
    train_paths: tuple[str, ...],
    dev_path: str,
    out_dir: str | None,
    epochs: int | None,
    seed: int | None,
    threads: int | None,
    symmetric_both_directions: bool | None,
) -> None:
    """Train the entity + relation extractor and write its artifact and manifest."""
    from models.extractor.artifact import ARTIFACT_DIR
    from models.extractor.train import TrainingSettings, read_training_documents, train

    read_training_documents(train_paths)  # fail early (bad line, held-out paper) before loading anything heavy
    read_documents(dev_path)
    settings = TrainingSettings()
    if epochs is not None:
        settings.epochs = epochs
    if seed is not None:
        settings.seed = seed
    if threads is not None:
        settings.threads = threads
    if symmetric_both_directions is not None:
        settings.symmetric_both_directions = symmetric_both_directions
    manifest = train(train_paths, dev_path, out_dir or ARTIFACT_DIR, settings, progress=RichProgress())
    print_metrics(manifest["dev_metrics"])


@click.command("extract")
@click.option("--scierc", "in_path", required=True, type=click.Path(), help="Input SciERC JSON lines.")
@click.option("--out", "out_path", required=True, type=click.Path(), help="Where to write the predictions.")
@click.option("--model", "model_dir", default=None, type=click.Path(), help="Artifact directory.")
def extract(in_path: str, out_path: str, model_dir: str | None) -> None:
    """Predict entities and relations for every document of a SciERC file."""
    from models.extractor.decoding import predictions_to_documents

    documents = read_documents(in_path)
    predicted = predictions_to_documents(documents, _load_extractor(model_dir).predict_documents(documents))
    write_documents(out_path, predicted)
    entities = sum(len(s) for d in predicted for s in d.ner)
    relations = sum(len(s) for d in predicted for s in d.relations)
    click.echo(f"{len(predicted)} documents, {entities} entities, {relations} relations -> {out_path}")


@click.command("eval-extract")
@click.argument("in_path", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("--model", "model_dir", default=None, type=click.Path(), help="Artifact directory.")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    help=f"How the extractor's encoder runs (default: ${BACKEND_VARIABLE}, else torch).",
)
def eval_extract(in_path: str, as_json: bool, model_dir: str | None, backend: str | None) -> None:
    """Run the extractor on a gold SciERC file and print strict P/R/F1."""
    from models.extractor.backends import encoder_precision
    from models.extractor.decoding import predictions_to_documents

    documents = read_documents(in_path)
    extractor = _load_extractor(model_dir, backend)

    started = time.perf_counter()
    predictions = extractor.predict_documents(documents)
    seconds = time.perf_counter() - started
    metrics = evaluate(documents, predictions_to_documents(documents, predictions))
    metrics["by_confidence"] = metrics_by_confidence(documents, predictions)
    metrics["seconds"] = round(seconds, 2)
    metrics["model_version"] = extractor.version
    metrics["backend"] = extractor.backend
    metrics["encoder_precision"] = encoder_precision(extractor.backend)
    if as_json:
        click.echo(json.dumps(metrics))
        return
    print_metrics(metrics)
    click.echo(
        f"{metrics['docs']} documents of {Path(in_path).name} in {seconds:.1f}s, "
        f"extractor {extractor.version} on {extractor.backend}, encoder in {metrics['encoder_precision']}"
    )
