"""Measure the junk filter: junk picked into summaries, and real sentences it makes unpickable.

Run from the repo: ``.venv/bin/python bench/junk_filter.py``. Page furniture (written here) is injected
into 200 BBC articles read at run time from ../shared; "lost" counts BBC reference-summary sentences
(real article sentences) that the filter makes ineligible, over all 2,087 articles.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from classify.summarize import Length, candidates, summarize

SHARED = Path(__file__).resolve().parents[2] / "shared"
FURNITURE = [
    "Share this with\nFacebookTwitterEmail",
    "Send in e-mailSend in e-mail\nSend in e-mailSend in e-mail",
    "Advertisement",
    "Sign up for our free daily newsletter to get the best stories first.",
    "We use cookies to give you the best experience on our website.",
    "Click the alert icon to follow topics:",
    "By Staff Reporter",
    "Read more: Ten things you need to know about the budget this year.",
]


def with_furniture(text: str, rng: random.Random) -> tuple[str, str]:
    """Add a doubled caption (with a credit line) and three furniture lines between paragraphs."""
    paragraphs = text.split("\n\n")
    first = paragraphs[0].split(". ")[0].rstrip(".")
    caption = f"Officials speak to reporters about {first[:60].lower()}, in London on Monday."
    junk = [f"{caption}\n{caption}Credit: Getty Images", *rng.sample(FURNITURE, 3)]
    for piece in junk:
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), piece)
    return "\n\n".join(paragraphs), caption


def main() -> None:
    rng = random.Random(0)
    bbc = [json.loads(line) for line in (SHARED / "data/bbc-summary/articles.jsonl").open(encoding="utf-8")]
    pages = [with_furniture(article["text"], rng) for article in rng.sample(bbc, 200)]
    markers = ("Share this", "Facebook", "Send in", "Advertisement", "newsletter", "cookies", "Click", "Staff", "Read more",
               "Officials speak")
    for method in ("position-centrality", "lead", "lexrank", "lsa", "luhn", "textrank", "sumbasic"):
        counts = []
        for filter_junk in (False, True):
            picked = 0
            for text, _caption in pages:
                summary = summarize(text, length=Length(sentences=3), method=method, filter_junk=filter_junk)
                picked += any(m in s for s in summary.sentences for m in markers)
            counts.append(picked)
        print(f"{method:>20}: summaries with junk, unfiltered {counts[0]}/200, filtered {counts[1]}/200")
    kept = lost = 0
    for article in bbc:
        eligible = set(candidates(article["text"]).sentences)
        everything = set(candidates(article["text"], filter_junk=False).sentences)
        for sentence in article["summary"].split("\n"):
            if sentence in everything:
                kept += sentence in eligible
                lost += sentence not in eligible
    print(f"BBC reference sentences made unpickable by the filter: {lost}/{kept + lost} "
          f"({100 * lost / (kept + lost):.1f} %)")


if __name__ == "__main__":
    main()
