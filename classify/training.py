"""Learn a `TopicModel` from labelled articles, with cross-validated thresholds and metrics.

Each topic gets its own logistic regression, trained only on the articles whose label for it is
known (`unknown_labels` are left out), so partially labelled corpora train correctly. Each
topic's decision threshold is the one that maximised F1 on out-of-fold scores, and the metrics
reported are those out-of-fold scores at that threshold.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from classify import __version__
from classify.articles import Article
from classify.errors import DataError
from classify.model import TopicModel
from classify.parallel import ordered_map

VECTORIZER_PARAMS: dict[str, Any] = {
    "ngram_range": [1, 2],
    "sublinear_tf": True,
    "stop_words": "english",
    "lowercase": True,
    "strip_accents": "unicode",
}
FIT_PARAMS: dict[str, Any] = {"min_df": 2, "max_df": 0.9}
REGULARISATION_C = 10.0
MIN_EXAMPLES = 2
LEAD_WORDS = 60

Progress = Callable[[Iterable[Any], int], Iterable[Any]]


def no_progress(items: Iterable[Any], total: int) -> Iterable[Any]:
    """The default `progress`: show nothing."""
    return items


@dataclass(frozen=True)
class TopicData:
    """Which articles are known for a topic, and which of those are positive."""

    topic: str
    known: np.ndarray
    positive: np.ndarray


def topic_data(articles: Sequence[Article], source: str = "the training data") -> list[TopicData]:
    """Per-topic known/positive masks; refuses topics with too few positives or negatives."""
    topics = sorted(set().union(*(article.labels or frozenset() for article in articles)))
    if not topics:
        raise DataError(f"{source}: no article has a topic; give each a `topics:` line or a `labels` field")
    result = []
    for topic in topics:
        known = np.array([topic not in article.unknown_labels for article in articles])
        positive = np.array([topic in (article.labels or ()) for article in articles]) & known
        n_positive, n_negative = int(positive.sum()), int((known & ~positive).sum())
        if n_positive < MIN_EXAMPLES or n_negative < MIN_EXAMPLES:
            raise DataError(
                f"{source}: topic {topic!r} has {n_positive} positive and {n_negative} negative articles; "
                f"each topic needs at least {MIN_EXAMPLES} of both: add articles with and without it"
            )
        result.append(TopicData(topic, known, positive))
    return result


def fingerprint(articles: Sequence[Article]) -> str:
    """A hash of the training data, so a model can say exactly what it learned from."""
    digest = hashlib.sha256()
    for article in articles:
        labels = ",".join(sorted(article.labels or ())) + "|" + ",".join(sorted(article.unknown_labels))
        digest.update(f"{article.id}\0{article.full_text}\0{labels}\0".encode())
    return digest.hexdigest()


def _fit_vectorizer(texts: Sequence[str]) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    params = {**VECTORIZER_PARAMS, "ngram_range": tuple(VECTORIZER_PARAMS["ngram_range"])}
    min_df = FIT_PARAMS["min_df"] if len(texts) >= 20 else 1
    vectorizer = TfidfVectorizer(dtype=np.float32, min_df=min_df, max_df=FIT_PARAMS["max_df"], **params)
    return vectorizer, vectorizer.fit_transform(texts)


def _fit_scorer(features: Any, positive: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    scorer = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", solver="liblinear", random_state=seed)
    scorer.fit(features, positive)
    return scorer.coef_[0].astype(np.float32), float(scorer.intercept_[0])


def with_leads(articles: Sequence[Article]) -> list[str]:
    """Each article's full text, then (same order) its title and first words.

    Training on both teaches the model that a short item (a wire brief, a scraped teaser)
    carries the same topic as the full story, so it does not need long texts to score high.
    """
    full = [article.full_text for article in articles]
    if not LEAD_WORDS:
        return full
    leads = [f"{a.title}\n\n{' '.join(a.text.split()[:LEAD_WORDS])}" for a in articles]
    return full + leads


def _doubled(rows: np.ndarray, n: int, copies: int) -> np.ndarray:
    return np.concatenate([rows + k * n for k in range(copies)])


@dataclass(frozen=True)
class FinalFit:
    """The model fitted on every article: vocabulary, idf and one scorer per topic."""

    terms: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray


Split = tuple[np.ndarray, np.ndarray]
"""(train rows, test rows) of one cross-validation fold."""


def _fit_units(
    units: list[Split | None], texts: Sequence[str], topics: Sequence[TopicData], seed: int
) -> list[np.ndarray | FinalFit]:
    """`ordered_map`'s unit of work: a fold's out-of-fold probabilities, or (`None`) the final fit."""
    return [_fit_final(texts, topics, seed) if unit is None else _fit_fold(texts, topics, *unit, seed) for unit in units]


def _fit_final(texts: Sequence[str], topics: Sequence[TopicData], seed: int) -> FinalFit:
    """The vectorizer and per-topic scorers fitted on every text (full texts and leads)."""
    copies = len(texts) // len(topics[0].known)
    vectorizer, features = _fit_vectorizer(texts)
    fitted = []
    for data in topics:
        known = np.tile(data.known, copies)
        fitted.append(_fit_scorer(features[known], np.tile(data.positive, copies)[known], seed))
    return FinalFit(
        terms=list(vectorizer.get_feature_names_out()),
        idf=vectorizer.idf_.astype(np.float32),
        coef=np.vstack([coef for coef, _ in fitted]),
        intercept=np.array([intercept for _, intercept in fitted], dtype=np.float32),
    )


def _fit_fold(texts: Sequence[str], topics: Sequence[TopicData], train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    """Out-of-fold probabilities (test rows × topics) from a model fitted on `train` rows."""
    n = len(topics[0].known)
    copies = len(texts) // n
    train_rows = _doubled(train, n, copies)
    vectorizer, features = _fit_vectorizer([texts[i] for i in train_rows])
    test_rows = _doubled(test, n, copies)
    test_features = vectorizer.transform([texts[i] for i in test_rows])
    scores = np.zeros((len(test_rows), len(topics)), dtype=np.float32)
    for column, data in enumerate(topics):
        known, positive = np.tile(data.known, copies)[train_rows], np.tile(data.positive, copies)[train_rows]
        coef, intercept = _fit_scorer(features[known], positive[known], seed)
        scores[:, column] = 1.0 / (1.0 + np.exp(-(test_features @ coef + intercept)))
    return scores


def best_threshold(scores: np.ndarray, positive: np.ndarray) -> tuple[float, dict[str, float]]:
    """The score cut-off with the best F1, and precision/recall/F1 there."""
    order = np.argsort(-scores)
    sorted_scores, hits = scores[order], positive[order]
    true_positives = np.cumsum(hits)
    predicted = np.arange(1, len(scores) + 1)
    precision = true_positives / predicted
    recall = true_positives / max(int(positive.sum()), 1)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    # only cut between distinct scores
    distinct = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    best = int(np.argmax(np.where(distinct, f1, -1.0)))
    below = sorted_scores[best + 1] if best + 1 < len(sorted_scores) else 0.0
    threshold = float((sorted_scores[best] + below) / 2)
    return threshold, {"precision": float(precision[best]), "recall": float(recall[best]), "f1": float(f1[best])}


def fold_splits(articles: Sequence[Article], topics: Sequence[TopicData], *, folds: int, seed: int) -> list[Split]:
    """Cross-validation splits, stratified on each article's combination of topics."""
    from sklearn.model_selection import StratifiedKFold

    strata = np.array(["".join("1" if data.positive[i] else "0" for data in topics) for i in range(len(articles))])
    counts = {stratum: int((strata == stratum).sum()) for stratum in set(strata)}
    strata = np.array([s if counts[s] >= folds else "rare" for s in strata])
    return list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(strata, strata))


def train(
    articles: Sequence[Article],
    *,
    seed: int = 0,
    folds: int = 5,
    jobs: int = 1,
    scheduler: str | None = None,
    source: str = "the training data",
    progress: Progress = no_progress,
) -> TopicModel:
    """Cross-validate, pick thresholds, and fit the final model on every article.

    The folds and the final fit are independent, so they run side by side with `jobs` > 1 or on
    a Dask cluster (`scheduler`); the model is the same however they run.
    """
    import sklearn

    topics = topic_data(articles, source)
    smallest = min(min(int(d.positive.sum()), int((d.known & ~d.positive).sum())) for d in topics)
    folds = max(2, min(folds, smallest))
    texts = with_leads(articles)
    copies = len(texts) // len(articles)
    units: list[Split | None] = [None, *fold_splits(articles, topics, folds=folds, seed=seed)]  # the longest first
    results = ordered_map(_fit_units, units, shared=(texts, topics, seed), jobs=jobs, scheduler=scheduler, chunk_size=1,
                          share_here=False)  # a few long units: `jobs` workers, each taking the next when free
    oof = np.zeros((len(texts), len(topics)), dtype=np.float32)
    final: Any = None
    for unit, result in zip(units, progress(results, len(units)), strict=True):
        if unit is None:
            final = result
        else:
            oof[_doubled(unit[1], len(articles), copies)] = result

    thresholds, metrics = [], {}
    for column, data in enumerate(topics):
        known, positive = np.tile(data.known, copies), np.tile(data.positive, copies)
        threshold, scores = best_threshold(oof[known, column], positive[known])
        thresholds.append(threshold)
        metrics[data.topic] = {**scores, "threshold": threshold, "positives": int(data.positive.sum()),
                               "negatives": int((data.known & ~data.positive).sum())}
    metrics["macro_f1"] = float(np.mean([metrics[d.topic]["f1"] for d in topics]))
    return TopicModel(
        topics=[d.topic for d in topics],
        vectorizer_params=VECTORIZER_PARAMS,
        terms=final.terms,
        idf=final.idf,
        coef=final.coef,
        intercept=final.intercept,
        thresholds=np.array(thresholds, dtype=np.float32),
        meta={
            "classify_version": __version__,
            "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "training_data": {"source": source, "articles": len(articles), "sha256": fingerprint(articles)},
            "seed": seed,
            "cross_validation": {"folds": folds, "metrics": metrics},
            "params": {**FIT_PARAMS, "C": REGULARISATION_C, "class_weight": "balanced"},
        },
    )
