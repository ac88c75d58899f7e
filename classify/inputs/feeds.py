"""RSS 2.0 and Atom feeds as articles: one article per entry.

feedparser reads every RSS and Atom version, survives the HTML entities real feeds are full of,
and normalises dates; it is the maintained parser the Python world uses for feeds. Entry HTML is
cleaned the way `.html` files are (`html`), so a feed and a saved page of the same story
give the same text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import IO, Any

from classify.articles import Article
from classify.errors import InputError, InputNote
from classify.inputs.context import ReadContext
from classify.inputs.formats import reader
from classify.inputs.html import extract_article
from classify.inputs.streams import read_bytes

_XML_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml\b")
RECOVERABLE = ("undefined entity",)
"""XML errors a feed may have and still be read whole: `&nbsp;` and friends, which HTML allows and XML does not."""


@reader(".rss", ".atom", ".xml")
def read_feed_file(raw: IO[bytes], context: ReadContext) -> Iterator[Article]:
    """Every entry of a feed file (feedparser reads the XML whole, so the file may be at most one article's size)."""
    yield from read_feed(read_bytes(raw, context), context.source)


def looks_like_feed(head: bytes) -> bool:
    """Whether the first bytes of a document are an RSS or Atom feed (a fetched URL has no suffix to go by)."""
    start = head[:2048].lower()
    return b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start


def read_feed(data: bytes, source: str) -> list[Article]:
    """Every entry of the feed in `data`, in feed order; a feed that cannot be read raises one InputError,
    and a feed with no entries an InputNote (a warning: the run still succeeds).

    A feed that is not well-formed XML is refused whole rather than read in part: feedparser would
    recover some entries and silently drop the rest.
    """
    import feedparser

    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception")
    if not parsed.version and not parsed.entries:
        raise InputError("not an RSS or Atom feed (no <rss> or <feed> element); check that the file is a feed export",
                         source=source)
    if parsed.bozo and _is_xml_error(problem):
        line = problem.getLineNumber() - (not _XML_DECLARATION.match(data))  # feedparser adds a declaration line
        where = f"line {line}: " if line > 0 else ""
        raise InputError(f"the feed is not well-formed XML ({where}{problem.getMessage()}); it was skipped: "
                         "download it again or repair it (e.g. xmllint --recover)", source=source)
    if not parsed.entries:  # a well-formed feed with nothing in it today: not broken, so not a bad input
        raise InputNote("the feed has no entries; nothing was read from it (export or download it again if it "
                        "should have some)", source=source)
    outlet = _text(parsed.feed.get("title", ""))
    articles = []
    for number, entry in enumerate(parsed.entries, start=1):
        article = _entry_article(entry, outlet, f"{source}#{number}")
        if article is not None:
            articles.append(article)
    if not articles:
        raise InputError("the feed has no entries with text; nothing to read", source=source)
    return articles


def _is_xml_error(problem: Any) -> bool:
    from xml.sax import SAXParseException

    return isinstance(problem, SAXParseException) and not any(text in str(problem) for text in RECOVERABLE)


def _entry_article(entry: Any, outlet: str, fallback_id: str) -> Article | None:
    """An entry's title, link, date and text; `id` is its guid/id, else its link, else its place in the feed."""
    contents = entry.get("content") or []
    body = contents[0] if contents else entry.get("summary_detail") or {}
    text = _text(body.get("value", ""), html=_is_html(body))
    title = " ".join(_text(entry.get("title", ""), html=_is_html(entry.get("title_detail") or {})).split())
    if not text and not title:
        return None
    source = entry.get("source") or {}
    return Article(
        id=str(entry.get("id") or entry.get("link") or fallback_id),
        title=title,
        text=text or title,
        source=_text(source.get("title", "")) or outlet,
        link=entry.get("link") or "",
        date=_iso_date(_entry_time(entry)),
    )


def _entry_time(entry: Any) -> time.struct_time | None:
    """Published, else updated; asked of the entry's own keys, since feedparser's fallback between them warns."""
    return dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")


def _is_html(detail: Any) -> bool:
    return "html" in str(detail.get("type", "text/html"))


def _text(value: str, *, html: bool = False) -> str:
    return html_to_text(value) if html else value.strip()


def _iso_date(parsed: time.struct_time | None) -> str:
    """feedparser's UTC time as ISO 8601; "" when the feed's date was missing or could not be read."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else ""


BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article")


def html_to_text(fragment: str) -> str:
    """The text of an entry's HTML: trafilatura's main text as for `.html` pages, else (trafilatura finds
    nothing in a one-paragraph fragment) every text node, paragraphs on their own lines."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    _, body = extract_article(fragment)
    return body or strip_tags(fragment)


def strip_tags(fragment: str) -> str:
    """Every text node of `fragment` (entities decoded, script and style dropped), blocks on their own lines."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return fragment.strip()
    for element in list(root.iter("script", "style", "template")):
        element.drop_tree()
    for element in root.iter(*BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n\n".join(line for line in lines if line)
