"""ROUGE and speed of every summary method on cnndm-dev and bbc-summary, as a Markdown table.

Run from the repo: ``.venv/bin/python bench/summaries_rouge.py [DATA.jsonl ...] > /tmp/rouge.md``
(defaults to the two sets in ../shared/data). Stands in for ``classify evaluate --summaries`` and calls
the same function. ``LEAD-3`` is the first three sentences with no junk filter: the published baseline.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _harness import SHARED

from classify.inputs import iter_articles
from classify.summarize import METHODS, Length
from classify.summary_evaluation import evaluate_summaries

DATA = [SHARED / "data/cnndm-dev/articles.jsonl", SHARED / "data/bbc-summary/articles.jsonl"]


def main(paths: list[Path]) -> None:
    length = Length(sentences=3)
    for path in paths:
        articles = list(iter_articles([str(path)]))
        rows = evaluate_summaries(articles, ["lead"], length, filter_junk=False)
        rows[0]["method"] = "LEAD-3 (no junk filter)"
        rows += evaluate_summaries(articles, list(METHODS), length)
        rows.sort(key=lambda row: -row["rouge1"])
        print(f"\n### {path.parent.name} ({len(articles)} articles, 3 sentences)\n")
        print("| method | R-1 | R-2 | R-Lsum | articles/s |\n|---|---:|---:|---:|---:|")
        for row in rows:
            print(f"| {row['method']} | {row['rouge1']:.2f} | {row['rouge2']:.2f} | {row['rougeLsum']:.2f} "
                  f"| {row['articles_per_second']:,.0f} |", flush=True)


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("data", nargs="*", type=Path, help="JSONL with text and summary (default: cnndm-dev and bbc-summary)")
    main(arguments.parse_args().data or DATA)
