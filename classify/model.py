"""The topic model: a TF-IDF vocabulary plus one logistic scorer and threshold per topic.

It is stored as plain arrays and JSON (classify/model_file.py), so loading a model can never run
code from the file (pickle and joblib can), and needs no scikit-learn estimator state that changes
between versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from typing import Any

import numpy as np

from classify.model_meta import ModelMeta

SMALL_INPUT = 64
"""Up to this many articles, with no vectorizer built yet, features come from a scan of the vocabulary
for just the input's terms instead of a term -> column dict over the whole vocabulary (a tenth of a
second for a model trained on thousands of articles: most of tagging one article from the shell)."""


def vectorizer_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """Stored (JSON) vectorizer settings as scikit-learn takes them: `ngram_range` a tuple, not a list."""
    return {**params, "ngram_range": tuple(params["ngram_range"])} if "ngram_range" in params else dict(params)


@dataclass
class TopicModel:
    """Everything tagging needs, and what a user needs to trust it later (`meta`)."""

    topics: list[str]
    vectorizer_params: dict[str, Any]
    terms: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray
    meta: ModelMeta
    _vectorizer: Any = field(default=None, repr=False, compare=False)

    @property
    def vectorizer(self) -> Any:
        """A TfidfVectorizer rebuilt from the stored vocabulary and idf, made on first use."""
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vocabulary = dict(zip(self.terms, range(len(self.terms)), strict=True))
            vectorizer = TfidfVectorizer(vocabulary=vocabulary, dtype=np.float32, **vectorizer_kwargs(self.vectorizer_params))
            vectorizer.idf_ = self.idf
            self._vectorizer = vectorizer
        return self._vectorizer

    def transform(self, texts: list[str]) -> Any:
        """TF-IDF rows (sparse) for `texts`."""
        return self._transform_few(texts) if self._suits_few(len(texts)) else self.vectorizer.transform(texts)

    def _suits_few(self, count: int) -> bool:
        """A handful of texts and no vectorizer built yet: scanning the vocabulary beats building its dict."""
        params = self.vectorizer_params
        return (count <= SMALL_INPUT and self._vectorizer is None and params.get("analyzer", "word") == "word"
                and params.get("use_idf", True))

    def _transform_few(self, texts: list[str]) -> Any:
        """Exactly `self.vectorizer.transform(texts)`, without building the vocabulary's dict first.

        The same scikit-learn analyzer and TF-IDF transformer; only the term lookup differs: the
        columns of the terms these texts contain are found in one C-speed pass over the vocabulary.
        """
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

        params = vectorizer_kwargs(self.vectorizer_params)
        analyze = TfidfVectorizer(**params).build_analyzer()
        documents = [analyze(text) for text in texts]
        wanted = set().union(*documents)
        terms = self.terms
        columns = {terms[i]: i for i in compress(range(len(terms)), map(wanted.__contains__, terms))}
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for document in documents:  # as CountVectorizer._count_vocab does it, so the matrix is the same
            counter: dict[int, int] = {}
            for term in document:
                column = columns.get(term)
                if column is not None:
                    counter[column] = counter.get(column, 0) + 1
            indices.extend(counter)
            counts.extend(counter.values())
            indptr.append(len(indices))
        matrix = csr_matrix((np.asarray(counts, dtype=np.intc), np.asarray(indices, dtype=np.int32),
                             np.asarray(indptr, dtype=np.int32)), shape=(len(texts), len(terms)), dtype=np.float32)
        matrix.sort_indices()
        if params.get("binary", False):
            matrix.data.fill(1)
        transformer = TfidfTransformer(norm=params.get("norm", "l2"), use_idf=True, smooth_idf=params.get("smooth_idf", True),
                                       sublinear_tf=params.get("sublinear_tf", False))
        transformer.idf_ = self.idf
        return transformer.transform(matrix, copy=False)

    def probabilities(self, features: Any) -> np.ndarray:
        """Probability of each topic (columns) for each row of `features`."""
        logits = np.asarray(features @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def top_terms(self, row: Any, topic_index: int, count: int = 5) -> list[str]:
        """The terms of one article that pushed it most towards a topic."""
        contributions = row.data * self.coef[topic_index, row.indices]
        order = np.argsort(-contributions)[:count]
        return [self.terms[row.indices[i]] for i in order if contributions[i] > 0]
