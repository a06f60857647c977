"""The results table: rows of method × dataset × metric × value, read back from the claims
that state them; leaderboards over them; and how well they match hand-annotated abstracts.

Every row comes from one sentence of one abstract (``ingest.claims.results_table``): it keeps
the sentence and the number's character span, so a reader can always see where it came from.
The numbers are what abstracts say, not scores reproduced or checked against the papers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph_schema.errors import InputFileError
from graph_schema.schema import Label, Rel
from graph_schema.store import Store
from ingest.normalize import compact_key, compact_name, concept_key, name_forms
from ingest.records import PaperRecord, Resolution
from ingest.resolution.known_names import known_forms

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ANNOTATIONS = ROOT / "data" / "annotations" / "results" / "results.jsonl"
SAMPLE_CORPUS = ROOT / "data" / "corpus"
REAL_CORPUS = ROOT / "bench" / "corpora" / "real-ml-2020s.jsonl"
SOURCE_NOTE = (
    "Scores as the abstracts state them, extracted automatically: not reproduced, not checked against "
    "the papers, and settings (backbones, data, compute) differ between papers."
)

# Metrics where a smaller number is better; every other metric ranks larger first.
_LOWER_IS_BETTER = re.compile(
    r"\b(?:error|errors|wer|cer|eer|err|fid|perplexity|ppl|mae|mse|rmse|loss|latency|time|"
    r"distance|assd|frr|far|cost|bpd|nll|runtime)\b|\bms\b",
    re.IGNORECASE,
)


# ---- the table in the store -----------------------------------------------------------


def stored_results(
    store: Store, concept_id: str | None = None, dataset: str | None = None, metric: str | None = None
) -> list[dict]:
    """Every result row, or those whose method, dataset or task is ``concept_id``, or whose
    dataset (by id or name) and metric (by name) are those given."""
    claims = store.read(
        f"""MATCH (p:{Label.PAPER})-[:{Rel.CLAIMS}]->(c:{Label.CLAIM})
        WHERE c.results IS NOT NULL AND c.results <> '[]'
        RETURN p.id AS paper_id, p.title AS paper, c.text AS text, c.start AS start, c.results AS results
        ORDER BY p.id, c.sentence"""
    )
    return [
        row
        for row in claim_results(claims)
        if (not concept_id or concept_id in (row["method_id"], row["dataset_id"], row["task_id"]))
        and (not dataset or same_name(dataset, row["dataset"], row["dataset_id"]))
        and (not metric or same_name(metric, row["metric"]))
    ]


def claim_results(claims: Iterable[dict]) -> list[dict]:
    """The result rows of claims read from the store (``paper_id``, ``paper``, ``text``,
    ``results`` and, where read, the claim's ``start``), each with its sentence."""
    table = []
    for claim in claims:
        for result in json.loads(claim["results"] or "[]"):
            start, end, claim_start = result.get("start"), result.get("end"), claim.get("start")
            stated = None
            if start is not None and end is not None and claim_start is not None:
                stated = claim["text"][start - claim_start : end - claim_start]  # the number as written
            table.append(
                {
                    "method": result["method"],
                    "dataset": result.get("dataset"),
                    "task": result.get("task"),
                    "metric": result.get("metric"),
                    "value": result["value"],
                    "unit": result.get("unit"),
                    "relative": bool(result["relative"]),
                    "baseline": result.get("baseline"),
                    "paper": claim["paper"],
                    "paper_id": claim["paper_id"],
                    "sentence": claim["text"],
                    "stated": stated,
                    "method_id": result["method_id"],
                    "dataset_id": result.get("dataset_id"),
                    "task_id": result.get("task_id"),
                }
            )
    return table


def _key(text: str | None) -> str:
    """A name's key for matching: case, plural, hyphens, spacing, a leading "the" and a
    trailing "dataset", "benchmark", "method", "approach" and the like do not count."""
    key = concept_key(text or "")
    key = re.sub(r"^the ", "", key)
    key = re.sub(r" (?:dataset|data set|benchmark|corpus|test set|method|approach|framework|model|strategy)$", "", key)
    return compact_key(key)


def same_name(wanted: str, name: str | None, concept_id: str | None = None) -> bool:
    """Whether ``wanted`` is the concept id, or the same name as ``name`` (case, plurals,
    hyphens, a trailing "dataset" and the like aside)."""
    return wanted == concept_id or (bool(name) and _key(wanted) == _key(name))


def lower_is_better(metric: str | None, unit: str | None = None) -> bool:
    return bool(metric and _LOWER_IS_BETTER.search(metric)) or unit == "ms"


@dataclass(frozen=True)
class Leaderboard:
    dataset: str
    metric: str
    unit: str | None
    lower_is_better: bool
    rows: list[dict]  # the best score of each method, best first, with its paper and sentence


def leaderboard(rows: Iterable[dict], dataset: str, metric: str) -> list[Leaderboard]:
    """Methods ranked by their absolute scores on one dataset and metric, across papers: one
    board per unit the scores are stated in (a score of 0.95 and one of 95% are not compared).
    A score stated without a unit above 1 and at most 100 ("an mIoU of 45.2") is on the board
    in % where other papers state the same metric in %."""
    scores = [
        row
        for row in rows
        if not row["relative"]
        and same_name(dataset, row["dataset"], row["dataset_id"])
        and same_name(metric, row["metric"])
    ]
    in_percent = any(row["unit"] == "%" for row in scores)
    best: dict[str | None, dict[str, dict]] = defaultdict(dict)
    named: dict[str | None, tuple[str, str]] = {}
    for row in scores:
        unit = row["unit"]
        if unit is None and in_percent and 1 < row["value"] <= 100:
            unit = "%"
        lower = lower_is_better(row["metric"], unit)
        held = best[unit].get(row["method_id"])
        if held is None or (row["value"] < held["value"] if lower else row["value"] > held["value"]):
            best[unit][row["method_id"]] = row
        named.setdefault(unit, (row["dataset"], row["metric"]))
    boards = []
    for unit, by_method in best.items():
        lower = lower_is_better(named[unit][1], unit)
        ranked = sorted(by_method.values(), key=lambda r: (r["value"] if lower else -r["value"], r["method"]))
        boards.append(Leaderboard(named[unit][0], named[unit][1], unit, lower, ranked))
    return sorted(boards, key=lambda board: -len(board.rows))


def leaderboard_choices(rows: Iterable[dict], min_methods: int = 2) -> list[dict]:
    """The (dataset, metric) pairs with absolute scores of at least ``min_methods`` methods,
    the most methods first: the leaderboards worth showing."""
    methods: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        if row["relative"] or not row["dataset_id"] or not row["metric"]:
            continue
        pair = (row["dataset_id"], _key(row["metric"]))
        methods[pair].add(row["method_id"])
        names.setdefault(pair, (row["dataset"], row["metric"]))
    choices = [
        {"dataset": names[pair][0], "dataset_id": pair[0], "metric": names[pair][1], "methods": len(found)}
        for pair, found in methods.items()
        if len(found) >= min_methods
    ]
    return sorted(choices, key=lambda c: (-c["methods"], c["dataset"], c["metric"]))


# ---- annotated abstracts -------------------------------------------------------------

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SPLITS = ("tune", "test")


@dataclass(frozen=True)
class AnnotatedResult:
    """One result tuple of ``data/annotations/results/GUIDE.md``; name fields hold the forms
    a name may take (empty where the abstract names none)."""

    quote: str
    start: int  # the number's digits in the abstract
    end: int
    method: tuple[str, ...]
    dataset: tuple[str, ...]
    task: tuple[str, ...]
    metric: tuple[str, ...]
    value: float
    unit: str | None
    relative: bool
    baseline: tuple[str, ...]


@dataclass
class AnnotatedAbstract:
    key: str  # the sample corpus's paper id, or the arXiv id
    corpus: str
    title: str
    abstract: str
    split: str
    results: list[AnnotatedResult]


@dataclass
class AnnotationSet:
    abstracts: list[AnnotatedAbstract]
    skipped: list[str] = field(default_factory=list)  # why some lines could not be scored
    changed: list[str] = field(default_factory=list)  # lines whose abstract differs from the one annotated
    reserved: set[str] = field(default_factory=set)  # paper ids reserved for evaluating extraction


def read_result_annotations(
    path: str | Path,
    sample_corpus: str | Path = SAMPLE_CORPUS,
    real_corpus: str | Path = REAL_CORPUS,
    reserved: str | Path | None = None,
) -> AnnotationSet:
    """The annotated abstracts of ``path``, their text looked up in the corpus each line names.

    Lines of a corpus that is absent (the real corpus is rebuilt by ``bench/real_corpus.py``)
    are skipped with a message; a line naming a paper reserved for evaluating extraction, or a
    quote that is not in its abstract once, is an error naming the line."""
    from ingest.readers import read_paths
    from models.extractor.annotation_check import DEFAULT_RESERVED, read_reserved_ids

    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputFileError(path, f"cannot read the annotations: {error.strerror or error}") from error
    reserved_path = Path(reserved) if reserved else DEFAULT_RESERVED
    reserved_ids = read_reserved_ids(reserved_path) if reserved_path.is_file() else set()
    corpora: dict[str, dict[str, object] | None] = {}

    def corpus(name: str) -> dict[str, object] | None:
        if name not in corpora:
            source = Path(sample_corpus if name == "sample" else real_corpus)
            if not source.exists():
                corpora[name] = None
            else:
                papers = read_paths([source]).papers
                corpora[name] = {(p.id if name == "sample" else p.arxiv_id): p for p in papers}
        return corpora[name]

    found = AnnotationSet([], reserved=reserved_ids)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            name, key = raw["corpus"], raw["paper"] if raw["corpus"] == "sample" else raw["arxiv"]
            split, results = raw["split"], raw["results"]
        except (ValueError, KeyError, TypeError) as error:
            raise InputFileError(path, f"not an annotation line ({error})", number) from error
        if name not in ("sample", "arxiv") or split not in _SPLITS:
            raise InputFileError(path, f"unknown corpus {name!r} or split {split!r}", number)
        papers = corpus(name)
        if papers is None:
            source = sample_corpus if name == "sample" else real_corpus
            found.skipped.append(f"line {number} ({key}): {source} is absent")
            continue
        paper = papers.get(key)
        if paper is None:
            found.skipped.append(f"line {number}: {key} is not in the {name} corpus")
            continue
        if paper.id in reserved_ids:
            raise InputFileError(path, f"{key} is reserved for evaluating extraction: never annotate it", number)
        if raw.get("sha256") and hashlib.sha256(paper.abstract.encode()).hexdigest()[:16] != raw["sha256"]:
            found.changed.append(f"line {number} ({key})")
        parsed = [_annotated_result(path, number, paper.abstract, result) for result in results]
        found.abstracts.append(AnnotatedAbstract(key, name, paper.title, paper.abstract, split, parsed))
    return found


def _annotated_result(path: Path, line: int, abstract: str, raw: dict) -> AnnotatedResult:
    try:
        quote = raw["quote"]
        if abstract.count(quote) != 1:
            raise ValueError(f"the quote {quote!r} is in the abstract {abstract.count(quote)} times, not once")
        number = _NUMBER.search(quote)
        if number is None:
            raise ValueError(f"the quote {quote!r} has no number")
        start = abstract.index(quote) + number.start()

        def forms(name: str) -> tuple[str, ...]:
            return tuple(form.strip() for form in (raw.get(name) or "").split("|") if form.strip())

        return AnnotatedResult(
            quote,
            start,
            start + len(number.group()),
            forms("method"),
            forms("dataset"),
            forms("task"),
            forms("metric"),
            float(raw["value"]),
            raw.get("unit"),
            bool(raw["relative"]),
            forms("baseline"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputFileError(path, f"bad result tuple: {error}", line) from error


# ---- predicting and scoring ----------------------------------------------------------


@dataclass(frozen=True)
class PredictedRow:
    """A row of ``ingest.claims.results_table`` with every name its concepts go by."""

    key: str  # the annotated abstract's key
    start: int
    end: int
    method: str
    method_forms: tuple[str, ...]
    dataset: str | None
    dataset_forms: tuple[str, ...]
    task: str | None
    task_forms: tuple[str, ...]
    metric: str | None
    value: float
    unit: str | None
    relative: bool
    baseline: str | None
    sentence: str


def predict_results(
    abstracts: Sequence[AnnotatedAbstract],
    context: Sequence[PaperRecord] = (),
    extractor=None,
    use_cache: bool = True,
) -> list[PredictedRow]:
    """The results table of the annotated abstracts, as ingest makes it: the extractor
    (default: the committed model, through the extraction cache), resolution over these
    abstracts and the ``context`` papers together (as an ingest of their corpus would resolve
    them: names are typed by corpus-wide evidence), the claim rules and ``results_table``."""
    from ingest.claims import contribution_spans, extract_claims, results_table
    from ingest.extract import MentionExtractor
    from ingest.extraction_cache import ExtractionCache
    from ingest.mention_splits import split_coordinated_datasets
    from ingest.resolve import resolve
    from ingest.serialize import extraction_from_json, extraction_to_json

    annotated = {item.abstract for item in abstracts}
    papers = [(item.key, item.title, item.abstract) for item in abstracts]
    papers += [(paper.id, paper.title, paper.abstract) for paper in context if paper.abstract not in annotated]
    chosen = extractor or MentionExtractor()
    cache = ExtractionCache(chosen.version) if use_cache else None
    extracted: dict[str, str] = {}
    missing = []
    for key, _, abstract in papers:
        cached = cache.get(abstract) if cache else None
        if cached is None:
            missing.append((key, abstract))
        else:
            extracted[key] = cached
    if missing:
        model = chosen if extractor else MentionExtractor.load()
        for (key, abstract), extraction in zip(missing, model.extract_many([abstract for _, abstract in missing])):
            extracted[key] = extraction_to_json(extraction)
            if cache:
                cache.put(abstract, extracted[key])
    found = {
        key: split_coordinated_datasets(extraction_from_json(abstract, extracted[key])) for key, _, abstract in papers
    }
    titles = {key: title for key, title, _ in papers}
    resolution = resolve(
        ((key, abstract, found[key].mentions) for key, _, abstract in papers),
        titles,
        {key: contribution_spans(abstract) for key, _, abstract in papers},
        {key: found[key].relations for key, _, _ in papers},
    )
    claims = {
        item.key: extract_claims(item.abstract, found[item.key].sentences, found[item.key].mentions)
        for item in abstracts
    }
    sentences = {(key, claim.sentence): claim.text for key, paper_claims in claims.items() for claim in paper_claims}
    rows = []
    for row in results_table(claims.items(), resolution, titles):
        rows.append(
            PredictedRow(
                row.paper_id,
                row.start,
                row.end,
                row.method,
                _concept_forms(resolution, row.method_id),
                row.dataset,
                _concept_forms(resolution, row.dataset_id),
                row.task,
                _concept_forms(resolution, row.task_id),
                row.metric,
                row.value,
                row.unit,
                row.relative,
                row.baseline,
                sentences[(row.paper_id, row.sentence)],
            )
        )
    return rows


def _concept_forms(resolution: Resolution, concept_id: str | None) -> tuple[str, ...]:
    concept = resolution.concepts.get(concept_id or "")
    if concept is None:
        return ()
    names = [concept.name, *([concept.acronym] if concept.acronym else []), *concept.aliases]
    names += known_forms(compact_name(concept.key))
    return tuple(dict.fromkeys(form for name in names for form in name_forms(name)))


@dataclass
class FieldScore:
    right: int = 0
    predicted: int = 0  # rows that fill the field
    gold: int = 0  # annotated tuples that fill it

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


FIELDS = ("method", "dataset", "task", "metric", "value", "unit", "relative", "baseline")


@dataclass
class ResultScores:
    abstracts: int
    rows: FieldScore  # a row is right when its method, dataset, value and relative flag all are
    rows_but_dataset: FieldScore  # ... and when its method, value and relative flag are: what typing datasets costs
    fields: dict[str, FieldScore]
    unnamed: int  # annotated tuples whose method the abstract does not name: not in recall
    mistakes: list[dict]  # each wrong or missed row, with why


def score_results(abstracts: Sequence[AnnotatedAbstract], rows: Sequence[PredictedRow]) -> ResultScores:
    """Row and field precision and recall of ``rows`` against the annotated tuples (see the guide)."""
    by_key: dict[str, list[PredictedRow]] = defaultdict(list)
    for row in rows:
        by_key[row.key].append(row)
    total, but_dataset = FieldScore(), FieldScore()
    fields = {name: FieldScore() for name in FIELDS}
    unnamed = 0
    mistakes = []
    for item in abstracts:
        scored = [gold for gold in item.results if gold.method]
        unnamed += len(item.results) - len(scored)
        total.gold += len(scored)
        but_dataset.gold += len(scored)
        for gold in scored:
            for name in FIELDS:
                fields[name].gold += _gold_fills(gold, name)
        taken: set[int] = set()
        for row in sorted(by_key[item.key], key=lambda r: r.start):
            total.predicted += 1
            but_dataset.predicted += 1
            golds = [g for g in item.results if row.start <= g.start < row.end and id(g) not in taken]
            gold = max(golds, key=lambda g: _row_right(row, g), default=None)
            for name in FIELDS:
                fills = _row_fills(row, name)
                fields[name].predicted += fills
                if gold is not None and gold.method and fills and _field_right(row, gold, name):
                    fields[name].right += 1
            if gold is not None:
                taken.add(id(gold))
            if gold is not None and gold.method and _row_right(row, gold, ("method", "value", "relative")):
                but_dataset.right += 1
            if gold is not None and gold.method and _row_right(row, gold):
                total.right += 1
            else:
                mistakes.append(_mistake(item, row, gold))
        for gold in scored:
            if id(gold) not in taken:
                mistakes.append(_mistake(item, None, gold))
    return ResultScores(len(abstracts), total, but_dataset, fields, unnamed, mistakes)


def _forms_match(forms: Sequence[str], names: Sequence[str]) -> bool:
    keys = {_key(name) for name in names if name}
    return any(_key(form) in keys for form in forms)


def _field_right(row: PredictedRow, gold: AnnotatedResult, name: str) -> bool:
    if name == "method":
        return _forms_match(gold.method, row.method_forms)
    if name == "dataset":
        return _forms_match(gold.dataset, row.dataset_forms) if gold.dataset else not row.dataset
    if name == "task":
        return _forms_match(gold.task, row.task_forms) if gold.task else not row.task
    if name == "metric":
        return _forms_match(gold.metric, name_forms(row.metric or "")) if gold.metric else not row.metric
    if name == "value":
        return abs(row.value - gold.value) <= 1e-6 * max(1.0, abs(gold.value))
    if name == "unit":
        return row.unit == gold.unit
    if name == "relative":
        return row.relative == gold.relative
    return _forms_match(gold.baseline, name_forms(row.baseline or "")) if gold.baseline else not row.baseline


ROW_FIELDS = ("method", "dataset", "value", "relative")


def _row_right(row: PredictedRow, gold: AnnotatedResult, names: Sequence[str] = ROW_FIELDS) -> bool:
    return all(_field_right(row, gold, name) for name in names)


def _gold_fills(gold: AnnotatedResult, name: str) -> bool:
    return name in ("value", "unit", "relative") or bool(getattr(gold, name))


def _row_fills(row: PredictedRow, name: str) -> bool:
    return name in ("value", "unit", "relative") or bool(getattr(row, name))


def _mistake(item: AnnotatedAbstract, row: PredictedRow | None, gold: AnnotatedResult | None) -> dict:
    if row is None:
        why = "missed"
    elif gold is None:
        why = "not an annotated result"
    elif not gold.method:
        why = "a result of a method the abstract does not name"
    else:
        why = "wrong " + ", ".join(
            n for n in ("method", "dataset", "value", "relative") if not _field_right(row, gold, n)
        )
    return {
        "key": item.key,
        "split": item.split,
        "why": why,
        "predicted": None
        if row is None
        else {
            "method": row.method,
            "dataset": row.dataset,
            "metric": row.metric,
            "value": row.value,
            "unit": row.unit,
            "relative": row.relative,
            "baseline": row.baseline,
            "stated": item.abstract[row.start : row.end],
        },
        "annotated": None
        if gold is None
        else {
            "method": "|".join(gold.method) or None,
            "dataset": "|".join(gold.dataset) or None,
            "metric": "|".join(gold.metric) or None,
            "value": gold.value,
            "unit": gold.unit,
            "relative": gold.relative,
            "baseline": "|".join(gold.baseline) or None,
            "quote": gold.quote,
        },
        "sentence": row.sentence if row else _sentence_around(item.abstract, gold.start),
    }


def _sentence_around(abstract: str, position: int) -> str:
    cut = abstract.rfind(". ", 0, position)
    start = cut + 2 if cut >= 0 else 0
    end = abstract.find(". ", position)
    return abstract[start : end + 1 if end >= 0 else len(abstract)]
