"""What a written name says on its own: its group key, and whether it is written as a name.

A **group key** is what the written forms of one name share, whatever label the
extractor gave them, so that one name is one node:

1. ``ingest.normalize.concept_key``: case, plural and hyphen variants;
2. a generic word after a name is dropped: "ImageNet dataset", "CIFAR-10 test
   set", "Cityscapes benchmark", "COCO test-dev" are "ImageNet", "CIFAR-10",
   "Cityscapes", "COCO" (``DATASET_WORDS``), and so is a word that says what kind of
   thing or how well known it is, written before a name in lower case: "the benchmark
   permuted MNIST", "competition-level AIME24", "the standard Transformer" are "permuted
   MNIST", "AIME24", "Transformer" (``LEADING_WORDS``); but "real-world datasets" stays
   whole, because "real-world" is not written as a name; a model word after a
   name that has a digit or an inner capital is dropped too: "ResNet-50
   backbone", "BERT model" ("Segment Anything Model" keeps its "Model": no
   word of "Segment Anything" has a digit or an inner capital); and "tasks"
   after a task's name: "medical image segmentation tasks" (``TASK_WORDS``;
   "downstream tasks" stays whole);
3. spaces and punctuation go: "ImageNet-1K", "ImageNet 1K" and "ImageNet1K"
   are one key, "imagenet1k";
4. a name the gazetteer knows under another form takes its canonical key:
   "MS-COCO", "Microsoft COCO" are "coco" (``ingest.resolution.known_names``).

Numbers and versions are never dropped, so "CIFAR-10" and "CIFAR-100",
"ImageNet-1K" and "ImageNet-21K", "VOC2007" and "VOC2012" keep keys of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.normalize import compact_name, concept_key, display_name
from ingest.resolution.known_names import canonical_group
from ingest.resolution.usage import AS_DATA, AS_MODEL

# Words that follow a dataset's name without being part of it, as concept_key spells them
# (singular head, hyphens as spaces); the longest first.
DATASET_WORDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(words.split())
    for words in (
        "benchmark dataset",
        "hidden test set",
        "hidden test split",
        "data set",
        "test set",
        "testing set",
        "training set",
        "train set",
        "validation set",
        "val set",
        "dev set",
        "test dev",
        "test split",
        "val split",
        "dataset",
        "benchmark",
        "challenge",
        "corpus",
        "database",
        "split",
        "data",
        "suite",
    )
)
# Words written before a name, in lower case, that say what kind of thing or how well known it
# is without being part of it: "the benchmark permuted MNIST dataset", "the competition-level
# AIME24", "the standard Transformer" (as ``display_name`` spells them; the longest first).
LEADING_WORDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(words.split())
    for words in (
        "publicly available",
        "widely used",
        "widely-used",
        "commonly used",
        "well-known",
        "benchmark",
        "popular",
        "public",
        "standard",
        "large-scale",
        "challenging",
        "real-world",
        "competition-level",
        "classic",
        "vanilla",
        "original",
    )
)
# Words that follow a model's name without being part of it.
MODEL_WORDS: tuple[tuple[str, ...], ...] = tuple(
    (word,) for word in "model architecture backbone network framework encoder variant".split()
)
# Words that follow a task's name without being part of it: "medical image segmentation tasks".
TASK_WORDS: tuple[tuple[str, ...], ...] = (("task",),)
# What a task's name ends with ("segmentation", "question answering", "analysis"), where a word
# before "tasks" is no task of its own ("downstream tasks", "vision tasks" stay whole).
_TASK_HEAD = re.compile(r"(?:tion|sion|ing|sis|ment|val)$")
_NOT_A_TASK_HEAD = frozenset({"vision"})

# Words that name a kind of data or a language, not a dataset, however they are written.
DATA_KIND_WORDS = frozenset(
    "1d 2d 3d 4d rgb rgb-d rgbd lidar mri fmri ct pet eeg ecg emg meg ppg x-ray x-rays xray dna rna gps iot uav "
    "uavs sar hsi html json xml sql csv pdf ultrasound tomography english chinese french german spanish japanese "
    "korean arabic hindi russian portuguese italian".split()
)
# Where code, models and data are hosted, not a dataset: "code is available on GitHub".
HOSTING_WORDS = frozenset("github gitlab bitbucket gitee codeberg huggingface".split())

# What data is called, at the end of a name: "natural images", "multivariate time series", "ECG
# signals"; and the words that make a name about doing something with it ("segmentation of medical
# images", "text-to-image").
_DATA_HEAD = re.compile(
    r"\b(?:images?|videos?|time[- ]series|point[- ]clouds?|signals?|scans?|recordings?|waveforms?|data|texts?|"
    r"sequences?|documents?)$",
    re.IGNORECASE,
)
_DOING_WORDS = frozenset("of on for from in into with to via by across over using and/or".split())
_NAME_WORD = re.compile(r"[\w-]+")
_NUMBER_THAT_QUALIFIES = re.compile(r"\d+(?:\.\d+)?-?[a-z]+(?:-[a-z]+)*")  # "1-shot", "8-bit", "10-fold"
# A name, a generic dataset word, then a year or a version: "Youtube-VOS Challenge 2022".
_VERSIONED_WITH_A_GENERIC_WORD = re.compile(
    r"^(.+?)\s+(challenge|benchmark|dataset|corpus)\s+((?:v|version\s*)?\d[\w.]*)$", re.IGNORECASE
)


@dataclass(frozen=True)
class NameForm:
    """One written name, read: ``key`` as concept_key gives it, ``name_key`` without the
    generic words around the name, ``display`` the written form without them, and
    ``group`` the compact key that the name's written forms share."""

    key: str
    name_key: str
    display: str
    group: str
    dropped_words: str  # the generic words dropped ("dataset"), or ""
    dropped_as: str = ""  # what they say the name is: AS_DATA ("dataset") or AS_MODEL ("backbone")


def is_name_word(word: str) -> bool:
    """A word written as a name: a digit, or a capital after the first letter of one of its
    hyphenated parts ("CIFAR-10", "ResNet", "Mip-NeRF"; not "Vision-Language", nor a number
    that qualifies: "1-shot", "8-bit", "2-layer")."""
    if _NUMBER_THAT_QUALIFIES.fullmatch(word):
        return False
    return any(c.isdigit() for c in word) or any(any(c.isupper() for c in part[1:]) for part in word.split("-"))


def names_a_dataset(text: str, opens_sentence: bool = False) -> bool:
    """Whether a name is written as the name of something: a word with a digit or a capital
    after its first letter ("ImageNet", "CIFAR-10", "SQuAD"), or a capitalised word that
    does not open the sentence ("Penn Treebank", "Cityscapes").  Words for kinds of data
    and languages ("3D", "RGB-D", "MRI", "English") and hosts ("GitHub") do not count."""
    for index, word in enumerate(_NAME_WORD.findall(text)):
        if word.casefold() in DATA_KIND_WORDS or word.casefold() in HOSTING_WORDS:
            continue
        if is_name_word(word):
            return True
        if word[0].isupper() and (index > 0 or not opens_sentence):
            return True
    return False


def names_a_kind_of_data(text: str) -> bool:
    """Whether a name is what some data is called, with its qualifiers ("natural images", "CT
    scans", "multivariate time series", "photoplethysmogram (PPG) signals"), not something done
    with it ("segmentation of medical images", "labelling data", "text-to-image").  No task and
    no method: the extractor types such names Task or Method where SciERC would say Material."""
    words = re.split(r"[\s-]+", text.strip().casefold())
    if not _DATA_HEAD.search(text.strip()) or words[0].endswith("ing"):
        return False
    return not _DOING_WORDS.intersection(words)


def opens_sentence(text: str, start: int) -> bool:
    """Whether the character offset ``start`` of ``text`` begins a sentence."""
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?:"


@lru_cache(maxsize=1 << 18)  # a pure function of a written form, asked again for every mention
def read_name(text: str, opens: bool = False) -> NameForm:
    """``text`` read as a name; ``opens`` says whether it opens its sentence."""
    key = concept_key(text)
    shown = display_name(text).split()
    lead = _leading_words(shown)
    if lead:
        shown, opens = shown[len(lead) :], False
    for generic, written_as, said in (
        (DATASET_WORDS, _written_as_a_name, AS_DATA),
        (MODEL_WORDS, _written_with_a_name_word, AS_MODEL),
        (TASK_WORDS, _written_as_a_task, ""),
    ):
        for cut in range(1, len(shown)):  # the shortest rest first: every generic word goes
            tail = concept_key(" ".join(shown[cut:])).split()
            if len(_generic_tail(["", *tail], generic)) != len(tail):
                continue
            rest = " ".join(shown[:cut])
            rest_key = concept_key(rest)  # keyed again: its own last word is now the head
            if written_as(rest, opens) or _known_group(rest_key, rest):
                return _form(key, rest_key, rest, _dropped(lead, " ".join(tail)), said)
    versioned = _VERSIONED_WITH_A_GENERIC_WORD.match(" ".join(shown))
    if versioned and _written_as_a_name(versioned.group(1), opens):  # "Youtube-VOS Challenge 2022"
        rest = f"{versioned.group(1)} {versioned.group(3)}"
        return _form(key, concept_key(rest), rest, _dropped(lead, concept_key(versioned.group(2))), AS_DATA)
    if lead:
        rest = " ".join(shown)
        return _form(key, concept_key(rest), rest, _dropped(lead, ""))
    return read_whole_name(text)


def _leading_words(shown: list[str]) -> tuple[str, ...]:
    """The generic words (``LEADING_WORDS``) that open ``shown``, where they are written in lower
    case and what follows them is written as a name ("Large-Scale Visual Recognition Challenge"
    and "benchmark datasets" stay whole)."""
    for phrase in LEADING_WORDS:
        if len(shown) <= len(phrase) or tuple(shown[: len(phrase)]) != phrase:
            continue
        if _written_as_a_name(" ".join(shown[len(phrase) :]), False):
            return phrase
    return ()


def _dropped(lead: tuple[str, ...], tail: str) -> str:
    """The generic words dropped, as a merge reason names them: "benchmark … dataset"."""
    before = concept_key(" ".join(lead)) + " …" if lead else ""
    return " ".join(part for part in (before, tail) if part)


def without_model_word(key: str) -> str:
    """A name key without the model word after it: "vision language action model" is "vision language action"."""
    words = key.split()
    return " ".join(words[:-1]) if len(words) > 1 and (words[-1],) in MODEL_WORDS else key


@lru_cache(maxsize=1 << 16)
def read_whole_name(text: str) -> NameForm:
    """``text`` read as a name with every word kept: ``read_name``'s answer where no generic word goes,
    and "VLA benchmarks" where "VLA" names a model."""
    key = concept_key(text)
    return _form(key, key, display_name(text), "")


def _form(key: str, name_key: str, display: str, dropped: str, said: str = "") -> NameForm:
    group = _known_group(name_key, display) or compact_name(name_key)
    return NameForm(key, name_key, display, group, dropped, said)


def _known_group(name_key: str, display: str) -> str | None:
    return canonical_group(compact_name(name_key)) or canonical_group(compact_name(display.casefold()))


def _generic_tail(words: list[str], generic: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The longest run of generic words that ends ``words`` (leaving at least one word)."""
    tail: tuple[str, ...] = ()
    changed = True
    while changed:
        changed = False
        rest = words[: len(words) - len(tail)]
        for phrase in generic:
            if len(rest) > len(phrase) and tuple(rest[-len(phrase) :]) == phrase:
                tail = phrase + tail
                changed = True
                break
    return tail


def _written_as_a_name(text: str, opens: bool) -> bool:
    return names_a_dataset(text, opens)


def _written_with_a_name_word(text: str, _: bool) -> bool:
    return any(is_name_word(word) for word in _NAME_WORD.findall(text))


def _written_as_a_task(text: str, opens: bool) -> bool:
    key = concept_key(text)
    if key in _NOT_A_TASK_HEAD:
        return False
    return bool(_TASK_HEAD.search(key.split()[-1])) or _written_with_a_name_word(text, opens)
