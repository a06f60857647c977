"""Which reader reads a listing: by what its first line is (a JSON object, a BibTeX entry),
else by its name's suffix (inside a ``.gz`` or ``.zip``, the suffix of the file inside)."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.readers.bibtex import BIBTEX_SUFFIXES, STARTS_BIBTEX, read_bibtex
from ingest.readers.columns import ColumnNames
from ingest.readers.common import InputError, InputProblem
from ingest.readers.compression import COMPRESSED_SUFFIXES, Source
from ingest.readers.delimited import DELIMITED_SUFFIXES, iter_delimited
from ingest.readers.json_lines import JSON_LINES_SUFFIXES, holds_json, iter_json_lines, read_json_document
from ingest.readers.listing import read_listing
from ingest.readers.text import first_text_line
from ingest.records import PaperRecord

TEXT_LISTING_SUFFIXES = {".txt"}
LISTING_SUFFIXES = (
    TEXT_LISTING_SUFFIXES | JSON_LINES_SUFFIXES | DELIMITED_SUFFIXES | BIBTEX_SUFFIXES | COMPRESSED_SUFFIXES
)


def iter_source(source: Source, problems: list[InputProblem], names: ColumnNames) -> Iterator[PaperRecord]:
    """The records of one listing, as its format says (all but BibTeX, the daily-papers text
    and JSON documents are streamed)."""
    if source.compressed and source.suffix in COMPRESSED_SUFFIXES | {".tar"}:
        raise InputError(source.name, f"holds a {source.suffix} file: papergraph reads a .gz or .zip of listings")
    json_kind = holds_json(source)
    if json_kind == "lines":
        yield from iter_json_lines(source, problems, names)
    elif json_kind == "document":
        yield from read_json_document(source, problems, names)
    elif source.suffix in DELIMITED_SUFFIXES:
        yield from iter_delimited(source, problems, names)
    elif source.suffix in BIBTEX_SUFFIXES or STARTS_BIBTEX.match(first_text_line(source)):
        yield from read_bibtex(source, problems)
    else:
        yield from read_listing(source, problems)
