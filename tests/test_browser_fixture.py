"""The headless browser the page tests rely on really renders and runs a page's own script."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def test_browser_renders_a_local_page_and_runs_its_script(browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_text(
        "<!doctype html><title>t</title><p id=p>before</p>"
        "<script>document.getElementById('p').textContent = 'after'</script>",
        encoding="utf-8",
    )
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        assert page.text_content("#p") == "after"
    finally:
        page.close()
