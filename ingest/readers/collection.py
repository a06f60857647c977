"""Reading many files: finding the listings under the paths given, reading each (a bad file
among good ones is a problem, not a failure), the category filter, and de-duplication."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.readers.columns import ColumnNames, current_column_names
from ingest.readers.common import InputError, InputProblem
from ingest.readers.compression import Source, holds_a_listing, sources_of
from ingest.readers.formats import LISTING_SUFFIXES, iter_source
from ingest.records import PaperRecord


@dataclass
class ReadResult:
    papers: list[PaperRecord] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    listings: int = 0  # records read (and kept by the category filter) before de-duplication
    skipped_by_category: int = 0  # records the category filter left out


def discover_files(paths: Iterable[Path | str]) -> list[Path]:
    """The listing files named by ``paths`` (files, or folders searched recursively)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and holds_a_listing(p, LISTING_SUFFIXES))
            if not inside:
                raise InputError(path, f"folder holds no listing files ({', '.join(sorted(LISTING_SUFFIXES))})")
            found.extend(inside)
        else:
            found.append(path)
    return found


def in_categories(record: PaperRecord, wanted: Iterable[str]) -> bool:
    """Whether one of the paper's categories starts with one of ``wanted``
    (case aside): "cs.LG" keeps cs.LG, "cs" keeps every cs.* paper."""
    return any(c.casefold().startswith(w.casefold()) for c in record.categories for w in wanted)


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
        where = record.sources[0]
        if kept.arxiv_id and record.arxiv_id and kept.arxiv_id != record.arxiv_id:
            problems.append(
                InputProblem(
                    where.path,
                    where.line,
                    f"arXiv {record.arxiv_id} has the same title as arXiv {kept.arxiv_id}; kept as one paper",
                )
            )
        if record.abstract != kept.abstract:
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


def _skipped_note(name: str, outside: int, uncategorised: int, wanted: list[str]) -> InputProblem:
    counts = [f"{outside:,} paper(s) in other categories"] if outside else []
    counts += [f"{uncategorised:,} paper(s) with no categories"] if uncategorised else []
    return InputProblem(name, None, f"{' and '.join(counts)} skipped by the category filter {' '.join(wanted)}")


def iter_records(
    paths: Iterable[Path | str],
    categories: Iterable[str] = (),
    into: ReadResult | None = None,
    columns: ColumnNames | None = None,
) -> Iterator[PaperRecord]:
    """Every record under ``paths``, file by file, as read: not de-duplicated
    (``deduplicate`` does that).  All formats but BibTeX and the daily-papers text stream a
    line at a time, so a caller that takes the records in batches
    (``graph_schema.store.batched``) never holds a large file.  ``categories`` keeps only
    papers with a category starting with one of them (``in_categories``); papers from
    formats without categories are then left out, and each file's count of left-out papers
    becomes a note.  ``columns`` names the columns of CSV, TSV and JSON files where guessing
    would be wrong (default: those of ``named_columns``, else none).

    The files read, the problems and the counts go to ``into``.  Raises
    ``InputError`` for a file that cannot be read when it is the only one, and,
    at the end, when no paper at all could be read."""
    result = into if into is not None else ReadResult()
    result.files = discover_files(paths)
    wanted = [c.strip() for c in categories if c.strip()]
    names = columns or current_column_names()
    for path in result.files:
        try:
            sources = sources_of(path, LISTING_SUFFIXES)
        except InputError as error:
            if len(result.files) == 1:
                raise
            result.problems.append(InputProblem(error.path, error.line, error.message))
            continue
        alone = len(result.files) == 1 and len(sources) == 1
        for source in sources:
            yield from _read_source(source, result, wanted, names, alone)
    _raise_if_nothing_read(result, wanted)


def _read_source(
    source: Source, result: ReadResult, wanted: list[str], names: ColumnNames, alone: bool
) -> Iterator[PaperRecord]:
    found = outside = uncategorised = 0
    try:
        for record in iter_source(source, result.problems, names):
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
            raise InputError(source.name, "no papers could be read from this file")
    except InputError as error:
        if alone:
            raise
        result.problems.append(InputProblem(error.path, error.line, error.message))
    except OSError as error:
        raise InputError(source.name, f"cannot be read: {error.strerror or error}") from error
    if outside or uncategorised:
        result.skipped_by_category += outside + uncategorised
        result.problems.append(_skipped_note(source.name, outside, uncategorised, wanted))


def _raise_if_nothing_read(result: ReadResult, wanted: list[str]) -> None:
    if not result.listings:
        files = ", ".join(str(p) for p in result.files)
        if result.skipped_by_category:
            raise InputError(
                files, f"no paper in the categories {' '.join(wanted)} ({result.skipped_by_category:,} skipped)"
            )
        raise InputError(files, "no papers could be read")


def read_paths(
    paths: Iterable[Path | str], categories: Iterable[str] = (), columns: ColumnNames | None = None
) -> ReadResult:
    """Read and de-duplicate every listing under ``paths`` (see ``iter_records``).
    Raises ``InputError`` only when no paper at all could be read; otherwise
    unreadable files are problems."""
    result = ReadResult()
    result.papers = deduplicate(iter_records(paths, categories, into=result, columns=columns), result.problems)
    return result
