"""Where a listing's bytes come from: a plain file, a ``.gz`` file, or a member of a ``.zip``
archive (as the arXiv snapshot and Kaggle's downloads come).  Compressed listings are
decompressed as they are read, never unpacked to disk.

A ``Source`` is one listing: the file on disk its papers are recorded as read from (the
archive itself), the name problems are reported under (``archive.zip/arxiv_data.csv``),
and the name whose suffix says its format (``arxiv_data.csv`` for ``arxiv_data.csv.gz``).
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ingest.readers.common import InputError

COMPRESSED_SUFFIXES = {".gz", ".zip"}
# What a damaged or cut-short compressed stream raises while it is read.
DAMAGED_STREAM_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)


@dataclass(frozen=True)
class Source:
    file: Path  # the file on disk (for a compressed listing: the .gz or .zip)
    name: str  # as problems name it
    format_name: str  # the name whose suffix says the format
    member: str | None = None  # the member of a .zip archive

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.format_name).suffix.lower()

    @property
    def compressed(self) -> bool:
        return self.file.suffix.lower() in COMPRESSED_SUFFIXES

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The listing's bytes, decompressed as they are read."""
        suffix = self.file.suffix.lower()
        if suffix == ".gz":
            with gzip.open(self.file, "rb") as stream:
                yield stream
        elif suffix == ".zip":
            with _zip_archive(self.file) as archive, archive.open(self.member or "") as stream:
                yield stream
        else:
            with self.file.open("rb") as stream:
                yield stream


def sources_of(path: Path, listing_suffixes: set[str]) -> list[Source]:
    """The listings one file holds: itself, the file inside a ``.gz``, or each listing
    file (by suffix) inside a ``.zip``."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return [Source(path, str(path), path.stem)]
    if suffix != ".zip":
        return [Source(path, str(path), path.name)]
    with _zip_archive(path) as archive:
        members = [
            info.filename
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and PurePosixPath(info.filename).suffix.lower() in listing_suffixes - COMPRESSED_SUFFIXES
        ]
    if not members:
        raise InputError(path, f"zip archive holds no listing file ({', '.join(sorted(listing_suffixes))})")
    return [Source(path, f"{path}/{member}", PurePosixPath(member).name, member) for member in sorted(members)]


def holds_a_listing(path: Path, listing_suffixes: set[str]) -> bool:
    """Whether a file found in a folder is a listing by its name: ``.gz`` only around a
    listing's suffix (``arxiv_data.csv.gz``, not ``model.tar.gz``)."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return Path(path.stem).suffix.lower() in listing_suffixes - COMPRESSED_SUFFIXES
    return suffix in listing_suffixes


@contextmanager
def _zip_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(path, "is not a zip archive, or a damaged one") from None
    with archive:
        yield archive
