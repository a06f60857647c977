"""What a name group is, which groups are one concept, and the concept they make.

Everything here is a function of corpus-wide tallies (``GroupTally``: every
occurrence of a group, in any paper), so one paper's sentence decides nothing,
and the result is the same whatever order papers arrive in: every choice
between equals is broken by the text itself, never by arrival.

**One name, one label** (``decide_label``).  A group is one node, whatever labels
the extractor gave its mentions:

1. a name the gazetteer knows takes its label ("AlexNet" is a Method, "CUHK03"
   a Dataset), and so does a variant of it ("ResNet-200", "Llama 3.2-Vision");
2. a Dataset must be written as a name in at least half of its writings
   ("ImageNet", "Penn Treebank"; not "natural language", "MRI", "graph data");
3. for a group written as a name with Dataset or Method votes, how the corpus
   uses it counts too: each "trained on X", "X dataset" adds one to Dataset,
   each "X backbone", "outperforms X" one to Method (``ingest.resolution.usage``);
4. the label with the most votes wins; a tie goes to Method, then Task, Dataset,
   Metric.  A group with no label left (Material never written as a name) is
   dropped.  A name typed OtherScientificTerm or Generic votes for nothing, unless
   it is known or carries a dataset or model word ("the PSOB dataset"): it joins
   whatever the corpus makes of the name, and a name that only such mentions
   write is dropped.

**Spelling variants** (``is_spelling_variant``).  Groups of one label whose name
keys are 8 characters or longer, with a rapidfuzz ratio of at least 92, are one
concept, unless they differ in a number ("ResNet-50", "ResNet-101"), by a whole
word, by letters added at one end ("Transformer", "iTransformer"), or by an
opposing prefix ("supervised", "unsupervised").

**The concept** (``assemble_concept``): its name is its most frequent long form as
written (a known name's canonical form first); its acronym is kept apart; every
surface form is an alias with its count; every merge that is not an identical
spelling is recorded in ``merge_reasons``.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from graph_schema.schema import Label
from ingest.normalize import compact_name, concept_id, display_name, singular
from ingest.records import Concept
from ingest.resolution.known_names import KnownName, known_family
from ingest.resolution.names import read_name
from ingest.resolution.readings import ACRONYM, SELF_REFERENCE
from ingest.resolution.specificity import specificity_of
from ingest.resolution.usage import AS_DATA, AS_MODEL

FUZZY_MIN_RATIO = 92.0
FUZZY_MIN_WORD_RATIO = 85.0  # for the words that differ, when whole keys are close
FUZZY_MIN_KEY_LENGTH = 8
MIN_NAMED_SHARE = 0.5  # of a Dataset's writings
LABEL_PRIORITY = (Label.METHOD, Label.TASK, Label.DATASET, Label.METRIC)  # who wins a tie

SPELLING = "plural/case/hyphen"
MAJORITY_LABEL = "majority-label"
KNOWN_NAME = "known name"
GENERIC_WORDS = "generic words"
ONE_ACRONYM = "one acronym's long forms"
USAGE = "usage"
NOT_NAMED = "Material, not a named dataset"
UNTYPED_ONLY = "named only in mentions typed with no label"

_OPPOSING_PREFIXES = (
    "un non a an in im ir il dis de en re anti counter semi self multi uni bi mono pre post sub "
    "super inter intra extra over under up down on off hetero homo syn asyn hyper hypo micro "
    "macro mis"
).split()
_MIN_VARIANT_WORD_LENGTH = 5


@dataclass
class GroupTally:
    """Every occurrence of one group across the corpus, counted."""

    group: str
    votes: Counter[Label] = field(default_factory=Counter)
    untyped: Counter[str] = field(default_factory=Counter)  # SciERC type -> mentions typed without a label
    cues: Counter[str] = field(default_factory=Counter)
    named: int = 0  # writings written as a name
    writings: int = 0  # occurrences that are not self-references
    name_keys: Counter[str] = field(default_factory=Counter)
    displays: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)  # aliases
    short_forms: Counter[str] = field(default_factory=Counter)
    acronym_uses: Counter[tuple[str, str]] = field(default_factory=Counter)  # (text, long key)
    self_references: Counter[str] = field(default_factory=Counter)
    generic_words: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (written, name, dropped)

    @property
    def name_key(self) -> str:
        """The group's most frequent name key: what spelling variants compare."""
        return _most_common(self.name_keys) or self.group


@dataclass(frozen=True)
class LabelDecision:
    label: Label | None  # None: the group is left out (Material never written as a name, or untyped only)
    reason: str | None  # KNOWN_NAME, USAGE or MAJORITY_LABEL where not every vote agreed; for None, why
    share: float | None  # the winner's share of the votes


def decide_label(tally: GroupTally, known: KnownName | None) -> LabelDecision:
    known = known or known_family(tally.name_key)
    if known:
        agreed = tally.votes.total() == tally.votes[known.label]
        return LabelDecision(known.label, None if agreed else KNOWN_NAME, _share(tally.votes, known.label))
    scores: Counter[Label] = Counter({label: float(n) for label, n in tally.votes.items()})
    written_as_a_name = tally.writings > 0 and tally.named / tally.writings >= MIN_NAMED_SHARE
    if not written_as_a_name:
        scores.pop(Label.DATASET, None)
    elif scores[Label.DATASET] or scores[Label.METHOD]:
        scores[Label.DATASET] += tally.cues[AS_DATA]
        scores[Label.METHOD] += tally.cues[AS_MODEL]
    scores = Counter({label: score for label, score in scores.items() if score > 0})
    if not scores:
        return LabelDecision(None, NOT_NAMED if tally.votes else UNTYPED_ONLY, None)
    label = max(scores, key=lambda candidate: (scores[candidate], -LABEL_PRIORITY.index(candidate)))
    if len(tally.votes) == 1 and label in tally.votes:
        return LabelDecision(label, None, 1.0)
    by_votes = max(tally.votes, key=lambda candidate: (tally.votes[candidate], -LABEL_PRIORITY.index(candidate)))
    return LabelDecision(label, MAJORITY_LABEL if by_votes == label else USAGE, _share(tally.votes, label))


def _share(votes: Counter[Label], label: Label) -> float:
    return votes[label] / votes.total() if votes.total() else 0.0


def _most_common(counts: Counter[str]) -> str | None:
    """The most frequent value; among equals, whatever the arrival order, one not capitalised only
    for opening a sentence ("transfer learning" before "Transfer learning"), then text order."""
    return min(counts, key=lambda value: (-counts[value], _sentence_case(value), value)) if counts else None


def _sentence_case(form: str) -> bool:
    return form[:1].isupper() and form[1:2].islower()


# ---- spelling variants -------------------------------------------------------------------


def is_spelling_variant(a: str, b: str) -> float | None:
    """The rapidfuzz ratio of two name keys that spell one concept, or None.

    None for close keys that still name different things: other numbers ("gpt 3",
    "gpt 4"), a whole word more or less, a short word changed ("mt", "smt"), an
    opposing prefix ("supervised", "unsupervised") or letters before a word
    ("medical image segmentation", "biomedical image segmentation")."""
    if min(len(a), len(b)) < FUZZY_MIN_KEY_LENGTH or a == b:
        return None
    short, long = sorted((compact_name(a), compact_name(b)), key=len)
    if long.startswith(short) or long.endswith(short):
        return None  # a letter more at one end is another name: "Transformer", "iTransformer"
    score = fuzz.ratio(a, b)
    if score < FUZZY_MIN_RATIO or re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return None
    words_a, words_b = a.split(), b.split()
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation in ("insert", "delete"):
            return None
        if operation == "replace":
            different_a, different_b = "".join(words_a[a_start:a_end]), "".join(words_b[b_start:b_end])
            if min(len(different_a), len(different_b)) < _MIN_VARIANT_WORD_LENGTH:
                return None  # one letter tells short names apart: "MT", "SMT"
            if _differ_by_prefix(different_a, different_b):
                return None
            pairs = zip(words_a[a_start:a_end], words_b[b_start:b_end]) if a_end - a_start == b_end - b_start else ()
            if any(_one_ends_the_other(x, y) for x, y in [(different_a, different_b), *pairs]):
                return None
            if fuzz.ratio(different_a, different_b) < FUZZY_MIN_WORD_RATIO:
                return None  # another word, not another spelling: "image", "imagenet"
    return score


def _one_ends_the_other(a: str, b: str) -> bool:
    """A word with letters before it is another word: "medical", "biomedical"."""
    short, long = sorted((a, b), key=len)
    return len(long) - len(short) >= 2 and long.endswith(short)


def _differ_by_prefix(a: str, b: str) -> bool:
    def stems(word: str) -> set[str]:
        return {word[len(prefix) :] for prefix in ("", *_OPPOSING_PREFIXES) if word.startswith(prefix)}

    return bool(stems(a) & stems(b))


# ---- the concept ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupDecision:
    """One group as the concept sees it: its tally, its label decision, and the known name it writes."""

    tally: GroupTally
    decision: LabelDecision
    known: KnownName | None


def assemble_concept(
    members: Sequence[GroupDecision],
    variants: Iterable[tuple[str, str, float]],
    defined_acronyms: Counter[str],
    long_forms: Iterable[tuple[str, str]] = (),
) -> Concept:
    """The concept that ``members`` (groups of one label joined by spelling ``variants``,
    (name key, name key, ratio), and by ``long_forms`` of one acronym, (name key, name key)) make;
    ``defined_acronyms`` counts the short forms defined for them."""
    label = members[0].decision.label
    groups = {member.tally.group for member in members}
    written: Counter[str] = Counter()
    acronyms = Counter(defined_acronyms)
    for member in members:
        written.update(member.tally.written)
        acronyms.update(member.tally.short_forms)
    name = _name(members, groups, acronyms)
    known = next((member.known for member in members if member.known), None)
    specificity = specificity_of(name, written, known is not None, frozenset(acronyms))
    return Concept(
        concept_id(label, read_name(name).name_key),
        label,
        name,
        read_name(name).name_key,
        dict(sorted(written.items(), key=lambda item: (-item[1], item[0]))),
        _most_common(acronyms),
        _merge_reasons(members, variants, long_forms),
        specificity.score,
        specificity.generic,
    )


def _name(members: Sequence[GroupDecision], groups: set[str], acronyms: Counter[str]) -> str:
    """The most frequent long form that reads back into the concept's own groups (so that
    its id is the concept's alone); a known name's canonical form comes first, unless it
    is the concept's acronym ("GAT" names "Graph Attention Networks" only as its acronym)."""
    for member in members:
        known = member.known
        if known and read_name(known.name).group in groups and singular(known.name) not in acronyms:
            return known.name
    displays: Counter[str] = Counter()
    written: Counter[str] = Counter()
    for member in members:
        displays.update(member.tally.displays)
        written.update({display_name(text): n for text, n in member.tally.written.items()})
    for counts in (displays, written):
        for form in sorted(counts, key=lambda value: (-counts[value], _sentence_case(value), value)):
            if form and read_name(form).group in groups:
                return form
    largest = max(members, key=lambda member: (member.tally.writings, member.tally.group))
    return largest.tally.name_key


def _merge_reasons(
    members: Sequence[GroupDecision],
    variants: Iterable[tuple[str, str, float]],
    long_forms: Iterable[tuple[str, str]] = (),
) -> list[dict]:
    reasons: dict[tuple[str, str], dict] = {}

    def record(source: str, target: str, reason: str, score: float | None = None) -> None:
        reasons.setdefault((source, reason), {"from": source, "to": target, "reason": reason, "score": score})

    for member in sorted(members, key=lambda m: m.tally.group):
        tally, decision = member.tally, member.decision
        for text, long_key in sorted(tally.acronym_uses):
            record(text, long_key, ACRONYM)
        for text in sorted(tally.self_references):
            record(text, tally.name_key, SELF_REFERENCE)
        for text, name, words in sorted(tally.generic_words):
            record(text, name, f"{GENERIC_WORDS} '{words}'")
        if member.known:
            for text in sorted(tally.written):
                if read_name(text).name_key != read_name(member.known.name).name_key and text != member.known.name:
                    record(text, member.known.name, f"{KNOWN_NAME} ({member.known.source})")
        if decision.reason:
            for old_label in sorted(set(tally.votes) - {decision.label}):
                score = None if decision.share is None else round(100 * decision.share, 1)
                record(
                    concept_id(old_label, tally.name_key),
                    concept_id(decision.label, tally.name_key),
                    decision.reason,
                    score,
                )
        spellings = {display.casefold() for display in tally.displays}
        if len(spellings) > 1:  # one spelling alone is not a merge
            for spelling in sorted(spellings - {tally.name_key}):
                record(spelling, tally.name_key, SPELLING)
    for a, b, score in sorted(variants):
        record(a, b, f"fuzzy {score:.1f}", round(score, 1))
    for a, b in sorted(long_forms):
        record(a, b, ONE_ACRONYM)
    return list(reasons.values())
