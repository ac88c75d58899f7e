"""`classify serve`: a local web page and JSON API for tagging and summarizing articles."""

from __future__ import annotations

import re
import socket
from typing import Annotated

import typer

from classify.cli.app import ModelOption, app, inform, say
from classify.errors import UsageError

SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", re.IGNORECASE)
UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}
SHUTDOWN_GRACE_SECONDS = 2


def parse_size(value: str) -> int:
    """Bytes from `5MB`, `512k`, `1.5M` or `1000000`; 1 MB is 2**20 bytes."""
    match = SIZE.fullmatch(value)
    if not match or float(match.group(1)) * UNITS[match.group(2).lower()] < 1:
        raise typer.BadParameter(f"{value!r} is not a size; write e.g. 5MB, 512KB or 1000000")
    return int(float(match.group(1)) * UNITS[match.group(2).lower()])


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, so a taken port is one clear message before anything starts."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UsageError(f"--host {host}: not an address this machine can listen on ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({error.strerror}); pass another --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; 0.0.0.0 opens it to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port (0: any free one).")] = 8000,
    model_path: ModelOption = None,
    max_body: Annotated[
        int, typer.Option("--max-body", help="Largest request body, e.g. 5MB or 512KB.", parser=parse_size, metavar="SIZE")
    ] = "5MB",  # type: ignore[assignment]  # the parser turns the default into bytes like any given value
) -> None:
    """Serve a local page to paste or drop articles and see their tags, reasons and summaries, plus a JSON API.

    The API: POST /api/tag, POST /api/summarize ({"text", "title"} or {"articles": [...]}; summarize also
    takes sentences, ratio, words, method), POST /api/read (files as multipart form data, read as `tag`
    reads them), POST /api/digest (the same files, made into a digest report) and GET /api/model.
    Ctrl-C stops it.

    Examples:

    * `classify serve`
    * `classify serve --port 9000 -m models/news.npz`
    """
    import uvicorn

    from classify.default_model import load_model_or_default
    from classify.server import LOCAL_HOSTS, create_app, host_name

    local = host_name(host) in LOCAL_HOSTS
    if not local:
        say(f"Warning: listening on {host}: anyone who can reach this machine on port {port} can use the page and API.")
    model = load_model_or_default(model_path, say)
    sock = listen(host, port)
    bound_port = sock.getsockname()[1]
    application = create_app(model, max_body=max_body, allowed_hosts=LOCAL_HOSTS if local else None)
    shown = f"[{host}]" if ":" in host else host
    inform(f"Serving on http://{shown}:{bound_port}/ (Ctrl-C to stop)")
    config = uvicorn.Config(application, log_config=None, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS, server_header=False)
    with sock:
        uvicorn.Server(config).run(sockets=[sock])
