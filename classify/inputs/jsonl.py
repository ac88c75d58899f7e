"""JSON Lines: one record (`id`, `title`, `text`, ...) per line, read a line at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from classify.articles import Article
from classify.inputs.context import ReadContext
from classify.inputs.formats import reader
from classify.inputs.records import record_to_article
from classify.inputs.streams import Line, record_lines


@reader(".jsonl", ".ndjson", records=True)
def read_jsonl_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """Every good line's article; a bad line is reported and skipped."""
    return read_jsonl(record_lines(raw, context, keep_bad=False), context)


def read_jsonl(lines: Iterator[Line], context: ReadContext) -> Iterator[Article]:
    """Articles from already decoded lines (a file, or standard input)."""
    for number, line, ok in lines:
        if not ok or not line.strip():
            continue
        try:
            record = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            context.report(f"not valid JSON ({error.msg} at column {error.colno}); each line must be one JSON object",
                           number)
            continue
        except (ValueError, RecursionError) as error:  # e.g. integers too long, nesting too deep
            reason = ("nested too deeply" if isinstance(error, RecursionError)
                      else "a number with too many digits" if "digits" in str(error) else str(error))
            context.report(f"not usable JSON ({reason})", number)
            continue
        try:
            yield record_to_article(record, f"{context.source}:{number}", context.require_labels)
        except ValueError as error:
            context.report(str(error), number)
