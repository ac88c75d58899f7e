"""Exactness: tagging without scikit-learn gives what scikit-learn gives, on every real article we have.

    .venv/bin/python bench/lean_exactness.py [--models seeds allsides]

For the default (seeds) model and a model trained on ../shared/data/allsides, and for every allsides
article plus every seed (the bundled ones and ../shared/seeds): the numpy path's TF-IDF rows
must equal scikit-learn's `TfidfVectorizer.transform` bit for bit (same columns, same float32
values), its scores must equal scipy's sparse product + intercept + sigmoid bit for bit, and the
JSONL records `classify tag --explain` writes must be byte-identical to those the scikit-learn path
writes. Both lookups are checked: the n-gram index (batches) and the hash index (one article at
a time). Prints the mismatches per check (all must be 0) and exits 1 if there is any.
"""

from __future__ import annotations

import dataclasses
import io
import sys
import time

import numpy as np
from _harness import ALLSIDES, SEED_ARTICLE, parser, table, trained_model, workdir

from classify.default_model import bundled_seeds_dir
from classify.inputs import iter_articles
from classify.model import Features, TopicModel, sigmoid
from classify.model_file import load_model
from classify.outputs import write_records
from classify.parallel import chunked
from classify.tagging import BATCHING, tag_batch


def same_features(ours: Features, theirs: object) -> list[bool]:
    """Per row: the same columns and bit-identical float32 values as scipy's CSR `theirs`."""
    result = []
    for row in range(len(ours)):
        columns, values = ours.row(row)
        other = theirs[[row]]  # type: ignore[index]
        result.append(values.dtype == other.data.dtype == np.float32 and np.array_equal(columns, other.indices)
                      and np.array_equal(values.view(np.uint32), other.data.view(np.uint32)))
    return result


def jsonl(tagged: list) -> str:
    stream = io.StringIO()
    write_records((item.record(explain=True) for item in tagged), "jsonl", stream)
    return stream.getvalue()


def check(model: TopicModel, articles: list) -> dict[str, int]:
    reference = dataclasses.replace(model, lean=False)  # the same numbers, tagged by scikit-learn
    vectorizer = reference.sklearn_vectorizer()
    lean_single = dataclasses.replace(model, vocabulary=type(model.vocabulary)(
        model.vocabulary.text, model.vocabulary.hashes, model.vocabulary.columns))  # no dict: the hash index
    mismatches = {"features (batches)": 0, "features (one by one)": 0, "scores": 0, "jsonl lines": 0}
    for batch in chunked(articles, BATCHING.size):
        texts = [article.full_text for article in batch]
        expected = vectorizer.transform(texts)
        ours = model.transform(texts)
        assert model.vocabulary.ready_for_batches or len(texts) <= 64
        mismatches["features (batches)"] += sum(not same for same in same_features(ours, expected))
        for row, text in enumerate(texts):
            single = lean_single.transform([text])
            assert not lean_single.vocabulary.ready_for_batches
            mismatches["features (one by one)"] += not same_features(single, expected[[row]])[0]
        scores = sigmoid(np.asarray(expected @ model.coef.T) + model.intercept)
        mismatches["scores"] += int((model.probabilities(ours).view(np.uint32) != scores.view(np.uint32)).any(axis=1).sum())
        lines = zip(jsonl(tag_batch(batch, model)).splitlines(), jsonl(tag_batch(batch, reference)).splitlines(),
                    strict=True)
        mismatches["jsonl lines"] += sum(a != b for a, b in lines)
    return mismatches


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--models", nargs="+", default=["seeds", "allsides"], choices=["seeds", "allsides"])
    options = arguments.parse_args()
    work = workdir(options.workdir)
    articles = [*iter_articles([str(ALLSIDES)]), *iter_articles([str(bundled_seeds_dir())]),
                *iter_articles([str(SEED_ARTICLE.parent)])]
    non_ascii = sum(not article.full_text.isascii() for article in articles)
    print(f"# {len(articles):,} articles (allsides, bundled seeds, ../shared/seeds); {non_ascii:,} not pure ASCII")
    rows, failed = [], False
    for name in options.models:
        model = load_model(trained_model(work, name, [ALLSIDES] if name == "allsides" else []))
        started = time.perf_counter()
        mismatches = check(model, articles)
        failed |= any(mismatches.values())
        rows.append([name, f"{len(model.vocabulary):,}", *map(str, mismatches.values()), f"{time.perf_counter() - started:.0f}"])
    print(table(rows, ["model", "terms", "features (batches)", "features (one by one)", "scores", "jsonl lines", "s"]))
    print("every mismatch count must be 0:", "MISS" if failed else "PASS")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
