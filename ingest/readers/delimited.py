"""CSV and TSV, streamed a row at a time, with a header whose columns are found by meaning
(``ingest.readers.columns``): ``title``/``titles``, ``abstract``/``summaries``, ``terms``
and the like, or the columns named by ``--title-column`` and its kin.  A cell holding a
list (``['cs.CV', 'cs.LG']``) is read as one.  A ``.csv`` is split at commas, or at
semicolons or tabs where its header has more of those."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from ingest.readers.columns import ColumnNames, choose_columns, describe_guesses
from ingest.readers.common import MAX_LINE_CHARS, FileReport, InputError, InputProblem
from ingest.readers.compression import Source
from ingest.readers.json_lines import record_from_columns
from ingest.readers.text import streamed_lines
from ingest.records import PaperRecord, SourceRef

DELIMITED_SUFFIXES = {".csv", ".tsv", ".tab"}


class _NumberedLines:
    """The lines of a listing for ``csv.reader``, remembering the number of the last one given."""

    def __init__(self, lines: Iterator[tuple[int, str]]):
        self.lines = lines
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        for number, line in self.lines:
            self.number = number
            yield line


def _delimiter(source: Source, header: str) -> str:
    if source.suffix in {".tsv", ".tab"}:
        return "\t"
    return max(",;\t", key=header.count)  # a tie, or no separator at all: a comma


def iter_delimited(source: Source, problems: list[InputProblem], names: ColumnNames) -> Iterator[PaperRecord]:
    report = FileReport(source.name, problems)
    csv.field_size_limit(MAX_LINE_CHARS)
    lines = _NumberedLines(streamed_lines(source, problems, keep_ends=True))
    text = iter(lines)
    first = next(text, "")
    header_line = lines.number
    rows = csv.reader(_prepend(first, text), delimiter=_delimiter(source, first))
    header = [column.strip() for column in next(rows, [])]
    choice = choose_columns(header, names)
    if choice.missing:
        raise InputError(
            source.name, f"has no column {', '.join(choice.missing)}; found: {', '.join(header)}", line=header_line
        )
    lacking = [name for name in ("title", "abstract") if not choice.columns[name]]
    if lacking:
        raise InputError(
            source.name,
            f"lacks the column(s) {', '.join(lacking)} (name them with "
            f"{', '.join(f'--{name}-column' for name in lacking)}); found: {', '.join(header) or 'none'}",
            line=header_line,
        )
    guesses = choice.guesses()
    try:
        while True:
            start = lines.number + 1  # the row's first line
            try:
                cells = next(rows)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            row = dict(zip(header, cells))
            record = record_from_columns(row, choice, SourceRef(str(source.file), start), report)
            if record:
                yield record
    except csv.Error as error:
        report.problem(lines.number, f"CSV error, rest of file skipped: {error}")
    report.close()
    if guesses:
        report.note(describe_guesses(guesses))


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
