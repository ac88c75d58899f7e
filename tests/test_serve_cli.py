"""`classify serve` as a user runs it: a real process and port, warnings, limits, Ctrl-C, concurrency."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from classify.model_file import load_model
from classify.server import create_app
from tests.conftest import DIPLOMACY, MIDDLE_EAST, SECURITY, Run
from tests.serve_support import live_server

if TYPE_CHECKING:
    from classify.summarize import Candidates

ALL_THREE = " ".join([SECURITY[0], DIPLOMACY[0], MIDDLE_EAST[1]])
READY = re.compile(r"Serving on http://(\S+?):(\d+)/")


def call(url: str, payload: object | None = None, *, host: str | None = None, timeout: float = 20) -> tuple[int, dict]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen, list[str], str]]:
    """`classify serve --port 0 ARGS` in its own process; yields it, the stderr lines before it was ready, its URL."""
    process = subprocess.Popen([sys.executable, "-m", "classify", "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        lines: list[str] = []
        while not (lines and READY.search(lines[-1])):
            line = process.stderr.readline()
            assert line, f"the server stopped before it was ready: {''.join(lines)}"
            lines.append(line)
        port = READY.search(lines[-1]).group(2)
        yield process, lines, f"http://127.0.0.1:{port}"
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()


def stop(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    return process.returncode, stdout, stderr


def test_serves_the_api_and_stops_on_ctrl_c_with_130(model_path: Path) -> None:
    with serving("-m", str(model_path), "--max-body", "20KB") as (process, lines, url):
        assert READY.search(lines[-1]).group(1) == "127.0.0.1"
        status, record = call(f"{url}/api/tag", {"text": ALL_THREE})
        assert status == 200 and record["labels"] == ["diplomacy", "middle-east", "security"]
        status, error = call(f"{url}/api/tag", {"text": "word " * 5_000})
        assert status == 413 and "20,480 byte limit" in error["error"]
        status, error = call(f"{url}/api/model", host="rebound.example")
        assert status == 400, "a local server answers only to local host names"
        code, stdout, stderr = stop(process)
    assert code == 130
    assert stderr.strip().splitlines()[-1] == "Interrupted."
    assert "Traceback" not in stderr and stdout == ""


def test_ctrl_c_does_not_wait_for_an_article_half_way(model_path: Path) -> None:
    long_text = " ".join(f"Sentence {i} says the ministers met the army near the border {i % 7}." for i in range(3000))
    answers: list[tuple[int, dict]] = []
    with serving("-m", str(model_path)) as (process, _, url):
        slow = threading.Thread(target=lambda: answers.append(
            call(f"{url}/api/summarize", {"text": long_text, "method": "lexrank"}, timeout=120)))
        slow.start()
        time.sleep(2)  # LexRank on 3,000 sentences takes minutes: it is under way
        code, _, stderr = stop(process)  # fails (TimeoutExpired) if the server waited out the summary
        slow.join(30)
    assert code == 130 and stderr.strip().splitlines()[-1] == "Interrupted."
    assert "Traceback" not in stderr
    # the summary was abandoned, not finished: a server that waited for it would have answered 200
    assert answers[0][0] == 503 and "stopping" in answers[0][1]["error"]


def test_listening_on_the_network_warns_in_one_line(model_path: Path) -> None:
    with serving("--host", "0.0.0.0", "-m", str(model_path)) as (process, lines, url):
        warning = [line for line in lines if line.startswith("Warning:")]
        assert len(warning) == 1 and "anyone" in warning[0] and "0.0.0.0" in warning[0]
        status, info = call(f"{url}/api/model", host="192.0.2.7:8000")
        assert status == 200 and info["topics"]
        assert stop(process)[0] == 130


def test_a_taken_port_is_one_clear_error(run: Run, model_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "-m", str(model_path))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--max-body", "lots"], 2, "not a size"),
    (["--max-body", "0"], 2, "not a size"),
    (["--port", "70000"], 2, "--port"),
    (["-m", "missing.npz"], 1, "no model there"),
])
def test_bad_options_fail_before_serving(run: Run, args: list[str], code: int, words: str) -> None:
    result = run("serve", "--port", "0", *args)
    assert result.exit_code == code
    assert words in result.stderr and "Serving" not in result.stderr


def test_a_slow_article_does_not_hold_up_other_requests(model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import classify.summarize

    entered, release = threading.Event(), threading.Event()

    def slow(candidates: Candidates, title: str, seed: int) -> list[int]:
        entered.set()
        assert release.wait(30)
        return list(range(len(candidates.sentences)))

    monkeypatch.setitem(classify.summarize.METHODS, "slow", slow)
    results: list[tuple[int, dict]] = []
    with live_server(create_app(load_model(model_path))) as url:
        waiting = threading.Thread(target=lambda: results.append(call(f"{url}/api/summarize", {"text": ALL_THREE,
                                                                                              "method": "slow"})))
        waiting.start()
        assert entered.wait(20)
        try:
            assert call(f"{url}/api/model", timeout=5)[0] == 200
            status, record = call(f"{url}/api/tag", {"text": ALL_THREE}, timeout=5)
            assert status == 200 and record["labels"]
            assert not results, "the slow request is still running"
        finally:
            release.set()
            waiting.join(30)
    assert results[0][0] == 200 and results[0][1]["method"] == "slow"
