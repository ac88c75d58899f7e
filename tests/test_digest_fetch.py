"""`digest --fetch` against a local HTTP server: feeds and pages are read; every failure is one line."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

import classify.fetch as fetch
from tests.conftest import Run
from tests.test_digest import ATOM, CEASEFIRE, EMPTY_FEEDS, FLOODS, html_paragraphs

PAGE = ("<html><head><title>Valley flooded</title></head><body><nav>Home | News | Sport</nav><article><h1>Valley flooded</h1>"
        + "".join(f"<p>{sentence}</p>" for sentence in FLOODS) + "</article><footer>Copyright</footer></body></html>")
SLOW_SECONDS = 3.0


class Handler(BaseHTTPRequestHandler):
    """Routes a test asks for; each answers as a real server might."""

    def do_GET(self) -> None:
        routes = {
            "/feed.atom": (200, "application/atom+xml; charset=utf-8", ATOM.format(ceasefire=html_paragraphs(CEASEFIRE))),
            "/page.html": (200, "text/html; charset=utf-8", PAGE),
            "/quiet.rss": (200, "application/rss+xml", EMPTY_FEEDS["quiet.rss"]),
            "/image.png": (200, "image/png", "\x89PNG not really"),
            "/huge.html": (200, "text/html", "<p>" + "x" * 5000 + "</p>"),
            "/missing": (404, "text/html", "not here"),
        }
        if self.path == "/to-file":
            self._answer(302, "text/html", "", location="file:///etc/passwd")
        elif self.path == "/moved":
            self._answer(301, "text/html", "", location="/page.html")
        elif self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._answer(200, "text/html", PAGE)
        elif self.path == "/huge-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()  # no Content-Length: the body's size shows only while reading
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
            self.close_connection = True
        else:
            self._answer(*routes[self.path])

    def _answer(self, status: int, content_type: str, body: str, location: str | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as the timeout test wants
            self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    """A client that stops reading at its size cap closes the connection mid-answer; the server's
    traceback for that would land in the captured stderr of the run under test."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits small enough to reach in a test: a second to answer, 4,000 bytes a download."""
    monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(fetch, "MAX_BYTES", 4000)


def test_feed_and_page_are_fetched_and_reported(run: Run, model_path: Path, server: str) -> None:
    result = run("digest", "--fetch", f"{server}/feed.atom", f"{server}/moved", "-m", str(model_path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    members = {m["id"]: m for story in report["stories"] + report["other"] for m in story["members"]}
    assert members["urn:post:77"]["link"] == "https://post.example/truce"
    page = members[f"{server}/moved"]
    assert page["title"] == "Valley flooded" and page["link"] == f"{server}/page.html", "the link is where the redirect led"
    assert page["source"] == "127.0.0.1"


def test_a_fetched_empty_feed_is_a_warning(run: Run, model_path: Path, server: str) -> None:
    result = run("digest", "--fetch", f"{server}/quiet.rss", f"{server}/feed.atom", "-m", str(model_path), "-f", "json")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"Warning: {server}/quiet.rss: the feed has no entries; nothing was read "
                                          "from it (export or download it again if it should have some)"]
    counts = json.loads(result.stdout)["counts"]
    assert counts["articles"] == 1 and counts["skipped"] == 0


@pytest.mark.parametrize(("path", "message"), [
    ("/slow", "no complete answer within 1 s; try again later, or save the page and pass the file"),
    ("/huge.html", "larger than the 4,000 byte download limit; save it and pass the file"),
    ("/huge-unannounced", "larger than the 4,000 byte download limit; save it and pass the file"),
    ("/image.png", "content type image/png is not a feed, page or text; only text, HTML and XML are read"),
    ("/to-file", "the server redirected to a file URL; only http(s) redirects are followed"),
    ("/missing", "the server answered HTTP 404 Not Found; check the URL, or save the page and pass the file"),
])
def test_each_failure_is_one_line_and_the_rest_is_still_digested(run: Run, model_path: Path, server: str,
                                                                 path: str, message: str) -> None:
    result = run("digest", "--fetch", f"{server}{path}", f"{server}/feed.atom", "-m", str(model_path), "-f", "json")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {server}{path}: {message}",
                                          "Error: 1 bad input skipped (reported above); fix or remove it and rerun"]
    report = json.loads(result.stdout)
    assert report["counts"]["articles"] == 1 and report["counts"]["skipped"] == 1


def test_unreachable_host_is_one_line(run: Run, model_path: Path) -> None:
    result = run("digest", "--fetch", "http://127.0.0.1:9/feed.rss", "-m", str(model_path), "-f", "json")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: http://127.0.0.1:9/feed.rss: cannot connect (") and first.endswith(
        "check the URL and the network")
    assert result.stdout == "", "nothing read: no report"


class ProxyHandler(Handler):
    """A forward proxy for plain http: it answers the absolute URL it is asked for from the routes above,
    and remembers what it was asked and with which sign-in."""

    asked: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        ProxyHandler.asked.append((self.path, self.headers.get("Proxy-Authorization")))
        self.path = "/" + self.path.split("://", 1)[-1].split("/", 1)[-1]
        super().do_GET()


@pytest.fixture
def proxy() -> Iterator[str]:
    ProxyHandler.asked = []
    httpd = _QuietServer(("127.0.0.1", 0), ProxyHandler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_proxy_settings")
def test_the_systems_proxy_is_used_with_its_sign_in(run: Run, model_path: Path, proxy: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", f"http://analyst:p%40ss@{proxy}")
    result = run("digest", "--fetch", "http://news.example.invalid/feed.atom", "-m", str(model_path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["articles"] == 1
    assert ProxyHandler.asked == [("http://news.example.invalid/feed.atom", "Basic YW5hbHlzdDpwQHNz")]  # analyst:p@ss


@pytest.mark.usefixtures("no_proxy_settings")
def test_no_proxy_hosts_and_this_machine_are_reached_directly(run: Run, model_path: Path, proxy: str, server: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", f"http://{proxy}")
    monkeypatch.setenv("no_proxy", "news.example.invalid")
    direct = run("digest", "--fetch", "http://news.example.invalid/feed.atom", "-m", str(model_path), "-f", "json")
    assert direct.exit_code == 1 and "cannot connect" in direct.stderr, "no_proxy: straight to a host that does not exist"
    local = run("digest", "--fetch", f"{server}/feed.atom", "-m", str(model_path), "-f", "json")
    assert local.exit_code == 0, local.stderr
    assert ProxyHandler.asked == []


@pytest.mark.usefixtures("no_proxy_settings")
def test_a_proxy_that_fails_is_one_line_naming_it_without_its_password(run: Run, model_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "http://analyst:secret@127.0.0.1:9")
    result = run("digest", "--fetch", "http://news.example.invalid/feed.atom", "-m", str(model_path), "-f", "json")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: http://news.example.invalid/feed.atom: the proxy 127.0.0.1:9 failed (")
    assert first.endswith("check http(s)_proxy and no_proxy") and "secret" not in result.stderr
    assert "HTTPConnection(" not in first, "the reason, not urllib3's repr of the connection"
