"""Measure the sentence splitter: nupunkt as shipped, with its abbreviation list pruned for news, and
pruned with classify's two repairs (initials before a title, clock times before a new sentence).

Run from the repo: ``.venv/bin/python bench/sentence_splitters.py`` (reads ../shared at run time).
Scores: boundary test cases passed, and the share of BBC reference-summary sentences (extracted from the
article, so they are real sentences) that the splitter reproduces exactly; speed in MB/s.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from _harness import SHARED

from classify.sentences import normalize, punkt_sentences, repair, split_lines

VARIANTS = {"nupunkt as shipped": (False, False), "nupunkt pruned": (True, False), "pruned + repairs (classify)": (True, True)}


def splitter(prune: bool, repaired: bool) -> Callable[[str], list[str]]:
    """Lines first, then nupunkt with or without the pruned abbreviation list and the repairs."""

    def split(text: str) -> list[str]:
        return [s for line in split_lines(normalize(text))
                for s in (repair if repaired else list)(punkt_sentences(line, prune=prune))]

    return split


def squash(sentences: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in sentences]


def main() -> None:
    cases = json.loads((SHARED / "data/segmentation/cases.json").read_text())
    groups = {
        "golden": cases["golden_rules"]["cases"],
        "news": cases["news"],
        "quotes": cases["quotes"],
        "abbrev+Cap": cases["abbreviation_then_capital"],
    }
    bbc = [json.loads(line) for line in (SHARED / "data/bbc-summary/articles.jsonl").open()]
    for variant, (prune, repaired) in VARIANTS.items():
        split = splitter(prune, repaired)
        scores = {name: f"{sum(squash(split(c['text'])) == c['expected'] for c in group)}/{len(group)}"
                  for name, group in groups.items()}
        failed = [c["id"] for c in groups["news"] if squash(split(c["text"])) != c["expected"]]
        found = total = 0
        start = time.perf_counter()
        for article in bbc:
            sentences = set(split(article["text"]))
            reference = article["summary"].split("\n")
            found += sum(s in sentences for s in reference)
            total += len(reference)
        seconds = time.perf_counter() - start
        megabytes = sum(len(a["text"].encode()) for a in bbc) / 1e6
        print(f"{variant}: {scores} "
              f"BBC reference sentences reproduced {found}/{total} ({100 * found / total:.2f} %) "
              f"{megabytes / seconds:.1f} MB/s; news cases failed: {failed}")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # --help, and no stray arguments
    main()
