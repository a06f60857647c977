"""From the network's probabilities to typed spans and relations, per document.

``predict`` runs the network over documents and decodes: a span is an entity
when its likeliest class is a type (overlaps resolved best first); a pair of
entities is related when P(none) < 0.5, and then has its likeliest type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from models.extractor.inputs import SpanTensors, build_pairs, candidate_spans, make_chunks, pad_input_ids, span_rows
from models.extractor.network import ExtractorConfig, SpanRelationModel
from models.extractor.scierc import SYMMETRIC_RELATION_TYPES, Document
from models.runtime import native_bf16


def entity_type_ids(config: ExtractorConfig) -> dict[str, int]:
    return {label: index + 1 for index, label in enumerate(config.entity_types)}


def select_entities(
    spans: list[tuple[int, int, int]], probabilities: torch.Tensor, config: ExtractorConfig
) -> list[tuple[int, int, int, str, float]]:
    """Typed spans, best first, with overlapping lower-scoring spans dropped."""
    scores, labels = probabilities.max(dim=-1)
    typed = (labels != 0).nonzero().flatten().tolist()  # few of the many candidate spans
    candidates = [
        (score, spans[index], config.entity_types[label - 1])
        for index, score, label in zip(typed, scores[typed].tolist(), labels[typed].tolist())
    ]
    candidates.sort(key=lambda c: -c[0])
    chosen, taken = [], set()
    for score, (sentence, start, end), label in candidates:
        if any(token in taken for token in range(start, end + 1)):
            continue
        taken.update(range(start, end + 1))
        chosen.append((sentence, start, end, label, score))
    chosen.sort(key=lambda e: (e[1], e[2]))
    return chosen


def select_relations(
    pair_keys: list[tuple[int, int, int]], probabilities: torch.Tensor, config: ExtractorConfig
) -> list[tuple[int, int, int, str, float]]:
    """(chunk, head, tail, type, score) for the pairs more likely related than
    not (P(none) < 0.5), typed by the likeliest relation type, whose
    probability is the score.  A symmetric type (COMPARE, CONJUNCTION) is
    written once, in reading order, as SciERC annotates ~90% of them, with the
    better score of its two directions.

    Deciding "related or not" before the type, rather than taking the argmax
    over "none" and the seven types, keeps pairs whose probability is spread
    over two types."""
    related = (probabilities[:, 0] < 0.5).nonzero().flatten().tolist()
    scores, labels = probabilities[related, 1:].max(dim=-1)
    found = {}
    for index, score, label in zip(related, scores.tolist(), labels.tolist()):
        position, head, tail = pair_keys[index]
        relation_type = config.relation_types[label]
        if relation_type in SYMMETRIC_RELATION_TYPES:
            head, tail = min(head, tail), max(head, tail)  # entities are indexed in reading order
        key = (position, head, tail, relation_type)
        if found.get(key, -1.0) < score:
            found[key] = score
    return [(*key, score) for key, score in found.items()]


@dataclass(frozen=True)
class PredictedEntity:
    """A typed span: document-level inclusive token offsets, and the model's probability."""

    sentence: int
    start: int
    end: int
    type: str
    score: float


@dataclass(frozen=True)
class PredictedRelation:
    sentence: int
    head: PredictedEntity
    tail: PredictedEntity
    type: str
    score: float


@dataclass(frozen=True)
class Prediction:
    """One document's entities and relations, in reading order."""

    entities: list[PredictedEntity] = field(default_factory=list)
    relations: list[PredictedRelation] = field(default_factory=list)


@torch.no_grad()
def predict(
    model: SpanRelationModel,
    tokenizer,
    documents: list[Document],
    batch_size: int = 8,
    bf16: bool | None = None,
    encoder: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
) -> list[Prediction]:
    """Entities and relations per document.  The encoder runs in bfloat16 when
    ``bf16`` (default: where ``native_bf16()``), the heads always in float32.
    ``encoder`` (input ids, attention mask -> float32 hidden states), when
    given, runs instead of the model's own: an ONNX Runtime session, say
    (``models.extractor.backends``)."""
    model.eval()
    use_bf16 = native_bf16() if bf16 is None else bf16
    config = model.config
    type_ids = entity_type_ids(config)
    chunks = make_chunks(documents, tokenizer, config.max_chunk_wordpieces)
    predictions = [Prediction() for _ in documents]
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].input_ids))
    for begin in range(0, len(order), batch_size):
        batch = [chunks[i] for i in order[begin : begin + batch_size]]
        ids, mask = pad_input_ids(batch, tokenizer.pad_token_id)
        if encoder is None:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
                hidden = model.encode(ids, mask).float()
        else:
            hidden = encoder(ids, mask)
        spans_per_chunk = [candidate_spans(c, documents[c.document], config.max_span_width) for c in batch]
        flat_spans = [span for spans in spans_per_chunk for span in spans]
        if not flat_spans:
            continue
        probabilities = model.entity_logits(hidden, SpanTensors.build(span_rows(batch, spans_per_chunk))).softmax(-1)
        entities_per_chunk, offset = [], 0
        for spans in spans_per_chunk:
            entities_per_chunk.append(select_entities(spans, probabilities[offset : offset + len(spans)], config))
            offset += len(spans)
        arguments = SpanTensors.build(span_rows(batch, entities_per_chunk))
        argument_types = torch.tensor([type_ids[e[3]] for es in entities_per_chunk for e in es], dtype=torch.long)
        pairs, pair_keys = build_pairs(entities_per_chunk, arguments)
        relations = []
        if pair_keys:
            pair_probabilities = model.relation_logits(hidden, arguments, argument_types, pairs).softmax(-1)
            relations = select_relations(pair_keys, pair_probabilities, config)
        found = [[PredictedEntity(*entity) for entity in entities] for entities in entities_per_chunk]
        for position, chunk in enumerate(batch):
            predictions[chunk.document].entities.extend(found[position])
        for position, head, tail, relation_type, score in relations:
            head_entity, tail_entity = found[position][head], found[position][tail]
            predictions[batch[position].document].relations.append(
                PredictedRelation(head_entity.sentence, head_entity, tail_entity, relation_type, score)
            )
    for prediction in predictions:
        prediction.entities.sort(key=lambda e: (e.start, e.end))
        prediction.relations.sort(key=lambda r: (r.head.start, r.tail.start, r.type))
    return predictions


def predictions_to_documents(
    documents: list[Document], predictions: list[Prediction], min_confidence: float = 0.0
) -> list[Document]:
    """The input documents with ``ner`` and ``relations`` replaced by the
    predictions of at least ``min_confidence``."""
    output = []
    for document, prediction in zip(documents, predictions):
        ner = [[] for _ in document.sentences]
        relations = [[] for _ in document.sentences]
        for entity in prediction.entities:
            if entity.score >= min_confidence:
                ner[entity.sentence].append((entity.start, entity.end, entity.type))
        for relation in prediction.relations:
            if relation.score >= min_confidence:
                head, tail = relation.head, relation.tail
                relations[relation.sentence].append((head.start, head.end, tail.start, tail.end, relation.type))
        output.append(Document(document.doc_key, document.sentences, ner, relations))
    return output
