"""SciERC documents in the DyGIE/PURE JSON-lines format, and strict scoring.

A line holds one document: ``doc_key``, ``sentences`` (token lists), ``ner``
(per sentence ``[start, end, Type]``) and ``relations`` (per sentence
``[head_start, head_end, tail_start, tail_end, TYPE]``).  Token offsets are
document-level and inclusive.  ``ner``/``relations`` may be absent (raw input).

Scoring is strict and directed:
- an entity counts when its span and type both match a gold entity;
- a relation counts ("relations") when both argument spans and the relation
  type match a gold relation with the same head/tail order; "relations_strict"
  additionally needs both argument entity types right (PURE's Rel+).
COMPARE and CONJUNCTION are scored directed like the rest, as in PURE.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from graph_schema.errors import PapergraphError

ENTITY_TYPES = ("Task", "Method", "Metric", "Material", "OtherScientificTerm", "Generic")
RELATION_TYPES = (
    "USED-FOR",
    "FEATURE-OF",
    "HYPONYM-OF",
    "PART-OF",
    "COMPARE",
    "CONJUNCTION",
    "EVALUATE-FOR",
)
SYMMETRIC_RELATION_TYPES = frozenset({"COMPARE", "CONJUNCTION"})

# (start, end, type) with document-level inclusive token offsets.
Entity = tuple[int, int, str]
# (head_start, head_end, tail_start, tail_end, type)
Relation = tuple[int, int, int, int, str]


class SciercFormatError(PapergraphError):
    """A line of a SciERC file that cannot be read; the message names file and line."""


def sentence_starts(sentences: list[list[str]]) -> list[int]:
    """Document-level token offset of each sentence's first token."""
    starts, offset = [], 0
    for sentence in sentences:
        starts.append(offset)
        offset += len(sentence)
    return starts


@dataclass
class Document:
    doc_key: str
    sentences: list[list[str]]
    ner: list[list[Entity]] = field(default_factory=list)
    relations: list[list[Relation]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Raw input has no annotations: give every sentence an empty list.
        if not self.ner:
            self.ner = [[] for _ in self.sentences]
        if not self.relations:
            self.relations = [[] for _ in self.sentences]

    def sentence_starts(self) -> list[int]:
        return sentence_starts(self.sentences)

    def to_json(self) -> dict:
        return {
            "doc_key": self.doc_key,
            "sentences": self.sentences,
            "ner": [[list(e) for e in sent] for sent in self.ner],
            "relations": [[list(r) for r in sent] for sent in self.relations],
        }


def _document_from_json(obj: object, where: str) -> Document:
    if not isinstance(obj, dict) or not isinstance(obj.get("sentences"), list):
        raise SciercFormatError(f"{where}: expected an object with a 'sentences' list")
    sentences = obj["sentences"]
    if not all(isinstance(s, list) and all(isinstance(t, str) for t in s) for s in sentences):
        raise SciercFormatError(f"{where}: 'sentences' must be lists of token strings")
    ner = obj.get("ner") or []
    relations = obj.get("relations") or []
    for name, value in (("ner", ner), ("relations", relations)):
        if value and len(value) != len(sentences):
            raise SciercFormatError(f"{where}: '{name}' has {len(value)} entries for {len(sentences)} sentences")
    try:
        ner = [[(int(s), int(e), str(t)) for s, e, t in sent] for sent in ner]
        relations = [[(int(s1), int(e1), int(s2), int(e2), str(t)) for s1, e1, s2, e2, t in sent] for sent in relations]
    except (TypeError, ValueError) as error:
        raise SciercFormatError(f"{where}: malformed 'ner' or 'relations' ({error})") from None
    return Document(str(obj.get("doc_key", "")), sentences, ner, relations)


def read_documents(path: str | Path) -> list[Document]:
    """Read a SciERC JSON-lines file; blank lines are skipped."""
    path = Path(path)
    if not path.is_file():
        raise SciercFormatError(f"{path}: no such file")
    documents = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                raise SciercFormatError(f"{where}: not valid JSON ({error.msg})") from None
            documents.append(_document_from_json(obj, where))
    return documents


def write_documents(path: str | Path, documents: list[Document]) -> None:
    with Path(path).open("w", encoding="utf-8") as out:
        for document in documents:
            out.write(json.dumps(document.to_json()) + "\n")


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---------------------------------------------------------------- scoring


def _prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "p": round(100 * p, 2),
        "r": round(100 * r, 2),
        "f1": round(100 * f1, 2),
        "gold": gold,
        "predicted": predicted,
    }


def _score(gold: set[tuple], predicted: set[tuple], types: tuple[str, ...], type_of) -> dict:
    """Micro and per-type P/R/F1 for two sets of hashable items."""
    correct = gold & predicted
    per_type = {}
    for label in types:
        per_type[label] = _prf(
            *(sum(1 for item in items if type_of(item) == label) for items in (correct, predicted, gold))
        )
    return {"micro": _prf(len(correct), len(predicted), len(gold)), "per_type": per_type}


def evaluate(gold_documents: list[Document], predicted_documents: list[Document]) -> dict:
    """Strict entity and relation scores; documents are paired by position."""
    if len(gold_documents) != len(predicted_documents):
        raise ValueError(f"{len(gold_documents)} gold documents but {len(predicted_documents)} predicted")
    gold_entities, pred_entities = set(), set()
    gold_relations, pred_relations = set(), set()
    gold_strict, pred_strict = set(), set()
    for index, (gold, pred) in enumerate(zip(gold_documents, predicted_documents)):
        for entities, entity_set in ((gold.ner, gold_entities), (pred.ner, pred_entities)):
            entity_set.update((index, s, e, t) for sent in entities for s, e, t in sent)
        for doc, relation_set, strict_set in (
            (gold, gold_relations, gold_strict),
            (pred, pred_relations, pred_strict),
        ):
            type_of_span = {(s, e): t for sent in doc.ner for s, e, t in sent}
            for sent in doc.relations:
                for s1, e1, s2, e2, label in sent:
                    relation_set.add((index, s1, e1, s2, e2, label))
                    strict_set.add(
                        (index, s1, e1, type_of_span.get((s1, e1)), s2, e2, type_of_span.get((s2, e2)), label)
                    )
    return {
        "entities": _score(gold_entities, pred_entities, ENTITY_TYPES, lambda item: item[-1]),
        "relations": _score(gold_relations, pred_relations, RELATION_TYPES, lambda item: item[-1]),
        "relations_strict": _score(gold_strict, pred_strict, RELATION_TYPES, lambda item: item[-1]),
        "docs": len(gold_documents),
    }
