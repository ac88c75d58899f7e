"""HTML pages built to make parsing slow: bounded work, a clear line when over a limit, signals honoured."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Never

import pytest

import classify.inputs.html as html
from tests.conftest import DIPLOMACY, SECURITY, Run

BODY = "".join(f"<p>{sentence}</p>" for sentence in SECURITY + DIPLOMACY)


def page(inside: str) -> str:
    return f"<html><head><title>Port strike</title></head><body>{inside}</body></html>"


def test_a_tag_with_a_flood_of_attributes_loses_them_and_the_text_is_kept() -> None:
    flood = " ".join(f'a{i}="v{i}"' for i in range(50_000))
    cleaned = html.without_attribute_floods(page(f"<div {flood}>{BODY}</div>"))
    assert cleaned == page(f"<div>{BODY}</div>")
    assert html.extract_article(page(f"<div {flood}>{BODY}</div>")) == html.extract_article(page(f"<div>{BODY}</div>"))


def test_ordinary_attributes_and_text_are_left_alone() -> None:
    ordinary = page(f'<div class="story" id="main" data-x="1 2 3">{BODY}<img src="a.png" alt="a < b"></div>')
    assert html.without_attribute_floods(ordinary) == ordinary


def test_an_unclosed_tag_flood_is_scanned_once() -> None:
    # every "<a" without a ">" used to be a candidate scanned to the end of the page
    text = "<a b=1 " * 20_000
    assert html.without_attribute_floods(text) == text


def test_a_page_over_the_element_limit_is_one_line(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "MAX_ELEMENTS", 100)
    path = tmp_path / "huge.html"
    path.write_text(page("<div>x</div>" * 150 + BODY))
    good = tmp_path / "good.html"
    good.write_text(page(BODY))
    result = run("summarize", str(path), str(good), "-f", "jsonl")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {path}: HTML page has 162 elements, over the 100 limit for one page; it was skipped: "
        "save the article's text as a .txt file",
        "Error: 1 bad input skipped (reported above); fix or remove it and rerun"]
    assert len(result.stdout.splitlines()) == 1  # the good page is still summarized


def test_a_signal_is_acted_on_while_extraction_is_still_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main thread waits on the extraction thread, so SIGTERM's handler runs at once, not after parsing."""
    release = threading.Event()

    class Stopped(Exception):
        pass

    def handler(signum: int, frame: object) -> Never:
        raise Stopped

    previous = signal.signal(signal.SIGUSR1, handler)
    sender = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1))
    sender.start()
    try:
        with pytest.raises(Stopped):
            html._interruptible(release.wait)  # stands in for a parse that has not finished
        assert not release.is_set()  # the work was still running when the handler ran
    finally:
        release.set()
        sender.cancel()
        signal.signal(signal.SIGUSR1, previous)


def test_errors_inside_extraction_reach_the_caller() -> None:
    with pytest.raises(ZeroDivisionError):
        html._interruptible(lambda: 1 / 0)
