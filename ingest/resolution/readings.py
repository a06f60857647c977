"""One paper's mentions, read into occurrences of name groups.

What a mention is depends on its paper and on the acronyms the corpus defines,
nothing else, so a paper is read once and read again only when an acronym it
uses is defined anew:

1. **Type.** SciERC's Method votes Method, Task votes Task, Material votes
   Dataset and Metric votes Metric.  OtherScientificTerm mentions are dropped
   (SciERC's catch-all: "parameters", "features"; the graph has no label for
   it).  A Generic mention that refers to the paper's own work ("our
   approach", "the proposed method", "this framework", "our dataset") is an
   occurrence of what the paper proposes, where the paper names it: by a title
   that opens with "Name: ...", or by the first method or dataset mention after
   "we propose" (or "present", "introduce", ...; one after "called" or
   "named", or one that looks like a name, wins).  Every other Generic ("it",
   "these methods") is dropped, and so is a Task or Method mention that is what some data is
   called ("natural images", "multivariate time series": ``names.names_a_kind_of_data``), unless
   the gazetteer knows the name.
2. **Acronyms.** "Long Form (LF)" and "LF (Long Form)" definitions in the
   abstract (``ingest.acronyms``) send its "LF" mentions to the long form; a
   short form that the corpus defines one way (or one way in at least 90% of at
   least 5 definitions) sends its bare uses in other papers there too
   (``expansions``; ``ingest.resolution.state`` works them out); one defined
   several ways stays apart.  An acronym with a model or task word after it
   ("VLA models", "NLP tasks") goes to the long form as well; one with a
   dataset word ("VLA benchmarks") is no dataset named by the acronym, and
   stays whole.
3. **Name.** ``ingest.resolution.names.read_name`` gives the group key (generic
   words such as "dataset" dropped, the gazetteer's canonical form) and whether
   the mention is written as a name; ``ingest.resolution.usage`` how it is used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from graph_schema.schema import Label, Rel
from ingest.acronyms import AcronymDefinition, find_acronym_definitions
from ingest.normalize import concept_key, display_name, singular
from ingest.records import ConceptRelation, Mention
from ingest.resolution.known_names import known_name
from ingest.resolution.names import (
    is_name_word,
    names_a_dataset,
    names_a_kind_of_data,
    opens_sentence,
    read_name,
    read_whole_name,
)
from ingest.resolution.specificity import generic_words_only
from ingest.resolution.usage import AS_DATA, AS_MODEL, usage_cue
from ingest.writer import RELATION_OF_SCIERC_TYPE

LABEL_OF_SCIERC_TYPE = {
    "Method": Label.METHOD,
    "Task": Label.TASK,
    "Material": Label.DATASET,
    "Metric": Label.METRIC,
}
GENERIC = "Generic"
UNTYPED = "~"  # the vote of a name the extractor typed with no graph label: "~OtherScientificTerm"
ACRONYM = "acronym"
SELF_REFERENCE = "self-reference"
KIND_OF_DATA = "Task or Method, a kind of data"  # dropped: "natural images", "multivariate time series"

_METHOD_NOUNS = frozenset(
    "method approach model framework system algorithm architecture technique network scheme "
    "pipeline solution strategy procedure formulation tool estimator learner agent module "
    "mechanism paradigm".split()
)
_DATASET_NOUNS = frozenset("dataset corpus benchmark collection resource".split())
_NAME_CUE = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s*[\"'\u201c]?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_TITLE_NAME = re.compile(r"^\s*([^:]{1,40}):\s")
_MAX_TITLE_NAME_WORDS = 4
_MAX_SHORT_FORM_CHARACTERS = 10  # as ingest.acronyms allows


@dataclass(frozen=True)
class Expansion:
    """Where an acronym's bare uses go: its long form's key, group and name key."""

    long_key: str
    group: str
    name_key: str


@dataclass(frozen=True)
class Definition:
    """An acronym definition in a paper."""

    short_key: str  # concept_key of the short form
    short_form: str  # the short form as written, singular: "GAT"
    long_key: str
    long_group: str
    long_display: str


@dataclass(frozen=True)
class Occurrence:
    """One mention as an occurrence of a name group."""

    mention: int  # index into the paper's mentions
    group: str
    vote: str  # the Label the extractor's type (or the self-reference) votes for, or UNTYPED + its type
    name_key: str  # the spaced key without generic words: what spelling variants compare
    display: str | None  # the long form as written, without generic words: a candidate name
    written: str  # the surface form (an alias, except for a self-reference)
    short_form: str | None  # the acronym, if the mention wrote one
    reason: str | None  # ACRONYM or SELF_REFERENCE where the group is not the text's own
    named: bool  # written as a name (a Dataset needs it)
    cue: str | None  # ingest.resolution.usage: AS_DATA, AS_MODEL
    dropped_words: str  # generic words left out of the name ("dataset")


@dataclass(frozen=True)
class Evidence:
    """A relation between two occurrences' groups, as the graph writes it."""

    head: str
    rel: Rel
    tail: str
    sentence: int
    confidence: float


@dataclass
class PaperReading:
    paper_id: str
    occurrences: list[Occurrence]
    evidence: list[Evidence]
    definitions: list[Definition]
    proposed: int | None  # the mention index of what the paper proposes
    bare_keys: set[str]  # keys of short mentions read without a definition of the paper's own
    dropped: Counter[str] = field(default_factory=Counter)  # SciERC type -> mentions left out


@dataclass(frozen=True)
class _Reading:
    group: str
    name_key: str
    key: str
    long_form: str | None
    short_form: str | None
    via_acronym: bool
    dropped_words: str
    dropped_as: str = ""


def definitions_of(abstract: str) -> list[Definition]:
    found = []
    for definition in find_acronym_definitions(abstract):
        long = read_name(definition.long)
        found.append(
            Definition(
                concept_key(definition.short),
                singular(definition.short),
                concept_key(definition.long),
                long.group,
                display_name(definition.long),
            )
        )
    return found


def acronym_keys(texts: Iterable[str]) -> set[str]:
    """The keys by which mentions written as ``texts`` may use an acronym: each one's own, and
    each one's without the generic words after it ("VLA models" uses "VLA")."""
    return {key for text in texts for key in (concept_key(text), read_name(text).name_key)}


def read_paper(
    paper_id: str,
    title: str,
    abstract: str,
    mentions: Sequence[Mention],
    relations: Sequence[ConceptRelation],
    contributions: Sequence[tuple[int, int]],
    expansions: Mapping[str, Expansion],
) -> PaperReading:
    """Read one paper's mentions; ``expansions`` are the corpus's unambiguous acronyms."""
    definitions = definitions_of(abstract)
    local = {d.short_key: _expansion_of(d) for d in definitions}
    acronyms = {**expansions, **local}  # a paper's own definitions win
    artifact = _proposed_artifact(title, abstract, mentions, acronyms, contributions)
    occurrences: list[Occurrence] = []
    dropped: Counter[str] = Counter()
    bare_keys: set[str] = set()
    of_mention: dict[Mention, Occurrence] = {}
    for index, mention in enumerate(mentions):
        for key in acronym_keys([mention.text]):
            if key not in local and len(key) <= _MAX_SHORT_FORM_CHARACTERS and len(key.split()) <= 2:
                bare_keys.add(key)
        occurrence = _occurrence(index, mention, abstract, acronyms, artifact, mentions)
        if isinstance(occurrence, Occurrence):
            occurrences.append(occurrence)
            of_mention[mention] = occurrence
        else:
            dropped[occurrence] += 1
    evidence = []
    for relation in relations:
        head, tail = of_mention.get(relation.head), of_mention.get(relation.tail)
        if head is None or tail is None or relation.type not in RELATION_OF_SCIERC_TYPE:
            continue
        rel, reverse = RELATION_OF_SCIERC_TYPE[relation.type]
        if reverse:
            head, tail = tail, head
        if head.group != tail.group:
            evidence.append(Evidence(head.group, rel, tail.group, relation.head.sentence, relation.confidence))
    proposed = artifact[0] if artifact else None
    return PaperReading(paper_id, occurrences, evidence, definitions, proposed, bare_keys, dropped)


def _expansion_of(definition: Definition) -> Expansion:
    return Expansion(definition.long_key, definition.long_group, read_name(definition.long_display).name_key)


@lru_cache(maxsize=1 << 18)  # a pure function of a mention's text, asked again for every mention
def _whole_definition(text: str) -> AcronymDefinition | None:
    return next((d for d in find_acronym_definitions(text) if d.start == 0 and d.end == len(text)), None)


def _read(text: str, acronyms: Mapping[str, Expansion], opens: bool) -> _Reading:
    text = text.strip()
    inline = _whole_definition(text)
    if inline:  # the mention is a whole definition: "Graph Attention Networks (GATs)"
        name = read_name(inline.long, opens)
        return _Reading(
            name.group, name.name_key, name.key, name.display, inline.short, False, name.dropped_words, name.dropped_as
        )
    key = concept_key(text)
    if key in acronyms:
        expansion = acronyms[key]
        return _Reading(expansion.group, expansion.name_key, expansion.long_key, None, text, True, "")
    name = read_name(text, opens)
    if name.dropped_words and name.name_key in acronyms:
        if name.dropped_as == AS_DATA:  # "VLA benchmarks": benchmarks of VLA models, not a dataset named "VLA"
            name = read_whole_name(text)
        else:  # "VLA models", "NLP tasks": the acronym's long form ("CLIP", written so, may name it)
            expansion = acronyms[name.name_key]
            return _Reading(
                expansion.group,
                expansion.name_key,
                expansion.long_key,
                name.display,
                name.display,
                True,
                name.dropped_words,
            )
    return _Reading(name.group, name.name_key, name.key, name.display, None, False, name.dropped_words, name.dropped_as)


def _occurrence(
    index: int,
    mention: Mention,
    abstract: str,
    acronyms: Mapping[str, Expansion],
    artifact: tuple[int, Label, _Reading] | None,
    mentions: Sequence[Mention],
) -> Occurrence | str:
    """The mention's occurrence, or why it is dropped: its SciERC type, or ``KIND_OF_DATA``."""
    if mention.type == GENERIC and artifact and _self_reference_label(mention.text) == artifact[1]:
        _, label, reading = artifact
        return Occurrence(
            index, reading.group, label, reading.name_key, None, mention.text, None, SELF_REFERENCE, False, None, ""
        )
    opens = opens_sentence(abstract, mention.start)
    reading = _read(mention.text, acronyms, opens)
    if not reading.group:
        return mention.type
    if mention.type in ("Task", "Method") and names_a_kind_of_data(reading.key) and not known_name(reading.group):
        return KIND_OF_DATA  # read as its long form: "RSIs" for "remote sensing images (RSIs)"
    vote = LABEL_OF_SCIERC_TYPE.get(mention.type) or _vote_of_an_untyped_name(mention, reading, opens)
    if vote is None:
        return mention.type
    return Occurrence(
        index,
        reading.group,
        vote,
        reading.name_key,
        reading.long_form,
        mention.text.strip(),
        singular(reading.short_form) if reading.short_form else None,
        ACRONYM if reading.via_acronym else None,
        names_a_dataset(mention.text, opens),
        usage_cue(abstract, mention),
        reading.dropped_words,
    )


def _vote_of_an_untyped_name(mention: Mention, reading: _Reading, opens: bool) -> str | None:
    """What a name the extractor typed Generic or OtherScientificTerm says it is: a known name
    its label, a name with a dataset or model word its label ("the PSOB dataset", "a ResNet-50
    backbone"); a word written as a name ("Cityscapes" as OtherScientificTerm) joins whatever the
    corpus makes of that name, and votes for nothing (``UNTYPED`` and its type)."""
    known = known_name(reading.group)
    if known:
        return known.label
    if reading.dropped_as == AS_DATA:
        return Label.DATASET
    if reading.dropped_as == AS_MODEL:
        return Label.METHOD
    if any(is_name_word(word) for word in mention.text.split()) and names_a_dataset(mention.text, opens):
        return UNTYPED + mention.type
    return None


def _self_reference_label(text: str) -> Label | None:
    """The label of what a Generic mention such as "our method" or "the proposed dataset" refers to."""
    words = re.findall(r"\w+", text.casefold())
    if words == ["ours"]:
        return Label.METHOD
    if not words or not (words[0] in ("our", "this") or "proposed" in words):
        return None
    head = singular(words[-1])
    if head in _METHOD_NOUNS:
        return Label.METHOD
    if head in _DATASET_NOUNS:
        return Label.DATASET
    return None


def _proposed_artifact(
    title: str,
    abstract: str,
    mentions: Sequence[Mention],
    acronyms: Mapping[str, Expansion],
    contributions: Sequence[tuple[int, int]],
) -> tuple[int, Label, _Reading] | None:
    """The method or dataset a paper proposes (its mention index, label and reading),
    where its title or abstract names it."""
    typed = [
        (index, m)
        for index, m in enumerate(mentions)
        if LABEL_OF_SCIERC_TYPE.get(m.type) in (Label.METHOD, Label.DATASET)
    ]
    readings = {index: _read(m.text, acronyms, opens_sentence(abstract, m.start)) for index, m in typed}
    candidates = [(index, m) for index, m in typed if readings[index].group]

    def artifact(index: int, mention: Mention) -> tuple[int, Label, _Reading]:
        return index, LABEL_OF_SCIERC_TYPE[mention.type], readings[index]

    title_name = _TITLE_NAME.match(title)
    if title_name and len(title_name.group(1).split()) <= _MAX_TITLE_NAME_WORDS:
        name_group = _read(title_name.group(1), acronyms, True).group
        named = [(index, m) for index, m in candidates if readings[index].group == name_group]
        if named:
            return artifact(*named[0])
    for _, trigger_end in contributions:
        sentence_end = _SENTENCE_END.search(abstract, trigger_end)
        stop = sentence_end.start() if sentence_end else len(abstract)
        after = [(index, m) for index, m in candidates if trigger_end <= m.start < stop]
        cued = [(index, m) for index, m in after if _NAME_CUE.search(abstract, 0, m.start)]
        name_like = [(index, m) for index, m in after if any(is_name_word(word) for word in m.text.split())]
        after = [(index, m) for index, m in after if not generic_words_only(m.text)]  # not "a novel framework"
        if after:
            return artifact(*(cued or name_like or after)[0])
    return None
