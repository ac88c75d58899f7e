"""Turn what users pass on the command line into a stream of `Article` records.

Accepted: plain-text files (optionally with `title:`/`topics:` header lines, the seed format),
HTML files, RSS/Atom feeds (`feeds`), JSONL and CSV/TSV files of records, folders of any of these
(recursive, sorted, dot-files and README files skipped: a README describes the folder, as `seeds/README.md`
does, and is no article) and `-` for standard input (JSONL when it starts with `{`, else one article).

Bad records are reported through `on_problem` and skipped, so one broken line in a batch of
thousands does not cost the rest; the caller decides how the run ends (see docs/errors.md).
Record files are read a line at a time, so memory does not grow with the file; one article
(a text file, a JSONL line, a CSV row) may be at most `MAX_ARTICLE_BYTES`.

The parts: `sources` finds what to read, `streams` reads bounded bytes and lines, one module per
format holds its reader (registered by suffix in `formats`), `records` turns records into
articles, and `context.ReadContext` carries what every reader needs. To add a format, write a
module with a `@reader(".suffix")` function and import it below.
"""

from __future__ import annotations

from classify.inputs import feeds, html, jsonl, table, text  # noqa: F401 - importing registers their readers
from classify.inputs.context import MAX_ARTICLE_BYTES, ProblemHandler, ReadContext
from classify.inputs.formats import known_suffixes, reader
from classify.inputs.records import parse_labels
from classify.inputs.sources import iter_articles, walk_would_read

__all__ = ["MAX_ARTICLE_BYTES", "ProblemHandler", "ReadContext", "iter_articles", "known_suffixes", "parse_labels", "reader",
           "walk_would_read"]
