"""Documents to encoder inputs: chunks of whole sentences, candidate spans, entity pairs.

A document is encoded in chunks of whole consecutive sentences (up to
``max_chunk_wordpieces``), so every sentence is read with its neighbours as
context at no extra cost.  Spans and pairs are given as rows of wordpiece
positions that the network pools over.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from models.extractor.scierc import Document

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
        for piece, word in zip(*tokenizer.word_pieces(words)):
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
    def build(cls, rows: list[tuple[int, int, int, int]]) -> SpanTensors:
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
