"""Write records for machines (json, jsonl, csv) and files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from classify.errors import SURROGATES, OutputClosedError, UsageError, writable


def write_records(records: Iterable[dict[str, Any]], fmt: str, stream: TextIO, *,
                  columns: Sequence[str] | None = None) -> int:
    """Stream `records` to `stream` as one JSON array, JSON lines or CSV; return how many.

    `columns` fixes the CSV header (missing cells are empty); without it the first record's keys are used.
    """
    if fmt == "csv":
        return _write_csv(records, stream, columns)
    writer = {"json": _write_json, "jsonl": _write_jsonl}[fmt]
    return writer(records, stream)


LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
"""Characters JSON leaves raw but Unicode-aware line splitters (Python's `str.splitlines`, older
JavaScript) break lines at, which would cut a JSONL record in two: written as escapes instead."""


def _dumps(record: dict[str, Any]) -> str:
    """One record as JSON text that is always valid UTF-8 (see `classify.errors.writable`) and one line."""
    text = json.dumps(record, ensure_ascii=False)
    if SURROGATES.search(text):
        text = json.dumps(_writable(record), ensure_ascii=False)
    return text.translate(str.maketrans(LINE_BREAKS)) if any(c in text for c in LINE_BREAKS) else text


def _writable(value: Any) -> Any:
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, dict):
        return {writable(str(key)): _writable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_writable(item) for item in value]
    return value


def _write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for record in records:
        stream.write(_dumps(record) + "\n")
        count += 1
    return count


def _write_json(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    stream.write("[")
    for count, record in enumerate(records, start=1):
        stream.write(("\n" if count == 1 else ",\n") + _dumps(record))
    stream.write("\n]\n" if count else "]\n")
    return count


def _write_csv(records: Iterable[dict[str, Any]], stream: TextIO, columns: Sequence[str] | None) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for record in records:
        count += 1
        row = flatten(record)
        if writer is None:
            names = [writable(name) for name in columns] if columns is not None else list(row)
            writer = csv.DictWriter(stream, fieldnames=names, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)
    return count


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """One CSV cell per value: nested mappings become `key.sub` columns, lists join with `; `."""
    row: dict[str, str] = {}
    for key, value in record.items():
        name = writable(f"{prefix}{key}")
        if isinstance(value, dict):
            row.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, list | tuple):
            row[name] = writable("; ".join(str(item) for item in value))
        elif isinstance(value, float):
            row[name] = f"{value:.4f}"
        else:
            row[name] = "" if value is None else writable(str(value))
    return row


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[Any]:
    """Write `path` whole or not at all; devices, FIFOs and `/dev/stdout` are written through.

    A regular file (or a new one) is written to a temporary file beside it and renamed over it only
    on success: a crash, a kill or an exception leaves the previous file untouched, and two writers
    racing on the same path leave one complete file (the rename is atomic on POSIX and Windows). A
    symlink is followed, so its target is replaced and the link stays. The new file gets the old
    one's permissions, or the usual ones for a new file (not mkstemp's 0600). A SIGKILL can leave a
    stray `.NAME.*.tmp` beside the file; it is safe to delete.

    A character device, FIFO or socket cannot be replaced by a file without breaking what reads it
    (as root, replacing /dev/null would turn it into a file), so those are opened and written as they are.
    """
    target = _replaceable_target(path)
    try:
        if target is None:
            with open(path, mode, **_text_options(mode)) as stream:
                yield stream
        else:
            with _replacing(target, mode) as stream:
                yield stream
    except OSError as error:
        if error.filename is None and error.errno in _OUTPUT_FULL:
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise


# Failures that can only come from writing, so they name the output when the system did not.
_OUTPUT_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# Paths that name a stream of this process or a device, even when they resolve to a regular file.
_PASS_THROUGH = ("/dev/", "/proc/")


def _text_options(mode: str) -> dict[str, str]:
    return {} if "b" in mode else {"encoding": "utf-8", "newline": ""}


def _replaceable_target(path: Path) -> Path | None:
    """The regular file to replace for `path` (symlinks followed), or None to write through.

    A symlink loop raises the system's "too many levels of symbolic links" error, naming the path.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None  # a new file, or a symlink to one that does not exist yet
    if str(path).startswith(_PASS_THROUGH) or (info is not None and not stat.S_ISREG(info.st_mode)
                                                 and not stat.S_ISDIR(info.st_mode)):
        return None
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def _replacing(path: Path, mode: str) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    permissions = _permissions_for(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(handle, permissions)
        with os.fdopen(handle, mode, **_text_options(mode)) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _permissions_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (POSIX; best effort)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or `path` written atomically (`-o/--output`)."""
    if path is None or str(path) == "-":
        yield sys.stdout
    else:
        with atomic_file(path) as stream:
            yield stream


def refuse_overwriting(output: Path | None, option: str, inputs: Iterable[str | Path | None]) -> None:
    """Stop before any work when `output` is one of `inputs`, or would be read with an input folder (exit 2).

    `classify tag in.jsonl -o in.jsonl` would otherwise replace the articles with their tags; the
    comparison is by device and inode, so another spelling, a hard link or a symlink is caught too.
    `classify tag articles/ -o articles/tags.jsonl` replaces nothing the first time, but the next run
    would read the tags as articles: refused when the folder walk would read the output (one of the
    suffixes classify reads), allowed otherwise (`-o articles/tags.json`, a dot-folder).
    """
    from classify.inputs import walk_would_read  # here: loading a model (which writes through this module) needs no readers

    if output is None or str(output) == "-":
        return
    sources = [Path(source) for source in inputs if source is not None and str(source) != "-"]
    try:
        written = output.stat()
    except OSError:
        written = None  # a new file: it cannot be an input yet, but it could become one
    if written is not None and not stat.S_ISREG(written.st_mode):
        return  # devices and FIFOs are written through, nothing is replaced or walked
    for source in sources:
        try:
            read = source.stat()
        except OSError:
            continue
        if written is not None and (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
            raise UsageError(f"{option} {output} is also an input ({source}); writing it would replace that input: "
                             "write to another file")
        if stat.S_ISDIR(read.st_mode) and walk_would_read(source, output):
            raise UsageError(f"{option} {output} is inside the input folder {source}, whose {output.suffix.lower()} "
                             "files are read as articles: the next run would read these results as input; "
                             "write it outside that folder")


class ClosedOutput(io.TextIOBase):
    """Stands in for a standard output that was closed (`>&-`): writing data there is an error.

    Python leaves `sys.stdout` as None then; writing to it would end in an AttributeError.
    """

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OutputClosedError("standard output is closed, so the results have nowhere to go; "
                                "redirect it (> FILE) or pass -o FILE")
