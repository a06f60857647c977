"""The gazetteer: well-known datasets and models, by every form they are written in.

The lists ship in ``ingest/known_names/`` (``datasets.tsv``, ``methods.tsv``: a
header, then ``name``, ``aliases`` separated by ``|``, and the ``source`` it
was checked against; ``SOURCES.md`` says where each source comes from and its
licence).  A user extends them with files of the same columns in
``$PAPERGRAPH_HOME/known_names/`` (``datasets.tsv``, ``methods.tsv``).

A known name decides its group's label whatever the extractor said ("AlexNet"
is a Method, "CUHK03" a Dataset), and its aliases share its group key ("MS
COCO", "Microsoft COCO" and "COCO" are one concept).  A form listed both as a
dataset and as a model is left out of both: the corpus decides it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph_schema.schema import Label
from graph_schema.settings import papergraph_home
from ingest.normalize import compact_name, concept_key

SHIPPED = Path(__file__).resolve().parents[1] / "known_names"
FILES = {"datasets.tsv": Label.DATASET, "methods.tsv": Label.METHOD}


@dataclass(frozen=True)
class KnownName:
    name: str  # the canonical written form
    label: Label
    group: str  # the group key of the canonical form
    source: str


def _folders() -> list[Path]:
    return [SHIPPED, papergraph_home() / "known_names"]


def _entries() -> list[tuple[Label, str, list[str], str]]:
    entries = []
    for folder in _folders():
        for file_name, label in FILES.items():
            path = folder / file_name
            if not path.is_file():
                continue
            for line in path.read_text(encoding="utf-8").splitlines()[1:]:
                fields = line.rstrip("\n").split("\t")
                if not fields or not fields[0].strip():
                    continue
                aliases = [a.strip() for a in fields[1].split("|")] if len(fields) > 1 else []
                source = fields[2].strip() if len(fields) > 2 else folder.name
                entries.append((label, fields[0].strip(), [a for a in aliases if a], source))
    return entries


@lru_cache(maxsize=1)
def known_names() -> dict[str, KnownName]:
    """Every known form's compact key -> the known name it writes."""
    forms: dict[str, set[Label]] = {}
    found: dict[str, KnownName] = {}
    for label, name, aliases, source in _entries():
        known = KnownName(name, label, compact_name(concept_key(name)), source)
        for form in (name, *aliases):
            # Keyed as resolution keys it, and as written: "Snips" is keyed "snip", but names "SNIPS".
            for key in {compact_name(concept_key(form)), compact_name(form.casefold())} - {""}:
                forms.setdefault(key, set()).add(label)
                found.setdefault(key, known)
    return {key: known for key, known in found.items() if len(forms[key]) == 1}


def canonical_group(group: str) -> str | None:
    """The group key of the known name that ``group`` writes, if it writes one."""
    known = known_names().get(group)
    return known.group if known else None


def known_name(group: str) -> KnownName | None:
    return known_names().get(group)


@lru_cache(maxsize=1)
def _forms_by_group() -> dict[str, tuple[str, ...]]:
    forms: dict[str, list[str]] = {}
    for label, name, aliases, _ in _entries():
        known = known_names().get(compact_name(concept_key(name)))
        if known is not None and known.label == label:
            forms.setdefault(known.group, []).extend([name, *aliases])
    return {group: tuple(dict.fromkeys(written)) for group, written in forms.items()}


def known_forms(group: str) -> tuple[str, ...]:
    """The forms the lists give the known name whose group key is ``group`` ("AIME 2024",
    "AIME24"), none where it is not a known name."""
    return _forms_by_group().get(group, ())


# What follows a known name in a variant of it: a version, a size, a letter, a flavour
# ("Llama 3.2-Vision", "ResNet-200", "GPT-4o mini", "ImageNet-R", "CIFAR-10-C").
_VARIANT_WORD = re.compile(
    r"^(?:v?\d+(?:\.\d+)*[a-z]?|\d+(?:\.\d+)?[kmbt]|[a-z]|chat|instruct|vision|base|large|small|tiny|mini|nano|"
    r"pro|turbo|xl|xxl|lite|plus|max|ultra|hf|it|code|coder|distilled|sonnet|opus|haiku|flash|omni|preview)$"
)


def known_family(name_key: str) -> KnownName | None:
    """The known name that ``name_key`` is a variant of, if it is one: the known name's
    words followed only by version, size or flavour words."""
    words = name_key.split()
    for cut in range(len(words) - 1, 0, -1):
        if all(_VARIANT_WORD.match(word) for word in words[cut:]):
            known = known_names().get(compact_name(" ".join(words[:cut])))
            if known:
                return known
        else:
            break
    return None


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of every list's content: a changed list is a new resolution."""
    digest = hashlib.sha256()
    for folder in _folders():
        for file_name in FILES:
            path = folder / file_name
            if path.is_file():
                digest.update(file_name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
