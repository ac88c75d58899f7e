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
    """Every good row's article; undecodable lines arrive marked so their rows are skipped, not misread.

    A row the csv module refuses (a quoted field over the size limit, say) is skipped whole: after the
    error the reader would start again inside the quoted field and make a record of each of its lines,
    so the lines up to where the quotes close are passed over first (quote parity since the row began).
    """
    csv.field_size_limit(context.max_bytes)
    bad_lines: set[int] = set()
    state = {"line": 0, "quotes": 0}  # the last line fed, and the quote characters since the row began

    def feed() -> Iterator[str]:
        for number, text, ok in lines:
            if not ok:
                bad_lines.add(number)
            state["line"] = number
            state["quotes"] += text.count('"')
            yield text

    fed = feed()
    reader = csv.reader(fed, delimiter=delimiter)
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
    previous = state["line"]
    while True:
        state["quotes"] = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            while state["quotes"] % 2 and next(fed, None) is not None:
                pass  # still inside the quoted field: its remaining lines belong to the broken row
            span = f"lines {previous + 1}-{state['line']}" if state["line"] > previous + 1 else "the row"
            context.report(f"broken CSV ({error}); {span} skipped, reading on after it", previous + 1)
            previous = state["line"]
            continue
        first, previous = previous + 1, state["line"]
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
