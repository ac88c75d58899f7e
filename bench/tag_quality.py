"""Tag quality on real news the model did not train on (allsides, split by outlet).

Trains on the outlets of one part of ../shared/data/allsides, tags the articles of the other
outlets (cross-outlet), and scores the default seeds model on the same articles. Each is also
scored on title + first 60 words, since real inputs are often short. The allsides-trained
model is also scored on the bundled seeds: another source, written years apart, multi-label
and full of hard negatives -- the closest we have to the hidden cross-source test.

    python bench/tag_quality.py [--data ../shared/data/allsides/articles.jsonl] [--holdout 0.25]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from pathlib import Path

from classify.default_model import bundled_seeds_dir, load_model_or_default
from classify.evaluation import evaluate_tags
from classify.inputs import iter_articles
from classify.training import train


def outlet_split(path: Path, holdout: float, seed: int) -> tuple[list, list]:
    outlets = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            outlets[record["id"]] = record["meta"]["outlet"]
    names = sorted(set(outlets.values()))
    random.Random(seed).shuffle(names)
    held = set(names[: int(len(names) * holdout)])
    articles = list(iter_articles([str(path)]))
    test = [a for a in articles if outlets[a.id] in held]
    return [a for a in articles if outlets[a.id] not in held], test


def shorten(article, words: int = 60):
    return dataclasses.replace(article, text=" ".join(article.text.split()[:words]))


def report(name: str, model, articles) -> dict:
    metrics = evaluate_tags(articles, model).metrics()
    row = {t: round(metrics[t]["f1"], 3) for t in model.topics} | {"macro_f1": round(metrics["macro_f1"], 3)}
    detail = "  ".join(f"{t}: P {metrics[t]['precision']:.2f} R {metrics[t]['recall']:.2f}" for t in model.topics)
    print(f"{name:<44} macro-F1 {row['macro_f1']:.3f}   {detail}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/allsides/articles.jsonl"))
    parser.add_argument("--holdout", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train_set, test_set = outlet_split(args.data, args.holdout, args.seed)
    print(f"train {len(train_set)} articles, test {len(test_set)} articles from unseen outlets")
    started = time.perf_counter()
    model = train(train_set, seed=args.seed)
    print(f"trained in {time.perf_counter() - started:.1f} s; cross-validated macro-F1 "
          f"{model.meta.cross_validation.metrics['macro_f1']:.3f}")
    default = load_model_or_default(None, print)
    short = [shorten(a) for a in test_set]
    report("allsides-trained, unseen outlets", model, test_set)
    report("allsides-trained, unseen outlets, 60 words", model, short)
    report("default (seeds), unseen outlets", default, test_set)
    report("default (seeds), unseen outlets, 60 words", default, short)
    seeds = list(iter_articles([str(bundled_seeds_dir())]))
    report("allsides-trained, bundled seeds", model, seeds)
    report("allsides-trained, bundled seeds, 60 words", model, [shorten(a) for a in seeds])


if __name__ == "__main__":
    main()
