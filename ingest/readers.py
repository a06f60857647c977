"""Read paper listings into ``PaperRecord``s: the "daily papers" text format,
JSONL and CSV.

Readers never stop at the first bad record.  A file that cannot be read at all
raises ``InputError``; a bad record inside a readable file becomes an
``InputProblem`` (file, line, message) and the rest of the file is read.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph_schema.errors import InputFileError
from ingest.normalize import paper_id
from ingest.records import PaperRecord, SourceRef

LISTING_SUFFIXES = {".txt", ".jsonl", ".ndjson", ".csv"}
# Longer lines are not a title or an abstract: a pasted blob, a minified file.
MAX_LINE_CHARS = 100_000
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
    listings: int = 0  # records read before de-duplication


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


def make_record(
    title: str,
    abstract: str,
    source: SourceRef,
    *,
    authors: list[str] | None = None,
    date: str | None = None,
    url: str | None = None,
    external_id: str | None = None,
) -> PaperRecord:
    title, abstract = _clean(title), _clean(abstract)
    return PaperRecord(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        authors=authors or [],
        date=date or None,
        url=url or None,
        external_id=external_id or None,
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


def _numbered_lines(path: Path, text: str, problems: list[InputProblem]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            problems.append(
                InputProblem(str(path), number, f"line of {len(line):,} characters skipped (limit {MAX_LINE_CHARS:,})")
            )
            continue
        yield number, line


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


# -- JSONL and CSV -------------------------------------------------------------


def _authors(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    if isinstance(value, str):
        separator = ";" if ";" in value else ","
        return [a.strip() for a in value.split(separator) if a.strip()]
    return []


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

    return make_record(
        title,
        abstract,
        SourceRef(str(path), line),
        authors=_authors(fields.get("authors")),
        date=optional("date"),
        url=optional("url"),
        external_id=optional("id"),
    )


def read_jsonl(path: Path, problems: list[InputProblem]) -> list[PaperRecord]:
    records = []
    for number, line in _numbered_lines(path, _read_text(path), problems):
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
            records.append(record)
    return records


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


READERS = {".txt": read_listing, ".jsonl": read_jsonl, ".ndjson": read_jsonl, ".csv": read_csv}


def read_file(path: Path, problems: list[InputProblem]) -> list[PaperRecord]:
    reader = READERS.get(path.suffix.lower(), read_listing)
    records = reader(path, problems)
    if not records:
        raise InputError(path, "no papers could be read from this file")
    return records


# -- de-duplication -------------------------------------------------------------


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
        for key in ("authors", "date", "url", "external_id"):
            if not getattr(kept, key) and getattr(record, key):
                setattr(kept, key, getattr(record, key))
    return list(by_id.values())


def read_paths(paths: Iterable[Path | str]) -> ReadResult:
    """Read every listing under ``paths``.  Raises ``InputError`` only when no
    paper at all could be read; otherwise unreadable files are problems."""
    result = ReadResult(files=discover_files(paths))
    records: list[PaperRecord] = []
    for path in result.files:
        try:
            records.extend(read_file(path, result.problems))
        except InputError as error:
            if len(result.files) == 1:
                raise
            result.problems.append(InputProblem(error.path, error.line, error.message))
        except OSError as error:
            raise InputError(path, f"cannot be read: {error.strerror}") from error
    result.listings = len(records)
    result.papers = deduplicate(records, result.problems)
    if not result.papers:
        raise InputError(", ".join(str(p) for p in result.files), "no papers could be read")
    return result
