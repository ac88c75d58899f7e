"""Finding what to read: files, folders (walked) and standard input, each handed to its format's reader."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from classify.articles import Article
from classify.encodings import check_encoding, sniff_encoding
from classify.errors import InputError, InputNote
from classify.inputs.context import MAX_ARTICLE_BYTES, ProblemHandler, ReadContext, raise_problem
from classify.inputs.formats import format_for, known_suffix
from classify.inputs.jsonl import read_jsonl
from classify.inputs.streams import Prefixed, lines, read_head, text_lines
from classify.inputs.text import read_text_file


def iter_articles(
    sources: Sequence[str],
    *,
    encoding: str | None = None,
    on_problem: ProblemHandler = raise_problem,
    stdin: IO[Any] | None = None,
    require_labels: bool = False,
    max_article_bytes: int = MAX_ARTICLE_BYTES,
) -> Iterator[Article]:
    """Yield every article in `sources`, in order, streaming record files.

    A bad file, line or row goes to `on_problem` and is skipped; an unknown `encoding` raises.
    With `require_labels` (training, evaluation), an article without topics is a bad record too.
    """
    if encoding is not None:
        encoding = check_encoding(encoding)
    base = ReadContext("", on_problem, encoding, require_labels, max_article_bytes)
    for source in sources:
        context = base.replace(source=source)
        if source == "-":
            yield from _read_stdin(stdin or sys.stdin, context.replace(source="<stdin>", article_id="-"))
            continue
        path = Path(source)
        try:
            if path.is_dir():
                files = _walk(path)
                if not files:
                    context.report("folder has no .txt, .html, .jsonl or .csv files; nothing to read")
                for file in files:
                    yield from _read_file(file, base.replace(source=str(file)))
            elif path.exists():
                yield from _read_file(path, context)
            elif WEB_ADDRESS.match(source):
                context.report("is a web address; classify reads saved files: save the page first (e.g. curl -o "
                               "page.html URL) and pass the file, or let `classify digest --fetch` download it")
            else:
                context.report("no such file or folder; check the path")
        except OSError as error:
            context.report(f"cannot read: {error.strerror or error}")


WEB_ADDRESS = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)


def _walk(folder: Path) -> list[Path]:
    """Readable files under `folder` in sorted path order; dot-files, dot-folders and READMEs skipped.

    A stack of folders instead of recursion: pathlib's rglob recurses once per level, so a folder
    nested 1,100 deep stopped the whole run with RecursionError. As with rglob, symlinked folders
    are not entered (no loops) and unreadable ones are passed over.
    """
    files = []
    stack = [iter(_sorted_entries(folder))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif entry.name.startswith("."):
            continue
        elif entry.is_dir(follow_symlinks=False):
            stack.append(iter(_sorted_entries(entry.path)))
        else:
            path = Path(entry.path)
            if _walk_takes(path.name) and path.is_file():
                files.append(path)
    return files


def _walk_takes(name: str) -> bool:
    """Whether a file called `name` met in a folder is read: one of our suffixes, and not a README."""
    path = Path(name)
    return path.stem.upper() != "README" and known_suffix(path.suffix)


def walk_would_read(folder: Path, path: Path) -> bool:
    """Whether reading `folder` (as `_walk` does) would read a file at `path`, which may not exist yet.

    An output written there would come back as input on the next run. Compared through real paths,
    both where the name sits and where a symlink at it leads; dot-folders, dot-files and READMEs are
    skipped by the walk, so they are no trouble.
    """
    root = Path(os.path.realpath(folder))
    places = {Path(os.path.realpath(path.parent)) / path.name, Path(os.path.realpath(path))}
    for place in places:
        if not place.is_relative_to(root) or place == root:
            continue
        parts = place.relative_to(root).parts
        if not any(part.startswith(".") for part in parts) and _walk_takes(parts[-1]):
            return True
    return False


def _sorted_entries(folder: str | Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError:
        return []


class _Counting:
    """Counts the problems passed on, so a file that yields nothing can say why."""

    def __init__(self, on_problem: ProblemHandler) -> None:
        self.on_problem = on_problem
        self.count = 0

    def __call__(self, problem: InputError) -> None:
        self.count += not isinstance(problem, InputNote)
        self.on_problem(problem)


def _read_file(path: Path, context: ReadContext) -> Iterator[Article]:
    found = format_for(path.suffix)
    counting = _Counting(context.on_problem)
    context = context.replace(on_problem=counting)
    articles = 0
    try:
        with path.open("rb") as raw:
            for article in found.read(raw, context):
                articles += 1
                yield article
        if found.records and not articles and not counting.count:
            context.report("no records in this file (is it empty?); it was skipped")
    except InputError as problem:
        counting(problem)
    except OSError as error:
        context.report(f"cannot read: {error.strerror or error}")


def _read_stdin(stream: IO[Any], context: ReadContext) -> Iterator[Article]:
    """JSONL when the first thing on stdin is `{`, else one plain-text article."""
    raw = getattr(stream, "buffer", None)
    try:
        if raw is None:  # a text stream (tests, library callers): already decoded
            yield from _read_stdin_text(stream, context)
            return
        head, complete = read_head(raw, live=True)
        if not head.strip():
            context.report("no text on standard input")
            return
        chosen = context.encoding or sniff_encoding(head, context.source, complete=complete)
        reader = io.BufferedReader(Prefixed(head, raw))
        if head.decode(chosen, errors="ignore").lstrip("\ufeff \t\r\n").startswith("{"):
            yield from read_jsonl(lines(reader, chosen, context, keep_bad=False), context)
        else:
            yield from read_text_file(reader, context)
    except InputError as problem:
        context.on_problem(problem)


def _read_stdin_text(stream: TextIO, context: ReadContext) -> Iterator[Article]:
    first = stream.readline(context.max_bytes + 1)
    if first.lstrip("\ufeff \t\r\n").startswith("{"):
        yield from read_jsonl(text_lines(stream, context, first), context)
        return
    rest = stream.read(context.max_bytes + 1)
    data = io.BytesIO((first + rest).encode("utf-8", errors="surrogatepass"))
    yield from read_text_file(data, context.replace(encoding="utf-8"))
