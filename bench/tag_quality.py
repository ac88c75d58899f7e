"""Tag quality on news the model did not learn from, another source included.

Models (all trained by this checkout's code, the same way `classify train` does):
- allsides-trained (outlets): trained on 75 % of ../shared/data/allsides's outlets, tested on the
  other 25 % (in-domain, but outlets it never saw);
- allsides-trained (all): trained on every allsides article, as a user would; tested on
  ../shared/data/wikitimes-2015-09 (another source, genre and era) and on the bundled seeds;
- default: trained on the bundled seeds (`seeds/`), tested on wikitimes and on the unseen allsides
  outlets.
With the bundled seeds joining allsides (`classify train --with-seeds`, `--with-seeds` here), the
allsides models learn from them too; the bundled-seeds row then comes from two models, each
trained with half of the seeds and tested on the other half, so no seed is scored by a model that
learned from it.
With `--dense`, every model is trained a second time with the dense view (`classify train --dense`,
word embeddings blended with TF-IDF) and scored the same way, its rows after the TF-IDF ones.
With `--blend [W ...]`, after the pooled rows come the allsides-trained ones again: the allsides models
trained alone (as `--no-seeds` trains them), then a blend of each with a model of the seeds alone, whose
score is (1 - W) x the allsides model's + W x the seeds model's (W = 0.5 unless given) and whose threshold
per topic is the same mix of the two models' own thresholds, so no test data sets it. On the bundled seeds
the seeds model has learned only the other half, as the pooled row's models have. Blend rows are named
"... blend W"; `bench/paired_bootstrap.py --match` compares them with the pooled rows of the same run.
Every test set is scored on full articles and on short texts (title + first sentence). Columns:
macro-F1, precision / recall per topic, and the macro Brier score (lower is better calibrated).

    python bench/tag_quality.py [--json rows.json] [--articles tags.json] [--allsides PATH] [--wikitimes PATH]
                                 [--with-seeds|--no-seeds] [--dense] [--seen] [--blend [W ...]]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _harness import ALLSIDES, SHARED

from classify.articles import Article
from classify.default_model import JOIN_SEEDS, bundled_seeds_dir, joinable_seeds, train_joined
from classify.evaluation import TagEvaluation, evaluate_tags
from classify.inputs import iter_articles
from classify.metrics import calibration
from classify.model import TopicModel
from classify.sentences import split_sentences


def outlet_split(path: Path, holdout: float, seed: int) -> tuple[list[Article], list[Article]]:
    """Articles of most outlets, and those of the rest (`holdout` of the outlets, drawn with `seed`)."""
    outlets = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            outlets[record["id"]] = record["meta"]["outlet"]
    names = sorted(set(outlets.values()))
    random.Random(seed).shuffle(names)
    held = set(names[: int(len(names) * holdout)])
    articles = list(iter_articles([str(path)]))
    return [a for a in articles if outlets[a.id] not in held], [a for a in articles if outlets[a.id] in held]


def short(article: Article) -> Article:
    """Title and first sentence: what a feed item, a teaser or a one-line brief gives."""
    sentences = split_sentences(article.text)
    return dataclasses.replace(article, text=sentences[0] if sentences else article.text)


@dataclasses.dataclass(frozen=True)
class Blend:
    """Two models' scores mixed, (1 - weight) x `user`'s + weight x `seeds`'s, cut at the same mix of their
    thresholds: issue 11's other way of bringing the seeds to a user's model, measured here only."""

    user: TopicModel
    seeds: TopicModel
    weight: float

    @property
    def topics(self) -> list[str]:
        return list(self.user.topics)


def evaluate(articles: Sequence[Article], model: TopicModel | Blend) -> TagEvaluation:
    """A model's scores and truth on `articles`; a blend's are its two models' mixed topic by topic."""
    if isinstance(model, TopicModel):
        return evaluate_tags(articles, model)
    if set(model.seeds.topics) != set(model.topics):
        raise SystemExit(f"cannot blend: topics {model.topics} and {model.seeds.topics} differ")
    user, seeds, w = evaluate_tags(articles, model.user), evaluate_tags(articles, model.seeds), model.weight
    return TagEvaluation(
        topics=user.topics,
        thresholds=[(1 - w) * t + w * seeds.thresholds[seeds.topics.index(topic)]
                    for topic, t in zip(user.topics, user.thresholds, strict=True)],
        scores={topic: (1 - w) * user.scores[topic] + w * seeds.scores[topic] for topic in user.topics},
        truth=user.truth,
    )


def report(model_name: str, model: TopicModel | Blend, test_name: str, articles: Sequence[Article]) -> list[dict]:
    """Score full and short texts; print a line each and return the rows."""
    return report_crossed(model_name, [model], test_name, [articles])


def report_crossed(model_name: str, models: Sequence[TopicModel | Blend], test_name: str,
                   parts: Sequence[Sequence[Article]]) -> list[dict]:
    """Score each part of a test set with its own model, pooled: full and short texts, a line and a row each."""
    rows = []
    model = models[0]
    for kind in ("full", "short"):
        evaluations = [evaluate(part if kind == "full" else [short(a) for a in part], each)
                       for each, part in zip(models, parts, strict=True)]
        metrics = pooled_metrics(evaluations)
        row = {"model": model_name, "test": test_name, "texts": kind, "macro_f1": round(metrics["macro_f1"], 3),
               "macro_brier": round(metrics["macro_brier"], 3)}
        row |= {topic: {key: round(metrics[topic][key], 3) for key in ("precision", "recall", "f1", "brier", "threshold")}
                for topic in model.topics}
        row["articles"] = article_cuts(parts, evaluations)
        detail = "  ".join(f"{t[:4]} {row[t]['precision']:.2f}/{row[t]['recall']:.2f}" for t in model.topics)
        print(f"{model_name:<22} {test_name:<22} {kind:<5}  F1 {row['macro_f1']:.3f}  Brier {row['macro_brier']:.3f}   "
              f"P/R {detail}", flush=True)
        rows.append(row)
    return rows


def article_cuts(parts: Sequence[Sequence[Article]], evaluations: Sequence[TagEvaluation]) -> dict[str, list]:
    """Per topic, each scored article's id, whether its model tagged it and whether it should have: what
    bench/paired_bootstrap.py needs to tell a change between two runs from noise."""
    cuts: dict[str, list] = {}
    for i, topic in enumerate(evaluations[0].topics):
        cuts[topic] = [[article.id, bool(score >= evaluation.thresholds[i]), bool(truth)]
                       for part, evaluation in zip(parts, evaluations, strict=True)
                       for article, score, truth in zip([a for a in part if topic not in a.unknown_labels],
                                                        evaluation.scores[topic], evaluation.truth[topic], strict=True)]
    return cuts


def pooled_metrics(evaluations: Sequence[TagEvaluation]) -> dict:
    """Metrics of several models' scores on disjoint articles, each article cut at its own model's thresholds.

    Each part's scores are shifted by the gap between its model's threshold and the first model's,
    so one cut applies each model's own; calibration is measured on the scores as they were.
    """
    first = evaluations[0]
    topics = first.topics
    joined = {topic: [np.concatenate([e.scores[topic] for e in evaluations]),
                      np.concatenate([e.scores[topic] - e.thresholds[i] + first.thresholds[i] for e in evaluations])]
              for i, topic in enumerate(topics)}
    truth = {topic: np.concatenate([e.truth[topic] for e in evaluations]) for topic in topics}
    metrics = TagEvaluation(topics, first.thresholds, {t: joined[t][1] for t in topics}, truth).metrics()
    for topic in topics:
        metrics[topic] |= calibration(joined[topic][0], truth[topic])
    metrics["macro_brier"] = float(np.mean([metrics[t]["brier"] for t in topics]))
    return metrics


def trained(name: str, articles: Sequence[Article], seed: int, seeds: Sequence[Article] = (), *,
            dense: bool = False) -> TopicModel:
    started = time.perf_counter()
    model = train_joined(articles, seeds, name, seed=seed, dense=dense)
    cv = model.meta.cross_validation.metrics
    print(f"{name}: {len(articles) + len(seeds)} articles, trained in {time.perf_counter() - started:.0f} s, cross-validated "
          f"macro-F1 {cv['macro_f1']:.3f}, thresholds "
          + ", ".join(f"{t} {th:.2f}" for t, th in zip(model.topics, model.thresholds, strict=True)), flush=True)
    return model


def seed_halves(seeds: Sequence[Article]) -> list[list[Article]]:
    """The seeds in two halves fixed by their file names, so a seed added later leaves the others where they were."""
    return [[s for s in seeds if zlib.crc32(Path(s.id).name.encode()) % 2 == k] for k in (0, 1)]


def quality_rows(seen: list[Article], unseen: list[Article], wikitimes: list[Article], seeds: list[Article],
                 default: TopicModel, joining: list[Article], seed: int, *, dense: bool,
                 with_seen: bool = False) -> list[dict]:
    """Train the allsides models (with the dense view, given `dense`) and score each and the `default` model on
    what it never learned; with `with_seen`, the default model on the seen allsides outlets too, the set settings
    are chosen on."""
    view = " + dense" if dense else ""
    default_name = f"default (seeds){view}"
    plus = (" + seeds" if joining else "") + view
    outlets = trained(f"allsides (outlets){plus}", seen, seed, joining, dense=dense)
    everything = trained(f"allsides (all){plus}", seen + unseen, seed, joining, dense=dense)
    rows = [
        *report(f"allsides (outlets){plus}", outlets, "unseen allsides outlets", unseen),
        *report(f"allsides (all){plus}", everything, "wikitimes", wikitimes),
    ]
    if joining:
        halves = seed_halves(joining)
        models = [trained(f"allsides (all) + half {k} of the seeds{view}", seen + unseen, seed, halves[k], dense=dense)
                  for k in (0, 1)]
        rows += report_crossed(f"allsides (all){plus}", models, "bundled seeds (other half)", halves[::-1])
    else:
        rows += report(f"allsides (all){plus}", everything, "bundled seeds", seeds)
    rows += [
        *report(default_name, default, "wikitimes", wikitimes),
        *report(default_name, default, "unseen allsides outlets", unseen),
    ]
    return rows + (report(default_name, default, "seen allsides outlets (tuning)", seen) if with_seen else [])


def blend_rows(seen: list[Article], unseen: list[Article], wikitimes: list[Article], default: TopicModel,
               joining: list[Article], seed: int, weights: Sequence[float]) -> list[dict]:
    """The allsides models trained alone, then each blended with a seeds model (`default`; on the bundled seeds,
    one trained on the other half) at each of `weights`, on the test sets and in the order of the pooled rows, so
    the bootstrap pairs them."""
    outlets = trained("allsides (outlets)", seen, seed)
    everything = trained("allsides (all)", seen + unseen, seed)
    halves = seed_halves(joining)
    half_models = [trained(f"seeds, half {k}", halves[k], seed) for k in (0, 1)]
    rows = [
        *report("allsides (outlets)", outlets, "unseen allsides outlets", unseen),
        *report("allsides (all)", everything, "wikitimes", wikitimes),
        *report("allsides (all)", everything, "bundled seeds (other half)", halves[1] + halves[0]),
    ]
    for weight in weights:
        blend = f" blend {weight:g}"
        rows += [
            *report(f"allsides (outlets){blend}", Blend(outlets, default, weight), "unseen allsides outlets", unseen),
            *report(f"allsides (all){blend}", Blend(everything, default, weight), "wikitimes", wikitimes),
            *report_crossed(f"allsides (all){blend}", [Blend(everything, m, weight) for m in half_models],
                            "bundled seeds (other half)", halves[::-1]),
        ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--allsides", type=Path, default=ALLSIDES)
    parser.add_argument("--wikitimes", type=Path, default=SHARED / "data/wikitimes-2015-09/articles.jsonl")
    parser.add_argument("--holdout", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--with-seeds", dest="with_seeds", action="store_true", default=JOIN_SEEDS,
                        help="join the bundled seeds to allsides, as `classify train` does by default")
    parser.add_argument("--no-seeds", dest="with_seeds", action="store_false", help="train on allsides alone")
    parser.add_argument("--dense", action="store_true",
                        help="also train every model with the dense view (`classify train --dense`) and score it too")
    parser.add_argument("--seen", action="store_true",
                        help="also score the default model on the seen allsides outlets: the set where settings are "
                             "chosen (it never trains on them), never a reported figure")
    parser.add_argument("--blend", type=float, nargs="*", metavar="W",
                        help="also score the allsides models trained alone, and blended with a seeds model at each "
                             "weight W (0.5 if none is given) instead of the seeds joining their training")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--articles", type=Path,
                        help="also write each row's per-article tags and truth here, for bench/paired_bootstrap.py")
    args = parser.parse_args()
    if args.blend is not None and not args.with_seeds:
        parser.error("--blend compares the blend with the seeds joining; leave out --no-seeds")

    seen, unseen = outlet_split(args.allsides, args.holdout, args.seed)
    wikitimes = list(iter_articles([str(args.wikitimes)]))
    seeds = list(iter_articles([str(bundled_seeds_dir())]))
    joining = joinable_seeds({"security", "diplomacy", "middle-east"}) if args.with_seeds else []
    rows = []
    for dense in (False, True) if args.dense else (False,):
        default = trained(f"default (seeds){' + dense' if dense else ''}", seeds, args.seed, dense=dense)
        rows += quality_rows(seen, unseen, wikitimes, seeds, default, joining, args.seed, dense=dense,
                             with_seen=args.seen)
        if args.blend is not None and not dense:
            rows += blend_rows(seen, unseen, wikitimes, default, joining, args.seed, args.blend or [0.5])
    if args.articles:
        args.articles.write_text(json.dumps(rows) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in row.items() if k != "articles"} for row in rows], indent=1)
                             + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
