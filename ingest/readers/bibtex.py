"""BibTeX (``.bib``), as Zotero, Mendeley and Google Scholar export it, parsed by
``bibtexparser``: title, abstract, authors (first name first), ``date`` or ``year`` (and
``month``), DOI, URL, arXiv ``eprint`` and keywords (as categories), with LaTeX accents
and braces decoded (``Daum{\\'e}`` is "Daumé").  Entries without an abstract (Google
Scholar exports none) are counted and skipped; an entry that cannot be parsed is a
problem at its line, and the rest of the file is read."""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from ingest.readers.common import FileReport, InputError, InputProblem
from ingest.readers.compression import Source
from ingest.readers.fields import arxiv_id_of_doi, arxiv_url, doi_of, doi_url
from ingest.readers.text import read_text
from ingest.records import PaperRecord, SourceRef

BIBTEX_SUFFIXES = {".bib", ".bibtex"}
# The first thing in a BibTeX file, whatever it is called: an entry, @string, @preamble or @comment.
STARTS_BIBTEX = re.compile(r"^@\s*[A-Za-z]+\s*[{(]")

# Its splitter logs each block it cannot parse; here each becomes a problem at its line instead.
logging.getLogger("bibtexparser.splitter").setLevel(logging.ERROR)

_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_KEYWORD_SEPARATOR = re.compile(r"\s*[,;]\s*")
_MONTHS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def _parse_stack() -> list:
    # Decoded before the names are split, keeping braced groups, so that "{Google Brain Team}"
    # stays one name; the braces go afterwards (``_value``).
    return [
        middlewares.NormalizeFieldKeys(),
        middlewares.LatexDecodingMiddleware(keep_braced_groups=True),
        middlewares.SeparateCoAuthors(),
        middlewares.SplitNameParts(),
        middlewares.MergeNameParts(style="first"),
    ]


def _value(entry: Entry, key: str) -> str:
    field = entry.fields_dict.get(key)
    if field is None or not isinstance(field.value, str):
        return ""
    return " ".join(_UNESCAPED_BRACE.sub("", field.value).split())


def _authors(entry: Entry) -> list[str]:
    field = entry.fields_dict.get("author")
    names = field.value if field is not None and isinstance(field.value, list) else []
    return [name for name in (" ".join(_UNESCAPED_BRACE.sub("", str(n)).split()) for n in names) if name]


def _date(entry: Entry) -> str | None:
    if date := _value(entry, "date"):
        return date
    year = _value(entry, "year")
    month = _value(entry, "month").casefold()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year}-{number:02d}" if year.isdigit() and number else year or None


def _record(entry: Entry, ref: SourceRef, report: FileReport) -> PaperRecord | None:
    doi = doi_of(_value(entry, "doi"))
    eprint = _value(entry, "eprint")
    arxiv_id = arxiv_id_of_doi(doi) or (
        eprint if eprint and _value(entry, "archiveprefix").casefold() == "arxiv" else None
    )
    keywords = _KEYWORD_SEPARATOR.split(_value(entry, "keywords"))
    return report.checked_record(
        _value(entry, "title"),
        _value(entry, "abstract"),
        ref,
        counted_as="entries",
        authors=_authors(entry),
        date=_date(entry),
        url=_value(entry, "url") or arxiv_url(arxiv_id) or doi_url(doi),
        external_id=doi or entry.key,
        categories=[k for k in keywords if k],
        arxiv_id=arxiv_id,
    )


def _failure(block) -> str:
    error = block.error
    reason = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    return " ".join(reason.split())


def read_bibtex(source: Source, problems: list[InputProblem]) -> list[PaperRecord]:
    report = FileReport(source.name, problems)
    library = bibtexparser.parse_string(read_text(source), append_middleware=_parse_stack())
    entries: list[tuple[int, Entry]] = [(block.start_line, block) for block in library.entries]
    if library.failed_blocks and not library.entries:
        first = library.failed_blocks[0]
        if not isinstance(first.ignore_error_block, Entry):
            raise InputError(source.name, f"no entry could be parsed: {_failure(first)}", (first.start_line or 0) + 1)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block.ignore_error_block, Entry):
            # A duplicate key, a duplicate field, LaTeX that would not decode: the entry is read
            # as it was parsed (a paper listed twice is one paper all the same).
            entries.append((block.start_line, block.ignore_error_block))
            if not isinstance(block, DuplicateBlockKeyBlock):
                report.problem(line, f"entry read as it is: {_failure(block)}")
        else:
            report.problem(line, f"entry that could not be parsed skipped: {_failure(block)}")
    if not entries and not library.failed_blocks:
        raise InputError(source.name, "holds no BibTeX entry (such as @article{key, title = {...}, ...})")
    records = []
    for start_line, entry in sorted(entries, key=lambda item: item[0] or 0):
        record = _record(entry, SourceRef(str(source.file), (start_line or 0) + 1), report)
        if record:
            records.append(record)
    report.close()
    return records
