"""`classify serve`: the tagger and summarizer behind a local web page and a JSON API.

Built on Starlette rather than FastAPI: the API is a few routes whose checks must produce our own
messages and statuses (400 bad input, 413, 415, 422 bad parameters), which FastAPI's pydantic layer
would answer with its own error shape; Starlette gives the same ASGI stack (uvicorn, anyio's thread
pool, the test client) without a second validation library to keep in step.

The model is loaded once by the command and shared by every request. Tagging, summarizing and
reading uploaded files run in daemon threads (`off_loop`), so a slow article never stalls the event
loop that serves the page and the other requests, nor holds up Ctrl-C. Records are the ones the CLI
writes (a summary's stderr notes ride along as `notes`): this module only turns requests into
`Article`s and options, then calls `classify.tagging` and `classify.summarize` (and, for dropped
files, `classify.digest` and `classify.report`, whose report is served as `classify digest` writes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from classify import __version__
from classify.articles import Article
from classify.errors import ClassifyError, InputError, InputNote, UsageError
from classify.model import TopicModel

if TYPE_CHECKING:
    from classify.summarize import Length

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC = Path(__file__).parent / "static"
DEFAULT_MAX_BODY = 5 * 2**20
MAX_FILES = 100
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; frame-src 'self'"
)
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
"""For a digest report, shown in the page's sandboxed frame: its own inline style (which the report's meta
policy further pins to a hash), nothing else, and only inside our page."""
MAX_REPORTS = 8
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
TEXT_FIELDS = {"text", "title", "id"}
LENGTH_FIELDS = ("sentences", "ratio", "words")
TAG_FIELDS = {*TEXT_FIELDS, "articles"}
SUMMARY_FIELDS = {*TAG_FIELDS, *LENGTH_FIELDS, "method"}

log = logging.getLogger("classify.server")


class ApiError(Exception):
    """A request the API refuses: the status and the one-line message the client gets as JSON."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status)


# --- CPU work off the event loop ---------------------------------------------------------------------

WORKERS = 16
"""Requests worked on at once; more wait their turn. The threads share the GIL, so more would not be faster."""
_workers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


async def off_loop(func: Callable[..., Any], *args: Any) -> Any:
    """`func(*args)` in a daemon thread, awaited: the event loop goes on serving the page and other requests.

    Not anyio's thread pool (`run_in_threadpool`): its threads keep the process alive, so Ctrl-C would
    wait for an article half-way through a slow summary. A daemon thread ends with the process; the
    request it served, cancelled by the shutdown, gets a 503.
    """
    loop = asyncio.get_running_loop()
    workers = _workers.setdefault(loop, asyncio.Semaphore(WORKERS))  # a semaphore serves one event loop
    done: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if not done.cancelled():
            done.set_result(result) if error is None else done.set_exception(error)

    def work() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (func(*args), None)
        except BaseException as error:  # handed to the request, which reports it
            outcome = (None, error)
        with contextlib.suppress(RuntimeError):  # the server stopped meanwhile: nobody is waiting
            loop.call_soon_threadsafe(settle, *outcome)

    try:
        async with workers:
            threading.Thread(target=work, name="classify-serve-work", daemon=True).start()
            return await done
    except asyncio.CancelledError:
        raise ApiError(503, "the server is stopping (Ctrl-C); this request was not finished") from None


# --- requests into articles and options -------------------------------------------------------------


def media_type(request: Request) -> str:
    """The request's content type without its parameters (`multipart/form-data; boundary=…` → `multipart/form-data`)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_json(request: Request, allowed: set[str]) -> dict[str, Any]:
    """The request's JSON object, refusing other content types, broken JSON and unknown fields."""
    content_type = media_type(request)
    if content_type != "application/json":
        raise ApiError(415, f"send JSON with Content-Type: application/json, not {content_type or 'no content type'!r}")
    body = await request.body()
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"the body is not valid JSON ({error})") from None
    if not isinstance(payload, dict):
        raise ApiError(400, 'send a JSON object: {"text": ..., "title": ...} or {"articles": [...]}')
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise ApiError(422, f"unknown field {unknown[0]!r}; this endpoint takes: {', '.join(sorted(allowed))}")
    return payload


def articles_from(payload: dict[str, Any]) -> list[Article]:
    """`{"text", "title", "id"}` as one article, or `{"articles": [records]}` as JSONL records are read."""
    from classify.inputs.records import record_to_article

    if "articles" in payload:
        if TEXT_FIELDS & set(payload):
            raise ApiError(400, 'give either "text" (one article) or "articles" (a list), not both')
        records = payload["articles"]
        if not isinstance(records, list) or not records:
            raise ApiError(400, '"articles" must be a non-empty list of {"text": ..., "title": ..., "id": ...} objects')
        where = "articles[{}]: "
    else:
        records = [{key: payload[key] for key in TEXT_FIELDS if key in payload}]
        where = ""
    articles = []
    for index, record in enumerate(records):
        try:
            articles.append(record_to_article(record, str(index + 1)))
        except ValueError as error:
            raise ApiError(400, where.format(index) + str(error)) from None
    return articles


def length_from(payload: dict[str, Any]) -> Length:
    """The summary length asked for (`sentences`, `ratio` or `words`), the CLI's default when none is."""
    from classify.summarize import Length

    given = {name: payload[name] for name in LENGTH_FIELDS if payload.get(name) is not None}
    for name, value in given.items():
        whole = name != "ratio"
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            kind = "a whole number" if whole else "a number"
            raise ApiError(422, f"{name} must be {kind}, not {json.dumps(value)}")
    try:
        return Length.asked(**given)
    except UsageError as error:
        raise ApiError(422, str(error)) from None


def method_from(payload: dict[str, Any]) -> str:
    from classify.summarize import DEFAULT_METHOD, METHODS

    method = payload.get("method", DEFAULT_METHOD)
    if method not in METHODS:
        raise ApiError(422, f"unknown summary method {json.dumps(method)}; choose one of: {', '.join(METHODS)}")
    return method


def single(payload: dict[str, Any], records: list[dict[str, Any]]) -> Any:
    """One record for `{"text": ...}`, the list (as `--format json` writes it) for `{"articles": [...]}`."""
    return records if "articles" in payload else records[0]


# --- uploaded files ---------------------------------------------------------------------------------


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


@dataclass
class Uploads:
    """What uploaded files gave: their articles, a message for each problem met (warnings, such as an empty
    feed, start `Warning: `), and how many inputs were skipped (the warnings skip nothing)."""

    articles: list[Article]
    problems: list[str]
    skipped: int


def read_uploads(files: Iterable[tuple[str, bytes]]) -> Uploads:
    """Articles in uploaded files, read exactly as `classify tag FILE` reads them, and the problems met.

    Each file is written under a neutral name in a private folder and read by `classify.inputs`;
    article ids and messages then name the file as the user called it.
    """
    from dataclasses import replace

    from classify.inputs import iter_articles

    read = Uploads([], [], 0)
    with tempfile.TemporaryDirectory(prefix="classify-serve-") as folder:
        for number, (name, data) in enumerate(files):
            shown = _UNSAFE_NAME.sub("_", Path(name.replace("\\", "/")).name) or "upload"
            path = Path(folder) / f"{number}{Path(shown).suffix.lower()}"
            path.write_bytes(data)

            def rename(text: str, path: Path = path, shown: str = shown) -> str:
                return text.replace(str(path), shown)

            def on_problem(problem: InputError, rename: Callable[[str], str] = rename) -> None:
                note = isinstance(problem, InputNote)
                read.problems.append("Warning: " * note + rename(str(problem)))
                read.skipped += not note

            for article in iter_articles([str(path)], on_problem=on_problem):
                read.articles.append(replace(article, id=rename(article.id)))
    return read


async def uploaded_articles(request: Request, max_body: int) -> tuple[Uploads, dict[str, str]]:
    """The articles in a multipart request's `files` (read as `classify tag` reads files) with the problems met,
    and the request's other (text) fields."""
    from classify.inputs import known_suffixes

    content_type = media_type(request)
    if content_type != "multipart/form-data":
        raise ApiError(415, "send files as multipart/form-data in the field `files`")
    suffixes = known_suffixes()
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES, max_part_size=max_body) as form:
        uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
        if not uploads:
            raise ApiError(400, "no files: send them in the multipart field `files`")
        for upload in uploads:
            suffix = Path(upload.filename or "").suffix.lower()
            if suffix not in suffixes:
                raise ApiError(415, f"{upload.filename}: cannot read {suffix or 'files without an extension'}; "
                                    f"drop {', '.join(s for s in suffixes if s)} files")
        files = [(upload.filename or "upload", await upload.read()) for upload in uploads]
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    read = await off_loop(read_uploads, files)
    if not read.articles:
        raise ApiError(400, "; ".join(read.problems) or "no articles in these files")
    return read, fields


# --- the model --------------------------------------------------------------------------------------


def served_model_info(model: TopicModel) -> dict[str, Any]:
    """`classify info`'s record of the model (topics, thresholds, figures, data, settings), plus the server's version."""
    from classify.model_info import model_info

    info = model_info(model)
    info["versions"]["classify (server)"] = __version__
    return info


# --- the app ----------------------------------------------------------------------------------------


def create_app(model: TopicModel, *, max_body: int = DEFAULT_MAX_BODY, allowed_hosts: Iterable[str] | None = None) -> ASGIApp:
    """The ASGI app serving `model`; `allowed_hosts` (None: any) guards a local server against DNS rebinding."""
    from classify.inputs import known_suffixes
    from classify.summarize import DEFAULT_METHOD, DEFAULT_SENTENCES, METHODS, summarize_many
    from classify.tagging import tag

    model.load_views()  # a model that needs a missing extra stops the server before it listens

    def tag_records(articles: list[Article]) -> list[dict[str, Any]]:
        return [item.record(explain=True) for item in tag(articles, model)]

    def summary_records(articles: list[Article], length: Length, method: str) -> list[dict[str, Any]]:
        """The CLI's records, plus the notes it prints on stderr ("fewer than the 3 asked") as `notes` when there are any."""
        from classify.summarize import summary_record

        records = []
        for article_id, summary in summarize_many(articles, length=length, method=method):
            record: dict[str, Any] = summary_record(article_id, summary)
            if summary.notes:
                record["notes"] = summary.notes
            records.append(record)
        return records

    async def api_tag(request: Request) -> Response:
        payload = await read_json(request, TAG_FIELDS)
        articles = articles_from(payload)
        return JSONResponse(single(payload, await off_loop(tag_records, articles)))

    async def api_summarize(request: Request) -> Response:
        payload = await read_json(request, SUMMARY_FIELDS)
        length, method = length_from(payload), method_from(payload)
        articles = articles_from(payload)
        return JSONResponse(single(payload, await off_loop(summary_records, articles, length, method)))

    async def api_read(request: Request) -> Response:
        read, _ = await uploaded_articles(request, max_body)
        return JSONResponse({"articles": [{"id": a.id, "title": a.title, "text": a.text} for a in read.articles],
                             "problems": read.problems})

    reports: OrderedDict[str, str] = OrderedDict()

    def digest_report(articles: list[Article], sentences: int, skipped: int) -> tuple[str, dict[str, Any]]:
        from classify.digest import digest
        from classify.report import render
        from classify.summarize import Length

        report = digest(articles, model, length=Length(sentences=sentences))
        report.skipped = skipped
        return render(report, "html"), report.counts

    async def api_digest(request: Request) -> Response:
        read, fields = await uploaded_articles(request, max_body)
        sentences = fields.get("sentences", str(DEFAULT_SENTENCES))
        if not sentences.isdigit() or int(sentences) < 1:
            raise ApiError(422, f"sentences must be a whole number of at least 1, not {sentences!r}")
        html, counts = await off_loop(digest_report, read.articles, int(sentences), read.skipped)
        token = secrets.token_urlsafe(16)
        reports[token] = html
        while len(reports) > MAX_REPORTS:
            reports.popitem(last=False)
        return JSONResponse({"report": f"/digest/{token}", "articles": counts["articles"],
                             "stories": counts["stories"] + counts["other"], "problems": read.problems})

    async def digest_page(request: Request) -> Response:
        html = reports.get(request.path_params["token"])
        if html is None:
            raise ApiError(404, "no such report (the server keeps the last few); drop the files again")
        return HTMLResponse(html, headers={"content-security-policy": REPORT_POLICY, "x-frame-options": "SAMEORIGIN",
                                           "cache-control": "no-store"})

    info = served_model_info(model)

    async def api_model(request: Request) -> Response:
        return JSONResponse(info)

    options = "".join(f'<option value="{escape(name)}"{" selected" * (name == DEFAULT_METHOD)}>{escape(name)}</option>'
                      for name in METHODS)
    page = (STATIC / "index.html").read_text(encoding="utf-8").replace("<!--methods-->", options).replace(
        "<!--suffixes-->", escape(",".join(known_suffixes())))  # the files `classify tag` reads, from its readers

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"cache-control": "no-store"})

    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        return error_response(error.status, error.message)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return error_response(error.status_code, str(error.detail))

    async def library_error(request: Request, error: Exception) -> Response:
        return error_response(422 if isinstance(error, UsageError) else 400, str(error))

    async def server_error(request: Request, error: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, f"unexpected {type(error).__name__}; the server's log has the details")

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/api/tag", api_tag, methods=["POST"]),
            Route("/api/summarize", api_summarize, methods=["POST"]),
            Route("/api/read", api_read, methods=["POST"]),
            Route("/api/model", api_model, methods=["GET"]),
            Route("/api/digest", api_digest, methods=["POST"]),
            Route("/digest/{token}", digest_page, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error, ClassifyError: library_error,
                            Exception: server_error},
    )
    return Guard(app, max_body=max_body, allowed_hosts=allowed_hosts)


class Guard:
    """ASGI middleware every request passes: known Host header, bounded body, security headers.

    The body is read here up to `max_body` bytes (a larger one is refused with 413 before the app
    sees it, whatever Content-Length claims) and handed on whole.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, allowed_hosts: Iterable[str] | None) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = None if allowed_hosts is None else frozenset(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":  # a response's own policy (a report's) is kept
                sent = list(message.get("headers", []))
                own = {name.lower() for name, _ in sent}
                message["headers"] = sent + [(name, value) for name, value in SECURITY_HEADERS if name not in own]
            await send(message)

        headers = Headers(scope=scope)
        if self.allowed_hosts is not None and host_name(headers.get("host", "")) not in self.allowed_hosts:
            await error_response(400, "unknown Host header; open the page at the address `classify serve` printed")(
                scope, receive, send_with_headers)
            return
        too_big = error_response(413, f"request body over the {self.max_body:,} byte limit; send fewer or smaller "
                                      "articles at a time, or restart the server with a larger --max-body")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await too_big(scope, receive, send_with_headers)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await too_big(scope, receive, send_with_headers)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            return await receive()

        await self.app(scope, replay, send_with_headers)


def host_name(host: str) -> str:
    """`localhost` from `localhost:8000`, `::1` from `[::1]:8000`."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host
