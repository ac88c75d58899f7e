"""Is a change in tag quality more than noise? A paired bootstrap over articles of two runs of tag_quality.py.

Each run's `--articles` file holds, for every row (model, test set, full or short texts), which articles its
model tagged with each topic and which it should have. For the rows both runs scored on the same articles,
this resamples the articles with replacement (the same draw for both runs, so their difference is paired)
and prints the macro-F1 of each run, the difference, its 95 % interval and the share of draws in which the
second run scored lower. Rows scored on different articles (the bundled-seeds row once the seeds change) are
named and skipped. A test set of a few hundred items moves macro-F1 by a few hundredths from the draw alone,
which is why a row's figure is read with this beside it. With `--match A B`, the rows of model A in the
first run are compared with those of model B in the second, test set by test set (the two may be one run's
file, as for tag_quality.py --blend's rows against the pooled ones).

    python bench/tag_quality.py --articles before.json        # on the first checkout
    python bench/tag_quality.py --articles after.json         # on the second
    python bench/paired_bootstrap.py before.json after.json [--resamples 2000] [--seed 0] [--match A B ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def row_key(row: dict) -> tuple[str, str, str]:
    return row["model"], row["test"], row["texts"]


def matched(before: dict, after: dict, pairs: list[list[str]]) -> list[tuple[str, list, list]]:
    """Each comparison to make: a label and the two rows' articles. With no `pairs`, the rows both runs hold;
    with them, model A's rows of the first run against model B's of the second on the same test and texts."""
    if not pairs:
        return [(f"{key[0]} → {key[1]}, {key[2]}", before[key], after[key]) for key in before if key in after]
    return [(f"{a} vs {b} → {test}, {texts}", before[a, test, texts], after[b, test, texts])
            for a, b in pairs for model, test, texts in before if model == a and (b, test, texts) in after]


def as_arrays(cuts: dict[str, list], index: dict[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per topic: each scored article's position in `index`, whether it was tagged, whether it should have been."""
    return {topic: (np.array([index[i] for i, _, _ in rows]), np.array([p for _, p, _ in rows], dtype=bool),
                    np.array([y for _, _, y in rows], dtype=bool))
            for topic, rows in cuts.items()}


def macro_f1(arrays: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], weights: np.ndarray) -> float:
    """Macro-F1 with each article counted `weights[article]` times (a bootstrap draw's multiplicities)."""
    scores = []
    for positions, predicted, truth in arrays.values():
        counted = weights[positions]
        hits, false_alarms, misses = (float(counted[m].sum())
                                      for m in (predicted & truth, predicted & ~truth, ~predicted & truth))
        scores.append(2 * hits / max(2 * hits + false_alarms + misses, 1e-12))
    return float(np.mean(scores))


def compare(before: dict, after: dict, resamples: int, rng: np.random.Generator) -> dict[str, float]:
    """Both runs' macro-F1, their difference, its 95 % bootstrap interval and the share of draws below zero."""
    ids = sorted({i for rows in before.values() for i, _, _ in rows})
    index = {article: k for k, article in enumerate(ids)}
    first, second = as_arrays(before, index), as_arrays(after, index)
    ones = np.ones(len(ids))
    draws = np.array([macro_f1(second, w) - macro_f1(first, w)
                      for w in (np.bincount(rng.integers(0, len(ids), len(ids)), minlength=len(ids)).astype(float)
                                for _ in range(resamples))])
    return {"before": macro_f1(first, ones), "after": macro_f1(second, ones),
            "difference": macro_f1(second, ones) - macro_f1(first, ones),
            "low": float(np.percentile(draws, 2.5)), "high": float(np.percentile(draws, 97.5)),
            "below_zero": float(np.mean(draws < 0))}


def same_articles(before: dict, after: dict) -> bool:
    """The same topics, and for each the same articles in the same order with the same truth."""
    return before.keys() == after.keys() and all(
        [(i, y) for i, _, y in before[t]] == [(i, y) for i, _, y in after[t]] for t in before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--match", nargs=2, action="append", default=[], metavar=("A", "B"),
                        help="compare model A's rows in the first run with model B's in the second (repeatable)")
    args = parser.parse_args()
    before = {row_key(row): row["articles"] for row in json.loads(args.before.read_text(encoding="utf-8"))}
    after = {row_key(row): row["articles"] for row in json.loads(args.after.read_text(encoding="utf-8"))}
    rng = np.random.default_rng(args.seed)
    for label, first, second in matched(before, after, args.match):
        if not same_articles(first, second):
            print(f"{label:<62} not comparable: scored on different articles")
            continue
        r = compare(first, second, args.resamples, rng)
        print(f"{label:<62} {r['before']:.3f} → {r['after']:.3f}  {r['difference']:+.3f}  "
              f"95 % [{r['low']:+.3f}, {r['high']:+.3f}]  lower in {r['below_zero']:.0%} of draws", flush=True)


if __name__ == "__main__":
    main()
