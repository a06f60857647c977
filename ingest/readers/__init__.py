"""Read paper listings into ``PaperRecord``s, whatever form they come in.

Formats, one module each, found by what a file holds (its first line), else by its suffix:

- ``listing``: the "daily papers" text format (``.txt``);
- ``json_lines``: JSON lines, each line read as an arXiv metadata record, an OpenAlex work
  (``openalex``), a Semantic Scholar paper (``semantic_scholar``), or a record whose keys
  are found by meaning (``columns``); and JSON documents of such records (an API's page);
- ``delimited``: CSV and TSV, columns found by meaning (the Kaggle arXiv file's ``titles``,
  ``summaries``, ``terms``) or named (``ColumnNames``, ``named_columns``);
- ``bibtex``: ``.bib`` exports of Zotero, Mendeley and Google Scholar;
- ``compression``: any of these inside a ``.gz`` or a ``.zip``, decompressed as read.

Readers never stop at the first bad record: a file that cannot be read at all raises
``InputError``; a bad record inside a readable file becomes an ``InputProblem`` (file,
line, message) and the rest of the file is read (``common``).  ``collection`` reads many
files, filters by category and de-duplicates: a paper's id comes from its normalised
title, so one paper listed in two formats is one paper.
"""

from ingest.readers.collection import ReadResult, deduplicate, discover_files, in_categories, iter_records, read_paths
from ingest.readers.columns import ColumnNames, named_columns
from ingest.readers.common import (
    MAX_LINE_CHARS,
    MAX_TITLE_CHARS,
    InputError,
    InputNote,
    InputProblem,
    is_code_url,
    links,
    make_record,
    year_of,
)
from ingest.readers.formats import LISTING_SUFFIXES
from ingest.readers.json_lines import is_arxiv_record

__all__ = [
    "LISTING_SUFFIXES",
    "MAX_LINE_CHARS",
    "MAX_TITLE_CHARS",
    "ColumnNames",
    "InputError",
    "InputNote",
    "InputProblem",
    "ReadResult",
    "deduplicate",
    "discover_files",
    "in_categories",
    "is_arxiv_record",
    "is_code_url",
    "iter_records",
    "links",
    "make_record",
    "named_columns",
    "read_paths",
    "year_of",
]
