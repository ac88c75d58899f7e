"""For the serve tests: a real uvicorn server in a thread on a free loopback port, and a small RSS feed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from classify.cli.serve import listen
from tests.conftest import DIPLOMACY, OTHER, SECURITY


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port; yields its base URL, stops it on exit."""
    sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Evening Wire</title><link>https://wire.example/</link>
<item><title>Strike at the border</title><link>https://wire.example/strike</link><description>{security}</description></item>
<item><title>Envoys meet</title><link>https://wire.example/talks</link><description>{diplomacy}</description></item>
<item><title>&lt;img src=x onerror=alert(1)&gt; Cup final</title><description>{other}</description></item>
</channel></rss>
"""


def feed() -> bytes:
    """Three stories (security, diplomacy, a cup final whose title carries markup) as an RSS 2.0 file."""
    return FEED.format(security=" ".join(SECURITY), diplomacy=" ".join(DIPLOMACY), other=" ".join(OTHER[:2])).encode()
