"""Plain-text articles, optionally with `key: value` header lines first (the seed format).

The seed format: `title:`, `topics:`, `unknown:` and `id:` lines, a blank line, then the body.
Any other file named on the command line is read as plain text too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from classify.articles import Article
from classify.inputs.context import ReadContext
from classify.inputs.formats import reader
from classify.inputs.records import parse_labels
from classify.inputs.streams import read_text

HEADER_KEYS = {"title", "topics", "unknown", "id"}


@reader(".txt", ".text", ".md", fallback=True)
def read_text_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """One article: the whole file."""
    text = read_text(raw, context)
    if not text.strip():
        raise context.problem("file has no text; it was skipped")
    yield checked(parse_text(text, context.document_id()), context)


def checked(article: Article, context: ReadContext) -> Article:
    """The article, or an error when training needs topics it does not give."""
    if context.require_labels and article.labels is None:
        raise context.problem("no `topics:` line; add one after the title (e.g. `topics: security, diplomacy` or "
                              "`topics: none`)")
    return article


def parse_text(text: str, article_id: str) -> Article:
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
