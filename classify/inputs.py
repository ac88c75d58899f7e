"""Turn what users pass on the command line into a stream of `Article` records.

Accepted: plain-text files (optionally with `title:`/`topics:` header lines, the seed format),
HTML files, JSONL and CSV/TSV files of records, folders of any of these (recursive, sorted,
dot-files skipped) and `-` for standard input (JSONL when it starts with `{`, else one article).

Bad records are reported through `on_problem` and skipped, so one broken line in a batch of
thousands does not cost the rest; the caller decides how the run ends.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from classify.articles import Article
from classify.errors import InputError

RECORD_SUFFIXES = {".jsonl", ".ndjson"}
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
HTML_SUFFIXES = {".html", ".htm"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
FOLDER_SUFFIXES = RECORD_SUFFIXES | set(TABLE_SUFFIXES) | HTML_SUFFIXES | TEXT_SUFFIXES - {""}
HEADER_KEYS = {"title", "topics", "unknown", "id"}
NO_TOPICS = {"", "none", "-"}
MAX_ARTICLE_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 64 * 1024

ProblemHandler = Callable[[InputError], None]


def raise_problem(problem: InputError) -> None:
    """Default problem handler: stop at the first bad record."""
    raise problem


def iter_articles(
    sources: Sequence[str],
    *,
    encoding: str | None = None,
    on_problem: ProblemHandler = raise_problem,
    stdin: TextIO | None = None,
) -> Iterator[Article]:
    """Yield every article in `sources`, in order, streaming record files."""
    for source in sources:
        if source == "-":
            yield from _read_stdin(stdin or sys.stdin, on_problem)
            continue
        path = Path(source)
        if path.is_dir():
            for file in _walk(path):
                yield from _read_file(file, encoding, on_problem, from_folder=True)
        elif path.exists():
            yield from _read_file(path, encoding, on_problem, from_folder=False)
        else:
            raise InputError("no such file or folder; check the path", source=source)


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or not path.is_file():
            continue
        if path.suffix.lower() in FOLDER_SUFFIXES:
            yield path


def _read_file(path: Path, encoding: str | None, on_problem: ProblemHandler, *, from_folder: bool) -> Iterator[Article]:
    suffix = path.suffix.lower()
    try:
        if suffix in RECORD_SUFFIXES:
            with _open_text(path, encoding) as stream:
                yield from _read_jsonl(stream, str(path), on_problem)
        elif suffix in TABLE_SUFFIXES:
            with _open_text(path, encoding) as stream:
                yield from _read_table(stream, str(path), TABLE_SUFFIXES[suffix], on_problem)
        else:
            article = _read_document(path, encoding, html=suffix in HTML_SUFFIXES)
            if article is not None:
                yield article
    except InputError as problem:
        on_problem(problem)
    except OSError as error:
        on_problem(InputError(f"cannot read: {error.strerror or error}", source=str(path)))


def _read_stdin(stream: TextIO, on_problem: ProblemHandler) -> Iterator[Article]:
    buffered = io.TextIOWrapper(stream.buffer, encoding="utf-8-sig", errors="replace") if hasattr(stream, "buffer") else stream
    first = buffered.readline()
    if first.lstrip().startswith("{"):
        yield from _read_jsonl(_chain_first(first, buffered), "<stdin>", on_problem)
        return
    text = first + buffered.read()
    if not text.strip():
        on_problem(InputError("no text on standard input", source="<stdin>"))
        return
    yield _parse_text(text, "-")


def _chain_first(first: str, rest: TextIO) -> Iterator[str]:
    yield first
    yield from rest


def _read_document(path: Path, encoding: str | None, *, html: bool) -> Article | None:
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise InputError(
            f"{size // 2**20} MB is larger than the {MAX_ARTICLE_BYTES // 2**20} MB limit for one article; "
            "split it, or pass it as JSONL records",
            source=str(path),
        )
    text = decode_bytes(path.read_bytes(), str(path), encoding)
    if html:
        from classify.html import extract_article

        title, body = extract_article(text)
        if not body.strip():
            raise InputError("no article text found in this HTML page", source=str(path))
        return Article(id=str(path), title=title, text=body)
    if not text.strip():
        raise InputError("file has no text; it was skipped", source=str(path))
    return _parse_text(text, str(path))


def _parse_text(text: str, article_id: str) -> Article:
    """Read optional `key: value` header lines (title, topics, unknown, id) then the body."""
    headers: dict[str, str] = {}
    lines = text.lstrip("\ufeff").split("\n")
    index = 0
    while index < len(lines):
        key, sep, value = lines[index].partition(":")
        if not sep or key.strip().lower() not in HEADER_KEYS or " " in key.strip():
            break
        headers[key.strip().lower()] = value.strip()
        index += 1
    if not headers or (index < len(lines) and lines[index].strip()):
        return Article(id=article_id, text=text.strip())
    body = "\n".join(lines[index:]).strip()
    return Article(
        id=headers.get("id") or article_id,
        title=headers.get("title", ""),
        text=body,
        labels=parse_labels(headers["topics"]) if "topics" in headers else None,
        unknown_labels=parse_labels(headers.get("unknown", "")),
    )


def parse_labels(value: Any) -> frozenset[str]:
    """Labels from a JSON list or a comma/semicolon-separated string; `none` means no topic."""
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValueError("labels must be a list of topic names or a comma-separated string")
    labels = {item.strip() for item in value}
    return frozenset(label for label in labels if label.lower() not in NO_TOPICS)


def _record_to_article(record: Any, default_id: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError("a record must be a JSON object with a `text` field")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("record has no `text`; every record needs the article text in `text`")
    labels = record.get("labels")
    summary = record.get("summary")
    if isinstance(summary, str):
        summary = [line for line in summary.split("\n") if line.strip()]
    return Article(
        id=str(record.get("id") or default_id),
        title=str(record.get("title") or ""),
        text=text,
        labels=None if labels is None else parse_labels(labels),
        unknown_labels=parse_labels(record.get("unknown_labels") or []),
        summary=None if summary is None else tuple(str(s) for s in summary),
    )


def _read_jsonl(lines: Iterator[str] | TextIO, source: str, on_problem: ProblemHandler) -> Iterator[Article]:
    line_number = 0
    try:
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                message = f"not valid JSON ({error.msg}); each line must be one JSON object"
                on_problem(InputError(message, source=source, line=line_number))
                continue
            try:
                yield _record_to_article(record, f"{source}:{line_number}")
            except ValueError as error:
                on_problem(InputError(str(error), source=source, line=line_number))
    except UnicodeDecodeError:
        message = "undecodable bytes after this line; pass --encoding (e.g. --encoding latin-1)"
        on_problem(InputError(message, source=source, line=line_number))


def _read_table(stream: TextIO, source: str, delimiter: str, on_problem: ProblemHandler) -> Iterator[Article]:
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    reader = csv.DictReader(stream, delimiter=delimiter)
    try:
        if reader.fieldnames is None or "text" not in reader.fieldnames:
            raise InputError("no `text` column in the header row; name the article column `text`",
                             source=source, line=1)
        for row in reader:
            line_number = reader.line_num
            fields: dict[str, Any] = {key: value for key, value in row.items() if key is not None}
            for key in ("labels", "unknown_labels"):
                if fields.get(key) is None or fields.get(key) == "":
                    fields.pop(key, None)
            try:
                yield _record_to_article(fields, f"{source}:{line_number}")
            except ValueError as error:
                on_problem(InputError(str(error), source=source, line=line_number))
    except csv.Error as error:
        on_problem(InputError(f"broken CSV ({error})", source=source, line=reader.line_num))
    except UnicodeDecodeError:
        message = "undecodable bytes; pass --encoding (e.g. --encoding latin-1)"
        on_problem(InputError(message, source=source, line=reader.line_num))


def _open_text(path: Path, encoding: str | None) -> TextIO:
    """Open a record file for streaming, its encoding sniffed from the first bytes."""
    if encoding is None:
        with path.open("rb") as raw:
            sample = raw.read(SNIFF_BYTES)
        encoding = _sniff_encoding(sample, str(path), complete=len(sample) < SNIFF_BYTES)
    return path.open(encoding=_checked_encoding(encoding), errors="strict", newline="")


def _checked_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; try utf-8, latin-1, cp1252 or utf-16") from None


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode a whole file: the forced encoding, else UTF-8, else what charset-normalizer finds."""
    if encoding is not None:
        try:
            return data.decode(_checked_encoding(encoding))
        except UnicodeDecodeError as error:
            raise InputError(f"not valid {encoding} (byte {error.start}); try another --encoding", source=source) from None
    return data.decode(_sniff_encoding(data, source, complete=True), errors="replace")


def _sniff_encoding(sample: bytes, source: str, *, complete: bool) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError("looks like a binary file, not text; it was skipped", source=source)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if not complete and error.start >= len(sample) - 4:
            return "utf-8"  # a character cut by the sample's end
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise InputError("looks like a binary file, not text; it was skipped", source=source)
    return best.encoding
