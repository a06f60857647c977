"""The one place for papergraph's normalisation rules: paper ids and concept keys.

Ids are derived from content so that re-ingesting the same corpus never
duplicates a node:

- a paper's id is ``"p-"`` plus the first 16 hex digits of the SHA-1 of its
  normalised title (``normalize_title``: NFKC, casefold, punctuation to spaces,
  spaces collapsed);
- a concept's id is its label, lower-cased, a colon and its key, such as
  ``"method:graph neural network"``.

A concept key (``concept_key``) is the form that surface forms of one concept
share: NFKC and casefold; hyphens, dashes and underscores become spaces;
surrounding quotes and punctuation, and leading determiners and possessives
("the", "a", "our", "this", ...) are dropped; the head word (the last word
before the first preposition: "mixtures of experts" -> "mixture") is made
singular.  Words that are not plain English words are left alone: all-caps
("ATIS"), camel case ("MovieLens"), and words with digits; an acronym
plural ("GATs", "LLMs") loses its "s".  ``compact_key`` then drops the spaces,
so that "pre-training", "pre training" and "pretraining" match too.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_DASHES_AND_UNDERSCORES = re.compile(r"[-\u2010-\u2015\u2212_]+")
_PUNCTUATION_AND_SYMBOLS = re.compile(r"[^\w\s]|_")
_NOT_A_WORD_CHARACTER = re.compile(r"[\W_]+")
# Keys and names are asked for the same few thousand surface forms again and again (a sync of
# 11,000 papers asks for 440,000 keys): pure functions, so each form is worked out once.
_REMEMBERED_FORMS = 1 << 18
_EDGE_PUNCTUATION = "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb.,;:!?"
_CURLY_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'"})

_LEADING_DETERMINERS = frozenset("the a an our this these those that their its his her my your such each every".split())
_PREPOSITIONS = frozenset(
    "of for on in with to from over via by under using between across among against through without at into per".split()
)

# Irregular plurals, and plurals whose regular rule below would be wrong.
_IRREGULAR_SINGULARS = {
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "syntheses": "synthesis",
    "parentheses": "parenthesis",
    "axes": "axis",
    "matrices": "matrix",
    "vertices": "vertex",
    "indices": "index",
    "appendices": "appendix",
    "simplices": "simplex",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "corpora": "corpus",
    "automata": "automaton",
    "formulae": "formula",
    "schemata": "schema",
    "children": "child",
    "people": "person",
    "mice": "mouse",
    "leaves": "leaf",
    "halves": "half",
    "lives": "life",
    "selves": "self",
    "shelves": "shelf",
    "wolves": "wolf",
    "viruses": "virus",
    "statuses": "status",
    "buses": "bus",
    "focuses": "focus",
    "caches": "cache",
    "niches": "niche",
    "movies": "movie",
    "cookies": "cookie",
    "calories": "calorie",
    "selfies": "selfie",
    "zombies": "zombie",
    "lies": "lie",
    "ties": "tie",
    "pies": "pie",
    "dies": "die",
}
# Words that end like plurals but are singular (or have no singular).
_INVARIANT_WORDS = frozenset(
    "series species news means bayes lens chaos ethos kudos cosmos pathos "
    "bias gas atlas canvas alias pandas christmas texas kansas arkansas vegas".split()
)
# Most words in -ics are names of fields ("robotics", "statistics"); these are plurals.
_PLURALS_IN_ICS = frozenset("metrics topics heuristics characteristics lyrics clinics comics".split())


def normalize_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_PUNCTUATION_AND_SYMBOLS.sub(" ", text).split())


def paper_id(title: str) -> str:
    digest = hashlib.sha1(normalize_title(title).encode("utf-8")).hexdigest()
    return f"p-{digest[:16]}"


@lru_cache(maxsize=_REMEMBERED_FORMS)
def concept_key(name: str) -> str:
    words = _name_words(_DASHES_AND_UNDERSCORES.sub(" ", unicodedata.normalize("NFKC", name)))
    if words:
        head = _head_index(words)
        words[head] = singular(words[head])
    return " ".join(words).casefold()


@lru_cache(maxsize=_REMEMBERED_FORMS)
def display_name(name: str) -> str:
    """A surface form tidied for display: edge punctuation and leading determiners
    dropped, spaces collapsed; case, number and hyphens kept."""
    return " ".join(_name_words(name))


def name_forms(name: str) -> list[str]:
    """A name and, for "Long Form (LF)", each part."""
    found = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*(.*)", name)
    return (
        [name, found.group(1) + (" " + found.group(3) if found.group(3) else ""), found.group(2)] if found else [name]
    )


def compact_key(key: str) -> str:
    """A key without its spaces: spelling with or without a space or hyphen matches."""
    return key.replace(" ", "")


def compact_name(key: str) -> str:
    """A key without spaces or punctuation, the form a name's writings share:
    "imagenet 1k", "imagenet-1k" and "imagenet1k" are all "imagenet1k".  A "+" is a
    version, not punctuation: "pointnet++" is "pointnetplusplus", not "pointnet"."""
    return "".join(compact_parts(key))


def compact_parts(key: str) -> list[str]:
    """The parts of a key that ``compact_name`` runs together: "vision-language action" is
    ["vision", "language", "action"]."""
    return _NOT_A_WORD_CHARACTER.sub(" ", key.replace("+", "plus")).split()


def concept_id(label: str, key: str) -> str:
    return f"{str(label).casefold()}:{key}"


@lru_cache(maxsize=_REMEMBERED_FORMS)
def singular(word: str) -> str:
    """The singular of one word as written, keeping its case; see the module docstring."""
    if re.fullmatch(r"\w*[A-Z]s", word) and sum(c.isupper() for c in word) >= 2:
        return word[:-1]  # an acronym plural: GATs, LLMs, ViTs
    if not (word.islower() or word.istitle()) or not word.isalpha() or len(word) < 4:
        return word
    lower = word.casefold()
    singular_lower = _singular_of_plain_word(lower)
    if singular_lower == lower:
        return word
    return word[0] + singular_lower[1:] if word[0].isupper() else singular_lower


def _singular_of_plain_word(word: str) -> str:
    if word in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[word]
    if word in _INVARIANT_WORDS or not word.endswith("s"):
        return word
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ics") and word not in _PLURALS_IN_ICS:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if word.endswith("iases"):
        return word[:-2]
    return word[:-1]


def _name_words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).translate(_CURLY_APOSTROPHES)
    words = _strip_edge_punctuation(text).split()
    while words and words[0].casefold() in _LEADING_DETERMINERS:
        words.pop(0)
    return words


def _head_index(words: list[str]) -> int:
    """The head of an English noun phrase: the last word before the first preposition."""
    for index, word in enumerate(words):
        if index > 0 and word.casefold() in _PREPOSITIONS:
            return index - 1
    return len(words) - 1


def _strip_edge_punctuation(text: str) -> str:
    text = text.strip().strip(_EDGE_PUNCTUATION).strip()
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    # An unmatched bracket at either end is left over from the text around the name.
    if text.startswith("(") and ")" not in text:
        text = text[1:]
    if text.endswith(")") and "(" not in text:
        text = text[:-1]
    return text.strip().strip(_EDGE_PUNCTUATION).strip()
