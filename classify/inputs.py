"""Turn what users pass on the command line into a stream of `Article` records.

Accepted: plain-text files (optionally with `title:`/`topics:` header lines, the seed format),
HTML files, JSONL and CSV/TSV files of records, folders of any of these (recursive, sorted,
dot-files skipped) and `-` for standard input (JSONL when it starts with `{`, else one article).

Bad records are reported through `on_problem` and skipped, so one broken line in a batch of
thousands does not cost the rest; the caller decides how the run ends (see docs/errors.md).
Record files are read a line at a time, so memory does not grow with the file; one article
(a text file, a JSONL line, a CSV row) may be at most `MAX_ARTICLE_BYTES`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from classify.articles import Article
from classify.encodings import (
    SNIFF_BYTES,
    binary_file_error,
    check_encoding,
    decode_bytes,
    label,
    line_safe,
    sniff_encoding,
)
from classify.errors import InputError

RECORD_SUFFIXES = {".jsonl", ".ndjson"}
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
HTML_SUFFIXES = {".html", ".htm"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
FOLDER_SUFFIXES = RECORD_SUFFIXES | set(TABLE_SUFFIXES) | HTML_SUFFIXES | TEXT_SUFFIXES - {""}
HEADER_KEYS = {"title", "topics", "unknown", "id"}
NO_TOPICS = {"", "none", "-"}
MAX_ARTICLE_BYTES = 10 * 1024 * 1024
ENCODING_HINT = "pass --encoding (e.g. --encoding cp1252)"

ProblemHandler = Callable[[InputError], None]


def raise_problem(problem: InputError) -> None:
    """Default problem handler: stop at the first bad record."""
    raise problem


def iter_articles(
    sources: Sequence[str],
    *,
    encoding: str | None = None,
    on_problem: ProblemHandler = raise_problem,
    stdin: IO[Any] | None = None,
    require_labels: bool = False,
) -> Iterator[Article]:
    """Yield every article in `sources`, in order, streaming record files.

    A bad file, line or row goes to `on_problem` and is skipped; an unknown `encoding` raises.
    With `require_labels` (training, evaluation), an article without topics is a bad record too.
    """
    if encoding is not None:
        encoding = check_encoding(encoding)
    for source in sources:
        if source == "-":
            yield from _read_stdin(stdin or sys.stdin, encoding, on_problem, require_labels)
            continue
        path = Path(source)
        try:
            if path.is_dir():
                files = _walk(path)
                if not files:
                    on_problem(InputError("folder has no .txt, .html, .jsonl or .csv files; nothing to read", source=source))
                for file in files:
                    yield from _read_file(file, encoding, on_problem, require_labels)
            elif path.exists():
                yield from _read_file(path, encoding, on_problem, require_labels)
            else:
                on_problem(InputError("no such file or folder; check the path", source=source))
        except OSError as error:
            on_problem(InputError(f"cannot read: {error.strerror or error}", source=source))


def _walk(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or not path.is_file():
            continue
        if path.suffix.lower() in FOLDER_SUFFIXES:
            files.append(path)
    return files


class _Counting:
    """Counts the problems passed on, so a file that yields nothing can say why."""

    def __init__(self, on_problem: ProblemHandler) -> None:
        self.on_problem = on_problem
        self.count = 0

    def __call__(self, problem: InputError) -> None:
        self.count += 1
        self.on_problem(problem)


def _read_file(path: Path, encoding: str | None, on_problem: ProblemHandler, require_labels: bool) -> Iterator[Article]:
    suffix = path.suffix.lower()
    source = str(path)
    counting = _Counting(on_problem)
    articles = 0
    try:
        with path.open("rb") as raw:
            if suffix in RECORD_SUFFIXES or suffix in TABLE_SUFFIXES:
                stream, chosen = _open_records(raw, source, encoding)
                if suffix in RECORD_SUFFIXES:
                    lines = _lines(stream, chosen, source, counting, keep_bad=False)
                    records = _read_jsonl(lines, source, counting, require_labels)
                else:
                    lines = _lines(stream, chosen, source, counting, keep_bad=True)
                    records = _read_table(lines, source, TABLE_SUFFIXES[suffix], counting, require_labels)
                for article in records:
                    articles += 1
                    yield article
                if not articles and not counting.count:
                    counting(InputError("no records in this file (is it empty?); it was skipped", source=source))
            else:
                size = path.stat().st_size
                if size > MAX_ARTICLE_BYTES:
                    raise _too_big(source, size)
                article = _read_document(raw, source, encoding, html=suffix in HTML_SUFFIXES, require_labels=require_labels)
                if article is not None:
                    yield article
    except InputError as problem:
        counting(problem)
    except OSError as error:
        counting(InputError(f"cannot read: {error.strerror or error}", source=source))


def _too_big(source: str, size: int | None = None) -> InputError:
    amount = "more than" if size is None else f"{size / 2**20:.0f} MB, over"
    return InputError(
        f"{amount} the {MAX_ARTICLE_BYTES // 2**20} MB limit for one article; it was skipped: "
        "split it, or pass the articles as JSONL records",
        source=source,
    )


def _read_document(
    raw: IO[bytes], source: str, encoding: str | None, *, html: bool, article_id: str | None = None, require_labels: bool = False
) -> Article:
    data = raw.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise _too_big(source)
    text = decode_bytes(data, source, encoding)
    article_id = source if article_id is None else article_id
    if html:
        from classify.html import extract_article

        title, body = extract_article(text)
        if not body.strip():
            raise InputError("no article text found in this HTML page; it was skipped", source=source)
        article = Article(id=article_id, title=title, text=body)
    elif not text.strip():
        raise InputError("file has no text; it was skipped", source=source)
    else:
        article = _parse_text(text, article_id)
    if require_labels and article.labels is None:
        raise InputError("no `topics:` line; add one after the title (e.g. `topics: security, diplomacy` or "
                         "`topics: none`)", source=source)
    return article


def _read_stdin(stream: IO[Any], encoding: str | None, on_problem: ProblemHandler, require_labels: bool) -> Iterator[Article]:
    source = "<stdin>"
    raw = getattr(stream, "buffer", None)
    try:
        if raw is None:  # a text stream (tests, library callers): already decoded
            yield from _read_stdin_text(stream, source, on_problem, require_labels)
            return
        head, complete = _read_head(raw, live=True)
        if not head.strip():
            on_problem(InputError("no text on standard input", source=source))
            return
        chosen = encoding or sniff_encoding(head, source, complete=complete)
        reader = io.BufferedReader(_Prefixed(head, raw))
        if head.decode(chosen, errors="ignore").lstrip("\ufeff \t\r\n").startswith("{"):
            lines = _lines(reader, chosen, source, on_problem, keep_bad=False)
            yield from _read_jsonl(lines, source, on_problem, require_labels)
        else:
            yield _read_document(reader, source, encoding, html=False, article_id="-", require_labels=require_labels)
    except InputError as problem:
        on_problem(problem)


def _read_stdin_text(stream: TextIO, source: str, on_problem: ProblemHandler, require_labels: bool) -> Iterator[Article]:
    first = stream.readline(MAX_ARTICLE_BYTES + 1)
    if first.lstrip("\ufeff \t\r\n").startswith("{"):
        yield from _read_jsonl(_text_lines(stream, source, on_problem, first), source, on_problem, require_labels)
        return
    rest = stream.read(MAX_ARTICLE_BYTES + 1)
    data = io.BytesIO((first + rest).encode("utf-8", errors="surrogatepass"))
    yield _read_document(data, source, "utf-8", html=False, article_id="-", require_labels=require_labels)


def _read_head(raw: IO[bytes], *, live: bool = False) -> tuple[bytes, bool]:
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


class _Prefixed(io.RawIOBase):
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
    labels = {_clean(item).strip() for item in value}
    return frozenset(label for label in labels if label.lower() not in NO_TOPICS)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """JSON may carry lone surrogates (half an emoji); they cannot be written out, so replace them."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


def _record_to_article(record: Any, default_id: str, require_labels: bool = False) -> Article:
    if not isinstance(record, dict):
        raise ValueError("a record must be a JSON object with a `text` field")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("record has no `text`; every record needs the article text in `text`")
    labels = record.get("labels")
    if require_labels and labels is None:
        raise ValueError('record has no `labels`; give its topics (e.g. "labels": ["security"], or [] for none)')
    summary = record.get("summary")
    if isinstance(summary, str):
        summary = [line for line in summary.split("\n") if line.strip()]
    elif summary is not None and not isinstance(summary, list):
        raise ValueError("`summary` must be a string or a list of sentences")
    record_id = record.get("id")
    return Article(
        id=default_id if record_id is None or record_id == "" else _clean(str(record_id)),
        title=_clean(str(record.get("title") or "")),
        text=_clean(text),
        labels=None if labels is None else parse_labels(labels),
        unknown_labels=parse_labels(record.get("unknown_labels") or []),
        summary=None if summary is None else tuple(_clean(str(s)) for s in summary),
    )


# --- lines: one article per line at most, undecodable lines reported with their number ---

Line = tuple[int, str, bool]  # (line number, text, decoded cleanly)


def _lines(stream: IO[bytes], encoding: str, source: str, on_problem: ProblemHandler, *, keep_bad: bool) -> Iterator[Line]:
    """Decoded lines of a binary stream; bad lines are reported, and kept (with U+FFFD) if `keep_bad`."""
    if not line_safe(encoding):
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        yield from _text_lines(text, source, on_problem)
        return
    number = 0
    while True:
        data = stream.readline(MAX_ARTICLE_BYTES + 1)
        if not data:
            return
        number += 1
        if len(data) > MAX_ARTICLE_BYTES and not data.endswith(b"\n"):
            while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                pass
            on_problem(InputError(f"line longer than the {MAX_ARTICLE_BYTES // 2**20} MB limit for one article; it was skipped",
                                  source=source, line=number))
            if keep_bad:
                yield number, "\n", False
            continue
        try:
            yield number, data.decode(encoding), True
        except UnicodeDecodeError as error:
            bad = data[error.start:error.start + 1].hex()
            on_problem(InputError(f"not valid {label(encoding)} (byte 0x{bad} at column {error.start + 1}); "
                                  f"fix the line or {ENCODING_HINT}", source=source, line=number))
            if keep_bad:
                yield number, data.decode(encoding, errors="replace"), False


def _text_lines(stream: TextIO, source: str, on_problem: ProblemHandler, first: str | None = None) -> Iterator[Line]:
    """Lines of a text stream, each read with a bounded `readline` so one huge line cannot fill memory."""
    number = 0
    try:
        while True:
            line = first if first is not None else stream.readline(MAX_ARTICLE_BYTES + 1)
            first = None
            if not line:
                return
            number += 1
            if len(line) > MAX_ARTICLE_BYTES and not line.endswith(("\n", "\r")):
                while (rest := stream.readline(2**20)) and not rest.endswith(("\n", "\r")):
                    pass
                on_problem(InputError(f"line longer than the {MAX_ARTICLE_BYTES // 2**20} MB limit for one article; "
                                      "it was skipped", source=source, line=number))
                yield number, "\n", False
                continue
            yield number, line, True
    except UnicodeDecodeError:
        on_problem(InputError(f"undecodable bytes after this line; the rest of the file was skipped; {ENCODING_HINT}",
                              source=source, line=number))


def _read_jsonl(
    lines: Iterator[Line], source: str, on_problem: ProblemHandler, require_labels: bool = False
) -> Iterator[Article]:
    for number, line, ok in lines:
        if not ok or not line.strip():
            continue
        try:
            record = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            message = f"not valid JSON ({error.msg} at column {error.colno}); each line must be one JSON object"
            on_problem(InputError(message, source=source, line=number))
            continue
        except (ValueError, RecursionError) as error:  # e.g. integers too long, nesting too deep
            reason = ("nested too deeply" if isinstance(error, RecursionError)
                      else "a number with too many digits" if "digits" in str(error) else str(error))
            on_problem(InputError(f"not usable JSON ({reason})", source=source, line=number))
            continue
        try:
            yield _record_to_article(record, f"{source}:{number}", require_labels)
        except ValueError as error:
            on_problem(InputError(str(error), source=source, line=number))


def _read_table(
    lines: Iterator[Line], source: str, delimiter: str, on_problem: ProblemHandler, require_labels: bool = False
) -> Iterator[Article]:
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    bad_lines: set[int] = set()

    def feed() -> Iterator[str]:
        for number, text, ok in lines:
            if not ok:
                bad_lines.add(number)
            yield text

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InputError(f"broken CSV header ({error})", source=source, line=1) from None
    if header is None:
        raise InputError("file is empty; it was skipped", source=source)
    names = [name.strip().lower() for name in header]
    if "text" not in names:
        found = ", ".join(name for name in names if name) or "none"
        raise InputError(f"no `text` column in the header row (found: {found}); name the article column `text`",
                         source=source, line=1)
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            on_problem(InputError(f"broken CSV ({error}); the row was skipped", source=source, line=previous + 1))
            previous = reader.line_num
            continue
        first, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if any(number in bad_lines for number in range(first, previous + 1)):
            continue  # already reported as undecodable
        fields: dict[str, Any] = {name: value for name, value in zip(names, row, strict=False) if name}
        for key in ("labels", "unknown_labels", "summary"):
            if fields.get(key) == "":
                fields.pop(key)
        try:
            yield _record_to_article(fields, f"{source}:{first}", require_labels)
        except ValueError as error:
            on_problem(InputError(str(error), source=source, line=first))


def _open_records(raw: IO[bytes], source: str, encoding: str | None) -> tuple[IO[bytes], str]:
    """A binary stream positioned at the start, and the encoding to read it with."""
    head, complete = _read_head(raw)
    if encoding is None:
        encoding = sniff_encoding(head, source, complete=complete)
    elif line_safe(encoding) and b"\x00" in head:
        raise binary_file_error(source)
    elif codecs.lookup(encoding).name == "utf-8" and head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    return io.BufferedReader(_Prefixed(head, raw)), encoding
