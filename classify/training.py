"""Learn a `TopicModel` from labelled articles, with cross-validated thresholds and metrics.

Each topic gets its own logistic regression, trained only on the articles whose label for it is
known (`unknown_labels` are left out), so partially labelled corpora train correctly. Each
topic's decision threshold is the middle of the range of thresholds whose F1 on the out-of-fold
scores of the leads is near the best, and the metrics reported are those of the out-of-fold scores
of full texts and leads alike at that threshold.
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
from classify.metrics import macro, topic_figures
from classify.model import TopicModel, sigmoid, vectorizer_kwargs
from classify.model_meta import CrossValidation, DenseSettings, ModelMeta, TrainingData
from classify.parallel import IN_THIS_PROCESS, Batching, Runner
from classify.vocabulary import Vocabulary

VECTORIZER_PARAMS: dict[str, Any] = {
    "ngram_range": [1, 2],
    "sublinear_tf": True,
    "stop_words": "english",
    "lowercase": True,
    "strip_accents": "unicode",
}


def stored_settings() -> dict[str, Any]:
    """The vectorizer settings as a model stores them: the stop words themselves, not the name of scikit-learn's
    list, so tagging needs no scikit-learn and a later scikit-learn with another list cannot change the tags."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    named = VECTORIZER_PARAMS["stop_words"]
    return {**VECTORIZER_PARAMS, "stop_words": sorted(ENGLISH_STOP_WORDS) if named == "english" else named}


FIT_PARAMS: dict[str, Any] = {"min_df": 2, "max_df": 0.9}
REGULARISATION_C = 10.0
MIN_EXAMPLES = 2
LEAD_WORDS = 60
NO_TERMS = ("{source}: too few words shared by the articles to learn from (only stop words, or each word in one "
            "article): add more, longer articles")

Progress = Callable[..., Iterable[Any]]
"""Wraps a loop to show progress, called like `classify.progress.track(items, description=..., total=...)`."""


def no_progress(items: Iterable[Any], *, description: str, total: int) -> Iterable[Any]:
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
        digest.update(f"{article.id}\0{article.full_text}\0{labels}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


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


def min_df_for(texts: int) -> int:
    """A term must be in `min_df` of the texts a vectorizer is fitted on: 2, or 1 for a handful of texts."""
    return FIT_PARAMS["min_df"] if texts >= 20 else 1


@dataclass(frozen=True)
class TermCounts:
    """Every text's term counts, made once and shared by all the fits: the analysis (tokens, n-grams,
    vocabulary) is most of the cost of a fit, and each fit only needs its own rows and terms from it."""

    terms: np.ndarray
    counts: Any  # scipy CSR matrix, texts × terms, float32


def count_terms(texts: Iterable[str], min_df: int, source: str = "the training data") -> TermCounts:
    """Count the vectorizer's terms (sorted, as scikit-learn orders them) in every text, dropping terms in
    fewer than `min_df` texts: a term that rare overall is that rare in every subset too."""
    from sklearn.feature_extraction.text import CountVectorizer

    params = {key: value for key, value in vectorizer_kwargs(VECTORIZER_PARAMS).items() if key != "sublinear_tf"}
    counter = CountVectorizer(dtype=np.float32, min_df=min_df, **params)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # scikit-learn's "empty vocabulary" or "no terms remain"
        raise DataError(NO_TERMS.format(source=source)) from None
    return TermCounts(counter.get_feature_names_out(), counts)


@dataclass(frozen=True)
class Weights:
    """What a `TfidfVectorizer` fitted on some rows would hold: its terms (as columns of the counts) and idf."""

    columns: np.ndarray
    transformer: Any  # a fitted TfidfTransformer

    def features(self, counts: Any) -> Any:
        """Rows of counts as the vectorizer would transform their texts: sublinear tf × idf, l2-normalised."""
        return self.transformer.transform(counts[:, self.columns])


def fit_weights(counts: Any) -> tuple[Weights, Any]:
    """The terms `TfidfVectorizer` would keep (`min_df`, `max_df`) on the texts behind `counts` and their idf,
    with those texts' features (what its `fit_transform` returns)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    texts = counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    columns = np.flatnonzero((frequency >= min_df_for(texts)) & (frequency <= FIT_PARAMS["max_df"] * texts))
    if not len(columns):
        raise DataError(NO_TERMS.format(source="the training data"))
    transformer = TfidfTransformer(sublinear_tf=VECTORIZER_PARAMS["sublinear_tf"])
    features = transformer.fit_transform(counts[:, columns])
    return Weights(columns, transformer), features


def _fit_scorer(features: Any, positive: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    scorer = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", solver="liblinear", random_state=seed)
    scorer.fit(features, positive)
    return scorer.coef_[0].astype(np.float32), float(scorer.intercept_[0])


DENSE_C = 0.01
"""The dense scorers' regularisation, on standardised embeddings: strong, since a few hundred seeds
overfit 256 dense dimensions; chosen with `classify.dense.WEIGHT` (see there)."""


def _fit_dense_scorer(vectors: np.ndarray, positive: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """A logistic scorer over standardised word embeddings, returned as weights over the raw embeddings (the
    standardisation folded in), so tagging needs only a product."""
    from sklearn.linear_model import LogisticRegression

    mean = vectors.mean(axis=0)
    scale = vectors.std(axis=0)
    scale[scale == 0] = 1.0
    scorer = LogisticRegression(C=DENSE_C, class_weight="balanced", max_iter=1000, random_state=seed)
    scorer.fit((vectors - mean) / scale, positive)
    coef = scorer.coef_[0] / scale
    return coef.astype(np.float32), float(scorer.intercept_[0] - coef @ mean)


def _doubled(rows: np.ndarray, n: int, copies: int) -> np.ndarray:
    return np.concatenate([rows + k * n for k in range(copies)])


@dataclass(frozen=True)
class FinalFit:
    """The model fitted on every article: vocabulary, idf and one scorer per topic."""

    terms: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    dense_coef: np.ndarray | None = None
    dense_intercept: np.ndarray | None = None


Split = tuple[np.ndarray, np.ndarray]
"""(train rows, test rows) of one cross-validation fold."""
BATCHING = Batching(size=1)
"""One fit (a fold, or the final model) per unit of work: each takes long enough that a worker pays off."""


def _fit_units(
    units: list[Split | None], counts: TermCounts, topics: Sequence[TopicData], seed: int, vectors: np.ndarray | None
) -> list[np.ndarray | FinalFit]:
    """`Runner.map`'s unit of work: a fold's out-of-fold probabilities, or (`None`) the final fit; `vectors`,
    the texts' word embeddings when the model gets the dense view.

    One BLAS thread: the fits gain nothing from more (liblinear is serial; BLAS threads only spin), and
    spinning threads took a whole core from the other process when two fitted at once.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return [_fit_final(counts, topics, seed, vectors) if unit is None else _fit_fold(counts, topics, *unit, seed, vectors)
                for unit in units]


def _import_fitters(*_shared: Any) -> None:
    """A worker's start: import scikit-learn's fitters before it is given a unit."""
    import sklearn.feature_extraction.text
    import sklearn.linear_model  # noqa: F401


def _fit_final(counts: TermCounts, topics: Sequence[TopicData], seed: int, vectors: np.ndarray | None) -> FinalFit:
    """Term weights and per-topic scorers (and dense scorers, given `vectors`) fitted on every text (full texts
    and leads)."""
    copies = counts.counts.shape[0] // len(topics[0].known)
    weights, features = fit_weights(counts.counts)
    fitted, dense = [], []
    for data in topics:
        known, positive = np.tile(data.known, copies), np.tile(data.positive, copies)
        fitted.append(_fit_scorer(features[known], positive[known], seed))
        if vectors is not None:
            dense.append(_fit_dense_scorer(vectors[known], positive[known], seed))
    return FinalFit(
        terms=counts.terms[weights.columns].tolist(),
        idf=weights.transformer.idf_.astype(np.float32),
        coef=np.vstack([coef for coef, _ in fitted]),
        intercept=np.array([intercept for _, intercept in fitted], dtype=np.float32),
        dense_coef=np.vstack([coef for coef, _ in dense]) if dense else None,
        dense_intercept=np.array([intercept for _, intercept in dense], dtype=np.float32) if dense else None,
    )


def _fit_fold(counts: TermCounts, topics: Sequence[TopicData], train: np.ndarray, test: np.ndarray, seed: int,
              vectors: np.ndarray | None) -> np.ndarray:
    """Out-of-fold probabilities (test rows × topics) from a model fitted on `train` rows: TF-IDF's, or blended
    with the dense view's when there are `vectors`, as the final model will score."""
    from classify.dense import WEIGHT, blend

    n = len(topics[0].known)
    copies = counts.counts.shape[0] // n
    train_rows, test_rows = _doubled(train, n, copies), _doubled(test, n, copies)
    weights, features = fit_weights(counts.counts[train_rows])
    test_features = weights.features(counts.counts[test_rows])
    scores = np.zeros((len(test_rows), len(topics)), dtype=np.float32)
    for column, data in enumerate(topics):
        known, positive = np.tile(data.known, copies)[train_rows], np.tile(data.positive, copies)[train_rows]
        coef, intercept = _fit_scorer(features[known], positive[known], seed)
        scores[:, column] = sigmoid(test_features @ coef + intercept)
        if vectors is not None:
            coef, intercept = _fit_dense_scorer(vectors[train_rows][known], positive[known], seed)
            scores[:, column] = blend(scores[:, column], sigmoid(vectors[test_rows] @ coef + intercept), WEIGHT)
    return scores


PLATEAU = 0.01
"""How far below the best out-of-fold F1 a threshold may score and still count as near-best."""


def stable_threshold(scores: np.ndarray, positive: np.ndarray, plateau: float = PLATEAU) -> tuple[float, dict[str, float]]:
    """The middle of the near-best thresholds, and precision/recall/F1 there.

    Out-of-fold F1 is often flat over a wide range of thresholds, so the single best point within
    it is close to noise, and on another source it can sit at the wrong end. The middle of the
    range whose F1 is within `plateau` of the best gives up at most that much in-domain and lands
    where small changes in the data do not move it.
    """
    order = np.argsort(-scores)
    sorted_scores, hits = scores[order], positive[order]
    true_positives = np.cumsum(hits)
    precision = true_positives / np.arange(1, len(scores) + 1)
    recall = true_positives / max(int(positive.sum()), 1)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    distinct = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]  # only cut between distinct scores
    cuts = (sorted_scores + np.r_[sorted_scores[1:], 0.0]) / 2
    near = distinct & (f1 >= f1[distinct].max() - plateau)
    threshold = float((cuts[near].min() + cuts[near].max()) / 2)
    at = int(np.searchsorted(-sorted_scores, -threshold, side="right")) - 1  # the last score above the threshold
    if at < 0:
        return threshold, {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    return threshold, {"precision": float(precision[at]), "recall": float(recall[at]), "f1": float(f1[at])}


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
    runner: Runner = IN_THIS_PROCESS,
    source: str = "the training data",
    progress: Progress = no_progress,
    dense: bool = False,
) -> TopicModel:
    """Cross-validate, pick thresholds, and fit the final model on every article.

    Every text's terms are counted once (and, with `dense`, its word embeddings made once); then the
    folds and the final fit, which are independent, run side by side when `runner` has workers; the
    model is the same however they run.
    """
    import sklearn

    from classify import dense as dense_view

    topics = topic_data(articles, source)
    smallest = min(min(int(d.positive.sum()), int((d.known & ~d.positive).sum())) for d in topics)
    folds = max(2, min(folds, smallest))
    texts = with_leads(articles)
    copies = len(texts) // len(articles)
    splits = fold_splits(articles, topics, folds=folds, seed=seed)
    smallest_fit = copies * min(len(train_rows) for train_rows, _ in splits)
    counts = count_terms(progress(texts, description="Counting terms", total=len(texts)), min_df_for(smallest_fit), source)
    vectors = dense_view.embed(texts, dense_view.WORDS) if dense else None
    units: list[Split | None] = [None, *splits]  # the longest first
    results = runner.map(_fit_units, units, BATCHING, shared=(counts, topics, seed, vectors), prepare=_import_fitters)
    oof = np.zeros((len(texts), len(topics)), dtype=np.float32)
    final: Any = None
    for unit, result in zip(units, progress(results, description="Fitting (folds + final fit)", total=len(units)),
                            strict=True):
        if unit is None:
            final = result
        else:
            oof[_doubled(unit[1], len(articles), copies)] = result

    thresholds, metrics = [], {}
    for column, data in enumerate(topics):
        known, positive = np.tile(data.known, copies), np.tile(data.positive, copies)
        leads = slice((copies - 1) * len(articles), None)  # the leads, or the full texts when there are none
        threshold = stable_threshold(oof[leads][data.known, column], data.positive[data.known])[0]
        thresholds.append(threshold)
        metrics[data.topic] = topic_figures(oof[known, column], positive[known], threshold, int(data.positive.sum()),
                                            int((data.known & ~data.positive).sum()))
    metrics.update(macro(metrics, [d.topic for d in topics]))  # training needs positives of every topic
    versions = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}
    if dense:
        from importlib.metadata import version

        versions["wordllama"] = version("wordllama")
    return TopicModel(
        topics=[d.topic for d in topics],
        settings=stored_settings(),
        vocabulary=Vocabulary.from_terms(final.terms),
        idf=final.idf,
        coef=final.coef,
        intercept=final.intercept,
        thresholds=np.array(thresholds, dtype=np.float32),
        dense_coef=final.dense_coef,
        dense_intercept=final.dense_intercept,
        meta=ModelMeta(
            classify_version=__version__,
            versions=versions,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            training_data=TrainingData(source=source, articles=len(articles), sha256=fingerprint(articles)),
            seed=seed,
            cross_validation=CrossValidation(folds=folds, metrics=metrics),
            params={**FIT_PARAMS, "C": REGULARISATION_C, "class_weight": "balanced", "lead_words": LEAD_WORDS,
                    "threshold": f"middle of the range within {PLATEAU} of the best F1 of the leads"},
            dense=DenseSettings(dense_view.EMBEDDER, dense_view.DIMENSIONS, dense_view.WORDS, dense_view.WEIGHT)
            if dense else None,
        ),
    )
