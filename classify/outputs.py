"""Write records for machines (json, jsonl, csv) and files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

MACHINE_FORMATS = ("json", "jsonl", "csv")


def write_records(records: Iterable[dict[str, Any]], fmt: str, stream: TextIO) -> int:
    """Stream `records` to `stream` as one JSON array, JSON lines or CSV; return how many."""
    writer = {"json": _write_json, "jsonl": _write_jsonl, "csv": _write_csv}[fmt]
    return writer(records, stream)


def _write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_json(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    stream.write("[")
    for count, record in enumerate(records, start=1):
        stream.write(("\n" if count == 1 else ",\n") + json.dumps(record, ensure_ascii=False))
    stream.write("\n]\n" if count else "]\n")
    return count


def _write_csv(records: Iterable[dict[str, Any]], stream: TextIO) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for record in records:
        count += 1
        row = flatten(record)
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(row), extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)
    return count


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """One CSV cell per value: nested mappings become `key.sub` columns, lists join with `; `."""
    row: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, list | tuple):
            row[name] = "; ".join(str(item) for item in value)
        elif isinstance(value, float):
            row[name] = f"{value:.4f}"
        else:
            row[name] = "" if value is None else str(value)
    return row


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[Any]:
    """Write to a temporary file beside `path` and rename it over `path` only on success.

    A crash, a kill or an exception leaves the previous file untouched, and two writers racing
    on the same path leave one complete file (the rename is atomic on POSIX and Windows). The new
    file gets the old one's permissions, or the usual ones for a new file (not mkstemp's 0600).
    A SIGKILL can leave a stray `.NAME.*.tmp` beside `path`; it is safe to delete.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    permissions = _permissions_for(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(handle, permissions)
        with os.fdopen(handle, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as stream:
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
