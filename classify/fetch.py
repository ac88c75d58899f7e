"""Download a feed or page the user named on the command line (`digest --fetch`): the only network use.

urllib3 (already installed with trafilatura) does the HTTP; this module adds the limits a tool run on
analysts' machines needs: an overall deadline, a size cap read in pieces, only text/HTML/XML
content, and redirects followed by hand so that each one is checked to stay on http(s) (a redirect
to `file://` or `ftp://` is refused, never followed). Proxies are the system's, as for any command-line
tool: `http_proxy`/`https_proxy` and `no_proxy` (read by the standard library's `urllib.request`),
except for this machine's own addresses, which a proxy could not reach.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import getproxies, proxy_bypass

from classify.articles import Article
from classify.errors import InputError, UsageError
from classify.inputs.context import ProblemHandler, raise_problem
from classify.links import is_web_url

if TYPE_CHECKING:
    import urllib3

TIMEOUT_SECONDS = 20.0
"""For the whole download, redirects included."""
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
ALLOWED_TYPES = ("text/", "application/xml", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
                 "application/rdf+xml")
USER_AGENT = "classify-digest (+offline news tagger; fetches only URLs its user passed)"
HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, text/html, */*"}
PIECE = 64 * 1024
LOOPBACK = ("localhost", "127.", "::1")


@dataclass(frozen=True)
class Download:
    """What a URL gave: the final URL after redirects, its media type and charset, and the body."""

    url: str
    media_type: str
    charset: str | None
    data: bytes


def fetch(url: str, *, timeout: float | None = None, max_bytes: int | None = None) -> Download:
    """GET `url` within the limits above; any failure is one InputError naming the URL and what to do."""
    import urllib3

    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes

    deadline = time.monotonic() + timeout
    pools: dict[str | None, urllib3.PoolManager] = {}
    current, proxy = url, None
    try:
        for _ in range(MAX_REDIRECTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timed_out(url, timeout)
            proxy = proxy_for(current)
            if proxy not in pools:
                pools[proxy] = _proxy_pool(proxy) if proxy else urllib3.PoolManager(retries=False, headers=HEADERS)
            response = pools[proxy].request("GET", current, redirect=False, preload_content=False,
                                            timeout=urllib3.Timeout(connect=remaining, read=remaining))
            try:
                if response.status in (301, 302, 303, 307, 308):
                    current = _redirect_target(url, current, response.headers.get("Location", ""))
                    continue
                if response.status != 200:
                    raise InputError(f"the server answered HTTP {response.status} {response.reason or ''}".rstrip()
                                     + "; check the URL, or save the page and pass the file", source=url)
                media_type, charset = _content_type(response.headers.get("Content-Type", ""))
                if not media_type.startswith(ALLOWED_TYPES):
                    raise InputError(f"content type {media_type or 'not given'} is not a feed, page or text; only text, "
                                     "HTML and XML are read", source=url)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_big(url, max_bytes)
                data = _read_capped(response, url, max_bytes, deadline, timeout)
                return Download(url=current, media_type=media_type, charset=charset, data=data)
            finally:
                response.release_conn()
        raise InputError(f"more than {MAX_REDIRECTS} redirects; open the URL in a browser and pass the final one",
                         source=url)
    except urllib3.exceptions.ProxyError as error:
        reason = str(error.original_error or error).rsplit(": ", 1)[-1]  # after urllib3's repr of the connection
        raise InputError(f"the proxy {_shown(proxy)} failed ({reason}); check http(s)_proxy and no_proxy",
                         source=url) from None
    except urllib3.exceptions.NewConnectionError as error:  # before TimeoutError: urllib3 makes it a subclass
        reason = str(error).rsplit(": ", 1)[-1]  # urllib3 puts the connection's repr first
        raise InputError(f"cannot connect ({reason}); check the URL and the network", source=url) from None
    except urllib3.exceptions.TimeoutError:
        raise _timed_out(url, timeout) from None
    except urllib3.exceptions.HTTPError as error:
        reason = getattr(error, "reason", None) or error
        raise InputError(f"download failed ({reason}); check the URL and the network", source=url) from None
    finally:
        for pool in pools.values():
            pool.clear()


def _proxy_pool(proxy: str) -> urllib3.ProxyManager:
    """A pool through `proxy`, signing in with the user and password its URL carries, if any."""
    import urllib3

    parts = urlsplit(proxy)
    sign_in = None
    if parts.username is not None:
        sign_in = urllib3.make_headers(proxy_basic_auth=f"{unquote(parts.username)}:{unquote(parts.password or '')}")
    return urllib3.ProxyManager(proxy, retries=False, headers=HEADERS, proxy_headers=sign_in)


def _shown(proxy: str | None) -> str:
    """The proxy as a message names it: its address, never the password its URL may carry."""
    parts = urlsplit(proxy or "")
    return parts.netloc.rpartition("@")[2] or str(proxy)


def proxy_for(url: str) -> str | None:
    """The proxy the system names for `url` (`http_proxy`, `https_proxy`; `no_proxy` exempts hosts), or None;
    never for this machine's own addresses."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.startswith(LOOPBACK) or proxy_bypass(host):
        return None
    return getproxies().get(parts.scheme) or None


def _redirect_target(url: str, current: str, location: str) -> str:
    target = urljoin(current, location.strip())
    if not is_web_url(target):
        scheme = urlsplit(target).scheme or "no scheme"
        raise InputError(f"the server redirected to a {scheme} URL; only http(s) redirects are followed", source=url)
    return target


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return media_type.strip().lower(), charset


def _read_capped(response: object, url: str, max_bytes: int, deadline: float, timeout: float) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while piece := response.read1(PIECE):  # type: ignore[attr-defined]  # what has arrived: a trickle still meets the deadline
        size += len(piece)
        if size > max_bytes:
            raise _too_big(url, max_bytes)
        if time.monotonic() > deadline:
            raise _timed_out(url, timeout)
        pieces.append(piece)
    return b"".join(pieces)


def _too_big(url: str, max_bytes: int) -> InputError:
    limit = f"{max_bytes / 2**20:g} MB" if max_bytes >= 2**20 else f"{max_bytes:,} byte"
    return InputError(f"larger than the {limit} download limit; save it and pass the file", source=url)


def _timed_out(url: str, timeout: float) -> InputError:
    return InputError(f"no complete answer within {timeout:g} s; try again later, or save the page and pass the file",
                      source=url)


def fetched_articles(url: str, *, timeout: float | None = None, max_bytes: int | None = None) -> list[Article]:
    """The articles at `url`: every entry of a feed, or the page's main text, or the plain text."""
    from classify.encodings import check_encoding, decode_bytes
    from classify.inputs.feeds import looks_like_feed, read_feed

    download = fetch(url, timeout=timeout, max_bytes=max_bytes)
    if "xml" in download.media_type and looks_like_feed(download.data):
        return read_feed(download.data, url)
    charset = download.charset
    if charset is not None:
        try:
            charset = check_encoding(charset)
        except InputError:
            charset = None  # a server's wrong label: detect the encoding instead
    text = decode_bytes(download.data, url, charset)
    host = urlsplit(download.url).hostname or ""
    if "html" in download.media_type or "xml" in download.media_type:
        from classify.inputs.html import extract_article

        title, body = extract_article(text)
        if not body.strip():
            raise InputError("no article text found in this page; save it and check it in a browser", source=url)
        return [Article(id=url, title=title, text=body, source=host, link=download.url)]
    if not text.strip():
        raise InputError("the URL gave no text", source=url)
    return [Article(id=url, text=text.strip(), source=host, link=download.url)]


def iter_articles_and_urls(
    sources: Sequence[str], *, fetch_urls: bool, encoding: str | None = None, on_problem: ProblemHandler = raise_problem,
) -> Iterator[Article]:
    """What `classify.inputs.iter_articles` reads, plus http(s) URLs downloaded when `fetch_urls` is set.

    A URL that cannot be fetched goes to `on_problem` like a bad file, and the other sources are still read.
    Without `fetch_urls` any URL is a usage error, raised at once: nothing is downloaded unasked.
    """
    urls = {source for source in sources if is_web_url(source)}
    if urls and not fetch_urls:
        first = next(source for source in sources if source in urls)
        raise UsageError(f"{first}: pass --fetch to download URLs (the only network access classify has); "
                         "or save the feed or page and pass the file")
    return _read_sources(sources, urls, encoding, on_problem)


def _read_sources(sources: Sequence[str], urls: set[str], encoding: str | None, on_problem: ProblemHandler) -> Iterator[Article]:
    from classify.inputs import iter_articles

    for source in sources:
        if source in urls:
            try:
                yield from fetched_articles(source)
            except InputError as problem:
                on_problem(problem)
        else:
            yield from iter_articles([source], encoding=encoding, on_problem=on_problem)
