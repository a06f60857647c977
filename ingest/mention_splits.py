"""Coordinated dataset mentions split into one mention per dataset.

The extractor often takes "CIFAR-10 and CIFAR-100" or "2D-3D-S, Matterport3D, and ICL-NUIM" as
one Material span, and resolution then made a dataset of the whole list: on 3,143 real arXiv
abstracts some 60 of 1,006 datasets were lists ("LiTS and BraTS", "arduous CRAG and ACDC").
``split_coordinated_datasets`` writes such a span as one mention per conjunct, each with its own
character span, before resolution and the claim rules read the mentions; resolution then decides
each conjunct on its own.  Relations of the list hold for each of its parts.

The extractor's output is stored as it came (``ingest.serialize``); the split is a rule over it,
applied wherever the rules read mentions, so a change here re-resolves a store without
extracting anything again.  Left as written:

* a span with brackets ("non-independent and identically distributed (non-IID)");
* a list whose later parts only make sense after the first ("VOC 2007 and 2012 datasets",
  "CIFAR-10 and -100", "SQuAD v1.1 and v2.0");
* a list whose parts do not all name a dataset as resolution reads names: one with a shared
  head ("English and German Wikipedia", "RGB and depth images"), or with a part that is no name
  ("clean and noisy Hey Snips", "images and videos");
* any other type (but a Generic span ending in "datasets", "benchmarks" and the like, which
  resolution reads as a dataset's name): Method and Task lists are mostly one name ("Large
  Language and Vision Assistant") or share a head ("instance and semantic segmentation").
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.records import ConceptRelation, Extraction, Mention
from ingest.resolution.names import names_a_dataset

SPLIT_TYPES = frozenset({"Material"})
# A Generic span that ends with one of these plural heads is a list of datasets too ("the notably
# arduous CRAG and ACDC datasets"): resolution takes a Generic "X dataset" for a named dataset.
_DATASETS_HEAD = re.compile(r"\b(?:datasets|data\s+sets|benchmarks|corpora|suites)$", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|&)\s+")
_WORD = re.compile(r"\S+")
_LETTER = re.compile(r"[^\W\d_]")
# A part that only makes sense after the one before it: "2012" in "VOC 2007 and 2012", "-100".
_CONTINUES_THE_FIRST = re.compile(r"^(?:[-\u2013]|v?\d)", re.IGNORECASE)


def split_coordinated_datasets(extraction: Extraction) -> Extraction:
    """``extraction`` with every coordinated dataset span replaced by its parts (the same
    object where there is none); splitting its result again changes nothing."""
    sentence_starts = {sentence.start for sentence in extraction.sentences}
    parts_of: dict[Mention, list[Mention]] = {}
    for mention in extraction.mentions:
        parts = coordinated_parts(mention, opens_sentence=mention.start in sentence_starts)
        if len(parts) > 1:
            parts_of[mention] = parts
    if not parts_of:
        return extraction
    spans = {(m.start, m.end): m for m in extraction.mentions if m not in parts_of}
    mentions: list[Mention] = []
    for mention in extraction.mentions:
        if mention not in parts_of:
            mentions.append(mention)
            continue
        # A part the extractor also found on its own is that mention, not a second one.
        parts_of[mention] = [spans.get((part.start, part.end), part) for part in parts_of[mention]]
        mentions += [part for part in parts_of[mention] if (part.start, part.end) not in spans]
    relations = [
        ConceptRelation(head, tail, relation.type, relation.confidence)
        for relation in extraction.relations
        for head in parts_of.get(relation.head, [relation.head])
        for tail in parts_of.get(relation.tail, [relation.tail])
        if head != tail
    ]
    return Extraction(extraction.sentences, mentions, list(dict.fromkeys(relations)))


def coordinated_parts(mention: Mention, opens_sentence: bool = False) -> list[Mention]:
    """The conjuncts of a coordinated dataset span, each less the lower-case words that open it
    before a name ("arduous CRAG" is "CRAG"), where every one names a dataset as resolution reads
    names (``names.names_a_dataset``; ``opens_sentence``: the span begins its sentence, where a
    capital says nothing); ``[mention]`` where it is not such a list."""
    text = mention.text
    listed = mention.type in SPLIT_TYPES or (mention.type == "Generic" and _DATASETS_HEAD.search(text))
    if not listed or "(" in text or ")" in text:
        return [mention]
    pieces, start = [], 0
    for separator in _SEPARATOR.finditer(text):
        pieces.append((start, separator.start()))
        start = separator.end()
    pieces.append((start, len(text)))
    if len(pieces) < 2 or any(not _LETTER.search(text[a:b]) for a, b in pieces):
        return [mention]
    if any(_CONTINUES_THE_FIRST.match(text[a:b]) for a, b in pieces[1:]):
        return [mention]
    pieces = [_without_leading_description(text, a, b) for a, b in pieces]
    if not all(names_a_dataset(text[a:b], opens_sentence and a == 0) for a, b in pieces):
        return [mention]  # "English and German Wikipedia", "RGB and depth images": one head, or no list of names
    # Every part is Material, as the extractor types a dataset's name, those of a Generic list
    # too: only its last part keeps the head ("CRAG", "ACDC datasets") that made the whole a dataset.
    return [_part(mention, a, b) for a, b in pieces]


def _has_name_mark(word: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in word)


def _without_leading_description(text: str, start: int, end: int) -> tuple[int, int]:
    words = list(_WORD.finditer(text, start, end))
    named = [index for index, word in enumerate(words) if _has_name_mark(word.group())]
    return (words[named[0]].start() if named else start), end


def _part(mention: Mention, start: int, end: int) -> Mention:
    return replace(
        mention, start=mention.start + start, end=mention.start + end, text=mention.text[start:end], type="Material"
    )
