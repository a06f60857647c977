"""What every reader shares: its errors, the limits on a record, and making a ``PaperRecord``.

A file that cannot be read at all raises ``InputError``.  A bad record inside a readable
file becomes an ``InputProblem`` (file, line, message) and the rest of the file is read;
``FileReport`` collects them for one file, and counts the records without an abstract in
the formats where many have none (BibTeX, OpenAlex, Semantic Scholar): one line says how
many were skipped.  An ``InputNote`` is no problem: it says how a file was read
(the columns guessed for its fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph_schema.errors import InputFileError
from ingest.normalize import paper_id
from ingest.readers.latex import plain_latex
from ingest.records import PaperRecord, SourceRef

# Longer lines are not a title or an abstract: a pasted blob, a minified file.
MAX_LINE_CHARS = 100_000
MAX_TITLE_CHARS = 400

_URL = re.compile(r"https?://[^\s<>\"')\]{}]+")  # a brace closes a LaTeX group: "{https://github.com/x}"
_CODE_HOSTS = ("github.com", "github.io", "gitlab.com", "gitee.com", "bitbucket.org", "huggingface.co", "codeberg.org")
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


class InputError(InputFileError):
    """A file papergraph cannot read at all."""


@dataclass(frozen=True)
class InputProblem:
    """A record inside a readable file that was skipped or repaired."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class InputNote(InputProblem):
    """Not a problem: how a file was read, such as the columns guessed for its fields."""


def links(text: str) -> list[str]:
    """The URLs in ``text``, in order, without repeats."""
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:")
        if url not in found:
            found.append(url)
    return found


def is_code_url(url: str) -> bool:
    return any(host in url.lower() for host in _CODE_HOSTS)


def clean(text: str) -> str:
    return " ".join(text.split())


def year_of(date: str | None) -> int | None:
    """The year a date names (``2024-01-31``, ``Jan 2024``), if it names one."""
    match = _YEAR.search(date or "")
    return int(match.group(1)) if match else None


def make_record(
    title: str,
    abstract: str,
    source: SourceRef,
    *,
    authors: list[str] | None = None,
    date: str | None = None,
    url: str | None = None,
    external_id: str | None = None,
    categories: list[str] | None = None,
    arxiv_id: str | None = None,
) -> PaperRecord:
    """A paper as read.  Its id comes from its normalised title (``ingest.normalize.paper_id``)
    even when the source has an id of its own: one paper listed in several formats is one node."""
    # The title keeps its LaTeX: the paper's id comes from it, in stores made before LaTeX was read too.
    title, abstract = clean(title), clean(plain_latex(abstract))
    return PaperRecord(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        authors=authors or [],
        date=date or None,
        year=year_of(date),
        url=url or None,
        external_id=external_id or None,
        categories=categories or [],
        arxiv_id=arxiv_id or None,
        code_urls=[url for url in links(abstract) if is_code_url(url)],
        links=links(abstract),
        sources=[source],
    )


_SINGULAR = {"entries": "entry", "works": "work", "papers": "paper"}


class FileReport:
    """The problems of one file, under the name it is shown by (``archive.zip/listing.csv``).

    Records without an abstract are a problem each, except in the formats where many records
    have none (``counted_as``: "entries" of BibTeX, "works" of OpenAlex): those are counted,
    and ``close`` adds one line for them all."""

    def __init__(self, name: str, problems: list[InputProblem]):
        self.name = name
        self.problems = problems
        self.missing_abstracts: dict[str, list[int]] = {}  # counted as -> [count, first line]

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(InputProblem(self.name, line, message))

    def note(self, message: str) -> None:
        self.problems.append(InputNote(self.name, None, message))

    def checked_record(
        self, title: str, abstract: str, source: SourceRef, counted_as: str | None = None, **optional
    ) -> PaperRecord | None:
        """``make_record``, or None with a problem when the title or the abstract is missing
        or the title is too long to be one."""
        title, abstract = title.strip(), abstract.strip()
        if not title:
            self.problem(source.line, "record with no title skipped")
            return None
        if not abstract:
            if counted_as:
                counted = self.missing_abstracts.setdefault(counted_as, [0, source.line])
                counted[0] += 1
            else:
                self.problem(source.line, f"title with no abstract skipped: {title[:80]!r}")
            return None
        if len(title) > MAX_TITLE_CHARS:
            self.problem(source.line, f"title of {len(title):,} characters skipped")
            return None
        return make_record(title, abstract, source, **optional)

    def close(self) -> None:
        """Add the counts of records skipped for want of an abstract."""
        for what, (count, first_line) in self.missing_abstracts.items():
            what = _SINGULAR.get(what, what) if count == 1 else what
            self.problem(None, f"{count:,} {what} without an abstract skipped (the first at line {first_line})")
        self.missing_abstracts = {}
