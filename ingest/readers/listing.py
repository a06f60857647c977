"""The "daily papers" text format: titles each followed by their abstract, with page noise
(subscribe buttons, dates, headers) around them, as a page of daily papers is copied."""

from __future__ import annotations

import re

from ingest.readers.common import MAX_TITLE_CHARS, FileReport, InputProblem, make_record
from ingest.readers.compression import Source
from ingest.readers.text import numbered_lines, read_text
from ingest.records import PaperRecord, SourceRef

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


def _is_noise(line: str) -> bool:
    return line.casefold() in _NOISE_LINES or bool(_DATE_LINE.match(line))


def _looks_like_abstract(line: str) -> bool:
    return len(line) > MAX_TITLE_CHARS or (len(line.split()) >= 12 and line.rstrip().endswith((".", ")", "]")))


def read_listing(source: Source, problems: list[InputProblem]) -> list[PaperRecord]:
    """Titles each followed by their abstract, with page noise around them."""
    report = FileReport(source.name, problems)
    lines: list[tuple[int, str]] = []
    for number, raw in numbered_lines(source.name, read_text(source), problems):
        line = _GLUED_SUBSCRIBE.sub("", raw.strip())
        if line and not _is_noise(line):
            lines.append((number, line))

    records: list[PaperRecord] = []
    pending_title: tuple[int, str] | None = None
    for number, line in lines:
        if pending_title is None:
            if len(line) > MAX_TITLE_CHARS:
                report.problem(number, "text with no title before it skipped")
            else:
                pending_title = (number, line)
        elif _looks_like_abstract(line):
            title_line, title = pending_title
            records.append(make_record(title, line, SourceRef(str(source.file), title_line)))
            pending_title = None
        else:
            title_line, title = pending_title
            report.problem(title_line, f"title with no abstract skipped: {title[:80]!r}")
            pending_title = (number, line)
    if pending_title is not None:
        title_line, title = pending_title
        report.problem(title_line, f"title with no abstract skipped: {title[:80]!r}")
    return records
