"""Read paper listings into ``PaperRecord``s: the "daily papers" text format,
JSON lines (papergraph's own fields, or the arXiv metadata snapshot's) and CSV.

Readers never stop at the first bad record.  A file that cannot be read at all
raises ``InputError``; a bad record inside a readable file becomes an
``InputProblem`` (file, line, message) and the rest of the file is read.

JSON lines are read one line at a time (``iter_records``), so a file of any
size streams; the text listings and CSV are small and read whole.  A JSON line
is taken as an arXiv metadata record when it has an arXiv ``id``, an
``abstract`` and ``versions`` or ``categories`` (the fields of
``arxiv-metadata-oai-snapshot.json``), whatever the file is called.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from graph_schema.errors import InputFileError
from ingest.normalize import paper_id
from ingest.records import PaperRecord, SourceRef

LISTING_SUFFIXES = {".txt", ".jsonl", ".ndjson", ".json", ".csv"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson", ".json"}
# Longer lines are not a title or an abstract: a pasted blob, a minified file.
MAX_LINE_CHARS = 100_000
_MAX_LINE_BYTES = 4 * MAX_LINE_CHARS  # a UTF-8 character takes at most 4 bytes
_SNIFF_LINE_BYTES = 65_536
MAX_TITLE_CHARS = 400
BINARY_SNIFF_BYTES = 8192

_NOISE_LINES = {
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "new",
    "subscribe",
    "daily papers",
    "by ak and the research community",
    "byak and the research community",
}
_DATE_LINE = re.compile(
    r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(,\s*\d{4})?$", re.I
)
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_CODE_HOSTS = ("github.com", "github.io", "gitlab.com", "gitee.com", "bitbucket.org", "huggingface.co", "codeberg.org")
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
# New-style arXiv ids (0704.0001, 2401.12345v2) and old-style ones (hep-th/9901001, math.AG/0406593).
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Za-z-]{2,})?/\d{7})(v\d+)?$")
# Separators in an authors string outside parentheses: commas, semicolons, "and" (also ", and").
_AUTHOR_SEPARATOR = re.compile(r"\s*(?:[,;]\s*(?:and\s+)?|\band\s+)", re.I)
_AFFILIATION = re.compile(r"\([^()]*\)")


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


@dataclass
class ReadResult:
    papers: list[PaperRecord] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    listings: int = 0  # records read (and kept by the category filter) before de-duplication
    skipped_by_category: int = 0  # records the category filter left out


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


def _clean(text: str) -> str:
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
    title, abstract = _clean(title), _clean(abstract)
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


# -- files ---------------------------------------------------------------


def discover_files(paths: Iterable[Path | str]) -> list[Path]:
    """The listing files named by ``paths`` (files, or folders searched recursively)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LISTING_SUFFIXES)
            if not inside:
                raise InputError(path, f"folder holds no listing files ({', '.join(sorted(LISTING_SUFFIXES))})")
            found.extend(inside)
        else:
            found.append(path)
    return found


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise InputError(path, "looks like a binary file, not a text listing")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            path, f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})", line
        ) from None


def _over_long(path: Path, number: int, characters: int) -> InputProblem:
    return InputProblem(str(path), number, f"line of {characters:,} characters skipped (limit {MAX_LINE_CHARS:,})")


def _numbered_lines(path: Path, text: str, problems: list[InputProblem]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            problems.append(_over_long(path, number, len(line)))
            continue
        yield number, line


def _characters_to_end_of_line(file: BinaryIO, start: bytes) -> int:
    """Read on to the end of the line that begins with ``start``; return its length in characters."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    characters = len(decoder.decode(start))
    chunk = start
    while chunk and not chunk.endswith(b"\n"):
        chunk = file.readline(_MAX_LINE_BYTES)
        characters += len(decoder.decode(chunk))
    line_end = len(chunk) - len(chunk.rstrip(b"\r\n"))
    return characters + len(decoder.decode(b"", final=True)) - line_end


def _streamed_lines(path: Path, problems: list[InputProblem]) -> Iterator[tuple[int, str]]:
    """The lines of a UTF-8 file, numbered from 1, read one at a time: the file is
    never held whole.  Over-long lines and lines that are not UTF-8 are problems;
    the file is empty or binary: ``InputError``."""
    with path.open("rb") as file:
        if b"\x00" in file.read(BINARY_SNIFF_BYTES):
            raise InputError(path, "looks like a binary file, not a text listing")
        file.seek(0)
        empty = True
        number = 0
        while raw := file.readline(_MAX_LINE_BYTES + 1):
            number += 1
            if empty and raw.strip():
                empty = False
            if len(raw) > _MAX_LINE_BYTES and not raw.endswith(b"\n"):
                problems.append(_over_long(path, number, _characters_to_end_of_line(file, raw)))
                continue
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                problems.append(
                    InputProblem(
                        str(path),
                        number,
                        f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start} in the line) skipped",
                    )
                )
                continue
            if number == 1:
                line = line.removeprefix("\ufeff")
            if len(line) > MAX_LINE_CHARS:
                problems.append(_over_long(path, number, len(line)))
                continue
            yield number, line
    if empty:
        raise InputError(path, "file is empty")


def _first_text_line(path: Path) -> str:
    """The first line of ``path`` that is not blank (up to 64 KB of it), or ""."""
    with path.open("rb") as file:
        while raw := file.readline(_SNIFF_LINE_BYTES):
            line = raw.decode("utf-8", errors="replace").strip().removeprefix("\ufeff")
            if line:
                return line
    return ""


def _holds_json_lines(path: Path) -> bool:
    """Whether ``path`` is JSON lines: by its suffix, or, whatever its suffix, by a
    first line that is a JSON object.  A JSON document (an array, or an object
    spread over lines) is not JSON lines: ``InputError``."""
    first = _first_text_line(path)
    if first.startswith("{"):
        try:
            json.loads(first)
            return True
        except json.JSONDecodeError:
            pass
    if path.suffix.lower() not in JSON_LINES_SUFFIXES:
        return False
    if first.startswith("[") or first == "{":
        raise InputError(path, "is one JSON document, not JSON lines (one object per line)", line=1)
    return True


# -- the "daily papers" text format --------------------------------------------


def _is_noise(line: str) -> bool:
    return line.casefold() in _NOISE_LINES or bool(_DATE_LINE.match(line))


def _looks_like_abstract(line: str) -> bool:
    return len(line) > MAX_TITLE_CHARS or (len(line.split()) >= 12 and line.rstrip().endswith((".", ")", "]")))


def read_listing(path: Path, problems: list[InputProblem]) -> list[PaperRecord]:
    """Titles each followed by their abstract, with page noise around them."""
    lines: list[tuple[int, str]] = []
    for number, raw in _numbered_lines(path, _read_text(path), problems):
        line = _GLUED_SUBSCRIBE.sub("", raw.strip())
        if line and not _is_noise(line):
            lines.append((number, line))

    records: list[PaperRecord] = []
    pending_title: tuple[int, str] | None = None
    for number, line in lines:
        if pending_title is None:
            if len(line) > MAX_TITLE_CHARS:
                problems.append(InputProblem(str(path), number, "text with no title before it skipped"))
            else:
                pending_title = (number, line)
        elif _looks_like_abstract(line):
            title_line, title = pending_title
            records.append(make_record(title, line, SourceRef(str(path), title_line)))
            pending_title = None
        else:
            title_line, title = pending_title
            problems.append(InputProblem(str(path), title_line, f"title with no abstract skipped: {title[:80]!r}"))
            pending_title = (number, line)
    if pending_title is not None:
        title_line, title = pending_title
        problems.append(InputProblem(str(path), title_line, f"title with no abstract skipped: {title[:80]!r}"))
    return records


# -- JSON lines and CSV -------------------------------------------------------


def _without_affiliations(text: str) -> str:
    while True:
        stripped = _AFFILIATION.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def _authors(value: object) -> list[str]:
    """A list of names from a list, or from a string such as arXiv's
    "A. Author, B. Author (MIT) and C. Author": split at commas, semicolons and
    "and"; affiliations in parentheses are dropped."""
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    if isinstance(value, str):
        names = _AUTHOR_SEPARATOR.split(_clean(_without_affiliations(value)))
        return [name.strip(" ,;") for name in names if name.strip(" ,;")]
    return []


def _categories(value: object) -> list[str]:
    """arXiv's "cs.LG stat.ML", or a list."""
    if isinstance(value, list):
        return [str(c).strip() for c in value if str(c).strip()]
    if isinstance(value, str):
        return [c for c in re.split(r"[\s,;]+", value) if c]
    return []


def is_arxiv_record(fields: dict) -> bool:
    """Whether a JSON object is an arXiv metadata record (arxiv-metadata-oai-snapshot.json)."""
    return (
        bool(_ARXIV_ID.match(str(fields.get("id") or "").strip()))
        and "abstract" in fields
        and ("versions" in fields or "categories" in fields)
    )


def _arxiv_date(fields: dict) -> str | None:
    """ISO date of the first version (``versions[0].created``, such as
    "Mon, 2 Apr 2007 19:18:42 GMT"), else ``update_date``."""
    versions = fields.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        try:
            return parsedate_to_datetime(str(versions[0].get("created"))).date().isoformat()
        except (TypeError, ValueError):
            pass
    updated = str(fields.get("update_date") or "").strip()
    return updated or None


def _record_from_fields(fields: dict, path: Path, line: int, problems: list[InputProblem]) -> PaperRecord | None:
    title = str(fields.get("title") or "").strip()
    abstract = str(fields.get("abstract") or "").strip()
    if not title:
        problems.append(InputProblem(str(path), line, "record with no title skipped"))
        return None
    if not abstract:
        problems.append(InputProblem(str(path), line, f"title with no abstract skipped: {title[:80]!r}"))
        return None
    if len(title) > MAX_TITLE_CHARS:
        problems.append(InputProblem(str(path), line, f"title of {len(title):,} characters skipped"))
        return None

    def optional(key: str) -> str | None:
        value = fields.get(key)
        return str(value).strip() if value not in (None, "") else None

    arxiv_id = optional("id") if is_arxiv_record(fields) else None
    return make_record(
        title,
        abstract,
        SourceRef(str(path), line),
        authors=_authors(fields.get("authors")),
        date=optional("date") or (_arxiv_date(fields) if arxiv_id else None),
        url=optional("url") or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
        external_id=optional("id"),
        categories=_categories(fields.get("categories")),
        arxiv_id=arxiv_id,
    )


def iter_json_lines(path: Path, problems: list[InputProblem]) -> Iterator[PaperRecord]:
    """One record per JSON line, streamed: papergraph's fields (``title``, ``abstract``,
    optional ``id``, ``authors``, ``date``, ``url``, ``categories``) or arXiv metadata."""
    for number, line in _streamed_lines(path, problems):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(InputProblem(str(path), number, f"not JSON ({error.msg}) skipped"))
            continue
        if not isinstance(fields, dict):
            problems.append(InputProblem(str(path), number, "not a JSON object skipped"))
            continue
        fields = {str(k).lower(): v for k, v in fields.items()}
        record = _record_from_fields(fields, path, number, problems)
        if record:
            yield record


def read_csv(path: Path, problems: list[InputProblem]) -> list[PaperRecord]:
    text = _read_text(path)
    csv.field_size_limit(MAX_LINE_CHARS)
    reader = csv.DictReader(text.splitlines(keepends=True))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in ("title", "abstract") if c not in columns]
    if missing:
        raise InputError(
            path, f"CSV lacks the column(s) {', '.join(missing)}; found: {', '.join(columns) or 'none'}", line=1
        )
    records = []
    try:
        for row in reader:
            fields = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
            record = _record_from_fields(fields, path, reader.line_num, problems)
            if record:
                records.append(record)
    except csv.Error as error:
        problems.append(InputProblem(str(path), reader.line_num, f"CSV error, rest of file skipped: {error}"))
    return records


READERS = {".txt": read_listing, ".csv": read_csv}  # whole-file readers; JSON lines stream


def iter_file(path: Path, problems: list[InputProblem]) -> Iterator[PaperRecord]:
    """The records of one file, as its format says (JSON lines are streamed)."""
    if _holds_json_lines(path):
        yield from iter_json_lines(path, problems)
    else:
        yield from READERS.get(path.suffix.lower(), read_listing)(path, problems)


def read_file(path: Path, problems: list[InputProblem]) -> list[PaperRecord]:
    records = list(iter_file(path, problems))
    if not records:
        raise InputError(path, "no papers could be read from this file")
    return records


# -- the category filter ----------------------------------------------------------


def in_categories(record: PaperRecord, wanted: Iterable[str]) -> bool:
    """Whether one of the paper's categories starts with one of ``wanted``
    (case aside): "cs.LG" keeps cs.LG, "cs" keeps every cs.* paper."""
    return any(c.casefold().startswith(w.casefold()) for c in record.categories for w in wanted)


# -- de-duplication -------------------------------------------------------------

# Filled in from a later listing of the same paper when the first one lacks them.
_FILLED_IN = ("authors", "date", "year", "url", "external_id", "categories", "arxiv_id")


def deduplicate(records: Iterable[PaperRecord], problems: list[InputProblem]) -> list[PaperRecord]:
    """One record per paper id (normalised title), keeping every source.  When
    two listings of one title disagree, the longer abstract wins."""
    by_id: dict[str, PaperRecord] = {}
    for record in records:
        kept = by_id.get(record.id)
        if kept is None:
            by_id[record.id] = record
            continue
        kept.sources.extend(s for s in record.sources if s not in kept.sources)
        if kept.arxiv_id and record.arxiv_id and kept.arxiv_id != record.arxiv_id:
            where = record.sources[0]
            problems.append(
                InputProblem(
                    where.path,
                    where.line,
                    f"arXiv {record.arxiv_id} has the same title as arXiv {kept.arxiv_id}; kept as one paper",
                )
            )
        if record.abstract != kept.abstract:
            where = record.sources[0]
            problems.append(
                InputProblem(
                    where.path,
                    where.line,
                    "same title as an earlier listing with a different abstract; kept the longer one",
                )
            )
            if len(record.abstract) > len(kept.abstract):
                kept.abstract = record.abstract
                kept.code_urls, kept.links = record.code_urls, record.links
        for key in _FILLED_IN:
            if not getattr(kept, key) and getattr(record, key):
                setattr(kept, key, getattr(record, key))
    return list(by_id.values())


# -- reading many files -------------------------------------------------------------


def _skipped_note(path: Path, outside: int, uncategorised: int, wanted: list[str]) -> InputProblem:
    counts = [f"{outside:,} paper(s) in other categories"] if outside else []
    counts += [f"{uncategorised:,} paper(s) with no categories"] if uncategorised else []
    return InputProblem(str(path), None, f"{' and '.join(counts)} skipped by the category filter {' '.join(wanted)}")


def iter_records(
    paths: Iterable[Path | str], categories: Iterable[str] = (), into: ReadResult | None = None
) -> Iterator[PaperRecord]:
    """Every record under ``paths``, file by file, as read: not de-duplicated
    (``deduplicate`` does that).  JSON lines stream a line at a time, so a caller
    that takes the records in batches (``graph_schema.store.batched``) never holds
    a large file.  ``categories`` keeps only papers with a category starting with
    one of them (``in_categories``); papers from formats without categories are
    then left out, and each file's count of left-out papers becomes a note.

    The files read, the problems and the counts go to ``into``.  Raises
    ``InputError`` for a file that cannot be read when it is the only one, and,
    at the end, when no paper at all could be read."""
    result = into if into is not None else ReadResult()
    result.files = discover_files(paths)
    wanted = [c.strip() for c in categories if c.strip()]
    for path in result.files:
        found = outside = uncategorised = 0
        try:
            for record in iter_file(path, result.problems):
                found += 1
                if wanted and not in_categories(record, wanted):
                    if record.categories:
                        outside += 1
                    else:
                        uncategorised += 1
                    continue
                result.listings += 1
                yield record
            if not found:
                raise InputError(path, "no papers could be read from this file")
        except InputError as error:
            if len(result.files) == 1:
                raise
            result.problems.append(InputProblem(error.path, error.line, error.message))
        except OSError as error:
            raise InputError(path, f"cannot be read: {error.strerror}") from error
        if outside or uncategorised:
            result.skipped_by_category += outside + uncategorised
            result.problems.append(_skipped_note(path, outside, uncategorised, wanted))
    if not result.listings:
        files = ", ".join(str(p) for p in result.files)
        if result.skipped_by_category:
            raise InputError(
                files, f"no paper in the categories {' '.join(wanted)} ({result.skipped_by_category:,} skipped)"
            )
        raise InputError(files, "no papers could be read")


def read_paths(paths: Iterable[Path | str], categories: Iterable[str] = ()) -> ReadResult:
    """Read and de-duplicate every listing under ``paths`` (see ``iter_records``).
    Raises ``InputError`` only when no paper at all could be read; otherwise
    unreadable files are problems."""
    result = ReadResult()
    result.papers = deduplicate(iter_records(paths, categories, into=result), result.problems)
    return result
