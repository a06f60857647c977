"""Concept resolution: one node per concept across the corpus.

Each mention becomes a concept through these steps.

1. **Type.** SciERC's Method becomes Method, Task becomes Task, Material
   becomes Dataset and Metric becomes Metric.
   - OtherScientificTerm mentions are dropped: the type is SciERC's catch-all
     ("parameters", "constraints", "features"), the largest and noisiest of the
     six, and the graph has no label for it.
   - A Generic mention that refers to the paper's own work ("our approach",
     "the proposed method", "this framework", "our dataset") resolves to what
     the paper proposes, where the paper names it: by a title that opens with
     "Name: ...", or by the first method or dataset mention after "we propose"
     (or "present", "introduce", ...; one after "called" or "named", or one
     that looks like a name, wins).  It is recorded as a "self-reference"
     merge, not as an alias.  Every other Generic ("it", "these methods") is
     dropped.
2. **Acronyms.** "Long Form (LF)" and "LF (Long Form)" definitions found in an
   abstract (``ingest.acronyms``) send that abstract's "LF" mentions to the
   long form.  A short form that every defining abstract in the corpus expands
   to the same long form sends its bare uses in other abstracts there too; one
   defined as two or more long forms is ambiguous, its bare uses stay apart,
   and it is listed in ``Resolution.ambiguous_acronyms``.
3. **Key.** ``ingest.normalize.concept_key`` merges case, plural and hyphen
   variants, and ``compact_key`` spacing variants.
4. **Label.** A key typed with two or more labels takes the majority label
   only when the majority is strong (at least 75% of at least 3 mentions);
   otherwise each label keeps its own node.
   - **A Dataset is a named dataset.** SciERC's Material also covers data in
     general ("images", "graph-structured data", "audiobooks"); a Dataset
     concept needs a key that the corpus writes as a name at least once
     somewhere (``names_a_dataset``: a capital inside a word, a digit, or a
     capitalised word that does not open a sentence, as in "CIFAR-10",
     "ImageNet", "Penn Treebank").  Other Material mentions are dropped.
5. **Spelling.** Keys of one label, 8 characters or longer, with a rapidfuzz
   ratio of at least 92, merge, unless they differ in a number ("ResNet-50",
   "ResNet-101"), by a whole word, or by an opposing prefix ("supervised",
   "unsupervised").
6. **Name.** A concept's name is its most frequent long form as written; its
   acronym is kept apart, and every surface form is kept as an alias with its
   count.  Every merge that is not an identical spelling is recorded in
   ``Concept.merge_reasons``.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
from rapidfuzz import fuzz, process

from graph_schema.schema import Label
from ingest.acronyms import AcronymDefinition, find_acronym_definitions
from ingest.claims import contribution_spans
from ingest.named_datasets import names_a_dataset, opens_sentence
from ingest.normalize import compact_key, concept_id, concept_key, display_name, singular
from ingest.records import Concept, Mention, Resolution

LABEL_OF_SCIERC_TYPE = {
    "Method": Label.METHOD,
    "Task": Label.TASK,
    "Material": Label.DATASET,
    "Metric": Label.METRIC,
}
GENERIC = "Generic"
NOT_A_NAMED_DATASET = "Material, not a named dataset"


FUZZY_MIN_RATIO = 92.0
FUZZY_MIN_WORD_RATIO = 85.0  # for the words that differ, when whole keys are close
FUZZY_MIN_KEY_LENGTH = 8
BLOCK_AFFIX = 4  # characters of a key's start (or end) that a spelling variant shares with it
MAJORITY_LABEL_MIN_SHARE = 0.75
MAJORITY_LABEL_MIN_MENTIONS = 3

ACRONYM = "acronym"
SPELLING = "plural/case/hyphen"
MAJORITY_LABEL = "majority-label"
SELF_REFERENCE = "self-reference"

_METHOD_NOUNS = frozenset(
    "method approach model framework system algorithm architecture technique network scheme "
    "pipeline solution strategy procedure formulation tool estimator learner agent module "
    "mechanism paradigm".split()
)
_DATASET_NOUNS = frozenset("dataset corpus benchmark collection resource".split())
_OPPOSING_PREFIXES = (
    "un non a an in im ir il dis de en re anti counter semi self multi uni bi mono pre post sub "
    "super inter intra extra over under up down on off hetero homo syn asyn hyper hypo micro "
    "macro mis"
).split()
_MIN_VARIANT_WORD_LENGTH = 5
_NAME_CUE = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s*[\"'\u201c]?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_TITLE_NAME = re.compile(r"^\s*([^:]{1,40}):\s")
_MAX_TITLE_NAME_WORDS = 4

PaperMentions = tuple[str, str, Sequence[Mention]]  # paper id, abstract, its mentions


@dataclass(frozen=True)
class _Artifact:
    """What a paper proposes, a method or a dataset, and the mention that names it."""

    mention: Mention
    label: Label
    key: str


@dataclass(frozen=True)
class _Reading:
    """What a mention's text says: the key it resolves to and the forms it wrote."""

    key: str
    long_form: str | None
    short_form: str | None
    via_acronym: bool


@dataclass
class _Occurrence:
    """One mention on its way to a concept."""

    paper_id: str
    mention: Mention
    label: Label
    key: str
    long_form: str | None  # the long form as written, if the mention wrote one
    short_form: str | None = None  # the acronym, if the mention wrote one
    reason: str | None = None  # ACRONYM or SELF_REFERENCE where the key is not the text's own
    relabelled: tuple[Label, float] | None = None  # the label it had, and the majority's share


@dataclass
class _Group:
    """The occurrences of one label that share a compact key."""

    label: Label
    key: str  # the most frequent spelling of the key
    occurrences: list[_Occurrence]


def resolve(
    papers: Iterable[PaperMentions],
    titles: Mapping[str, str] | None = None,
    contributions: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> Resolution:
    """Resolve every paper's mentions to corpus-wide concepts.

    ``titles`` (paper id -> title) lets a "Name: ..." title say what a paper proposes.
    ``contributions`` (paper id -> ``claims.contribution_spans`` of its abstract) saves finding
    them again where they are known (``ingest.paper_analysis``).
    """
    papers = list(papers)
    titles = titles or {}
    contributions = contributions or {}
    definitions = {paper_id: find_acronym_definitions(abstract) for paper_id, abstract, _ in papers}
    expansions, ambiguous_acronyms, defined_acronyms = _corpus_acronyms(definitions)
    occurrences: list[_Occurrence] = []
    dropped: Counter[str] = Counter()
    proposed_artifacts: dict[str, _Artifact] = {}
    for paper_id, abstract, mentions in papers:
        local = {concept_key(d.short): concept_key(d.long) for d in definitions[paper_id]}
        acronyms = expansions | local  # a paper's own definitions win
        spans = contributions[paper_id] if paper_id in contributions else contribution_spans(abstract)
        artifact = _proposed_artifact(titles.get(paper_id, ""), abstract, mentions, acronyms, spans)
        if artifact:
            proposed_artifacts[paper_id] = artifact
        for mention in mentions:
            occurrence = _occurrence(paper_id, mention, acronyms, artifact)
            if occurrence:
                occurrences.append(occurrence)
            else:
                dropped[mention.type] += 1

    _apply_majority_labels(occurrences)
    occurrences = _named_datasets_only(occurrences, {paper_id: abstract for paper_id, abstract, _ in papers}, dropped)
    groups = _groups(occurrences)
    concepts: dict[str, Concept] = {}
    concept_of: dict[tuple[str, Mention], str] = {}
    for component, edges in _spelling_components(groups):
        concept = _concept(component, edges, defined_acronyms)
        concepts[concept.id] = concept
        for group in component:
            for occurrence in group.occurrences:
                concept_of[(occurrence.paper_id, occurrence.mention)] = concept.id
    proposed = {
        paper_id: concept_of[(paper_id, artifact.mention)]
        for paper_id, artifact in proposed_artifacts.items()
        if (paper_id, artifact.mention) in concept_of
    }
    return Resolution(concepts, concept_of, proposed, ambiguous_acronyms, dict(dropped))


def least_sure_merges(resolution: Resolution, n: int = 10) -> list[dict]:
    """The scored merges (fuzzy spelling, majority label), weakest first.  The
    acronyms resolution did not dare to merge are in ``resolution.ambiguous_acronyms``."""
    scored = [
        {"concept": concept.id, **reason}
        for concept in resolution.concepts.values()
        for reason in concept.merge_reasons
        if reason["score"] is not None
    ]
    return sorted(scored, key=lambda merge: merge["score"])[:n]


# ---- acronyms ------------------------------------------------------------------------


def _corpus_acronyms(
    definitions: Mapping[str, list[AcronymDefinition]],
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, Counter[str]]]:
    """From every abstract's definitions: short key -> long key where that is
    unambiguous; short form -> long forms where it is not; and the short forms
    defined for each compact long key."""
    long_keys: defaultdict[str, Counter[str]] = defaultdict(Counter)
    defined_acronyms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, str] = {}  # key -> the first way it was written
    for paper_definitions in definitions.values():
        for definition in paper_definitions:
            short, long = concept_key(definition.short), concept_key(definition.long)
            long_keys[short][long] += 1
            defined_acronyms[compact_key(long)][singular(definition.short)] += 1
            shown.setdefault(short, singular(definition.short))
            shown.setdefault(long, display_name(definition.long))
    expansions, ambiguous = {}, {}
    for short, longs in long_keys.items():
        clusters = _spelling_clusters(list(longs))
        if len(clusters) == 1:
            expansions[short] = longs.most_common(1)[0][0]
        else:
            ambiguous[shown[short]] = sorted(shown[cluster[0]] for cluster in clusters)
    return expansions, ambiguous, defined_acronyms


def _spelling_clusters(keys: list[str]) -> list[list[str]]:
    clusters: list[list[str]] = []
    for key in keys:
        home = next((c for c in clusters if any(_same_spelling(key, member) for member in c)), None)
        if home is None:
            clusters.append([key])
        else:
            home.append(key)
    return clusters


def _same_spelling(a: str, b: str) -> bool:
    if compact_key(a) == compact_key(b):
        return True
    long_enough = min(len(a), len(b)) >= FUZZY_MIN_KEY_LENGTH
    return long_enough and fuzz.ratio(a, b) >= FUZZY_MIN_RATIO and _is_spelling_variant(a, b)


# ---- mentions ------------------------------------------------------------------------


def _read(text: str, acronyms: Mapping[str, str]) -> _Reading:
    text = text.strip()
    inline = _whole_definition(text)
    if inline:  # the mention is a whole definition: "Graph Attention Networks (GATs)"
        return _Reading(concept_key(inline.long), inline.long, inline.short, False)
    key = concept_key(text)
    if key in acronyms:
        return _Reading(acronyms[key], None, text, True)
    return _Reading(key, text, None, False)


@lru_cache(maxsize=1 << 18)  # a pure function of a mention's text, asked again for every mention
def _whole_definition(text: str) -> AcronymDefinition | None:
    return next((d for d in find_acronym_definitions(text) if d.start == 0 and d.end == len(text)), None)


def _occurrence(
    paper_id: str, mention: Mention, acronyms: Mapping[str, str], artifact: _Artifact | None
) -> _Occurrence | None:
    if mention.type == GENERIC:
        if artifact and _self_reference_label(mention.text) == artifact.label:
            return _Occurrence(paper_id, mention, artifact.label, artifact.key, None, reason=SELF_REFERENCE)
        return None
    label = LABEL_OF_SCIERC_TYPE.get(mention.type)
    reading = _read(mention.text, acronyms)
    if label is None or not reading.key:
        return None
    reason = ACRONYM if reading.via_acronym else None
    return _Occurrence(paper_id, mention, label, reading.key, reading.long_form, reading.short_form, reason)


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
    acronyms: Mapping[str, str],
    contributions: Sequence[tuple[int, int]],
) -> _Artifact | None:
    """The method or dataset a paper proposes, where its title or abstract names it."""
    typed = [m for m in mentions if LABEL_OF_SCIERC_TYPE.get(m.type) in (Label.METHOD, Label.DATASET)]
    keys = {m: _read(m.text, acronyms).key for m in typed}
    candidates = [m for m in typed if keys[m]]

    def artifact(mention: Mention) -> _Artifact:
        return _Artifact(mention, LABEL_OF_SCIERC_TYPE[mention.type], keys[mention])

    title_name = _TITLE_NAME.match(title)
    if title_name and len(title_name.group(1).split()) <= _MAX_TITLE_NAME_WORDS:
        name_key = compact_key(_read(title_name.group(1), acronyms).key)
        named = [m for m in candidates if compact_key(keys[m]) == name_key]
        if named:
            return artifact(named[0])
    for _, trigger_end in contributions:
        sentence_end = _SENTENCE_END.search(abstract, trigger_end)
        stop = sentence_end.start() if sentence_end else len(abstract)
        after = [m for m in candidates if trigger_end <= m.start < stop]
        cued = [m for m in after if _NAME_CUE.search(abstract, 0, m.start)]
        name_like = [m for m in after if re.search(r"\w[A-Z]|\d", m.text)]
        if after:
            return artifact((cued or name_like or after)[0])
    return None


# ---- labels and spelling -------------------------------------------------------------


def _named_datasets_only(
    occurrences: list[_Occurrence], abstracts: Mapping[str, str], dropped: Counter[str]
) -> list[_Occurrence]:
    """Drop the Dataset occurrences of keys that the corpus never writes as a name."""
    named = {
        compact_key(o.key)
        for o in occurrences
        if o.label == Label.DATASET
        and o.reason != SELF_REFERENCE
        and names_a_dataset(o.mention.text, opens_sentence(abstracts[o.paper_id], o.mention.start))
    }
    kept = []
    for occurrence in occurrences:
        if occurrence.label == Label.DATASET and compact_key(occurrence.key) not in named:
            dropped[NOT_A_NAMED_DATASET] += 1
        else:
            kept.append(occurrence)
    return kept


def _apply_majority_labels(occurrences: list[_Occurrence]) -> None:
    """Relabel the minority of a key typed with two labels, where the majority is strong."""
    labels: defaultdict[str, Counter[Label]] = defaultdict(Counter)
    for occurrence in occurrences:
        labels[compact_key(occurrence.key)][occurrence.label] += 1
    for occurrence in occurrences:
        counts = labels[compact_key(occurrence.key)]
        majority, count = counts.most_common(1)[0]
        share = count / counts.total()
        strong = count >= MAJORITY_LABEL_MIN_MENTIONS and share >= MAJORITY_LABEL_MIN_SHARE
        if occurrence.label != majority and strong:
            occurrence.relabelled = (occurrence.label, share)
            occurrence.label = majority


def _groups(occurrences: list[_Occurrence]) -> list[_Group]:
    by_key: defaultdict[tuple[Label, str], list[_Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_key[(occurrence.label, compact_key(occurrence.key))].append(occurrence)
    return [
        _Group(label, Counter(o.key for o in members).most_common(1)[0][0], members)
        for (label, _), members in by_key.items()
    ]


def _spelling_components(groups: list[_Group]) -> Iterator[tuple[list[_Group], list[tuple[str, str, float]]]]:
    """Groups joined by spelling variants, each with the (key, key, score) merges that join it."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(groups)))
    by_label: defaultdict[Label, dict[str, int]] = defaultdict(dict)
    for index, group in enumerate(groups):
        by_label[group.label][group.key] = index
    for index_of_key in by_label.values():
        for a, b, score in _spelling_variant_pairs(list(index_of_key)):
            graph.add_edge(index_of_key[a], index_of_key[b], merge=(a, b, score))
    for component in nx.connected_components(graph):
        members = sorted(component)
        merges = [data["merge"] for _, _, data in graph.subgraph(members).edges(data=True)]
        yield [groups[i] for i in members], merges


def _spelling_variant_pairs(keys: list[str]) -> list[tuple[str, str, float]]:
    """Pairs of keys close enough to be one concept's spellings, with their ratio.

    Comparing every key with every other is quadratic, so keys are compared
    only within blocks: keys that share their first ``BLOCK_AFFIX`` characters,
    and keys that share their last ones.  At a ratio of 92 two keys differ by
    one or two characters, so a real variant is missed only when its
    differences touch both ends of the key; "ResNet" and "ResNeXt" share a
    block, "xception" and "exception" would not (nor are they one concept)."""
    long_keys = sorted({k for k in keys if len(k) >= FUZZY_MIN_KEY_LENGTH})
    blocks: defaultdict[str, list[str]] = defaultdict(list)
    for key in long_keys:
        blocks["^" + key[:BLOCK_AFFIX]].append(key)
        blocks["$" + key[-BLOCK_AFFIX:]].append(key)
    found: dict[tuple[str, str], float] = {}
    for block in blocks.values():
        if len(block) > 1:
            for a, b, score in _close_pairs(block):  # a is the shorter key, or the first of two as long
                found[(a, b)] = score
    return [(a, b, score) for (a, b), score in sorted(found.items(), key=lambda item: (len(item[0][0]), item[0]))]


def _close_pairs(keys: list[str]) -> Iterator[tuple[str, str, float]]:
    keys = sorted(keys, key=lambda k: (len(k), k))
    lengths = [len(k) for k in keys]
    for i, a in enumerate(keys):
        # A key more than this much longer cannot reach the ratio: 2 * len(a) / (len(a) + len(b)).
        longest = len(a) * (200 - FUZZY_MIN_RATIO) / FUZZY_MIN_RATIO
        candidates = keys[i + 1 : bisect.bisect_right(lengths, longest)]
        for b, score, _ in process.extract(a, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO, limit=None):
            if _is_spelling_variant(a, b):
                yield a, b, score


def _is_spelling_variant(a: str, b: str) -> bool:
    """False for close keys that still name different things: other numbers
    ("gpt 3", "gpt 4"), a whole word more or less, a short word changed ("mt",
    "smt"), or an opposing prefix ("supervised", "unsupervised")."""
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    words_a, words_b = a.split(), b.split()
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation in ("insert", "delete"):
            return False
        if operation == "replace":
            different_a, different_b = "".join(words_a[a_start:a_end]), "".join(words_b[b_start:b_end])
            if min(len(different_a), len(different_b)) < _MIN_VARIANT_WORD_LENGTH:
                return False  # one letter tells short names apart: "MT", "SMT"
            if _differ_by_prefix(different_a, different_b):
                return False
            if fuzz.ratio(different_a, different_b) < FUZZY_MIN_WORD_RATIO:
                return False  # another word, not another spelling: "image", "imagenet"
    return True


def _differ_by_prefix(a: str, b: str) -> bool:
    def stems(word: str) -> set[str]:
        return {word[len(prefix) :] for prefix in ("", *_OPPOSING_PREFIXES) if word.startswith(prefix)}

    return bool(stems(a) & stems(b))


# ---- concepts ------------------------------------------------------------------------


def _concept(
    component: list[_Group], merges: list[tuple[str, str, float]], defined_acronyms: Mapping[str, Counter[str]]
) -> Concept:
    occurrences = [o for group in component for o in group.occurrences]
    label = component[0].label
    written = [o.mention.text for o in occurrences if o.reason != SELF_REFERENCE]
    long_forms = Counter(display_name(o.long_form) for o in occurrences if o.long_form)
    name = (long_forms or Counter(display_name(text) for text in written)).most_common(1)[0][0]
    key = concept_key(name)
    acronyms = Counter(singular(o.short_form) for o in occurrences if o.short_form)
    for group in component:
        acronyms.update(defined_acronyms.get(compact_key(group.key), {}))
    acronym = acronyms.most_common(1)[0][0] if acronyms else None
    aliases = dict(Counter(written).most_common())
    return Concept(concept_id(label, key), label, name, key, aliases, acronym, _merge_reasons(component, merges))


def _merge_reasons(component: list[_Group], merges: list[tuple[str, str, float]]) -> list[dict]:
    reasons: dict[tuple[str, str], dict] = {}

    def record(source: str, target: str, reason: str, score: float | None = None) -> None:
        reasons.setdefault((source, reason), {"from": source, "to": target, "reason": reason, "score": score})

    for group in component:
        for occurrence in group.occurrences:
            if occurrence.reason:
                record(occurrence.mention.text, occurrence.key, occurrence.reason)
            if occurrence.relabelled:
                old_label, share = occurrence.relabelled
                record(
                    concept_id(old_label, group.key),
                    concept_id(group.label, group.key),
                    MAJORITY_LABEL,
                    round(100 * share, 1),
                )
        # Spellings that differ beyond case; one spelling alone is not a merge.
        spellings = {display_name(o.long_form).casefold() for o in group.occurrences if o.long_form}
        if len(spellings) > 1:
            for spelling in sorted(spellings - {group.key}):
                record(spelling, group.key, SPELLING)
    for a, b, score in merges:
        record(a, b, f"fuzzy {score:.1f}", round(score, 1))
    return list(reasons.values())
