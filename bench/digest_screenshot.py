"""The screenshots in docs/: a real digest of one week of allsides articles, taken in headless Chromium.

    .venv/bin/python bench/digest_screenshot.py [--first 2020-01-02] [--last 2020-01-09]

Writes the week's articles (by their `meta.date`) to a temporary JSONL file, runs
`classify digest WEEK.jsonl -o report.html` with the default model, and photographs the top of the page
at laptop size (docs/digest.png) and phone size (docs/digest-phone.png) with Debian's Chromium.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from _harness import CLASSIFY, REPO, allsides_records, parser, write_jsonl

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"digest.png": {"width": 1280, "height": 1000}, "digest-phone.png": {"width": 390, "height": 844}}
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--first", default="2020-01-02")
    arguments.add_argument("--last", default="2020-01-09")
    options = arguments.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        week = Path(folder) / "week.jsonl"
        count = write_jsonl(week, (r for r in allsides_records() if options.first <= r["meta"]["date"] <= options.last))
        report = Path(folder) / "report.html"
        subprocess.run([*CLASSIFY, "--quiet", "digest", str(week), "-o", str(report)], check=True)
        print(f"{count} articles from {options.first} to {options.last}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            for name, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                page.goto(report.as_uri())
                page.screenshot(path=str(REPO / "docs" / name))
                page.close()
            browser.close()


if __name__ == "__main__":
    main()
