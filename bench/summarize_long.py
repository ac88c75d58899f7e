"""Time the default summary method against sumy's LexRank on one 1,500-sentence document.

Run from the repo: ``.venv/bin/python bench/summarize_long.py``. The document is BBC and CNN/DailyMail
articles from ../shared/data glued together at run time (never stored in the project), five sentences a
paragraph. Both timings include splitting and junk filtering, in the same process.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import chain

from _harness import SHARED

from classify.summarize import DEFAULT_METHOD, Length, candidates, summarize

SENTENCES = 1500


def long_document() -> str:
    """Exactly SENTENCES candidate sentences taken from real articles, in order."""
    sentences: list[str] = []
    files = (SHARED / "data/bbc-summary/articles.jsonl", SHARED / "data/cnndm-dev/articles.jsonl")
    for line in chain.from_iterable(path.open(encoding="utf-8") for path in files):
        sentences.extend(candidates(json.loads(line)["text"]).sentences)
        if len(sentences) >= SENTENCES:
            break
    sentences = sentences[:SENTENCES]
    return "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, SENTENCES, 5))


def timed(text: str, method: str) -> float:
    start = time.perf_counter()
    summary = summarize(text, length=Length(sentences=3), method=method)
    seconds = time.perf_counter() - start
    print(f"{method:>20}: {seconds:7.2f} s  first pick: {summary.sentences[0][:70]!r}")
    return seconds


def main() -> None:
    text = long_document()
    print(f"document: {len(candidates(text).sentences)} sentences, {len(text.split()):,} words")
    summarize("Warm up the imports. This sentence is here for that.", length=Length(sentences=1),
              method="lexrank")
    default = timed(text, DEFAULT_METHOD)
    lexrank = timed(text, "lexrank")
    print(f"ratio {DEFAULT_METHOD} / lexrank = {default / lexrank:.3f} (must be < 0.25)")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # --help, and no stray arguments
    main()
