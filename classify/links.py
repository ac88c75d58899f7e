"""Links taken from articles: only http(s) ones are kept, since a report is opened by people who click."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")


def is_web_url(text: str) -> bool:
    """True for an absolute http(s) URL with a host (what `--fetch` may download)."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def http_link(url: object) -> str:
    """`url` when it is an http(s) URL, else "": `javascript:`, `data:` and `file:` links never reach a report.

    Control characters and spaces are refused too: browsers strip them, so `java\\tscript:` would pass a
    naive scheme check.
    """
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if any(ord(c) < 33 or ord(c) == 127 for c in url) or not is_web_url(url):
        return ""
    return url
