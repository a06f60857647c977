"""Plain data that flows through the ingest pipeline, stage to stage.

read  -> PaperRecord
extract -> Mention, ConceptRelation, Claim (per paper, with provenance)
resolve -> Concept (one per concept across the corpus, with aliases)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRef:
    """Where a listing was read: a file and the 1-based line of its title."""

    path: str
    line: int


@dataclass
class PaperRecord:
    id: str
    title: str
    abstract: str
    authors: list[str] = field(default_factory=list)
    date: str | None = None  # as the source gives it; ISO YYYY-MM-DD for arXiv metadata
    year: int | None = None  # the year the date names
    url: str | None = None
    external_id: str | None = None  # the source's own id, if it gives one
    categories: list[str] = field(default_factory=list)  # arXiv categories, such as "cs.LG"
    arxiv_id: str | None = None  # set for arXiv metadata records
    code_urls: list[str] = field(default_factory=list)  # links to code hosts (GitHub, ...)
    links: list[str] = field(default_factory=list)  # every URL in the abstract
    sources: list[SourceRef] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an abstract: its index and character span in the abstract."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A typed span of an abstract.  ``start``/``end`` are character offsets
    into the abstract (end exclusive); ``sentence`` is the sentence index."""

    sentence: int
    start: int
    end: int
    text: str
    type: str  # SciERC type: Task, Method, Metric, Material, OtherScientificTerm, Generic
    confidence: float


@dataclass(frozen=True)
class ConceptRelation:
    """A SciERC relation between two mentions of the same abstract."""

    head: Mention
    tail: Mention
    type: str  # SciERC type: USED-FOR, EVALUATE-FOR, COMPARE, PART-OF, HYPONYM-OF, FEATURE-OF, CONJUNCTION
    confidence: float


@dataclass(frozen=True)
class ClaimNumber:
    value: float
    unit: str | None = None  # "%", "x", "points", ...
    metric: str | None = None  # the metric the number is stated in, if named
    start: int | None = None  # character span in the abstract, unit included
    end: int | None = None
    relative: bool = False  # stated as a gain over something ("by 3.2%", "7x faster"), not a score


@dataclass
class Claim:
    sentence: int
    start: int
    end: int
    text: str
    kind: str  # contribution, result, finding
    numbers: list[ClaimNumber] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)  # the mentions inside the claim sentence
    comparisons: list[int] = field(default_factory=list)  # where it compares ("outperforms"): abstract offsets


@dataclass(frozen=True)
class Extraction:
    """What the extractor finds in one abstract: its sentences, typed mentions and relations."""

    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[ConceptRelation]


@dataclass
class Concept:
    """One concept across the corpus: every mention of it, in any paper, resolves here.

    ``merge_reasons`` holds one ``{"from", "to", "reason", "score"}`` dict per
    non-identical merge: ``from`` is the variant (a surface form, a key, or for
    a relabelling a concept id), ``to`` what it joined, ``reason`` one of
    "acronym", "plural/case/hyphen", "fuzzy 94.1", "majority-label",
    "self-reference", "generic words 'dataset'", "known name (source)", "usage",
    and ``score`` the fuzzy ratio or the winning label's share of the votes in
    percent (None where there is no score).
    """

    id: str
    label: str  # graph label: Method, Task, Dataset, Metric (a graph_schema Label)
    name: str  # canonical display form
    key: str  # ingest.normalize.concept_key of the name
    aliases: dict[str, int] = field(default_factory=dict)  # surface form as written -> mentions
    acronym: str | None = None
    merge_reasons: list[dict] = field(default_factory=list)
    specificity: float = 1.0  # ingest.resolution.specificity: 0 for "model", 1 for "ImageNet"
    generic: bool = False  # too general to lead a list ("classifier", "neural networks")

    @property
    def mention_count(self) -> int:
        return sum(self.aliases.values())


@dataclass
class Resolution:
    """What resolution makes of a corpus's mentions."""

    concepts: dict[str, Concept]  # by id
    concept_of: dict[tuple[str, Mention], str]  # (paper id, mention) -> concept id
    proposed: dict[str, str]  # paper id -> concept id of the method (or dataset) the paper proposes
    ambiguous_acronyms: dict[str, list[str]]  # short form -> the long forms it is defined as
    dropped: dict[str, int]  # SciERC type -> mentions left out of the graph
