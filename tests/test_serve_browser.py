"""The `classify serve` page in real headless Chromium against a real uvicorn server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest

from classify.model_file import load_model
from classify.server import create_app
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, CheckedModel
from tests.serve_support import feed, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 20_000
PAIRS = [(SECURITY[1], SECURITY[2]), (DIPLOMACY[1], DIPLOMACY[2]), (MIDDLE_EAST[0], OTHER[2]), (OTHER[4], SECURITY[3])]
ARTICLE = "\n\n".join(f"{first} {second}" for first, second in PAIRS)
SENTENCES = [sentence for pair in PAIRS for sentence in pair]
HOSTILE = [
    "<script>window.__pwned = 'script'</script>",
    '<img src="x" onerror="window.__pwned = \'img\'; alert(1)">',
    '<a href="javascript:window.__pwned=\'link\'">read more</a>',
    "<style>body { display: none }</style><b>bold?</b>",
]


@pytest.fixture(scope="module")
def url(model_path: Path) -> Iterator[str]:
    with live_server(create_app(load_model(model_path))) as base:
        yield base


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    """A fresh page on the server; it records dialogs, script errors and policy violations, which must stay empty."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.events = []
    tab.on("dialog", lambda dialog: (tab.events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.on("pageerror", lambda error: tab.events.append(f"error: {error}"))
    tab.on("console", lambda message: message.type == "error" and tab.events.append(f"console: {message.text}"))
    tab.goto(url)
    tab.wait_for_function("() => document.getElementById('model').textContent.includes('security')")
    yield tab
    context.close()


def paste(page: Page, text: str, title: str = "") -> None:
    page.fill("#title", title)
    page.fill("#text", text)
    page.click("#analyze")
    page.wait_for_selector(".result")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('tagged and summarized')")


def post_json(page: Page, path: str, payload: dict) -> dict:
    """What the API answers the page's own origin (the records the page draws from)."""
    return page.request.post(urljoin(page.url, path), data=payload).json()


def tagged(page: Page) -> list[str]:
    return page.locator(".result .tag.on").evaluate_all("items => items.map(item => item.dataset.topic)")


def marked(page: Page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(".result .article-text mark.summary").all_inner_texts()]


def test_paste_an_article_see_three_tags_their_terms_and_the_summary_in_place(page: Page) -> None:
    paste(page, ARTICLE, title="Border clashes and talks in Baghdad")
    assert sorted(tagged(page)) == ["diplomacy", "middle-east", "security"]
    scores = page.locator(".result .tag.on .score").all_inner_texts()
    assert all(0 < float(score) <= 1 for score in scores)
    highlights = marked(page)
    assert len(highlights) == 3 and all(sentence in SENTENCES for sentence in highlights)
    assert highlights == [" ".join(s.split()) for s in page.locator(".summary-list li").all_inner_texts()]
    terms = page.locator(".result .article-text .term")
    titles = terms.evaluate_all("spans => spans.map(s => s.title)")
    topics = {topic for title in titles for topic in title.split(": ")[0].split(", ")}
    assert topics == {"diplomacy", "middle-east", "security"}, "every tag's terms are highlighted in the text"
    reasons = post_json(page, "/api/tag", {"title": "Border clashes and talks in Baghdad", "text": ARTICLE})["reasons"]
    for span in terms.all()[:12]:
        named, term = span.get_attribute("title").split(": ")
        assert all(word in span.inner_text().lower() for word in term.split())
        assert set(named.split(", ")) == {topic for topic, terms in reasons.items() if term in terms}
    assert page.locator(".result .article-text").inner_text() == ARTICLE
    assert page.events == []


def test_summary_length_and_method_controls(page: Page) -> None:
    paste(page, ARTICLE)
    page.fill("#length-value", "1")
    page.dispatch_event("#length-value", "change")
    page.wait_for_function("() => document.querySelectorAll('.article-text mark.summary').length === 1")
    page.select_option("#method", "lead")
    page.wait_for_function("() => document.querySelector('.summary-block h3').textContent.includes('lead')")
    assert marked(page) == [SENTENCES[0]]
    page.select_option("#length-kind", "words")
    page.fill("#length-value", "30")
    page.dispatch_event("#length-value", "change")
    page.wait_for_function("() => document.querySelectorAll('.article-text mark.summary').length === 2")
    assert sum(len(s.split()) for s in marked(page)) <= 30
    page.fill("#length-value", "0")
    page.dispatch_event("#length-value", "change")
    page.wait_for_selector("#error:not([hidden])")
    assert "words must be at least 1" in page.inner_text("#error")


def test_a_summary_shorter_than_asked_says_so_as_the_cli_does(page: Page) -> None:
    paste(page, f"{SECURITY[0]} {DIPLOMACY[0]}")
    assert page.locator(".summary-list li").count() == 2
    assert page.locator(".summary-note").all_inner_texts() == ["article has 2 sentences, fewer than the 3 asked"]
    page.fill("#length-value", "2")
    page.dispatch_event("#length-value", "change")
    page.wait_for_function("() => document.querySelectorAll('.summary-note').length === 0")
    assert page.locator(".summary-list li").count() == 2
    assert page.events == []


def test_choose_files_shows_each_article_in_a_list(page: Page, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(f"title: Border strike\n\n{SECURITY[0]} {SECURITY[1]}\n", encoding="utf-8")
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "talks", "title": "Summit", "text": f"{DIPLOMACY[0]} {DIPLOMACY[3]}"},
        {"id": "cup", "text": f"{OTHER[0]} {OTHER[1]}"},
    ]), encoding="utf-8")
    page.set_input_files("#files", [str(story), str(batch)])
    page.wait_for_function("() => document.querySelectorAll('.result').length === 3")
    ids = page.locator(".result .article-id").all_inner_texts()
    assert ids == ["story.txt", "talks", "cup"]
    assert page.locator(".result .article-title").first.inner_text() == "Border strike"
    results = page.locator(".result")
    assert "security" in results.nth(0).locator(".tag.on").evaluate_all("xs => xs.map(x => x.dataset.topic)")
    assert results.nth(2).locator(".tag.on").count() == 0
    assert page.events == []


def test_drop_a_file_on_the_page(page: Page) -> None:
    transfer = page.evaluate_handle("""text => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "dropped.txt", {type: "text/plain"}));
        return transfer;
    }""", f"title: Dropped\n\n{DIPLOMACY[1]} {MIDDLE_EAST[2]}\n")
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    page.wait_for_selector(".result")
    assert page.inner_text(".result .article-id") == "dropped.txt"
    assert "diplomacy" in tagged(page)
    assert page.events == []


def test_choose_a_folder_reads_what_classify_tag_would_read_there(page: Page, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "day2").mkdir(parents=True)
    (folder / ".drafts").mkdir()
    (folder / "b-story.txt").write_text(f"title: Border strike\n\n{SECURITY[0]}\n", encoding="utf-8")
    (folder / "day2" / "records.jsonl").write_text(json.dumps({"id": "talks", "text": DIPLOMACY[1]}) + "\n",
                                                   encoding="utf-8")
    (folder / "a-notes.txt").write_text(f"{MIDDLE_EAST[2]}\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("hidden\n", encoding="utf-8")
    (folder / ".drafts" / "draft.txt").write_text("draft\n", encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    page.set_input_files("#folder", str(folder))
    page.wait_for_function("() => document.querySelectorAll('.result').length === 3")
    assert page.locator(".result .article-id").all_inner_texts() == ["a-notes.txt", "b-story.txt", "talks"]
    assert page.is_hidden("#error") and page.is_visible("#digest")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "photo.png").write_bytes(b"\x89PNG\r\n")
    page.set_input_files("#folder", str(empty))
    page.wait_for_selector("#error:not([hidden])")
    assert "Nothing to read there" in page.inner_text("#error")
    assert page.events == []


def test_a_file_the_page_cannot_read_is_one_message(page: Page, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4")
    page.set_input_files("#files", str(scan))
    page.wait_for_selector("#error:not([hidden])")
    assert "scan.pdf: cannot read .pdf" in page.inner_text("#error")
    assert page.locator(".result").count() == 0


def test_a_hostile_article_is_shown_as_text_and_runs_nothing(page: Page, tmp_path: Path) -> None:
    text = f"{SECURITY[0]}\n\n" + "\n\n".join(HOSTILE) + f"\n\n{DIPLOMACY[0]}"
    paste(page, text, title=HOSTILE[1])
    result = page.locator(".result")
    assert result.locator("script, img, a, style, b").count() == 0
    shown = result.locator(".article-text").inner_text()
    for snippet in HOSTILE:
        assert snippet in shown
    assert result.locator(".article-title").inner_text() == HOSTILE[1]
    result.locator(".article-text").click()
    page.get_by_text("read more").first.click()
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text(json.dumps({"id": HOSTILE[0], "title": HOSTILE[2], "text": " ".join(HOSTILE)}) + "\n",
                       encoding="utf-8")
    page.set_input_files("#files", str(hostile))
    page.wait_for_function("() => document.querySelector('.result .article-id').textContent.startsWith('<script>')")
    assert page.locator(".result").locator("script, img, a, style, b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.is_visible("body")
    assert page.events == []


def test_the_model_line_gives_cross_validated_and_cross_source_figures(browser: Browser, checked_model: CheckedModel) -> None:
    path, check = checked_model
    model = load_model(path)
    own, elsewhere = model.meta.cross_validation.metrics["macro_f1"], model.meta.cross_source.metrics["macro_f1"]
    with live_server(create_app(model)) as base:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(base)
        tab.wait_for_function("() => document.getElementById('model').textContent.includes('security')")
        line = tab.locator("#model").inner_text()
        context.close()
    assert f"cross-validated macro F1 {own:.2f}" in line
    assert f"macro F1 {elsewhere:.2f} on {check}" in line


def test_a_dropped_feed_is_shown_as_the_digest_report(page: Page, tmp_path: Path) -> None:
    wire = tmp_path / "wire.rss"
    wire.write_bytes(feed())
    page.set_input_files("#files", str(wire))
    page.wait_for_selector("#digest-view iframe")
    assert page.locator(".result").count() == 3, "the feed's articles are listed too"
    report = page.frame_locator("#digest-view iframe")
    titles = report.locator("h3").all_inner_texts()
    assert "Strike at the border" in titles and "Envoys meet" in titles
    assert "<img src=x onerror=alert(1)> Cup final" in report.locator("body").inner_text()
    assert report.locator("img").count() == 0
    assert page.get_by_text("Open the digest report").get_attribute("href").startswith("/digest/")
    assert page.is_visible("#digest")
    assert page.evaluate("window.__pwned") is None and page.events == []


def test_an_article_over_the_body_limit_is_one_message(browser: Browser, model_path: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 30_000, encoding="utf-8")
    with live_server(create_app(load_model(model_path), max_body=100_000)) as base:
        context = browser.new_context()
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(base)
        tab.set_input_files("#files", str(big))
        tab.wait_for_selector("#error:not([hidden])")
        dropped = tab.inner_text("#error")
        tab.reload()
        tab.fill("#text", "word " * 30_000)
        tab.click("#analyze")
        tab.wait_for_function("() => document.getElementById('error').textContent.includes('100,000')")
        pasted = tab.inner_text("#error")
        context.close()
    assert "over the 100,000 byte limit" in dropped and "--max-body" in dropped
    assert "over the 100,000 byte limit" in pasted
