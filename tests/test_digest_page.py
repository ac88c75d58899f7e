"""The HTML digest in a real headless Chromium: hostile article text stays text, the page reads on a phone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import Run
from tests.test_digest import CEASEFIRE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HOSTILE_TITLE = ('<script>window.pwned = "script"</script><img src=x onerror="window.pwned = \'onerror\'">'
                 '</style><style>body { display: none }</style> Talks resume')
HOSTILE_SENTENCE = 'Officials said <b onmouseover="window.pwned = 1">nothing</b> </style><script>window.pwned = 2</script> more.'


@pytest.fixture
def hostile_report(run: Run, model_path: Path, tmp_path: Path) -> Path:
    records = tmp_path / "hostile.jsonl"
    rows = [
        {"id": "evil-1", "title": HOSTILE_TITLE, "text": " ".join([HOSTILE_SENTENCE, *CEASEFIRE]),
         "outlet": "<i>Outlet</i>", "link": "javascript:window.pwned = 'link'", "date": "<script>1</script>"},
        {"id": "evil-2", "title": "Second version", "text": " ".join(CEASEFIRE[:6]), "outlet": "Wire",
         "link": "https://wire.example/truce?a=1&b=\"><script>window.pwned=3</script>"},
        {"id": "plain", "title": "</style>Unrelated <u>flood</u>", "text": "Heavy rain flooded the valley. Schools closed.",
         "link": "data:text/html,<script>window.pwned=4</script>"},
    ]
    records.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    out = tmp_path / "report.html"
    result = run("digest", str(records), "-m", str(model_path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_hostile_article_runs_no_script_and_shows_its_text_literally(browser: Browser, hostile_report: Path) -> None:
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.goto(hostile_report.as_uri())
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script, img, iframe, object, embed, b, i, u').length") == 0
    assert page.evaluate("[...document.querySelectorAll('style')].length") == 1, "only the report's own stylesheet"
    heading = page.locator("article h3").first
    assert heading.inner_text() == HOSTILE_TITLE
    assert heading.is_visible(), "an article's </style> cannot hide the page"
    assert page.get_by_text("Officials said <b onmouseover").count() == 1
    assert page.get_by_text("</style>Unrelated <u>flood</u>").count() == 1
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert all(href.startswith(("#", "https://")) for href in hrefs), hrefs
    assert "https://wire.example/truce?a=1&b=\"><script>window.pwned=3</script>" in hrefs
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "736px", "the own CSS applies"
    assert not [text for text in messages if "Refused" in text], messages
    page.close()


def test_report_fits_a_phone_screen_and_links_its_sections(browser: Browser, run: Run, model_path: Path, tmp_path: Path) -> None:
    from tests.test_digest import FLOODS

    records = tmp_path / "day.jsonl"
    rows = [{"id": "a", "title": "Truce talks resume in Cairo with a very long headline that has to wrap on a phone screen",
             "text": " ".join(CEASEFIRE), "link": "https://gazette.example/" + "x" * 200},
            {"id": "b", "title": "Valley flooded", "text": " ".join(FLOODS)}]
    records.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    out = tmp_path / "report.html"
    assert run("digest", str(records), "-m", str(model_path), "-o", str(out)).exit_code == 0
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(out.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling on a phone"
    contents = page.locator("nav a")
    assert contents.count() >= 2
    assert "Other (1)" in page.locator("nav").inner_text()
    page.locator("nav a", has_text="Other").click()
    assert page.evaluate("location.hash") == "#other"
    assert page.locator("#other li").inner_text().startswith("Valley flooded")
    page.close()
