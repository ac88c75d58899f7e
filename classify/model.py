"""The topic model: a TF-IDF vocabulary plus one logistic scorer and threshold per topic.

It is stored as plain arrays, JSON and text (classify/model_file.py), so loading a model can never
run code from the file (pickle and joblib can). Training uses scikit-learn; tagging does not: the
model applies its analyzer, TF-IDF weights and scorers with numpy alone, giving bit for bit the
features and scores scikit-learn's `TfidfVectorizer` and a sparse product would (tests/test_lean.py,
bench/lean_exactness.py). Only files from before that path (`lean` false) are tagged with
scikit-learn itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from classify.analyzer import Analyzer
from classify.model_meta import ModelMeta
from classify.vocabulary import NgramIndex, Vocabulary, occurrences

SMALL_INPUT = 64
"""Up to this many articles, with no term -> column dict built yet, the terms' columns come from the
vocabulary's hash index instead: building the dict for a model trained on thousands of articles
takes most of the time of tagging one article from the shell."""


def vectorizer_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """Stored (JSON) vectorizer settings as scikit-learn takes them: `ngram_range` a tuple, not a list."""
    return {**params, "ngram_range": tuple(params["ngram_range"])} if "ngram_range" in params else dict(params)


@dataclass(frozen=True)
class Features:
    """TF-IDF rows in compressed sparse row form (scipy's CSR arrays, without scipy): row `i` has the values
    `data[indptr[i]:indptr[i + 1]]` in the columns `indices[...]`, columns ascending."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def row(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """One row's columns and values."""
        start, end = self.indptr[index], self.indptr[index + 1]
        return self.indices[start:end], self.data[start:end]

    def row_sums(self, values: np.ndarray, dtype: Any) -> np.ndarray:
        """Per row, `values` (one per stored entry, along axis 0) added up one after another in column order, in
        `dtype`: the order and precision scipy's product and scikit-learn's normalizer use, so the sums round
        as theirs do (numpy's own sums are pairwise and round differently)."""
        sums = np.zeros((len(self), *values.shape[1:]), dtype=dtype)
        bounds = self.indptr.tolist()
        for index, (start, end) in enumerate(pairwise(bounds)):
            if end > start:
                sums[index] = np.cumsum(values[start:end], axis=0, dtype=dtype)[-1]
        return sums


@dataclass
class TopicModel:
    """Everything tagging needs, and what a user needs to trust it later (`meta`).

    `settings` are the vectorizer's, as scikit-learn's TfidfVectorizer takes them (JSON values).
    """

    topics: list[str]
    settings: dict[str, Any]
    vocabulary: Vocabulary
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray
    meta: ModelMeta
    lean: bool = True
    dense_coef: np.ndarray | None = None
    """With the dense view (`meta.dense`): one scorer per topic (rows) over the text's word-embedding average."""
    dense_intercept: np.ndarray | None = None
    _vectorizer: Any = field(default=None, repr=False, compare=False)

    @property
    def terms(self) -> list[str]:
        return self.vocabulary.terms()

    @property
    def analyzer(self) -> Analyzer:
        settings = self.settings
        return Analyzer(lowercase=settings.get("lowercase", True), strip_accents=settings.get("strip_accents"),
                        ngram_range=tuple(settings.get("ngram_range", (1, 1))),  # type: ignore[arg-type]
                        stop_words=frozenset(settings.get("stop_words") or ()))

    def transform(self, texts: list[str]) -> Features:
        """TF-IDF rows for `texts`."""
        if not self.lean:
            matrix = self.sklearn_vectorizer().transform(texts)
            return Features(matrix.indptr, matrix.indices, matrix.data)
        analyzer = self.analyzer
        low, high = analyzer.ngram_range
        if len(texts) > SMALL_INPUT or self.vocabulary.ready_for_batches:
            lookup = self.vocabulary.for_batches(high)
            if isinstance(lookup, NgramIndex):
                rows, columns = lookup.occurrences([analyzer.tokens(text) for text in texts], low, high)
            else:
                rows, columns = occurrences([analyzer.terms(text) for text in texts], lookup)
        else:
            documents = [analyzer.terms(text) for text in texts]
            rows, columns = occurrences(documents, self.vocabulary.lookup(set().union(*documents)))
        return self._tfidf(rows, columns, len(texts))

    def _tfidf(self, rows: np.ndarray, columns: np.ndarray, count: int) -> Features:
        """Counts, sublinear tf, idf and l2 norm of each (row, column) occurrence, in float32 as scikit-learn
        computes them."""
        width = len(self.vocabulary)
        keys, counts = np.unique(rows * width + columns, return_counts=True)
        rows = keys // width
        indices = (keys - rows * width).astype(np.int32)
        indptr = np.searchsorted(rows, np.arange(count + 1)).astype(np.int32)
        data = counts.astype(np.float32)
        if self.settings.get("sublinear_tf", False):
            np.log(data, out=data)
            data += 1.0
        data *= self.idf[indices]
        features = Features(indptr, indices, data)
        norms = np.sqrt(features.row_sums(data * data, np.float64))
        norms[norms == 0] = 1.0
        data[:] = data / np.repeat(norms, np.diff(indptr))
        return features

    def sklearn_vectorizer(self) -> Any:
        """scikit-learn's TfidfVectorizer with this model's vocabulary and idf (made on first use): what tags
        files from before the numpy path, and what the tests compare that path with."""
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vectorizer = TfidfVectorizer(vocabulary=self.vocabulary.as_dict(), dtype=np.float32,
                                         **vectorizer_kwargs(self.settings))
            vectorizer.idf_ = self.idf
            self._vectorizer = vectorizer
        return self._vectorizer

    def prepare(self) -> None:
        """Build what batches use (the n-gram index, or scikit-learn's vectorizer, and the word embeddings of
        the dense view): a worker's start."""
        if self.lean:
            self.vocabulary.for_batches(self.analyzer.ngram_range[1])
        else:
            self.sklearn_vectorizer()
        self.load_views()

    def load_views(self) -> None:
        """Load what scoring needs besides the file: the dense view's word embeddings, if the model has it. Called
        before the first article is read, so a missing `classify[dense]` stops a run before it writes anything."""
        if self.meta.dense is not None:
            from classify.dense import embedder

            embedder()

    def score(self, texts: list[str]) -> tuple[Features, np.ndarray]:
        """TF-IDF rows for `texts` and each topic's probability (columns): TF-IDF's, or with the dense view the
        blend of TF-IDF's and the word embeddings'."""
        features = self.transform(texts)
        probabilities = self.probabilities(features)
        dense = self.meta.dense
        if dense is not None and self.dense_coef is not None and self.dense_intercept is not None:
            from classify.dense import blend, embed

            views = sigmoid(embed(texts, dense.words) @ self.dense_coef.T + self.dense_intercept)
            probabilities = blend(probabilities, views, dense.weight)
        return features, probabilities

    def probabilities(self, features: Features) -> np.ndarray:
        """Probability of each topic (columns) for each row of `features`."""
        contributions = (self.coef[:, features.indices] * features.data).T
        return sigmoid(features.row_sums(contributions, np.float32) + self.intercept)

    def top_terms(self, features: Features, row: int, topic_index: int, count: int = 5) -> list[str]:
        """The terms of one article that pushed it most towards a topic."""
        indices, data = features.row(row)
        contributions = data * self.coef[topic_index, indices]
        order = np.argsort(-contributions)[:count]
        return [self.vocabulary.term(int(indices[i])) for i in order if contributions[i] > 0]


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """The logistic function; a very negative logit is a probability of 0, not an overflow warning."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-logits))
