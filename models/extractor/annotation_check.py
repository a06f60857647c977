"""Checks a hand-annotated SciERC-format file: its format, its consistency across
documents, and that no held-out paper is in it.

    python -m models.extractor.annotation_check data/annotations/indomain.json
    python -m models.extractor.annotation_check FILE --reserved TSV --strict

**Errors** make a file unusable for training or evaluation:

- a line that is not a JSON object with a non-empty, unique ``doc_key`` and
  ``sentences`` as non-empty lists of token strings; ``ner`` and ``relations``
  with one list per sentence;
- an entity ``[start, end, type]`` whose inclusive, document-level token offsets
  are out of range or cross a sentence boundary, or whose type is not SciERC's;
- two entities that overlap (SciERC-style data keeps one flat layer);
- a relation whose type is unknown, whose arguments are not annotated entities of
  its own sentence, that links an entity to itself, or a second relation for one pair;
- a document whose ``doc_key`` is a paper of the reserved list (a TSV of
  ``id<TAB>title``).  Paper ids are derived from normalised titles
  (``ingest.normalize.paper_id``), so an id match is also a title match.

**Flags** point at probable annotation mistakes for a person to look at:

- ``type-conflict``: one surface form (tokens compared in lower case) annotated
  with two or more types;
- ``left-out``: a form annotated (other than as Generic, which depends on its
  sentence) somewhere and occurring elsewhere with none of its tokens annotated;
- ``boundary``: a span that starts with an article or starts or ends with punctuation.

The command prints counts and every finding, and exits 1 when there are errors
(with ``--strict``, also when there are flags).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from models.extractor.scierc import ENTITY_TYPES, RELATION_TYPES, sentence_starts

DEFAULT_RESERVED = Path(__file__).resolve().parents[3] / "shared" / "data" / "reserved_for_evaluation.tsv"
ARTICLES = frozenset({"a", "an", "the"})
CLOSING_BRACKETS = frozenset({")", "]", "}"})
# How many locations a flag lists before "and N more".
SHOWN_LOCATIONS = 6


@dataclass(frozen=True)
class Finding:
    kind: str  # "format", "reserved", "type-conflict", "left-out", "boundary"
    where: str  # "doc_key" or "doc_key:sentence", or a form for cross-document flags
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.message}"


@dataclass
class Report:
    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    errors: list[Finding] = field(default_factory=list)
    flags: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.documents} documents, {self.sentences} sentences, {self.tokens} tokens",
            f"entities: {sum(self.entities.values())} ("
            + ", ".join(f"{name} {self.entities[name]}" for name in ENTITY_TYPES)
            + ")",
            f"relations: {sum(self.relations.values())} ("
            + ", ".join(f"{name} {self.relations[name]}" for name in RELATION_TYPES)
            + ")",
            f"errors: {len(self.errors)}; flags: {len(self.flags)} ("
            + ", ".join(f"{kind} {count}" for kind, count in sorted(Counter(f.kind for f in self.flags).items()))
            + ")",
        ]
        return "\n".join(lines)


@dataclass
class _Document:
    """A document that passed the format checks."""

    doc_key: str
    sentences: list[list[str]]
    entities: list[list[tuple[int, int, str]]]  # per sentence, document-level offsets

    def sentence_of_token(self) -> list[int]:
        return [index for index, sentence in enumerate(self.sentences) for _ in sentence]

    def sentence_starts(self) -> list[int]:
        return sentence_starts(self.sentences)


def read_reserved_ids(path: str | Path) -> set[str]:
    """The paper ids of a reserved-papers TSV (``id<TAB>title``; ``#`` starts a comment)."""
    ids = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            ids.add(line.split("\t", 1)[0].strip())
    return ids


def check_lines(lines: Iterable[str], reserved_ids: Iterable[str] = ()) -> Report:
    """Check SciERC JSON lines (blank lines are skipped); ``reserved_ids`` are refused."""
    report = Report()
    reserved = set(reserved_ids)
    documents: list[_Document] = []
    seen_keys: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        document = _check_document(line, f"line {number}", report)
        if document is None:
            continue
        if document.doc_key in seen_keys:
            report.errors.append(Finding("format", document.doc_key, f"line {number}: doc_key appears twice"))
        seen_keys.add(document.doc_key)
        if document.doc_key in reserved:
            report.errors.append(Finding("reserved", document.doc_key, "a paper held out for evaluation"))
        documents.append(document)
    report.flags.extend(_boundary_flags(documents))
    report.flags.extend(_consistency_flags(documents))
    return report


def check_file(path: str | Path, reserved: str | Path | None = None) -> Report:
    """Check the file at ``path`` against the reserved list at ``reserved`` (none when None)."""
    reserved_ids = read_reserved_ids(reserved) if reserved is not None else set()
    with Path(path).open(encoding="utf-8") as lines:
        return check_lines(lines, reserved_ids)


# ---- format ---------------------------------------------------------------------------


def _check_document(line: str, where: str, report: Report) -> _Document | None:
    def error(message: str, place: str | None = None) -> None:
        report.errors.append(Finding("format", place or where, message))

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as problem:
        error(f"not valid JSON ({problem.msg})")
        return None
    if not isinstance(obj, dict):
        error("not a JSON object")
        return None
    doc_key = obj.get("doc_key")
    if not isinstance(doc_key, str) or not doc_key.strip():
        error("no doc_key")
        return None
    sentences = obj.get("sentences")
    if (
        not isinstance(sentences, list)
        or not sentences
        or not all(isinstance(s, list) and s and all(isinstance(t, str) and t for t in s) for s in sentences)
    ):
        error("'sentences' must be non-empty lists of non-empty token strings", doc_key)
        return None
    per_sentence = {}
    for name in ("ner", "relations"):
        value = obj.get(name)
        if not isinstance(value, list) or len(value) != len(sentences) or not all(isinstance(v, list) for v in value):
            error(f"'{name}' must hold one list per sentence ({len(sentences)})", doc_key)
            return None
        per_sentence[name] = value

    document = _Document(doc_key, sentences, [[] for _ in sentences])
    report.documents += 1
    report.sentences += len(sentences)
    report.tokens += sum(len(s) for s in sentences)
    starts = document.sentence_starts()
    for index, (raw_entities, raw_relations) in enumerate(zip(per_sentence["ner"], per_sentence["relations"])):
        place = f"{doc_key}:{index}"
        first, last = starts[index], starts[index] + len(sentences[index]) - 1
        spans: dict[tuple[int, int], str] = {}
        for raw in raw_entities:
            if not _is_entity(raw):
                error(f"entity {raw!r} is not [start, end, type]", place)
                continue
            start, end, label = raw
            if label not in ENTITY_TYPES:
                error(f"entity {raw!r}: unknown type", place)
                continue
            if not first <= start <= end <= last:
                error(f"entity {raw!r} is not inside the sentence's tokens {first}..{last}", place)
                continue
            clash = next(((s, e) for s, e in spans if s <= end and start <= e), None)
            if clash is not None:
                error(f"entity {raw!r} overlaps entity {[*clash, spans[clash]]}", place)
                continue
            spans[(start, end)] = label
            report.entities[label] += 1
        document.entities[index] = sorted((s, e, label) for (s, e), label in spans.items())
        pairs: set[frozenset] = set()
        for raw in raw_relations:
            if not _is_relation(raw):
                error(f"relation {raw!r} is not [start, end, start, end, type]", place)
                continue
            head, tail, label = (raw[0], raw[1]), (raw[2], raw[3]), raw[4]
            if label not in RELATION_TYPES:
                error(f"relation {raw!r}: unknown type", place)
                continue
            if head not in spans or tail not in spans:
                error(f"relation {raw!r}: an argument is not an entity of this sentence", place)
                continue
            if head == tail:
                error(f"relation {raw!r} links an entity to itself", place)
                continue
            pair = frozenset((head, tail))
            if pair in pairs:
                error(f"relation {raw!r}: a second relation for the same pair", place)
                continue
            pairs.add(pair)
            report.relations[label] += 1
    return document


def _is_entity(raw: object) -> bool:
    return (
        isinstance(raw, list)
        and len(raw) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in raw[:2])
        and isinstance(raw[2], str)
    )


def _is_relation(raw: object) -> bool:
    return (
        isinstance(raw, list)
        and len(raw) == 5
        and all(isinstance(v, int) and not isinstance(v, bool) for v in raw[:4])
        and isinstance(raw[4], str)
    )


# ---- consistency ----------------------------------------------------------------------


def _form(tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple(token.casefold() for token in tokens)


def _shown(form: tuple[str, ...]) -> str:
    return '"' + " ".join(form) + '"'


def _places(places: Sequence[str]) -> str:
    listed = ", ".join(places[:SHOWN_LOCATIONS])
    more = len(places) - SHOWN_LOCATIONS
    return listed + (f" and {more} more" if more > 0 else "")


def _boundary_flags(documents: list[_Document]) -> list[Finding]:
    flags = []
    for document in documents:
        tokens = [token for sentence in document.sentences for token in sentence]
        for index, entities in enumerate(document.entities):
            for start, end, label in entities:
                first, last = tokens[start], tokens[end]
                problem = None
                if first.casefold() in ARTICLES:
                    problem = "starts with an article"
                elif not any(c.isalnum() for c in first) and first not in "([":
                    problem = "starts with punctuation"
                elif not any(c.isalnum() for c in last) and last not in CLOSING_BRACKETS:
                    problem = "ends with punctuation"
                if problem:
                    text = " ".join(tokens[start : end + 1])
                    flags.append(Finding("boundary", f"{document.doc_key}:{index}", f'{label} "{text}" {problem}'))
    return flags


def _consistency_flags(documents: list[_Document]) -> list[Finding]:
    types_of: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    places_of: defaultdict[tuple[tuple[str, ...], str], list[str]] = defaultdict(list)
    for document in documents:
        tokens = [token for sentence in document.sentences for token in sentence]
        for index, entities in enumerate(document.entities):
            for start, end, label in entities:
                form = _form(tokens[start : end + 1])
                types_of[form][label] += 1
                places_of[(form, label)].append(f"{document.doc_key}:{index}")

    flags = []
    for form, counts in sorted(types_of.items()):
        if len(counts) > 1:
            detail = "; ".join(
                f"{label} {count}x ({_places(places_of[(form, label)])})" for label, count in counts.most_common()
            )
            flags.append(Finding("type-conflict", _shown(form), detail))

    checked = {form for form, counts in types_of.items() if set(counts) != {"Generic"}}
    longest = max((len(form) for form in checked), default=0)
    left_out: defaultdict[tuple[str, ...], list[str]] = defaultdict(list)
    for document in documents:
        covered = {t for entities in document.entities for s, e, _ in entities for t in range(s, e + 1)}
        offset = 0
        for index, sentence in enumerate(document.sentences):
            lowered = _form(sentence)
            for start in range(len(sentence)):
                for width in range(1, min(longest, len(sentence) - start) + 1):
                    form = lowered[start : start + width]
                    if form not in checked:
                        continue
                    if not any(offset + t in covered for t in range(start, start + width)):
                        left_out[form].append(f"{document.doc_key}:{index}")
            offset += len(sentence)
    for form, places in sorted(left_out.items()):
        counts = types_of[form]
        annotated = ", ".join(f"{label} {count}x" for label, count in counts.most_common())
        flags.append(
            Finding("left-out", _shown(form), f"annotated {annotated}; left out {len(places)}x ({_places(places)})")
        )
    return flags


# ---- command --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models.extractor.annotation_check",
        description="Check a SciERC-format annotation file: format, consistency, reserved papers.",
    )
    parser.add_argument("path", type=Path, help="SciERC JSON lines")
    parser.add_argument(
        "--reserved",
        type=Path,
        default=None,
        help=f"TSV of held-out papers (id<TAB>title); default {DEFAULT_RESERVED} when it exists",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on flags too, not only on errors")
    args = parser.parse_args(argv)

    reserved = args.reserved
    if reserved is None and DEFAULT_RESERVED.is_file():
        reserved = DEFAULT_RESERVED
    for path in (args.path, reserved):
        if path is not None and not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
    report = check_file(args.path, reserved)
    for finding in report.errors + report.flags:
        print(finding)
    if reserved is None:
        print("reserved papers: not checked (no reserved list found)")
    print(report.summary())
    return 1 if report.errors or (args.strict and report.flags) else 0


if __name__ == "__main__":
    sys.exit(main())
