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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

from graph_schema.schema import Label
from ingest.normalize import compact_key, compact_name, concept_key, name_forms
from ingest.records import Claim, ClaimNumber, Concept, Mention, Resolution, Sentence
from ingest.resolution.known_names import canonical_group, known_family, known_name
from ingest.resolution.names import DATASET_WORDS, LEADING_WORDS

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
        # "we leverage user preferences and introduce 2T-HGNN": a second verb of the same "we"
        [
            {"LOWER": "we"},
            {"IS_PUNCT": False, "OP": "{1,10}"},
            {"LOWER": "and"},
            _ANY_ADVERBS,
            {"LOWER": {"IN": _CONTRIBUTION_VERBS}},
        ],
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

# LaTeX that abstracts keep ("48.4\%", "$4.1$", "$2.6\times$"), read as plain text of the same length.
_LATEX = re.compile(r"\\%|\\times|\\sim|\\approx|\\pm|\\leq?|\\geq?|\$")
_LATEX_PLAIN = {"\\%": " %", "\\times": "\u00d7     ", "\\sim": "~   ", "\\approx": "~      ", "\\pm": "\u00b1  "}
_LATEX_PLAIN |= {"\\le": "\u2264  ", "\\leq": "\u2264   ", "\\ge": "\u2265  ", "\\geq": "\u2265   ", "$": " "}

_NUMBER = re.compile(
    r"(?:(?<![^\s(\[])(?P<sign>\+\s?|[\-\u2212])|(?<![\w.^/@+\u2212])(?<![A-Za-z]-)|(?<=\be\.g\.))"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
)
_COMPARATIVES = (
    r"faster|slower|speed-?ups?|acceleration|improvements?|reductions?|increases?|decreases?|fewer|less|"
    r"more|smaller|larger|higher|lower|better|cheaper|lighter|improved|reduced|bigger"
)
_TIMES_BEFORE = re.compile(
    r"\b(?:speed-?ups?|accelerations?|advantages?|reductions?|improvements?|gains?|savings?)\s+(?:of\s+)?"
    r"(?:up\s+to\s+|about\s+|around\s+|over\s+|nearly\s+|almost\s+|roughly\s+|approximately\s+|at\s+least\s+)?$",
    re.IGNORECASE,
)
# "7x", "7 times faster", "a 3-fold reduction"; not "3x3" or "3 x 3".
_TIMES_UNIT = re.compile(
    rf"\s?(?:[x\u00d7](?!\w|\s?\d)|times\b(?=\s+(?:{_COMPARATIVES})\b)|-?fold\b(?=\s+(?:{_COMPARATIVES})\b))"
)
_BARE_TIMES = re.compile(r"\s?(?:times|-?fold)\b")
TIMES = "\u00d7"
# (unit as stored, how it is written); "28.4 BLEU" has no unit: the number is in the metric's own scale.
_UNITS = [
    ("%", re.compile(r"\s{0,2}(?:%|percent\b)")),
    ("points", re.compile(r"\s{0,2}(?:percentage[ -]points?\b|pp\b|p\.p\.|points?\b|pts\b)")),
    (TIMES, _TIMES_UNIT),
    ("dB", re.compile(r"\s{0,2}dB\b")),
    ("FPS", re.compile(r"\s{0,2}(?:FPS\b|fps\b|frames per second\b|frames/s\b)", re.IGNORECASE)),
    ("ms", re.compile(r"\s{0,2}(?:ms|milliseconds?)\b")),
    ("s", re.compile(r"\s{0,2}(?:s|sec|seconds?)\b(?!-)")),
    ("mmHg", re.compile(r"\s{0,2}mmHg\b")),
    ("mm", re.compile(r"\s{0,2}mm\b")),
    ("GB", re.compile(r"\s{0,2}GB\b")),
    ("MB", re.compile(r"\s{0,2}MB\b")),
    ("mW", re.compile(r"\s{0,2}mW\b")),
    ("GHz", re.compile(r"\s{0,2}GHz\b")),
]
# Units that a number listed with one and naming a metric of its own shares ("85.3% and 97.1 top-5
# accuracy"); the others measure something of their own (FPS, dB, ms, ...).
_SHARED_SCALES = frozenset({"%", "points"})
# A number in frames a second or in time measures speed or time, whatever quality metric is
# written beside it ("achieves 40 FPS and 37.9 AP"): its metric is what its unit measures.
_METRIC_OF_UNIT = {"FPS": "FPS", "ms": "latency", "s": "time"}
_SPEED_OR_TIME = re.compile(r"fps|frame|speed|throughput|latency|time|second|delay|duration", re.IGNORECASE)
_GLUED_AFTER = re.compile(r"[A-Za-z^]|-[A-Za-z]|/\d")
_REFERENCE_BEFORE = re.compile(
    r"\b(?:section|sec\.|table|tab\.|figure|fig\.|eq\.|equation|appendix|theorem|lemma|chapter|"
    r"step|stage|version|phase|algorithm|line|rank|top|level|grade|round)\s*[-#]?$",
    re.IGNORECASE,
)
_SETTING_BEFORE = re.compile(
    r"(?:[=<>\u2264\u2265]|\bp\s?[<=])\s*$|\b(?:thresholds?|ratios?|budgets?|lengths?|resolutions?|sizes?|"
    r"learning\s+rates?)\s*(?:of\s+|=\s*|:\s*|\(\s*(?:i\.e\.|e\.g\.),?\s*)?$|"
    r"\b(?:SNRs?|signal-to-noise\s+ratios?)\b[^.;]{0,30}$",
    re.IGNORECASE,
)
# Sizes and costs a model is described by ("with 5.7 M parameters", "444M FLOPs") unless compared, and
# the hardware it runs on ("a single 4090 GPU", "8 GPUs").
_SIZE_WORDS = re.compile(
    r"(?:[MGTK]?FLOPs?|MACs?|(?:trainable\s+|active\s+|model\s+)?(?:parameters|params)|GPU[- ]hours|"
    r"[GT]PUs?(?![- ]?(?:memory|RAM))|tokens|samples|layers|experts|images|hours|epochs|steps|speakers|patients|"
    r"subjects|users)",
    re.IGNORECASE,
)
_SIZE_AFTER = re.compile(rf"\s*[MBKk]?\s*{_SIZE_WORDS.pattern}\b", re.IGNORECASE)
# A share of the data or labels a method is run with, a sparsity it is run at: settings, not results.
_SETTING_AFTER = re.compile(
    r"\s*(?:of\s+(?:the\s+)?(?:\w+\s+)?(?:labels?|labell?ed|annotations?|annotated|training\s+(?:data|set|samples)|"
    r"supervision|data\b|samples|connections|layers|tokens|weights)|"
    r"(?:labels?|labell?ed|annotations?|supervision|sparsity|of\s+sparsity|pruning\s+ratio|masking\s+ratio))",
    re.IGNORECASE,
)
# After a bare decimal (no unit, no metric): what may follow a stated value.
_VALUE_FOLLOWERS = re.compile(
    r"\s*(?:$|[,.;:)/]|(?:on|in|at|for|than|vs\.?|versus|compared|while|and|with|respectively|over|from|to)\b)"
)
_RELATIVE_BEFORE = re.compile(
    r"(?:\bby|\b(?:improvements?|gains?|increases?|reductions?|boosts?|speed-?ups?|margin|advantage)\s+of)\s+"
    r"(?:up\s+to\s+|about\s+|around\s+|over\s+|nearly\s+|almost\s+|roughly\s+|approximately\s+|at\s+least\s+|"
    r"more\s+than\s+|an\s+average\s+of\s+|on\s+average\s+)?$|\b(?:improvements?|gains?)\s+(?:of\s+)?up\s+to\s+$|"
    r"\b(?:improvements?|gains?|increases?|reductions?)\s+(?:\w+\s+)?(?:range\s+|ranging\s+)?from\s+$|"
    r"(?<!standard\s)\b(?:deviations?|gaps?|drops?|loss|degradations?|margins?)\s+of\s+(?:only\s+|just\s+|about\s+)?$|"
    r"\b(?:sav(?:e|es|ed|ing)|cut(?:s|ting)?|reduc(?:e|es|ed|ing)|lower(?:s|ed|ing)?|shrink(?:s|ing)?)\s+"
    r"(?:up\s+to\s+|over\s+|about\s+|nearly\s+|almost\s+|more\s+than\s+|at\s+least\s+)?$|"
    r"\b(?:fewer|less|more|smaller|lower|higher|larger)\s*\(\s*$|"
    r"\b(?:gain(?:s|ed|ing)?|improv(?:e|es|ed|ing)|boost(?:s|ed|ing)?)\s+(?:of\s+)?(?:up\s+to\s+|about\s+|over\s+|nearly\s+)?$",
    re.IGNORECASE,
)
_RELATIVE_NOUNS = (
    r"gains?|boosts?|drops?|lifts?|refinements?|savings?|speed-?ups?|margins?|advantages?|deviations?|"
    r"degradations?|enhancements?|rises?"
)
_RELATIVE_AFTER = re.compile(
    rf"\s*(?:absolute\s+|relative\s+|average\s+)?(?:(?:{_COMPARATIVES}|{_RELATIVE_NOUNS})\b|"
    rf"(?:[\w@.\-]+\s+){{1,3}}(?:improvements?|gains?|increases?|reductions?|decreases?|drops?|boosts?)\b)|"
    r"\s*of\s+(?:the\s+|a\s+|an\s+|its\s+)?(?:[\w\-]+\s+){0,2}(?:flops|parameters|params|size|compute|computation|"
    r"cost|costs|performance|time|memory|model|energy|accuracy\s+of|operations)\b|"
    r"\s*(?:additional|extra)\b|(?:\s+[\w@.\-]+){0,2}?\s+(?:over|than|relative\s+to|compared\s+(?:to|with))\s",
    re.IGNORECASE,
)
_METRIC_WORDS = re.compile(
    r"\b(?i:top-?[1-9] (?:accuracy|error)|top-?[1-9]|(?:macro|micro|weighted)[- ]?F1|F1[- ]scores?|"
    r"F-?(?:score|measure)|F1|BLEU(?:-[1-4])?|ROUGE(?:-[12L])?|METEOR|CIDEr|SPICE|AUROC|AUPRC|"
    r"ROC[- ]AUC|AUC|mIoU|IoU|exact match|accuracy|precision|recall|"
    r"perplexity|PSNR|SSIM|LPIPS|FID|WER|CER|EER|error rates?|errors?|MRR|NDCG(?:@\d+)?|"
    r"Hits@\d+|MAE|RMSE|MSE|Spearman|Pearson|correlation|win rates?|pass@\d+|success rates?|"
    r"Dice(?: score| coefficient)?|DSC|BERTScore|chrF|PESQ|CodeBLEU|Jaccard|kappa(?: coefficient)?|"
    r"speed-?ups?|latency|throughput)(?!\w)|\b(?:mAP(?:@[\d.:]+)?|AP(?:50|75|@[\d.:]+)?|EM|PQ)(?!\w)"
)
_METRIC_AFTER_GAP = re.compile(
    r"[\s(]*(?:(?:in|of)\s+)?(?:terms\s+of\s+)?"
    r"(?:(?:test|validation|val|dev|average|mean|overall|classification|relative|absolute|balanced|zero-shot|"
    r"top-?1|top-?5|higher|better|lower)\s+){0,2}",
    re.IGNORECASE,
)
_METRIC_BEFORE_GAP = re.compile(
    r"(?:\s*(?:scores?|of|by|is|was|were|are|=|:|to|at|reaching|reaches|reached|improved|improves|"
    r"increased|increases|decreased|decreases|reduced|reduces|drops|dropped|rises|rose|from|up|exceeding|exceeds|"
    r"over|above|below|around|about|approximately|nearly|almost|"
    r"an?|the|rate|value|values|\())*\s*",
    re.IGNORECASE,
)
# A metric that is itself a change: "a 14.4% relative WER reduction", "an inference speed-up of 45%".
_CHANGE_METRIC = re.compile(
    r"\b(?:reductions?|improvements?|gains?|speed-?ups?|increases?|decreases?|boosts?|drops?)$", re.IGNORECASE
)
_SAME_METRIC_GAP = re.compile(r"\s*(?:to|and|vs\.?|versus|,|-|\u2013|~|/)\s*", re.IGNORECASE)
_YEARS = range(1900, 2100)
_METRIC_MENTION = "Metric"


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def plain_text(text: str) -> str:
    """``text`` with the LaTeX that abstracts keep ("\\%", "$\\times$") written plainly, at the same offsets."""
    return _LATEX.sub(lambda match: _LATEX_PLAIN.get(match.group(), " " * len(match.group())), text)


def find_numbers(text: str, offset: int = 0, mentions: Sequence[Mention] = ()) -> list[ClaimNumber]:
    """The result numbers stated in ``text``, a sentence found at ``offset`` in its abstract.

    ``mentions`` are the sentence's mentions (abstract offsets): metric mentions
    name the metric of an adjacent number, other mentions hide the numbers in
    them ("CIFAR-10").  A range ("87-95%", "1% ~ 4%") is its upper end.  Numbers
    listed together ("by 0.3%, 1.1% and 1.0%", "90.1% on X and 85.2% on Y") share
    whether they are relative, and a unit or metric only some of them write.
    """
    text = plain_text(text)
    local = [(m.start - offset, m.end - offset, m) for m in mentions]
    metrics = _metric_spans(text, [(s, e, m.text) for s, e, m in local if m.type == _METRIC_MENTION])
    hidden = [(s, e) for s, e, m in local if m.type != _METRIC_MENTION]
    hidden += [(span.start, span.end) for span in metrics]
    found: list[_Found] = []
    for match in _NUMBER.finditer(text):
        start, end = match.start(), match.end()
        if any(s <= match.start("digits") < e for s, e in hidden):
            continue
        unit, unit_end = _unit(text, start, end)
        if _GLUED_AFTER.match(text, end) and unit_end == end:
            continue
        if _REFERENCE_BEFORE.search(text, 0, start):
            continue
        metric = _adjacent_metric(text, start, unit_end, metrics)
        sign = (match.group("sign") or "").strip()
        relative = bool(
            unit == TIMES
            or sign == "+"
            or _RELATIVE_BEFORE.search(text, 0, start)
            or _RELATIVE_AFTER.match(text, unit_end)
            or (unit == "%" and _SIZE_AFTER.match(text, unit_end))  # "30% of the parameters", "20% fewer FLOPs"
        )
        value = float(match.group("digits").replace(",", ""))
        found.append(_Found(match, start, unit_end, -value if sign and sign != "+" else value, unit, metric, relative))
    numbers: list[ClaimNumber] = []
    for run, low_ends in _runs(text, found):
        relative = any(item.relative for item in run)
        units = {item.unit for item in run if item.unit and item.unit != TIMES}
        metric_names = [item.metric.text for item in run if item.metric]
        setting = False
        for index, item in enumerate(run):
            if index in low_ends:
                continue  # the low end of a range
            shared = next(iter(units)) if len(units) == 1 else None
            if item.metric and shared not in _SHARED_SCALES:
                shared = None  # "40 FPS and 37.9 AP", "32.1 dB PSNR and 0.91 SSIM": a measure of its own
            unit = item.unit or shared
            metric_text = (
                item.metric.text if item.metric else (metric_names[0] if len(set(metric_names)) == 1 else None)
            )
            if (
                metric_text is None
                and numbers
                and _SAME_METRIC_GAP.fullmatch(text, numbers[-1].end - offset, item.start)
            ):
                metric_text = numbers[-1].metric  # "from 80.1% to 85.3%"
            setting = setting or _is_setting(text, item, unit, metric_text, relative)
            if setting or not _is_result_value(text, item.match, unit, metric_text, item.end):
                continue
            if unit in _METRIC_OF_UNIT and not (metric_text and _SPEED_OR_TIME.search(metric_text)):
                metric_text = _METRIC_OF_UNIT[unit]
            changed = relative or bool(metric_text and _CHANGE_METRIC.search(metric_text))
            numbers.append(
                ClaimNumber(
                    item.value, unit, metric_text, start=offset + item.start, end=offset + item.end, relative=changed
                )
            )
    return numbers


@dataclass(frozen=True)
class _Found:
    """A number as first read, before the numbers listed with it are looked at."""

    match: re.Match
    start: int
    end: int  # unit included
    value: float
    unit: str | None
    metric: _Span | None
    relative: bool


# What joins numbers of one list: "A and B", "A, B, and C", "A/B", "A on X, B on Y", a range.
_LIST_GAP = re.compile(
    r"\s*(?:(?:on|in|for|at|with)\s+(?:the\s+)?[^\s,;()]+(?:\s+[^\s,;()]+)?\s*)?"
    r"(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+|\s*/\s*|\s*(?:-|\u2013|~)\s*)(?:by\s+|of\s+|a\s+)?",
    re.IGNORECASE,
)
_RANGE_GAP = re.compile(r"\s*(?:-|\u2013|~)\s*")
_RANGE_WORDS_BEFORE = re.compile(
    r"\b(?:rang\w*\s+from|between)\s+$|\brang\w*\s+from\b.*\bfrom\s+$|"
    r"\b(?:improvements?|gains?|increases?|reductions?)\s+of\s+$|\bfrom\s+$",
    re.IGNORECASE,
)
# A range said to be one ("ranging from", "and from" after it, "between"), and the amount of a
# change ("reduces traffic by 87-95%"): ranges even after a verb of change.
_RANGE_STATED = re.compile(r"\brang\w*\s+from\s+$|\brang\w*\s+from\b.*\bfrom\s+$|\bbetween\s+$", re.IGNORECASE)
_AMOUNT_BEFORE = re.compile(r"\bby\s+(?:up\s+to\s+|about\s+|around\s+|roughly\s+)?$", re.IGNORECASE)
# "improves from 80.1% to 85.3%" is a before and an after, not a range.
_CHANGE_BEFORE = re.compile(
    r"\b(?:improv|increas|boost|rais|reduc|decreas|drop|ris|grow|grew|lift|elevat|went|go|jump|climb|fell|fall)\w*\b"
    r"[^.;]{0,60}\bfrom\s+$",
    re.IGNORECASE,
)


def _runs(text: str, found: list[_Found]) -> list[tuple[list[_Found], set[int]]]:
    """The numbers grouped into lists, each with the positions in it of the low ends of ranges."""
    runs: list[tuple[list[_Found], set[int]]] = []
    for item in found:
        previous = runs[-1][0][-1] if runs else None
        if previous is not None and _LIST_GAP.fullmatch(text, previous.end, item.start):
            runs[-1][0].append(item)
            if _RANGE_GAP.fullmatch(text, previous.end, item.start) and (
                _AMOUNT_BEFORE.search(text, 0, previous.start)
                or not _CHANGE_BEFORE.search(text[: previous.start].rstrip() + " from ")
            ):
                runs[-1][1].add(len(runs[-1][0]) - 2)
        elif previous is not None and _is_range(text, previous, item):
            runs[-1][0].append(item)  # "ranging from 7% to 26%", "between 1.7 and 2.3"
            runs[-1][1].add(len(runs[-1][0]) - 2)
        else:
            runs.append(([item], set()))
    return runs


def _is_range(text: str, low: _Found, high: _Found) -> bool:
    if not re.fullmatch(r"\s*(?:to|and)\s*", text[low.end : high.start]):
        return False
    if _RANGE_STATED.search(text, 0, low.start):
        return True  # "the gains range from 7% to 26%", whatever changed
    return bool(_RANGE_WORDS_BEFORE.search(text, 0, low.start) and not _CHANGE_BEFORE.search(text, 0, low.start))


def _unit(text: str, start: int, end: int) -> tuple[str | None, int]:
    for unit, pattern in _UNITS:
        found = pattern.match(text, end)
        if found:
            return unit, found.end()
    if _TIMES_BEFORE.search(text, 0, start) and (found := _BARE_TIMES.match(text, end)):
        return TIMES, found.end()  # "speedups of up to 35 times"
    return None, end


def _is_setting(text: str, item: _Found, unit: str | None, metric: str | None, relative: bool) -> bool:
    """A number that describes how a method was run, or how big it is, rather than how it did."""
    if _SETTING_BEFORE.search(text, 0, item.start):
        return True  # a hyperparameter setting or a p-value: "lambda = 0.5", "P < 0.05", "thresholds of 30 mmHg"
    if unit == "%" and _SETTING_AFTER.match(text, item.end):
        return True  # "with only 10% of the labels", "at 90% sparsity"
    return not relative and bool(_SIZE_AFTER.match(text, item.end) or (metric and _SIZE_WORDS.fullmatch(metric)))


def _is_result_value(text: str, match: re.Match, unit: str | None, metric: str | None, end: int) -> bool:
    digits = match.group("digits")
    if unit or metric:
        return not (unit is None and "." not in digits and int(digits.replace(",", "")) in _YEARS)
    if "." not in digits:
        return False  # years, counts, "2^3 = 8"
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
        or any(n.metric or n.unit or n.relative for n in numbers)
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
    """One number of a result claim: whose it is, on what, of what, and where it is written.

    ``dataset`` is a Dataset concept the sentence names (None where it names none), ``task``
    a Task concept; ``relative`` marks a difference ("by 3.2%", "7x faster") rather than a
    score, and ``baseline`` what it is a difference from, where the sentence says.
    ``start``/``end`` are the number's span in the abstract, unit included."""

    paper_id: str
    method_id: str
    method: str
    dataset_id: str | None
    dataset: str | None
    task_id: str | None
    task: str | None
    metric: str | None
    value: float
    unit: str | None
    relative: bool
    baseline: str | None
    baseline_id: str | None
    sentence: int
    start: int
    end: int


def results_table(
    paper_claims: Iterable[tuple[str, Sequence[Claim]]],
    resolution: Resolution,
    titles: Mapping[str, str] | None = None,
) -> list[ResultRow]:
    """Method × dataset × metric × value rows from the result claims of each paper.

    ``paper_claims`` pairs a paper id with its claims, such as
    ``((paper.id, paper.claims) for paper in papers)``; the claims' mentions are
    looked up in ``resolution.concept_of``; ``titles`` (paper id -> title) help say which
    method a paper proposes.

    A number's method is, in this order: a method the sentence writes next to it as its
    holder ("CLIP's 68.3%", "52.3% achieved by ViT", "Avengers (0.61)"); the subject of the
    verb that states it ("X achieves", "X outperforms Y by"), that is the method nearest
    before the verb that is not the object of a preposition ("with ResNet-50", "using
    GPT-4"); else, where the subject is "we", "our method" or none at all, the method the
    paper proposes (``proposed_method``).  In "X outperforms Y by N" the number is X's,
    relative, and Y is its baseline.  Its dataset is a Dataset concept of the sentence:
    paired in order where the sentence says "respectively", else the nearest after the
    number, else before it; in a sentence that names no data, the one dataset of the result
    sentence just before (``_continued_dataset``).  Generic methods ("neural networks") own no number.
    """
    rows = []
    titles = titles or {}
    datasets = _KnownNames(resolution.concepts.values(), Label.DATASET, _DATASET_WORDS)
    concepts_of_paper = _concepts_by_paper(resolution)
    for paper_id, claims in paper_claims:
        claims = list(claims)
        proposed = proposed_method(paper_id, claims, resolution, titles.get(paper_id, ""))
        # The datasets and methods the abstract names somewhere, found again where a result
        # sentence writes them without a mention: the paper's own, so that its rows never
        # depend on which other papers are resolved with it.
        own = concepts_of_paper.get(paper_id, [])
        own_names = (_KnownNames(own, Label.DATASET, _DATASET_WORDS), _KnownNames(own, Label.METHOD))
        first_contribution = min((c.sentence for c in claims if c.kind == CONTRIBUTION), default=0)
        previous: _PlacedClaim | None = None
        for claim in claims:
            if claim.kind != RESULT:
                previous = None
                continue
            placed = _place_concepts(paper_id, claim, resolution, proposed, datasets, own_names)
            continued = previous if previous is not None and previous.sentence == claim.sentence - 1 else None
            previous = placed
            if not claim.numbers:
                continue
            if claim.sentence < first_contribution and not _about_own_work(paper_id, claim, resolution, proposed):
                continue  # before a paper says what it proposes, its numbers are other work's
            rows += _claim_rows(paper_id, claim, placed, proposed, _continued_dataset(placed, continued))
    return rows


def _concepts_by_paper(resolution: Resolution) -> dict[str, list[Concept]]:
    found: dict[str, dict[str, Concept]] = {}
    for (paper_id, _), concept_id in resolution.concept_of.items():
        if concept := resolution.concepts.get(concept_id):
            found.setdefault(paper_id, {})[concept_id] = concept
    return {paper_id: list(concepts.values()) for paper_id, concepts in found.items()}


def _phrase_pattern(phrase: tuple[str, ...], plural: bool = False) -> str:
    """A phrase of the resolution's word lists as written: a space, a hyphen or both between its
    words, and (``plural``) its last word in the plural too ("test sets", "corpora")."""
    words = [re.escape(word) for word in phrase]
    if plural:
        words[-1] = "corp(?:us|ora)" if phrase[-1] == "corpus" else f"{words[-1]}s?"
    return r"[\s-]+".join(words)


# The generic words that the resolution drops before and after a dataset's name (``LEADING_WORDS``
# and ``DATASET_WORDS`` of ``ingest.resolution.names``), and the articles that open a noun phrase,
# as a result sentence writes them.
_DATASET_WORDS = re.compile(
    r"^(?:(?:the|a|an|our|"
    + "|".join(_phrase_pattern(phrase) for phrase in LEADING_WORDS)
    + r")\s+)*|\s+(?:"
    + "|".join(_phrase_pattern(phrase, plural=True) for phrase in DATASET_WORDS)
    + r")$",
    re.IGNORECASE,
)


_GENERIC_NAME_KEYS = frozenset(concept_key(" ".join(phrase)) for phrase in (*DATASET_WORDS, *LEADING_WORDS))


class _KnownNames:
    """Concepts of one label (not generic ones) by the keys of their names and of each part of
    a "Long Form (LF)" name, ``ignored`` words aside, and a known name's concept by every form
    the gazetteer gives it ("MS-COCO" for COCO), to find what the extractor's mentions left
    out ("the PSOB dataset" as a Generic mention; "on LRS2 and LRS3" with a mention of LRS2
    only): never a new concept."""

    def __init__(self, concepts: Iterable[Concept], label: str, ignored: re.Pattern | None = None):
        self.ignored = ignored
        self.by_key: dict[str, Concept] = {}
        self.by_group: dict[str, Concept] = {}  # a known name's concept, found by any form the gazetteer gives it
        for concept in concepts:
            if concept.label == label and not concept.generic:
                self.by_group.setdefault(compact_name(concept.key), concept)
                for name in (concept.name, concept.acronym or "", *concept.aliases):
                    for form in name_forms(name):
                        # "benchmark (MuJoCo)" is MuJoCo's, but "benchmark" names no dataset
                        if (key := self.key(form)) and concept_key(form) not in _GENERIC_NAME_KEYS:
                            self.by_key.setdefault(key, concept)

    def key(self, text: str) -> str:
        return compact_key(concept_key(self.ignored.sub("", text.strip()) if self.ignored else text.strip()))

    def _find(self, text: str, shortest: int = 2) -> Concept | None:
        """The concept ``text`` names, by a key of at least ``shortest`` characters."""
        key = self.key(text)
        if len(key) < shortest:
            return None
        if key in self.by_key:
            return self.by_key[key]
        group = canonical_group(compact_name(key))
        return self.by_group.get(group) if group else None

    def written_in(self, text: str, placed: list[_Placed]) -> list[_Placed]:
        """The concepts that ``text`` writes by a name of theirs where no mention was found:
        each word written as a name ("LRS3", "MS-COCO", "DAVIS-2017"), alone or with the next."""
        found: list[_Placed] = []
        words = list(_NAME_TOKEN.finditer(text))
        for index, word in enumerate(words):
            start = word.start()
            if not _NAME_WORD.fullmatch(word.group().replace("-", "")) or _CAPITALISED_BEFORE.search(text, 0, start):
                continue
            for last in (words[index + 1], word) if index + 1 < len(words) else (word,):
                end = last.end()
                if any(p.start < end and start < p.end for p in [*placed, *found]):
                    continue
                concept = self._find(text[start:end], shortest=3)
                if concept is not None:
                    found.append(_Placed(start, end, concept))
                    break
        return found

    def named(self, text: str) -> Concept | None:
        """The dataset ``text`` names: all of it ("the COCO benchmark"), or its first word or two
        where the rest says what is done on it ("ADE20K segmentation", "MS-COCO detection task")."""
        words = text.split()
        candidates = [text] + [" ".join(words[:n]) for n in (1, 2) if len(words) > n]
        for candidate in candidates:
            if concept := self._find(candidate):
                return concept
        return None


_NAMED_CUE = re.compile(
    r"(?:\b(?:called|named|dubbed|termed|coined|namely|call\s+(?:it|this|our|the)(?:\s+\w+){0,2})|,\s*or)\s*"
    r"[\"'\u201c`]?\s*$",
    re.IGNORECASE,
)
_TITLE_METHOD_PART = re.compile(
    r"^(?P<name>[^:]{1,60}):\s|^.*\b(?:with|via|using|through|by)\s+(?P<after>.+)$|^(?P<before>.+?)\s+for\s",
    re.IGNORECASE,
)
_OWN_WORK_HEADS = re.compile(
    r"\s+(?:method|approach|model|framework|system|algorithm|architecture|technique|network|scheme|pipeline|"
    r"strategy|mechanism|module)s?$",
    re.IGNORECASE,
)


def proposed_method(paper_id: str, claims: Sequence[Claim], resolution: Resolution, title: str = "") -> Concept | None:
    """The method a paper proposes, never a generic one, by the first of: a method the title
    names ("Name: ...", "X for Y", "Y with X"); one a contribution sentence introduces by name
    ("called X", "dubbed X", "X, or Y"); one the abstract calls "our X" or "the proposed X";
    ``resolution.proposed``; a name ("RpHGNN", "Long Form (LF)") a contribution sentence gives."""
    ranked: list[tuple[float, Concept]] = []  # (rank, concept), lower first
    for claim in claims:
        contribution = claim.kind == CONTRIBUTION or any(t.rule == "contribution" for t in find_triggers(claim.text))
        for mention in claim.mentions:
            concept = _method_of(paper_id, mention, resolution)
            if concept is None or mention.type == "Generic":
                continue
            before = claim.text[: mention.start - claim.start]
            if contribution and _NAMED_CUE.search(before):
                ranked.append((1, concept))
            elif _OWN_BEFORE.search(before):
                ranked.append((2, concept))
            elif contribution and _looks_like_a_name(mention.text):
                ranked.append((4, concept))
    fallback = resolution.concepts.get(resolution.proposed.get(paper_id, ""))
    if fallback is not None and fallback.label == Label.METHOD and not fallback.generic:
        ranked.append((3, fallback))
    # A well-known method that the paper does not call its own ("Mask-aware CLIP ...", "we propose
    # X of CLIP") is what it builds on: it comes after the paper's other candidates.
    ranked = [(rank + (0.5 if rank > 2 and _well_known(concept) else 0), concept) for rank, concept in ranked]
    ranked.sort(key=lambda pair: pair[0])
    title_part = _title_method_part(title)
    if title_part:
        own = [concept for rank, concept in ranked if rank <= 2 or not _well_known(concept)]
        mentioned = [c for c in _paper_methods(paper_id, claims, resolution) if not _well_known(c)]
        for concept in own + mentioned:
            if _names_one_thing(title_part, concept):
                return concept
    return ranked[0][1] if ranked else None


def _well_known(concept: Concept) -> bool:
    """Whether the concept is a name of the known-names list (``ingest/known_names``)."""
    return known_name(compact_name(concept.key)) is not None or known_family(concept.key) is not None


def _about_own_work(paper_id: str, claim: Claim, resolution: Resolution, proposed: Concept | None) -> bool:
    if _SELF_REFERENCE.search(claim.text):
        return True
    return proposed is not None and any(_method_of(paper_id, m, resolution) == proposed for m in claim.mentions)


_OWN_MENTION = re.compile(r"(?:our|ours|the\s+proposed|this)\b", re.IGNORECASE)
_OWN_BEFORE = re.compile(r"\b(?:our|the\s+proposed|our\s+proposed)\s+$", re.IGNORECASE)


def _looks_like_a_name(text: str) -> bool:
    """ "RpHGNN", "X3D", "GAT", or a long form with its acronym: "Graph Attention Network (GAT)"."""
    short = len(text.split()) <= 2 and re.search(r"[a-z][A-Z]|[A-Za-z]\d|^[A-Z]{2,}", text)
    return bool(short or re.search(r"\([^()\s]*[A-Z][^()\s]*\)\s*\w*$", text))


def _method_of(paper_id: str, mention: Mention, resolution: Resolution) -> Concept | None:
    concept = resolution.concepts.get(resolution.concept_of.get((paper_id, mention), ""))
    if concept is None or concept.label != Label.METHOD or concept.generic:
        return None
    return concept


def _paper_methods(paper_id: str, claims: Sequence[Claim], resolution: Resolution) -> list[Concept]:
    return [c for claim in claims for m in claim.mentions if (c := _method_of(paper_id, m, resolution))]


def _title_method_part(title: str) -> str | None:
    match = _TITLE_METHOD_PART.search(title)
    if match is None:
        return None
    return match.group("name") or match.group("after") or match.group("before")


def _names_one_thing(title_part: str, concept: Concept) -> bool:
    """Whether a concept's name (less a head such as "method") is the title part or inside it."""
    part = f" {concept_key(title_part)} "
    for name in (concept.name, concept.acronym or "", *concept.aliases):
        key = concept_key(_OWN_WORK_HEADS.sub("", name)) if name else ""
        if key and len(key) > 2 and f" {key} " in part:
            return True
    return False


@dataclass(frozen=True)
class _Placed:
    start: int  # offsets in the claim's text
    end: int
    concept: Concept
    own: bool = False  # a reference to the paper's own work ("our method")


_PREPOSITION_BEFORE = re.compile(
    r"\b(?:with|using|use|uses|on|of|to|from|via|in|into|over|upon|like|as|for|by|through|atop|"
    r"against|than|versus|vs\.?|applied|based|including|such\s+as|integrating|incorporating|combining)\s*"
    r"(?:(?:the|a|an|both|all|only|several|multiple|existing|various|other|their|its)\s+)?$",
    re.IGNORECASE,
)
_CONJUNCT_BEFORE = re.compile(r"(?:,|\band|\bor|/)\s*(?:the\s+)?$", re.IGNORECASE)
# Verbs that state a result; their subject owns the number.  "-ing" forms ("achieving") are not
# among them: they take the subject of the verb before them.
_RESULT_VERBS = re.compile(
    r"\b(?:achieve[sd]?|attain(?:s|ed)?|obtain(?:s|ed)?|reach(?:es|ed)?|outperform(?:s|ed)?|surpass(?:es|ed)?|"
    r"beat(?:s)?|exceed(?:s|ed)?|improve[sd]?|reduce[sd]?|yield(?:s|ed)?|deliver(?:s|ed)?|provide[sd]?|"
    r"offer(?:s|ed)?|show(?:s|ed)?|exhibit(?:s|ed)?|score[sd]?|gets?|got|leads?|led|gains?|gained|boost(?:s|ed)?|"
    r"increase[sd]?|decrease[sd]?|cuts?|speeds?\s+up|sped\s+up|sets?|establish(?:es|ed)?|records?|recorded|"
    r"requires?|required|uses|used|runs?|ran|retains?|retained|matche[sd]|demonstrate[sd]?|is|are|was|were|"
    r"remains?|ranks?|ranked|brings?|brought|enables?|enabled|consumes?|saves?|saved|elevates?|learns?|"
    r"can\s+\w+|could\s+\w+|will\s+\w+|may\s+\w+)\b",
    re.IGNORECASE,
)
_SELF_REFERENCE = re.compile(
    r"\b(?:we|our|ours|it|its|this\s+(?:method|model|approach|framework|system|work|paper|technique|scheme)|"
    r"the\s+proposed|the\s+(?:method|model|approach|framework|system))\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"\b(?:that|which|where|while|whereas)\b|[;:]|,\s+(?=\w)", re.IGNORECASE)
_BASELINE_CUES = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beat(?:s|ing)?|exceed\w*|outstrip\w*|over|than|compared\s+(?:to|with)|"
    r"in\s+comparison\s+(?:to|with)|relative\s+to|vs\.?|versus|against|above)\s",
    re.IGNORECASE,
)
_BASELINE_STOP = re.compile(
    r"\s(?:by|on|in|at|for|with|while|across|and|when|to|through|under)\s|[,;.(]", re.IGNORECASE
)
_MAX_BASELINE_WORDS = 6
_RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
# "CLIP's 68.3%", "Avengers (0.61)", "GPT-4: 71.2": a method written just before its number.
_OWNER_BEFORE_GAP = re.compile(r"\s*(?:'s|\u2019s|\(|:)\s*(?:\w+\s+){0,1}$")
# "52.31% achieved by ImageNet ViT", "30% for text-davinci-001", "0.90 DSC from the Mask-RCNN pipeline".
_OWNER_AFTER_GAP = re.compile(
    r"(?:\s*[^\s,;()]+){0,2}?\s+(?:(?:achieved|obtained|reached|attained|reported|scored)\s+by|for|from)"
    r"\s+(?:(?:the|a|an)\s+)?(?:[^\s,;()]+\s+){0,2}[\"'`\u201c]?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _PlacedClaim:
    """A result sentence's concepts where it writes them, and whether it names a dataset that
    resolution has no Dataset for (its rows would not say which)."""

    sentence: int
    text: str  # plain_text of the claim
    placed: list[_Placed]
    unknown_dataset: bool
    names_data: bool  # a mention that reads as data of some kind ("a web search benchmark")

    @property
    def datasets(self) -> list[_Placed]:
        return [p for p in self.placed if p.concept.label == Label.DATASET and not p.concept.generic]


def _place_concepts(
    paper_id: str,
    claim: Claim,
    resolution: Resolution,
    proposed: Concept | None,
    dataset_names: _KnownNames,
    own_names: tuple[_KnownNames, _KnownNames],
) -> _PlacedClaim:
    text = plain_text(claim.text)
    placed = []
    for mention in claim.mentions:
        concept = resolution.concepts.get(resolution.concept_of.get((paper_id, mention), ""))
        if (
            concept is None
            or (mention.type == "Generic" and concept.label != Label.METHOD)
            or (concept.label == Label.TASK and dataset_names.named(mention.text) is not None)
        ):
            concept = dataset_names.named(mention.text)
            if concept is None:
                continue
        # Resolution sends "our method" to what it finds the paper proposes; so does this table, to its own
        # choice.  A Generic mention that names a dataset ("the CALVIN ABC benchmark") stays that dataset.
        own = concept.label == Label.METHOD and (mention.type == "Generic" or bool(_OWN_MENTION.match(mention.text)))
        if own and proposed is not None:
            concept = proposed
        placed.append(_Placed(mention.start - claim.start, mention.end - claim.start, concept, own))
    for names in own_names:  # its datasets, then its methods
        placed += names.written_in(text, placed)
    placed.sort(key=lambda p: p.start)
    unknown_dataset = any(
        _names_a_dataset(mention)
        for mention in claim.mentions
        if not any(p.start == mention.start - claim.start and p.concept.label == Label.DATASET for p in placed)
    )
    names_data = any(m.type == "Material" or _DATASET_HEADS.search(m.text) for m in claim.mentions)
    return _PlacedClaim(claim.sentence, text, placed, unknown_dataset, names_data)


def _continued_dataset(claim: _PlacedClaim, previous: _PlacedClaim | None) -> Concept | None:
    """The dataset of the result sentence just before, where that one names one dataset and this
    one names no data at all: it goes on about the same evaluation ("On COCO test-dev, our
    SipMask outperforms ... SipMask obtains an absolute gain of 1.0%")."""
    if previous is None or claim.names_data or claim.datasets:
        return None
    distinct = {p.concept.id: p.concept for p in previous.datasets}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def _claim_rows(
    paper_id: str, claim: Claim, found: _PlacedClaim, proposed: Concept | None, continued: Concept | None
) -> list[ResultRow]:
    text, placed, unknown_dataset = found.text, found.placed, found.unknown_dataset
    methods = [p for p in placed if p.concept.label == Label.METHOD and not p.concept.generic]
    datasets = found.datasets
    tasks = [p for p in placed if p.concept.label == Label.TASK]
    metric_names = {p.concept.name for p in placed if p.concept.label == Label.METRIC}
    only_metric = next(iter(metric_names)) if len(metric_names) == 1 else None
    cues = [(m.start(), m.end()) for m in _BASELINE_CUES.finditer(text)]
    numbers = [(n, n.start - claim.start, n.end - claim.start) for n in claim.numbers if n.start is not None]
    paired = _respectively(text, numbers, datasets)
    rows = []
    for index, (number, start, end) in enumerate(numbers):
        owner = None if number.relative else _owner(text, start, end, methods, numbers)
        owner = owner or _subject(text, start, placed, cues, proposed)
        if owner is None:
            continue
        dataset = (paired[index] if paired else None) or _nearest(datasets, start, end, text) or continued
        if dataset is None and unknown_dataset:
            continue
        task = _nearest(tasks, start, end, text)
        baseline = _baseline(text, start, end, methods, cues, owner) if number.relative else None
        rows.append(
            ResultRow(
                paper_id,
                owner.id,
                owner.name,
                dataset.id if dataset else None,
                dataset.name if dataset else None,
                task.id if task else None,
                task.name if task else None,
                number.metric or only_metric,
                number.value,
                number.unit,
                number.relative,
                baseline.name if isinstance(baseline, Concept) else baseline,
                baseline.id if isinstance(baseline, Concept) else None,
                claim.sentence,
                number.start,
                number.end,
            )
        )
    return rows


_DATASET_HEADS = re.compile(
    r"\b(?:datasets?|benchmarks?|data\s+sets?|test\s+sets?|challenge|corpus|suite)$", re.IGNORECASE
)
# A name that ends a longer one ("Custom GPT"), which names something else ("On COCO" does not).
_CAPITALISED_BEFORE = re.compile(
    r"\b(?!(?:The|A|An|On|In|Of|For|With|By|And|Or|Our|Its|This|These|Both|All|Using|Compared|Than|Over)\b)"
    r"[A-Z][\w-]*\s$"
)
_NAME_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_NAME_WORD = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9]\w*|\w*\d\w*|[A-Z]{2,}\w*)\b")


def _names_a_dataset(mention: Mention) -> bool:
    """A mention written as a named dataset ("the PSOB dataset", "Cityscapes" as Material)."""
    if mention.type == "Material" or _DATASET_HEADS.search(mention.text):
        return bool(_NAME_WORD.search(mention.text))
    return False


def _owner(
    text: str, start: int, end: int, methods: list[_Placed], numbers: list[tuple[ClaimNumber, int, int]]
) -> Concept | None:
    """A method the sentence writes right next to the number as its holder."""
    for method in reversed(methods):
        if method.end <= start and _OWNER_BEFORE_GAP.fullmatch(text, method.end, start):
            return method.concept
    for method in methods:
        if method.start >= end and _OWNER_AFTER_GAP.fullmatch(text, end, method.start):
            if not any(end <= s < method.start for _, s, _ in numbers):
                return method.concept
    return None


def _subject(
    text: str, start: int, placed: list[_Placed], cues: list[tuple[int, int]], proposed: Concept | None
) -> Concept | None:
    """The subject of the last verb that states a result before the number: the nearest method
    before that verb, in its clause, that is not the object of a preposition (nor a conjunct
    of one); the paper's own method where the subject is "we" or "our method", where the
    clause names it at all ("pairing VLAs with X yields"), or where it names no method.
    A generic method ("a CNN") as the subject owns nothing, and neither does the paper."""
    methods = [p for p in placed if p.concept.label == Label.METHOD]
    verbs = [m for m in _RESULT_VERBS.finditer(text, 0, start) if not _inside(m.start(), placed)]
    verb_start = verbs[-1].start() if verbs else start
    limit = min([verb_start, *(s for s, _ in cues if s < verb_start)])
    boundaries = [b for b in _CLAUSE_START.finditer(text, 0, limit) if not _inside(b.start(), placed)]
    in_clause: list[_Placed] = []
    for boundary in reversed([None, *boundaries]):  # a comma only ends a clause that names a method
        clause_start = boundary.end() if boundary else 0
        in_clause = [m for m in methods if clause_start <= m.start and m.end <= limit]
        if in_clause or (boundary is not None and not boundary.group().startswith(",")):
            break
    if proposed is not None and any(m.concept.id == proposed.id for m in in_clause):
        return proposed
    subject, skipped_previous = None, False
    for method in in_clause:
        before = text[max(0, method.start - 40) : method.start]
        prepositional = bool(_PREPOSITION_BEFORE.search(before))
        conjunct = bool(_CONJUNCT_BEFORE.search(before[-12:]))
        if prepositional or (conjunct and skipped_previous):
            skipped_previous = True
            continue
        subject, skipped_previous = method.concept, False
    if subject is not None:
        return None if subject.generic else subject
    return proposed


def _inside(position: int, placed: list[_Placed]) -> bool:
    return any(p.start <= position < p.end for p in placed)


def _baseline(
    text: str, start: int, end: int, methods: list[_Placed], cues: list[tuple[int, int]], owner: Concept
) -> Concept | str | None:
    """What a relative number is relative to: the method, else the words, after the comparison
    nearest before the number (else the first after it)."""
    before = [cue for cue in cues if cue[1] <= start]
    after = [cue for cue in cues if cue[0] >= end]
    cue = before[-1] if before else (after[0] if after else None)
    if cue is None:
        return None
    stop = _BASELINE_STOP.search(text, cue[1])
    phrase_end = stop.start() if stop else len(text)
    if cue[1] <= start < phrase_end:
        phrase_end = start
    for method in methods:
        if cue[1] <= method.start < phrase_end + 1 and method.concept.id != owner.id:
            return method.concept
    words = text[cue[1] : phrase_end].split()
    if words and words[0].lower() in ("the", "a", "an", "its", "their", "all", "other", "those"):
        words = words[1:]
    if not words or len(words) > _MAX_BASELINE_WORDS or any(ch.isdigit() for ch in words[0]):
        return None
    return " ".join(words)


def _respectively(
    text: str, numbers: list[tuple[ClaimNumber, int, int]], datasets: list[_Placed]
) -> list[Concept | None] | None:
    """Datasets paired with the numbers in order: where the sentence says "respectively", or
    lists as many numbers ("2.3% and 1.8%") as it names datasets ("on LRS2 and LRS3")."""
    distinct = [d for i, d in enumerate(datasets) if all(d.concept.id != o.concept.id for o in datasets[:i])]
    if len(distinct) < 2:
        return None
    if _RESPECTIVELY.search(text) and len(distinct) == len(numbers):
        return [d.concept for d in distinct]
    paired: list[Concept | None] = [None] * len(numbers)
    index = 0
    while index < len(numbers):
        run = [index]
        while run[-1] + 1 < len(numbers) and _LIST_GAP.fullmatch(text, numbers[run[-1]][2], numbers[run[-1] + 1][1]):
            run.append(run[-1] + 1)
        if len(run) == len(distinct):
            for position, dataset in zip(run, distinct):
                paired[position] = dataset.concept
        index = run[-1] + 1
    return paired if any(paired) else None


# What ends the number's clause before a concept after it: "X gets 3% on A while Y gets 5% on B", but
# not "X needs 15x fewer epochs while achieving the best accuracy on B" (the same subject goes on).
_CLAUSE_OF_ITS_OWN = re.compile(r"[;]|\bwhile\b(?!\s+(?:also\s+)?\w+ing\b)|\bwhereas\b")


def _nearest(placed: list[_Placed], start: int, end: int, text: str) -> Concept | None:
    """The concept of ``placed`` right after the number in its clause, else the nearest before it."""
    for candidate in placed:
        if candidate.start >= end and not _CLAUSE_OF_ITS_OWN.search(text, end, candidate.start):
            return candidate.concept
    before = [candidate for candidate in placed if candidate.end <= start]
    return before[-1].concept if before else None
