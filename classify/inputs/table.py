"""CSV and TSV files with a header row naming the columns (`text` required; `id`, `title`, `labels`, ...)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from classify.articles import Article
from classify.inputs.context import ReadContext
from classify.inputs.formats import reader
from classify.inputs.records import record_to_article
from classify.inputs.streams import Line, record_lines


@reader(".csv", records=True)
def read_csv_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """Comma-separated records."""
    return read_table(record_lines(raw, context, keep_bad=True), ",", context)


@reader(".tsv", records=True)
def read_tsv_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """Tab-separated records."""
    return read_table(record_lines(raw, context, keep_bad=True), "\t", context)


def read_table(lines: Iterator[Line], delimiter: str, context: ReadContext) -> Iterator[Article]:
    """Every good row's article; undecodable lines arrive marked so their rows are skipped, not misread."""
    csv.field_size_limit(context.max_bytes)
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
        raise context.problem(f"broken CSV header ({error})", 1) from None
    if header is None:
        raise context.problem("file is empty; it was skipped")
    names = [name.strip().lower() for name in header]
    if "text" not in names:
        found = ", ".join(name for name in names if name) or "none"
        raise context.problem(f"no `text` column in the header row (found: {found}); name the article column `text`", 1)
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            context.report(f"broken CSV ({error}); the row was skipped", previous + 1)
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
            yield record_to_article(fields, f"{context.source}:{first}", context.require_labels)
        except ValueError as error:
            context.report(str(error), first)
