"""Cross-validated in-domain scores: how well the extractor does on abstracts like the users'.

    papergraph crossval-extractor --train SCIERC_TRAIN --indomain ANNOTATIONS --dev SCIERC_DEV [--folds 3]

The in-domain annotations are cut into ``folds`` parts (by a hash of each
``doc_key``, so a document keeps its fold whatever the file's order).  For
each part a model is trained, with the shipped settings, on SciERC train and
the other parts, then scored on that part (never seen in training) and on
SciERC dev.  The shipped artifact ("before") is scored on the same parts.
Scores are reported per fold and as mean ± standard deviation over folds.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from graph_schema.progress import Progress, no_progress
from models.extractor.decoding import predict, predictions_to_documents
from models.extractor.network import ExtractorConfig, SpanRelationModel, load_tokenizer
from models.extractor.scierc import Document, evaluate, read_documents
from models.extractor.train import TrainingSettings, fit, read_training_file


@dataclass
class FoldResult:
    fold: int
    documents: int
    after: dict  # scores of the model trained without this fold, on this fold
    before: dict | None  # scores of the baseline model on this fold
    dev_after: dict  # that model's scores on SciERC dev
    held_out: list[Document]  # this fold's gold documents
    predicted: list[Document]  # the trained model's predictions on them
    predicted_before: list[Document] | None  # the baseline's


def fold_of(doc_key: str, folds: int) -> int:
    return int(hashlib.sha256(doc_key.encode()).hexdigest(), 16) % folds


def split_folds(documents: list[Document], folds: int) -> list[list[Document]]:
    parts: list[list[Document]] = [[] for _ in range(folds)]
    for document in documents:
        parts[fold_of(document.doc_key, folds)].append(document)
    return parts


def predicted_documents(model: SpanRelationModel, tokenizer, documents: list[Document]) -> list[Document]:
    return predictions_to_documents(documents, predict(model, tokenizer, documents))


def _train_and_predict(
    training: list[Document],
    held_out: list[Document],
    dev_documents: list[Document],
    settings: TrainingSettings,
    config: ExtractorConfig,
    progress: Progress = no_progress,
) -> tuple[list[Document], list[Document]]:
    """One fold: a model trained on ``training``, and its predictions on the held-out part and on dev."""
    model = fit(training, settings, config, progress=progress)
    tokenizer = load_tokenizer()
    return predicted_documents(model, tokenizer, held_out), predicted_documents(model, tokenizer, dev_documents)


def cross_validate(
    scierc_train: str | Path,
    indomain: str | Path,
    dev: str | Path,
    folds: int = 3,
    baseline: SpanRelationModel | None = None,
    settings: TrainingSettings | None = None,
    config: ExtractorConfig | None = None,
    progress: Progress = no_progress,
    jobs: int = 1,
) -> list[FoldResult]:
    """With ``jobs`` > 1, that many folds train at once, each in its own process on one torch
    thread (on 2 cores, two 1-thread trainings finish sooner than two 2-thread ones in turn)."""
    settings = settings or TrainingSettings(evaluate_every_epoch=False)
    config = config or ExtractorConfig()
    scierc_documents = read_training_file(scierc_train)
    parts = split_folds(read_training_file(indomain), folds)
    dev_documents = read_documents(dev)
    trainings = [
        scierc_documents + [document for other, part in enumerate(parts) if other != fold for document in part]
        for fold in range(folds)
    ]
    if jobs > 1:
        settings = replace(settings, threads=1)
        progress(f"{folds} folds, {jobs} at a time, one torch thread each")
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            outputs = list(
                pool.map(
                    _train_and_predict,
                    trainings,
                    parts,
                    [dev_documents] * folds,
                    [settings] * folds,
                    [config] * folds,
                )
            )
    else:
        outputs = []
        for fold in range(folds):
            progress(f"fold {fold + 1}/{folds}: {len(parts[fold])} held-out documents")
            outputs.append(_train_and_predict(trainings[fold], parts[fold], dev_documents, settings, config, progress))
    tokenizer = load_tokenizer()
    results = []
    for fold, (held_out, (predicted, dev_predicted)) in enumerate(zip(parts, outputs)):
        predicted_before = predicted_documents(baseline, tokenizer, held_out) if baseline else None
        results.append(
            FoldResult(
                fold=fold,
                documents=len(held_out),
                after=evaluate(held_out, predicted),
                before=evaluate(held_out, predicted_before) if predicted_before else None,
                dev_after=evaluate(dev_documents, dev_predicted),
                held_out=held_out,
                predicted=predicted,
                predicted_before=predicted_before,
            )
        )
    return results


def mean_and_std(values: list[float]) -> dict[str, float]:
    return {
        "mean": round(statistics.fmean(values), 2),
        "std": round(statistics.stdev(values), 2) if len(values) > 1 else 0.0,
    }


def summarize(results: list[FoldResult], key: str) -> dict:
    """Mean ± std over folds of micro F1 (entities, relations) and of each entity type's F1."""
    scores = [getattr(result, key) for result in results]
    if any(score is None for score in scores):
        return {}
    summary = {
        "entity_f1": mean_and_std([score["entities"]["micro"]["f1"] for score in scores]),
        "relation_f1": mean_and_std([score["relations"]["micro"]["f1"] for score in scores]),
    }
    for label in scores[0]["entities"]["per_type"]:
        summary[f"{label}_f1"] = mean_and_std([score["entities"]["per_type"][label]["f1"] for score in scores])
    return summary
