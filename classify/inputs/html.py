"""HTML pages: the main article text, without the page around it.

trafilatura extracted news pages most accurately of the extractors we compared, and is maintained;
it is imported inside the function so commands that never read HTML do not load it and lxml.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

from classify.articles import Article
from classify.errors import InputError
from classify.inputs.context import ReadContext
from classify.inputs.formats import reader
from classify.inputs.streams import read_text
from classify.inputs.text import checked

T = TypeVar("T")


@reader(".html", ".htm")
def read_html_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """One article: the page's headline and main text."""
    html = read_text(raw, context)
    try:
        title, body = extract_article(html)
    except InputError as problem:
        raise context.problem(problem.args[0]) from None
    if not body.strip():
        raise context.problem("no article text found in this HTML page; it was skipped")
    yield checked(Article(id=context.document_id(), title=title, text=body), context)


def extract_article(html: str) -> tuple[str, str]:
    """Return (title, body) with body paragraphs separated by blank lines; ("", "") when nothing is found.

    The headline is dropped from the body when the page repeats it there, so it is not summarised twice.
    A page of more than `MAX_ELEMENTS` elements raises `InputError`.
    """
    import trafilatura

    elements = sum(1 for _ in _TAG_OPEN.finditer(html))
    if elements > MAX_ELEMENTS:
        raise InputError(f"HTML page has {elements:,} elements, over the {MAX_ELEMENTS:,} limit for one page; it was "
                         "skipped: save the article's text as a .txt file")

    document = _interruptible(trafilatura.bare_extraction, without_attribute_floods(html), include_comments=False,
                              with_metadata=True)
    if document is None:
        return "", ""
    title = (document.title or "").strip()
    paragraphs = [line.strip() for line in (document.text or "").split("\n") if line.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return title, "\n\n".join(paragraphs)


def _interruptible(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `function` in a daemon thread and wait for it, so Ctrl-C and SIGTERM are acted on at once.

    Python runs signal handlers in the main thread between bytecodes; while libxml2 parses a page in C
    that thread cannot, but a thread waiting on a queue can. On exit the parse is abandoned with the thread.
    """
    outcome: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

    def run() -> None:
        try:
            outcome.put((True, function(*args, **kwargs)))
        except BaseException as error:  # handed to the caller, which raises it
            outcome.put((False, error))

    threading.Thread(target=run, name="html-extraction", daemon=True).start()
    while True:
        try:  # short waits: a signal the kernel gave another thread still reaches the main one's handler
            finished, value = outcome.get(timeout=0.1)
            break
        except queue.Empty:
            continue
    if not finished:
        raise value
    return value


MAX_ELEMENTS = 50_000
"""Elements one page may have. Extraction walks the tree several times, so its time grows with the element
count: a 5 MB page of 400,000 tiny elements took minutes; news pages have a few thousand."""
_TAG_OPEN = re.compile(r"<[a-zA-Z]")
MAX_ATTRIBUTES = 100
"""Attributes one tag may keep. libxml2 checks each attribute against the tag's others, so parsing time
grows with the square of their number: one `<div>` with 50,000 attributes took over a minute, deaf to SIGTERM.
Real pages stay far below this (an SVG path or a long `style` counts its words, and keeps them too)."""
# A start tag up to the next `<` or `>`: each match attempt stops at the next `<`, so the scan is linear.
_START_TAG = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^<>]*)>")


def without_attribute_floods(html: str) -> str:
    """`html` with the attributes of any tag that has more than `MAX_ATTRIBUTES` dropped (the tag stays)."""
    def bounded(tag: re.Match[str]) -> str:
        attributes = tag.group(2)
        if len(attributes.split(maxsplit=MAX_ATTRIBUTES + 1)) <= MAX_ATTRIBUTES:
            return tag.group()
        return f"<{tag.group(1)}>"

    return _START_TAG.sub(bounded, html)
