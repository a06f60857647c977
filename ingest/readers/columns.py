"""Which column (CSV, TSV) or key (JSON) holds which field of a paper, found by meaning.

A column's name is compared without case, spaces or punctuation ("Abstract Note",
"abstract_note" and "abstractNote" are one name), against the names below, in order:
the Kaggle arXiv file's ``titles``/``summaries``/``terms`` and Zotero's CSV export
("Title", "Abstract Note", "Publication Year", "Manual Tags") are read as they are.
Where a field has several such columns, a row's first non-empty one is taken (a
``publication_date`` left blank falls back to ``year``).

``ColumnNames`` names columns where the guess is wrong (``--title-column`` and the like);
``named_columns`` sets them for the reads in its block: the command line's flags reach the
readers that way, through the pipeline, which does not know about columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

FIELDS = ("title", "abstract", "authors", "date", "categories", "id", "url", "doi")

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "titles", "papertitle", "articletitle", "documenttitle"),
    "abstract": ("abstract", "abstracts", "summary", "summaries", "abstractnote", "abstracttext", "paperabstract"),
    "authors": ("authors", "author", "authorlist", "authornames", "creators", "creator"),
    "date": (
        "date",
        "dates",
        "publicationdate",
        "publishdate",
        "datepublished",
        "published",
        "pubdate",
        "publicationyear",
        "year",
        "years",
        "updatedate",
        "updated",
    ),
    "categories": (
        "categories",
        "category",
        "terms",
        "term",
        "keywords",
        "keyword",
        "tags",
        "tag",
        "manualtags",
        "subjects",
        "subject",
        "fieldsofstudy",
        "topics",
        "labels",
    ),
    "id": ("id", "ids", "paperid", "arxivid", "identifier"),
    "url": ("url", "urls", "link", "absurl", "landingpageurl"),
    "doi": ("doi", "dois"),
}


def column_key(name: str) -> str:
    """A column's name as compared: no case, spaces or punctuation."""
    return re.sub(r"[\W_]+", "", name).casefold()


@dataclass(frozen=True)
class ColumnNames:
    """Columns named by the user (``--title-column titles``), field by field."""

    title: str | None = None
    abstract: str | None = None
    authors: str | None = None
    date: str | None = None
    categories: str | None = None
    id: str | None = None
    url: str | None = None

    def named(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


_NAMED: ContextVar[ColumnNames | None] = ContextVar("named_columns", default=None)


@contextmanager
def named_columns(names: ColumnNames) -> Iterator[None]:
    """Read with these columns named, in this block."""
    token = _NAMED.set(names)
    try:
        yield
    finally:
        _NAMED.reset(token)


def current_column_names() -> ColumnNames:
    return _NAMED.get() or ColumnNames()


@dataclass(frozen=True)
class ColumnChoice:
    """For each field, the columns that hold it, first choice first."""

    columns: Mapping[str, tuple[str, ...]]
    named: frozenset[str] = frozenset()  # the fields whose column the user named
    missing: tuple[str, ...] = ()  # the named columns that are not there, as "--title-column 'headline'"

    def values(self, row: Mapping[str, object]) -> dict[str, object]:
        """A row's fields: for each, its first column with a value."""
        found: dict[str, object] = {}
        for name, columns in self.columns.items():
            for column in columns:
                value = row.get(column)
                if value not in (None, "", [], {}):
                    found[name] = value
                    break
        return found

    def guesses(self) -> dict[str, str]:
        """The first column of each field that was neither named nor called by the field's
        own name: what the closing line reports."""
        return {
            name: columns[0]
            for name, columns in self.columns.items()
            if name not in self.named and columns and column_key(columns[0]) != name
        }


def choose_columns(columns: Iterable[str], names: ColumnNames) -> ColumnChoice:
    """The choice of columns among ``columns`` (a header, a JSON object's keys)."""
    present = list(dict.fromkeys(columns))
    by_key: dict[str, list[str]] = {}
    for column in present:
        by_key.setdefault(column_key(column), []).append(column)
    chosen: dict[str, tuple[str, ...]] = {}
    missing: list[str] = []
    named = names.named()
    for name in FIELDS:
        if name in named:
            matches = by_key.get(column_key(named[name]), [])
            if not matches:
                missing.append(f"--{name}-column {named[name]!r}")
            chosen[name] = tuple(matches[:1])
            continue
        taken = {column for columns in chosen.values() for column in columns}
        chosen[name] = tuple(c for key in COLUMN_NAMES[name] for c in by_key.get(key, []) if c not in taken)
    return ColumnChoice(chosen, frozenset(named), tuple(missing))


def describe_guesses(guesses: Mapping[str, str]) -> str:
    """``columns guessed: title = titles, abstract = summaries``."""
    return "columns guessed: " + ", ".join(f"{name} = {column}" for name, column in guesses.items())
