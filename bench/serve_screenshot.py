"""Remake docs/serve.png: the `classify serve` page in headless Chromium after pasting an article.

    .venv/bin/python bench/serve_screenshot.py [--output docs/serve.png]

Starts `classify serve` with the default model built from the bundled seeds (as bench/serve_*.py
do), pastes the article below (written for this picture; no real news is copied) and shows the
result: tags with scores, the terms behind each tag and the summary sentences marked in the text.
"""

from __future__ import annotations

from pathlib import Path

from _harness import REPO, parser, trained_model, workdir
from serve_throughput import server

CHROMIUM = "/usr/bin/chromium"
TITLE = "Envoys meet in Amman as border clashes strain the ceasefire"
ARTICLE = """Foreign ministers from Jordan, Egypt and Qatar met in Amman on Tuesday to press for talks after a \
week of border clashes between Israeli troops and armed groups in southern Lebanon.

The army said two soldiers were wounded when a missile hit an outpost near the frontier, and that its artillery \
returned fire at launch sites. Residents of villages on both sides spent the night in shelters.

Diplomats said the envoys carried a draft of a new truce, drawn up with United Nations mediators, that would pull \
fighters back from the border and let monitors return.

"Nobody here wants a wider war," the Jordanian foreign minister told reporters after the meeting. "But a \
ceasefire that no one watches is only a pause."

The talks are expected to continue in Cairo next week, where the ambassadors of the Gulf states will join them.

Markets in the region barely moved on the news, and the football league said weekend matches would go ahead."""


def main() -> None:
    arguments = parser(__doc__.split("\n")[0])
    arguments.add_argument("--output", type=Path, default=REPO / "docs" / "serve.png")
    options = arguments.parse_args()
    from playwright.sync_api import sync_playwright

    model = trained_model(workdir(options.workdir), "seeds")
    with server(model) as (port, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
        page.goto(f"http://127.0.0.1:{port}/")
        page.fill("#title", TITLE)
        page.fill("#text", ARTICLE)
        page.click("#analyze")
        page.wait_for_selector(".result")
        page.locator("#text").evaluate("box => { box.rows = 4; }")
        page.screenshot(path=str(options.output), full_page=True)
        browser.close()
    print(f"wrote {options.output}")


if __name__ == "__main__":
    main()
