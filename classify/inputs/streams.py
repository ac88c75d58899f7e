"""Bounded reading of byte streams: whole documents, and lines of record files.

Nothing here reads more than one article's worth (`ReadContext.max_bytes`) at a time, so a huge
file or an endless pipe cannot fill memory; undecodable lines are reported with their number.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Iterator
from typing import IO, Any, TextIO

from classify.encodings import SNIFF_BYTES, binary_file_error, decode_bytes, label, line_safe, sniff_encoding
from classify.errors import InputError
from classify.inputs.context import ReadContext

ENCODING_HINT = "pass --encoding (e.g. --encoding cp1252)"

Line = tuple[int, str, bool]  # (line number, text, decoded cleanly)


def too_big(context: ReadContext, size: int | None = None) -> InputError:
    """The one message for an article over the limit."""
    amount = "more than" if size is None else f"{size / 2**20:.0f} MB, over"
    return context.problem(
        f"{amount} the {context.limit_mb} MB limit for one article; it was skipped: "
        "split it, or pass the articles as JSONL records"
    )


def read_text(raw: IO[bytes], context: ReadContext) -> str:
    """A whole document, decoded (see `read_bytes`)."""
    return decode_bytes(read_bytes(raw, context), context.source, context.encoding)


def read_bytes(raw: IO[bytes], context: ReadContext) -> bytes:
    """A whole document, at most one article's size: refused before reading when the file is known to be
    too big, else when reading finds it is."""
    size = _file_size(raw)
    if size is not None and size > context.max_bytes:
        raise too_big(context, size)
    data = raw.read(context.max_bytes + 1)
    if len(data) > context.max_bytes:
        raise too_big(context)
    return data


def _file_size(raw: IO[bytes]) -> int | None:
    """The size of a regular file (known before reading it); None for pipes and wrapped streams."""
    try:
        status = os.fstat(raw.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def read_head(raw: IO[bytes], *, live: bool = False) -> tuple[bytes, bool]:
    """The first bytes of a stream to sniff, and whether that was all of it.

    `live` (a pipe): stop after the first line rather than wait for more, so a slow writer's
    records are tagged as they come.
    """
    if not live:
        head = raw.read(SNIFF_BYTES)
        return head, len(head) < SNIFF_BYTES
    read = getattr(raw, "read1", raw.read)
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = read(SNIFF_BYTES - len(head))
        if not chunk:
            return head, True
        head += chunk
        if b"\n" in head and len(head) >= 4:
            break
    return head, False


class Prefixed(io.RawIOBase):
    """`head` (already read) followed by the rest of `raw`, as one readable stream."""

    def __init__(self, head: bytes, raw: IO[bytes]) -> None:
        self._head = head
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        read = getattr(self._raw, "read1", self._raw.read)
        data = read(len(view))
        view[: len(data)] = data
        return len(data)


def record_lines(raw: IO[bytes], context: ReadContext, *, keep_bad: bool) -> Iterator[Line]:
    """The decoded lines of a record file, its encoding sniffed from the start unless the user forced one."""
    head, complete = read_head(raw)
    encoding = context.encoding
    if encoding is None:
        encoding = "utf-8" if _mostly_utf8(head, complete) else sniff_encoding(head, context.source, complete=complete)
    elif line_safe(encoding) and b"\x00" in head:
        raise binary_file_error(context.source)
    elif codecs.lookup(encoding).name == "utf-8" and head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    return lines(io.BufferedReader(Prefixed(head, raw)), encoding, context, keep_bad=keep_bad)


def _mostly_utf8(head: bytes, complete: bool) -> bool:
    """Most lines of `head` holding non-ASCII bytes are UTF-8: the file is UTF-8 with a few odd lines.

    Sniffing the head as one piece would let one cp1252 line decide the encoding of every line.
    """
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        return False
    whole = head.split(b"\n") if complete else head.split(b"\n")[:-1]
    foreign = [line for line in whole if not line.isascii()]
    valid = 0
    for line in foreign:
        try:
            line.decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            pass
    return valid > len(foreign) / 2


def lines(stream: IO[bytes], encoding: str, context: ReadContext, *, keep_bad: bool) -> Iterator[Line]:
    """Decoded lines of a binary stream; bad lines are reported, and kept (with U+FFFD) if `keep_bad`.

    Unless the user forced an encoding, each line is read as UTF-8 when it is UTF-8, and a line that is
    not is decoded on its own (with a note naming it): one cp1252 byte in a UTF-8 file used to turn every
    record into mojibake, because the encoding was guessed once for the whole file.
    """
    if not line_safe(encoding):
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        yield from text_lines(text, context)
        return
    primary, legacy = _line_encodings(encoding, context)
    limit = context.max_bytes
    number = 0
    told = False
    while True:
        data = stream.readline(limit + 1)
        if not data:
            return
        number += 1
        if len(data) > limit and not data.endswith(b"\n"):
            while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                pass
            context.report(f"line longer than the {context.limit_mb} MB limit for one article; it was skipped", number)
            if keep_bad:
                yield number, "\n", False
            continue
        try:
            yield number, data.decode(primary), True
            continue
        except UnicodeDecodeError as error:
            bad, column = data[error.start:error.start + 1].hex(), error.start + 1
        alone = _decode_alone(data, legacy, context) if context.encoding is None else None
        if alone is not None:
            text, chosen = alone
            if legacy is None:
                context.note(f"not valid UTF-8 (byte 0x{bad} at column {column}); read this line as {label(chosen)}: "
                             f"check it, or {ENCODING_HINT}", number)
            elif not told:
                context.note(f"not valid UTF-8; read this line and the file's other such lines as {label(chosen)} "
                             f"(detected): {ENCODING_HINT} to choose another", number)
                told = True
            yield number, text, True
            continue
        context.report(f"not valid {label(primary)} (byte 0x{bad} at column {column}); fix the line or {ENCODING_HINT}",
                       number)
        if keep_bad:
            yield number, data.decode(primary, errors="replace"), False


def _line_encodings(sniffed: str, context: ReadContext) -> tuple[str, str | None]:
    """The encoding to try first on each line, and the detected legacy one for lines that are not UTF-8.

    A forced `--encoding` is used as it is; a detected one is only the fallback, since text that is
    valid UTF-8 is UTF-8 (legacy bytes almost never form valid UTF-8 sequences).
    """
    if context.encoding is not None or codecs.lookup(sniffed).name in ("utf-8", "utf-8-sig"):
        return sniffed, None
    return "utf-8", sniffed


def _decode_alone(data: bytes, legacy: str | None, context: ReadContext) -> tuple[str, str] | None:
    """One line that is not UTF-8, in the file's detected encoding or, failing that, its own."""
    try:
        chosen = legacy or sniff_encoding(data, context.source, complete=True, after_utf8=True)
        return data.decode(chosen), chosen
    except (InputError, UnicodeDecodeError):
        return None


def text_lines(stream: TextIO, context: ReadContext, first: str | None = None) -> Iterator[Line]:
    """Lines of a text stream, each read with a bounded `readline` so one huge line cannot fill memory."""
    limit = context.max_bytes
    number = 0
    try:
        while True:
            line = first if first is not None else stream.readline(limit + 1)
            first = None
            if not line:
                return
            number += 1
            if len(line) > limit and not line.endswith(("\n", "\r")):
                while (rest := stream.readline(2**20)) and not rest.endswith(("\n", "\r")):
                    pass
                context.report(f"line longer than the {context.limit_mb} MB limit for one article; it was skipped",
                               number)
                yield number, "\n", False
                continue
            yield number, line, True
    except UnicodeDecodeError:
        context.report(f"undecodable bytes after this line; the rest of the file was skipped; {ENCODING_HINT}", number)
