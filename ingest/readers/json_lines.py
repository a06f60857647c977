"""JSON lines, one record a line, streamed: a file of any size is read a line at a time; and
JSON documents (an array of records, an API's page of them), read whole.

Each line is read as what its fields say it is, whatever the file is called:

- an arXiv metadata record (``arxiv-metadata-oai-snapshot.json``): an arXiv ``id``, an
  ``abstract`` and ``versions`` or ``categories``;
- an OpenAlex work (``ingest.readers.openalex``) or a Semantic Scholar paper
  (``ingest.readers.semantic_scholar``);
- else a record whose keys are found by meaning (``ingest.readers.columns``): papergraph's
  own ``title``, ``abstract``, ``id``, ``authors``, ``date``, ``url``, ``categories``, or
  ``titles``, ``summary``, ``terms``, ``publication_date``, ``doi`` and the like.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from email.utils import parsedate_to_datetime

from ingest.readers.columns import ColumnChoice, ColumnNames, choose_columns, describe_guesses
from ingest.readers.common import FileReport, InputError, InputProblem
from ingest.readers.compression import Source
from ingest.readers.fields import arxiv_url, authors_of, categories_of, doi_of, doi_url
from ingest.readers.openalex import is_openalex_work, openalex_record
from ingest.readers.semantic_scholar import is_semantic_scholar_paper, semantic_scholar_record
from ingest.readers.text import first_text_line, read_text, streamed_lines
from ingest.records import PaperRecord, SourceRef

JSON_LINES_SUFFIXES = {".jsonl", ".ndjson", ".json"}
# New-style arXiv ids (0704.0001, 2401.12345v2) and old-style ones (hep-th/9901001, math.AG/0406593).
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Za-z-]{2,})?/\d{7})(v\d+)?$")


def holds_json(source: Source) -> str | None:
    """ "lines" where a listing is JSON lines: by a first line that is a JSON object, whatever
    its suffix, or by its suffix; "document" where a JSON file is one document (an array of
    records, an API's page of them, or one record spread over lines); else None."""
    first = first_text_line(source)
    if first.startswith("{"):
        try:
            json.loads(first)
            return "lines"
        except json.JSONDecodeError:
            pass
    if source.suffix not in JSON_LINES_SUFFIXES:
        return None
    return "document" if first.startswith(("[", "{")) else "lines"


def is_arxiv_record(fields: Mapping[str, object]) -> bool:
    """Whether a JSON object (keys lower-cased) is an arXiv metadata record (arxiv-metadata-oai-snapshot.json)."""
    return (
        bool(_ARXIV_ID.match(str(fields.get("id") or "").strip()))
        and "abstract" in fields
        and ("versions" in fields or "categories" in fields)
    )


def _arxiv_date(fields: Mapping[str, object]) -> str | None:
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


def _text(value: object) -> str | None:
    if value in (None, "", [], {}):
        return None
    return str(value).strip() or None


def _arxiv_record(fields: Mapping[str, object], ref: SourceRef, report: FileReport) -> PaperRecord | None:
    arxiv_id = _text(fields.get("id"))
    return report.checked_record(
        str(fields.get("title") or ""),
        str(fields.get("abstract") or ""),
        ref,
        authors=authors_of(fields.get("authors")),
        date=_text(fields.get("date")) or _arxiv_date(fields),
        url=_text(fields.get("url")) or arxiv_url(arxiv_id),
        external_id=arxiv_id,
        categories=categories_of(fields.get("categories")),
        arxiv_id=arxiv_id,
    )


def record_from_columns(
    row: Mapping[str, object], choice: ColumnChoice, ref: SourceRef, report: FileReport
) -> PaperRecord | None:
    """A record from a row (CSV) or an object (JSON) whose columns were chosen by meaning."""
    values = choice.values(row)
    doi = doi_of(values.get("doi"))
    return report.checked_record(
        str(values.get("title") or ""),
        str(values.get("abstract") or ""),
        ref,
        authors=authors_of(values.get("authors")),
        date=_text(values.get("date")),
        url=_text(values.get("url")) or doi_url(doi),
        external_id=_text(values.get("id")) or doi,
        categories=categories_of(values.get("categories")),
    )


class _JsonRecords:
    """Each JSON object of one file made a record, as its fields say, with the column
    choice for each set of keys met (they seldom vary) and what was guessed."""

    def __init__(self, source: Source, problems: list[InputProblem], names: ColumnNames):
        self.source, self.names = source, names
        self.report = FileReport(source.name, problems)
        self.choices: dict[tuple[str, ...], ColumnChoice] = {}
        self.guesses: dict[str, str] = {}
        self.read_any = False  # a later record without a named key is a problem, not the file's error

    def record(self, obj: object, number: int) -> PaperRecord | None:
        if not isinstance(obj, dict):
            self.report.problem(number, "not a JSON object skipped")
            return None
        ref = SourceRef(str(self.source.file), number)
        fields = {str(k).lower(): v for k, v in obj.items()}
        if is_openalex_work(fields):
            record = openalex_record(fields, ref, self.report)
        elif is_semantic_scholar_paper(fields):
            record = semantic_scholar_record(fields, ref, self.report)
        elif is_arxiv_record(fields):
            record = _arxiv_record(fields, ref, self.report)
        else:
            choice = self.choices.get(tuple(obj))
            if choice is None:
                choice = self.choices[tuple(obj)] = choose_columns(obj, self.names)
            if choice.missing:
                lacks = f"no key named by {', '.join(choice.missing)}; found: {', '.join(obj) or 'none'}"
                if not self.read_any:
                    raise InputError(self.source.name, f"has {lacks}", line=number)
                self.report.problem(number, f"record with {lacks} skipped")
                return None
            for name, column in choice.guesses().items():
                self.guesses.setdefault(name, column)
            record = record_from_columns(obj, choice, ref, self.report)
        self.read_any = True
        return record

    def close(self) -> None:
        self.report.close()
        if self.guesses:
            self.report.note(describe_guesses(self.guesses))


def iter_json_lines(source: Source, problems: list[InputProblem], names: ColumnNames) -> Iterator[PaperRecord]:
    """One record per JSON line, streamed."""
    records = _JsonRecords(source, problems, names)
    for number, line in streamed_lines(source, problems):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            records.report.problem(number, f"not JSON ({error.msg}) skipped")
            continue
        if record := records.record(obj, number):
            yield record
    records.close()


# An API's page of records: OpenAlex's {"meta": ..., "results": [...]}, Semantic Scholar's {"data": [...]}.
_RECORD_LISTS = ("results", "data")
MAX_JSON_DOCUMENT_BYTES = 256 * 2**20
_BETWEEN_ELEMENTS = re.compile(r"[\s,]*")


def read_json_document(source: Source, problems: list[InputProblem], names: ColumnNames) -> list[PaperRecord]:
    """The records of one JSON document, read whole: an array of records, an API's page of
    them (``results``, ``data``), or one record.  Each record's line is where it starts."""
    text = read_text(source, MAX_JSON_DOCUMENT_BYTES, "JSON document (JSON lines stream: jq -c '.[]')")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(source.name, f"is not valid JSON: {error.msg} (column {error.colno})", error.lineno) from None
    if isinstance(document, list):
        listed, opening = document, re.match(r"\s*\[", text)
    elif isinstance(document, dict) and (
        key := next((k for k in _RECORD_LISTS if isinstance(document.get(k), list)), None)
    ):
        listed, opening = document[key], re.search(rf'"{key}"\s*:\s*\[', text)
    else:
        listed, opening = [document], None
    records = _JsonRecords(source, problems, names)
    found = []
    for obj, number in zip(listed, _element_lines(text, listed, opening.end() if opening else None)):
        if record := records.record(obj, number):
            found.append(record)
    records.close()
    return found


def _element_lines(text: str, listed: list, position: int | None) -> list[int]:
    """The line each element of an array starts at, decoding it again element by element from
    ``position`` (just past its ``[``); all 1 where that does not give the same elements."""
    decoder, lines = json.JSONDecoder(), []
    line = 1 + text.count("\n", 0, position or 0)
    try:
        for element in listed:
            begin = _BETWEEN_ELEMENTS.match(text, position).end()
            line += text.count("\n", position, begin)
            lines.append(line)
            decoded, position = decoder.raw_decode(text, begin)
            line += text.count("\n", begin, position)
            if decoded != element:
                raise ValueError("another element")
    except (TypeError, ValueError):
        return [1] * len(listed)
    return lines
