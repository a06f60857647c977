"""``papergraph crossval-extractor``: in-domain scores of the extractor, cross-validated.

``models.extractor.crossval`` trains and scores; this command prints the
tables, measures the named-dataset rule (``ingest.named_datasets``) on the
held-out predictions, and writes everything to a JSON file.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ui.cli.common import RichProgress

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "extractor_crossval.json"


def _summary_table(title: str, summaries: dict[str, dict]) -> Table:
    table = Table(title=title)
    table.add_column("F1 (mean ± std over folds)")
    for name in summaries:
        table.add_column(name, justify="right")
    rows = next(iter(summaries.values())).keys()
    for row in rows:
        cells = [f"{s[row]['mean']:.1f} ± {s[row]['std']:.1f}" if row in s else "" for s in summaries.values()]
        table.add_row(row.removesuffix("_f1"), *cells)
    return table


def _material_rows(results, attribute: str) -> list[dict]:
    from ingest.named_datasets import material_scores

    rows = []
    for result in results:
        predicted = getattr(result, attribute)
        if predicted is not None:
            rows.append({"fold": result.fold, **material_scores(result.held_out, predicted)})
    return rows


@click.command("crossval-extractor")
@click.option("--train", "train_path", required=True, type=click.Path(), help="SciERC train JSON lines.")
@click.option("--indomain", "indomain_path", required=True, type=click.Path(), help="In-domain annotations.")
@click.option("--dev", "dev_path", required=True, type=click.Path(), help="SciERC dev JSON lines (scored only).")
@click.option("--folds", default=3, show_default=True, type=click.IntRange(2, 10))
@click.option(
    "--baseline", "baseline_dir", default=None, type=click.Path(), help="'Before' artifact [default: shipped]."
)
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1), help="Folds trained at once.")
@click.option("--out", "out_path", default=str(RESULTS), show_default=True, type=click.Path())
def crossval_extractor(
    train_path: str,
    indomain_path: str,
    dev_path: str,
    folds: int,
    baseline_dir: str | None,
    jobs: int,
    out_path: str,
) -> None:
    """Train one model per fold of the in-domain annotations (on SciERC train and the other folds),
    score it on its held-out fold and on SciERC dev, and score the baseline on the same folds."""
    from models.extractor.artifact import ARTIFACT_DIR, load_artifact
    from models.extractor.crossval import cross_validate, summarize
    from models.extractor.train import TrainingSettings, read_training_documents

    read_training_documents([train_path, indomain_path])  # bad lines, held-out papers: fail before training
    baseline, baseline_manifest = load_artifact(baseline_dir or ARTIFACT_DIR)
    results = cross_validate(train_path, indomain_path, dev_path, folds, baseline, progress=RichProgress(), jobs=jobs)
    report = {
        "folds": folds,
        "torch_threads_per_fold": 1 if jobs > 1 else TrainingSettings().threads,
        "baseline": baseline_manifest.get("version"),
        "in_domain_before": summarize(results, "before"),
        "in_domain_after": summarize(results, "after"),
        "scierc_dev_after": summarize(results, "dev_after"),
        "per_fold": [
            {
                "fold": r.fold,
                "documents": r.documents,
                **{key: getattr(r, key) for key in ("before", "after", "dev_after")},
            }
            for r in results
        ],
        "material_before": _material_rows(results, "predicted_before"),
        "material_after": _material_rows(results, "predicted"),
    }
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text(json.dumps(report, indent=1) + "\n")
    console = Console()
    console.print(
        _summary_table(
            f"In-domain, {folds}-fold cross-validation",
            {"before": report["in_domain_before"], "after": report["in_domain_after"]},
        )
    )
    console.print(_summary_table("SciERC dev, the fold models", {"after": report["scierc_dev_after"]}))
    for name in ("material_before", "material_after"):
        for row in report[name]:
            before, after = row["as_predicted"], row["named_datasets_only"]
            console.print(
                f"{name} fold {row['fold']}: Material P/R {before['p']:.1f}/{before['r']:.1f} as predicted, "
                f"{after['p']:.1f}/{after['r']:.1f} named datasets only ({len(row['dropped'])} spellings dropped)"
            )
    click.echo(f"-> {out_path}")
