"""Claims: the sentences of an abstract that state a contribution, a result or a finding.

A sentence's kind comes from trigger phrases found by a spaCy ``Matcher`` over
a blank English tokenizer, and from the numbers in it:

- result: a comparison ("outperforms", "better than"), or a gain verb
  ("achieves", "improves", "reduces", "sped up") with a number or
  "state-of-the-art", or a number stated in a metric ("91.4 F1") or as a
  speed-up ("7x");
- contribution: "we propose/present/introduce/develop ...", "this paper
  proposes ...", "... is proposed", or a sentence opening with "our method";
- finding: "we find/show/observe ...", "results/experiments show ...".

A sentence that is more than one of these takes the first kind in that order.

Numbers are read with a regular expression, and are left out where they are
most likely not results: years, counts and other integers without a unit or
metric ("12 events"), numbers glued to words ("ResNet-50", "top-1", "3-layer",
"1e-4"), exponents and fractions ("2^3", "1/2"), references ("Section 3.2"),
and numbers inside a mention of a method, dataset or task ("CIFAR-10").
"2,967" reads as 2967.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

from graph_schema.schema import Label
from ingest.records import Claim, ClaimNumber, Concept, Mention, Resolution, Sentence

CONTRIBUTION = "contribution"
RESULT = "result"
FINDING = "finding"


def _verb_forms(*verbs: str) -> list[str]:
    """Each verb's base, third person, past and -ing forms; irregular pasts after colons."""
    forms = []
    for verb in verbs:
        base, *irregular = verb.split(":")
        if base.endswith(("s", "sh", "ch", "x", "z")):
            third = base + "es"
        elif base.endswith("y") and base[-2] not in "aeiou":
            third = base[:-1] + "ies"
        else:
            third = base + "s"
        if base.endswith("e"):
            past, gerund = base + "d", base[:-1] + "ing"
        elif base.endswith("y") and base[-2] not in "aeiou":
            past, gerund = base[:-1] + "ied", base + "ing"
        else:
            past, gerund = base + "ed", base + "ing"
        forms += [base, third, gerund, *(irregular or [past])]
    return forms


_ADVERBS = (
    "also further then first here additionally furthermore moreover subsequently therefore "
    "thus hence finally empirically experimentally theoretically formally carefully "
    "systematically extensively now next instead specifically consequently newly both"
).split()
_CONTRIBUTION_VERBS = _verb_forms(
    "propose",
    "present",
    "introduce",
    "develop",
    "design",
    "devise",
    "build:built",
    "construct",
    "create",
    "describe",
    "formulate",
    "release",
    "contribute",
    "offer",
    "provide",
    "derive",
    "collect",
    "curate",
)
_PASSIVE_CONTRIBUTIONS = ["proposed", "introduced", "presented", "developed", "designed", "devised"]
_PAPER_NOUNS = "paper work study article letter thesis report".split()
_OWN_WORK_NOUNS = (
    "method approach model framework system algorithm architecture technique network scheme pipeline solution"
).split()
_FINDING_VERBS = _verb_forms(
    "find:found",
    "show:showed:shown",
    "demonstrate",
    "indicate",
    "suggest",
    "reveal",
    "confirm",
    "verify",
    "observe",
    "discover",
    "prove:proved:proven",
    "note",
    "notice",
    "conclude",
    "highlight",
    "illustrate",
    "validate",
)
_EVIDENCE_NOUNS = (
    "results experiments experiment evaluations evaluation analysis analyses findings "
    "studies simulations evidence ablations comparisons tests"
).split()
_COMPARISON_VERBS = _verb_forms("outperform", "surpass", "beat:beat", "exceed", "outstrip")
_GAIN_VERBS = _verb_forms(
    "achieve",
    "attain",
    "obtain",
    "reach",
    "set:set",
    "establish",
    "yield",
    "deliver",
    "improve",
    "boost",
    "reduce",
    "increase",
    "decrease",
    "lower",
    "raise",
    "gain",
    "cut:cut",
    "speed:sped",
    "accelerate",
    "match",
    "score",
    "record",
    "halve",
    "double",
)
_ANY_ADVERBS = {"LOWER": {"IN": _ADVERBS}, "OP": "*"}
_OPTIONAL_HYPHEN = {"ORTH": "-", "OP": "?"}

_TRIGGER_PATTERNS: dict[str, list[list[dict]]] = {
    "contribution": [
        [
            {"LOWER": "we"},
            {"LOWER": {"IN": ["have", "will", "hereby"]}, "OP": "?"},
            _ANY_ADVERBS,
            {"LOWER": {"IN": _CONTRIBUTION_VERBS}},
        ],
        [
            {"LOWER": {"IN": ["this", "our", "the", "present"]}},
            {"LOWER": {"IN": _PAPER_NOUNS}},
            _ANY_ADVERBS,
            {"LOWER": {"IN": _CONTRIBUTION_VERBS}},
        ],
        [{"LOWER": {"IN": ["is", "are"]}}, _ANY_ADVERBS, {"LOWER": {"IN": _PASSIVE_CONTRIBUTIONS}}],
    ],
    "own_work": [[{"LOWER": "our"}, {"LOWER": {"IN": ["proposed"]}, "OP": "?"}, {"LOWER": {"IN": _OWN_WORK_NOUNS}}]],
    "finding": [
        [{"LOWER": "we"}, _ANY_ADVERBS, {"LOWER": {"IN": _FINDING_VERBS}}],
        [{"LOWER": {"IN": _EVIDENCE_NOUNS}}, {"OP": "{0,6}"}, {"LOWER": {"IN": _FINDING_VERBS}}],
        [{"LOWER": "it"}, {"LOWER": "is"}, _ANY_ADVERBS, {"LOWER": {"IN": _FINDING_VERBS}}],
    ],
    "comparison": [
        [{"LOWER": {"IN": _COMPARISON_VERBS}}],
        [{"LOWER": {"IN": ["better", "superior", "faster", "stronger"]}}, {"LOWER": {"IN": ["than", "to"]}}],
        [{"LOWER": {"IN": ["compare", "compares", "compared"]}}, {"LOWER": {"IN": ["favorably", "favourably"]}}],
    ],
    "gain": [[{"LOWER": {"IN": _GAIN_VERBS}}]],
    "sota": [
        [
            {"LOWER": "state"},
            _OPTIONAL_HYPHEN,
            {"LOWER": "of"},
            _OPTIONAL_HYPHEN,
            {"LOWER": "the"},
            _OPTIONAL_HYPHEN,
            {"LOWER": "art"},
        ],
        [{"LOWER": "sota"}],
    ],
}
# "Our method ..." is a claim about the paper's own work only where it opens the sentence.
_OWN_WORK_MAX_START_TOKEN = 2


@dataclass(frozen=True)
class Trigger:
    rule: str  # a key of _TRIGGER_PATTERNS
    start: int  # character span in the text searched
    end: int


@cache
def _matcher() -> tuple[Language, Matcher]:
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    for rule, patterns in _TRIGGER_PATTERNS.items():
        matcher.add(rule, patterns)
    return nlp, matcher


def find_triggers(text: str) -> list[Trigger]:
    nlp, matcher = _matcher()
    doc = nlp.make_doc(text)
    triggers = []
    for match_id, start, end in matcher(doc):
        rule = nlp.vocab.strings[match_id]
        if rule == "own_work" and start > _OWN_WORK_MAX_START_TOKEN:
            continue
        span = doc[start:end]
        triggers.append(Trigger(rule, span.start_char, span.end_char))
    return sorted(triggers, key=lambda t: (t.start, t.end))


def contribution_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` says "we propose", "this paper presents" and the like."""
    return [(t.start, t.end) for t in find_triggers(text) if t.rule == "contribution"]


# ---- numbers -------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?:(?<![^\s(\[])(?P<sign>[+\-\u2212])|(?<![\w.^/@+\u2212])(?<![A-Za-z]-))"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
)
_COMPARATIVES = (
    r"faster|speed-?ups?|acceleration|improvements?|reductions?|increases?|decreases?|fewer|less|"
    r"more|smaller|larger|higher|lower|better|cheaper"
)
# "7x", "7 times faster", "a 3-fold reduction"; not "3x3" or "3 x 3".
_TIMES_UNIT = re.compile(
    rf"\s?(?:[x\u00d7](?!\w|\s?\d)|times\b(?=\s+(?:{_COMPARATIVES})\b)|-?fold\b(?=\s+(?:{_COMPARATIVES})\b))"
)
_UNITS = [
    ("%", re.compile(r"\s?(?:%|percent\b)")),
    ("pp", re.compile(r"\s?(?:percentage points?\b|pp\b|p\.p\.)")),
    ("points", re.compile(r"\s?(?:points?\b|pts\b)")),
    ("x", _TIMES_UNIT),
    ("dB", re.compile(r"\s?dB\b")),
    ("ms", re.compile(r"\s?ms\b")),
]
_GLUED_AFTER = re.compile(r"[A-Za-z^]|-[A-Za-z]|/\d")
_REFERENCE_BEFORE = re.compile(
    r"\b(?:section|sec\.|table|tab\.|figure|fig\.|eq\.|equation|appendix|theorem|lemma|chapter|"
    r"step|stage|version|phase|algorithm|line)\s*$",
    re.IGNORECASE,
)
_SETTING_BEFORE = re.compile(r"[=<>\u2264\u2265]\s*$")
# After a bare decimal (no unit, no metric): what may follow a stated value.
_VALUE_FOLLOWERS = re.compile(
    r"\s*(?:$|[,.;:)]|(?:on|in|at|for|than|vs\.?|versus|compared|while|and|with|respectively)\b)"
)
_RELATIVE_BEFORE = re.compile(
    r"\bby\s+(?:up\s+to\s+|about\s+|around\s+|over\s+|nearly\s+|almost\s+|roughly\s+|approximately\s+)?$",
    re.IGNORECASE,
)
_RELATIVE_AFTER = re.compile(
    rf"\s*(?:absolute\s+|relative\s+)?(?:{_COMPARATIVES}|gains?|boosts?|drops?)\b", re.IGNORECASE
)
_METRIC_WORDS = re.compile(
    r"\b(?i:top-?[1-9] (?:accuracy|error)|top-?[1-9]|(?:macro|micro|weighted)[- ]?F1|F1[- ]scores?|"
    r"F-?(?:score|measure)|F1|BLEU(?:-[1-4])?|ROUGE(?:-[12L])?|METEOR|CIDEr|SPICE|AUROC|AUPRC|"
    r"ROC[- ]AUC|AUC|mIoU|IoU|exact match|accuracy|precision|recall|"
    r"perplexity|PSNR|SSIM|LPIPS|FID|WER|CER|EER|error rates?|errors?|MRR|NDCG(?:@\d+)?|"
    r"Hits@\d+|MAE|RMSE|MSE|Spearman|Pearson|correlation|win rates?|pass@\d+|success rates?|"
    r"Dice|BERTScore|chrF)(?!\w)|\b(?:mAP(?:@[\d.]+)?|AP(?:50|75)?|EM)(?!\w)"
)
_METRIC_AFTER_GAP = re.compile(
    r"[\s(]*(?:(?:in|of)\s+)?"
    r"(?:(?:test|validation|val|dev|average|mean|overall|classification|relative|absolute|balanced)\s+){0,2}",
    re.IGNORECASE,
)
_METRIC_BEFORE_GAP = re.compile(
    r"(?:\s*(?:scores?|of|by|is|was|=|:|to|at|reaching|reaches|reached|improved|improves|"
    r"increased|increases|decreased|decreases|reduced|reduces|drops|dropped|rises|rose|from|up|"
    r"an?|the|rate|value|\())*\s*",
    re.IGNORECASE,
)
_SAME_METRIC_GAP = re.compile(r"\s*(?:to|and|vs\.?|versus|,|-|\u2013|~)\s*", re.IGNORECASE)
_YEARS = range(1900, 2100)
_METRIC_MENTION = "Metric"


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def find_numbers(text: str, offset: int = 0, mentions: Sequence[Mention] = ()) -> list[ClaimNumber]:
    """The result numbers stated in ``text``, a sentence found at ``offset`` in its abstract.

    ``mentions`` are the sentence's mentions (abstract offsets): metric mentions
    name the metric of an adjacent number, other mentions hide the numbers in
    them ("CIFAR-10").
    """
    local = [(m.start - offset, m.end - offset, m) for m in mentions]
    metrics = _metric_spans(text, [(s, e, m.text) for s, e, m in local if m.type == _METRIC_MENTION])
    hidden = [(s, e) for s, e, m in local if m.type != _METRIC_MENTION]
    hidden += [(span.start, span.end) for span in metrics]
    numbers: list[ClaimNumber] = []
    previous: tuple[int, ClaimNumber] | None = None  # (end, number) of the last one kept
    for match in _NUMBER.finditer(text):
        start, end = match.start(), match.end()
        if any(s <= match.start("digits") < e for s, e in hidden):
            continue
        if _GLUED_AFTER.match(text, end) and not _TIMES_UNIT.match(text, end):
            continue
        if _REFERENCE_BEFORE.search(text, 0, start):
            continue
        unit, unit_end = _unit(text, end)
        metric = _adjacent_metric(text, start, unit_end, metrics)
        if metric and unit is None and 0 <= metric.start - unit_end <= 1:
            unit = metric.text  # "28.4 BLEU": the number is in the metric's points
        if metric is None and previous and _SAME_METRIC_GAP.fullmatch(text, previous[0], start):
            metric_text = previous[1].metric
        else:
            metric_text = metric.text if metric else None
        value = float(match.group("digits").replace(",", ""))
        if not _is_result_value(text, match, unit, metric_text, unit_end):
            continue
        sign = match.group("sign")
        if sign and sign != "+":
            value = -value
        relative = bool(
            unit == "x"
            or sign == "+"
            or _RELATIVE_BEFORE.search(text, 0, start)
            or _RELATIVE_AFTER.match(text, unit_end)
        )
        number = ClaimNumber(value, unit, metric_text, start=offset + start, end=offset + unit_end, relative=relative)
        numbers.append(number)
        previous = (unit_end, number)
    return numbers


def _unit(text: str, number_end: int) -> tuple[str | None, int]:
    for unit, pattern in _UNITS:
        found = pattern.match(text, number_end)
        if found:
            return unit, found.end()
    return None, number_end


def _is_result_value(text: str, match: re.Match, unit: str | None, metric: str | None, end: int) -> bool:
    digits = match.group("digits")
    if unit or metric:
        return not (unit is None and "." not in digits and int(digits.replace(",", "")) in _YEARS)
    if "." not in digits:
        return False  # years, counts, "2^3 = 8"
    if _SETTING_BEFORE.search(text, 0, match.start()):
        return False  # a hyperparameter setting: "lambda = 0.5"
    return bool(_VALUE_FOLLOWERS.match(text, end))


def _metric_spans(text: str, metric_mentions: list[tuple[int, int, str]]) -> list[_Span]:
    spans = [_Span(s, e, t) for s, e, t in metric_mentions]
    spans += [_Span(m.start(), m.end(), m.group()) for m in _METRIC_WORDS.finditer(text)]
    outermost = [
        span for span in spans if not any(o != span and o.start <= span.start and span.end <= o.end for o in spans)
    ]
    return sorted(set(outermost), key=lambda span: span.start)


def _adjacent_metric(text: str, number_start: int, number_end: int, metrics: list[_Span]) -> _Span | None:
    for metric in metrics:  # right after the number: "91.4 F1", "91.4% top-1 accuracy"
        if metric.start >= number_end and _METRIC_AFTER_GAP.fullmatch(text, number_end, metric.start):
            return metric
    for metric in reversed(metrics):  # before it: "an F1 score of 91.4", "accuracy by 3.2%"
        if metric.end <= number_start and _METRIC_BEFORE_GAP.fullmatch(text, metric.end, number_start):
            return metric
    return None


# ---- claims --------------------------------------------------------------------------


def extract_claims(abstract: str, sentences: Sequence[Sentence], mentions: Sequence[Mention]) -> list[Claim]:
    claims = []
    for sentence in sentences:
        text = abstract[sentence.start : sentence.end]
        inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
        numbers = find_numbers(text, sentence.start, inside)
        triggers = find_triggers(text)
        kind = claim_kind({t.rule for t in triggers}, numbers)
        if kind:
            comparisons = [t.start + sentence.start for t in triggers if t.rule == "comparison"]
            claims.append(Claim(sentence.index, sentence.start, sentence.end, text, kind, numbers, inside, comparisons))
    return claims


def claim_kind(trigger_rules: set[str], numbers: Sequence[ClaimNumber]) -> str | None:
    if (
        "comparison" in trigger_rules
        or ("gain" in trigger_rules and (numbers or "sota" in trigger_rules))
        or any(n.metric or n.unit == "x" for n in numbers)
    ):
        return RESULT
    if trigger_rules & {"contribution", "own_work"}:
        return CONTRIBUTION
    if "finding" in trigger_rules:
        return FINDING
    return None


# ---- results table -------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    paper_id: str
    method_id: str
    method: str
    dataset_id: str  # a Dataset, or a Task where the claim names no dataset
    dataset: str
    metric: str
    value: float
    unit: str | None
    relative: bool  # a gain over something ("by 3.2%"), not a score
    sentence: int


def results_table(paper_claims: Iterable[tuple[str, Sequence[Claim]]], resolution: Resolution) -> list[ResultRow]:
    """Method x dataset x metric x value rows, from the result claims of each paper.

    ``paper_claims`` pairs a paper id with its claims, such as
    ``((e.paper_id, e.claims) for e in extractions)``; the claims' mentions are
    looked up in ``resolution.concept_of``.

    A row needs a method (one named before the comparison in "X outperforms Y",
    else the method nearest before the number, else the paper's proposed
    method), a dataset or task (the nearest after the number, else before it),
    and a number with a metric (its own, else the claim's only metric).
    """
    rows = []
    for paper_id, claims in paper_claims:
        for claim in claims:
            if claim.kind == RESULT:
                rows += _claim_rows(paper_id, claim, resolution)
    return rows


def _claim_rows(paper_id: str, claim: Claim, resolution: Resolution) -> list[ResultRow]:
    placed = [
        (mention, resolution.concepts[concept_id])
        for mention in claim.mentions
        if (concept_id := resolution.concept_of.get((paper_id, mention)))
    ]
    methods = [(m, c) for m, c in placed if c.label == Label.METHOD]
    if claim.comparisons:
        methods = [(m, c) for m, c in methods if m.end <= claim.comparisons[0]]  # not the baselines
    metric_names = {c.name for _, c in placed if c.label == Label.METRIC}
    only_metric = next(iter(metric_names)) if len(metric_names) == 1 else None
    proposed = resolution.concepts.get(resolution.proposed.get(paper_id, ""))
    rows = []
    for number in claim.numbers:
        metric = number.metric or only_metric
        method = _nearest_before(methods, number.start) or (methods[0][1] if methods else None)
        if method is None and proposed is not None and proposed.label == Label.METHOD:
            method = proposed
        dataset = _nearest_around(placed, Label.DATASET, number) or _nearest_around(placed, Label.TASK, number)
        if metric and method and dataset:
            rows.append(
                ResultRow(
                    paper_id,
                    method.id,
                    method.name,
                    dataset.id,
                    dataset.name,
                    metric,
                    number.value,
                    number.unit,
                    number.relative,
                    claim.sentence,
                )
            )
    return rows


def _nearest_before(placed: list[tuple[Mention, Concept]], position: int) -> Concept | None:
    before = [(m.start, c) for m, c in placed if m.end <= position]
    return max(before, key=lambda pair: pair[0])[1] if before else None


def _nearest_around(placed: list[tuple[Mention, Concept]], label: Label, number: ClaimNumber) -> Concept | None:
    of_label = [(m, c) for m, c in placed if c.label == label]
    after = [(m.start, c) for m, c in of_label if m.start >= number.end]
    if after:
        return min(after, key=lambda pair: pair[0])[1]
    return _nearest_before(of_label, number.start)
