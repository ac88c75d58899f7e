"""Main article text out of an HTML page.

trafilatura had the best F1 (.923) of the extractors measured on news pages (shared/research) and is
maintained; it is imported inside the function so commands that never read HTML do not load it and lxml.
"""

from __future__ import annotations


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
