"""HTML pages: the main article text, without the page around it.

trafilatura extracted news pages most accurately of the extractors we compared, and is maintained;
it is imported inside the function so commands that never read HTML do not load it and lxml.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from classify.articles import Article
from classify.inputs.context import ReadContext
from classify.inputs.formats import reader
from classify.inputs.streams import read_text
from classify.inputs.text import checked


@reader(".html", ".htm")
def read_html_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """One article: the page's headline and main text."""
    title, body = extract_article(read_text(raw, context))
    if not body.strip():
        raise context.problem("no article text found in this HTML page; it was skipped")
    yield checked(Article(id=context.document_id(), title=title, text=body), context)


def extract_article(html: str) -> tuple[str, str]:
    """Return (title, body) with body paragraphs separated by blank lines; ("", "") when nothing is found.

    The headline is dropped from the body when the page repeats it there, so it is not summarised twice.
    """
    import trafilatura

    document = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    if document is None:
        return "", ""
    title = (document.title or "").strip()
    paragraphs = [line.strip() for line in (document.text or "").split("\n") if line.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return title, "\n\n".join(paragraphs)
