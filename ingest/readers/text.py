"""A listing's text, as UTF-8: whole (the small formats) or a line at a time (the rest).

Both say plainly what is wrong with a file that is no text: empty, binary, not UTF-8
(naming the line), or compressed data that is damaged or cut short.  Over-long lines
(``MAX_LINE_CHARS``) are skipped as problems, never held whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from ingest.readers.common import MAX_LINE_CHARS, InputError, InputProblem
from ingest.readers.compression import DAMAGED_STREAM_ERRORS, Source

MAX_LINE_BYTES = 4 * MAX_LINE_CHARS  # a UTF-8 character takes at most 4 bytes
BINARY_SNIFF_BYTES = 8192
_SNIFF_LINE_BYTES = 65_536


def _damaged(source: Source, error: Exception) -> InputError:
    return InputError(source.name, f"compressed data is damaged or cut short ({error or type(error).__name__})")


def read_text(source: Source, limit: int | None = None, what: str = "file") -> str:
    """The whole text of a listing; longer than ``limit`` bytes: ``InputError``."""
    try:
        with source.open() as stream:
            data = stream.read(-1 if limit is None else limit + 1)
    except DAMAGED_STREAM_ERRORS as error:
        raise _damaged(source, error) from None
    if limit is not None and len(data) > limit:
        raise InputError(source.name, f"is a {what} over {limit // 2**20:,} MB, more than papergraph reads whole")
    if not data.strip():
        raise InputError(source.name, "file is empty")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise InputError(source.name, "looks like a binary file, not a text listing")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            source.name, f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})", line
        ) from None


def over_long(name: str, number: int, characters: int) -> InputProblem:
    return InputProblem(name, number, f"line of {characters:,} characters skipped (limit {MAX_LINE_CHARS:,})")


def numbered_lines(name: str, text: str, problems: list[InputProblem]) -> Iterator[tuple[int, str]]:
    """The lines of a whole text, numbered from 1, without the over-long ones."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            problems.append(over_long(name, number, len(line)))
            continue
        yield number, line


def _characters_to_end_of_line(stream: BinaryIO, start: bytes) -> int:
    """Read on to the end of the line that begins with ``start``; return its length in characters."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    characters = len(decoder.decode(start))
    chunk = start
    while chunk and not chunk.endswith(b"\n"):
        chunk = stream.readline(MAX_LINE_BYTES)
        characters += len(decoder.decode(chunk))
    line_end = len(chunk) - len(chunk.rstrip(b"\r\n"))
    return characters + len(decoder.decode(b"", final=True)) - line_end


def streamed_lines(source: Source, problems: list[InputProblem], keep_ends: bool = False) -> Iterator[tuple[int, str]]:
    """The lines of a listing, numbered from 1, read one at a time: the file is never held
    whole.  Over-long lines and lines that are not UTF-8 are problems; an empty or binary
    file, or damaged compressed data: ``InputError``.  ``keep_ends`` keeps each line's end
    (for the CSV reader, whose quoted cells may hold line breaks)."""
    try:
        with source.open() as stream:
            yield from _lines_of(source, stream, problems, keep_ends)
    except DAMAGED_STREAM_ERRORS as error:
        raise _damaged(source, error) from None


def _lines_of(source: Source, stream: BinaryIO, problems: list[InputProblem], keep_ends: bool):
    if b"\x00" in stream.read(BINARY_SNIFF_BYTES):
        raise InputError(source.name, "looks like a binary file, not a text listing")
    stream.seek(0)  # a compressed stream seeks back by decompressing again: these few bytes
    empty, number = True, 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if empty and raw.strip():
            empty = False
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            problems.append(over_long(source.name, number, _characters_to_end_of_line(stream, raw)))
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(
                InputProblem(
                    source.name,
                    number,
                    f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start} in the line) skipped",
                )
            )
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        text = line.rstrip("\r\n")
        if len(text) > MAX_LINE_CHARS:
            problems.append(over_long(source.name, number, len(text)))
            continue
        yield number, line if keep_ends else text
    if empty:
        raise InputError(source.name, "file is empty")


def first_text_line(source: Source) -> str:
    """The first line of a listing that is not blank (up to 64 KB of it), or ""."""
    try:
        with source.open() as stream:
            while raw := stream.readline(_SNIFF_LINE_BYTES):
                line = raw.decode("utf-8", errors="replace").strip().removeprefix("\ufeff")
                if line:
                    return line
    except DAMAGED_STREAM_ERRORS as error:
        raise _damaged(source, error) from None
    return ""
