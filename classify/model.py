"""The topic model: a TF-IDF vocabulary plus one logistic scorer and threshold per topic.

It is stored as plain arrays and JSON in one `.npz` file read with `allow_pickle=False`, so
loading a model can never run code from the file (pickle and joblib can), and loading needs
no scikit-learn estimator state that changes between versions.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classify import __version__
from classify.errors import ModelError
from classify.outputs import atomic_file

FORMAT = "classify-topic-model"
FORMAT_VERSION = 1
RETRAIN_HINT = "retrain it: classify train SOURCES -m {path}"


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
    meta: dict[str, Any] = field(default_factory=dict)
    _vectorizer: Any = field(default=None, repr=False, compare=False)

    @property
    def vectorizer(self) -> Any:
        """A TfidfVectorizer rebuilt from the stored vocabulary and idf, made on first use."""
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            params = dict(self.vectorizer_params)
            params["ngram_range"] = tuple(params["ngram_range"])
            vocabulary = dict(zip(self.terms, range(len(self.terms)), strict=True))
            vectorizer = TfidfVectorizer(vocabulary=vocabulary, dtype=np.float32, **params)
            vectorizer.idf_ = self.idf
            self._vectorizer = vectorizer
        return self._vectorizer

    def transform(self, texts: list[str]) -> Any:
        """TF-IDF rows (sparse) for `texts`."""
        return self.vectorizer.transform(texts)

    def probabilities(self, features: Any) -> np.ndarray:
        """Probability of each topic (columns) for each row of `features`."""
        logits = np.asarray(features @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def top_terms(self, row: Any, topic_index: int, count: int = 5) -> list[str]:
        """The terms of one article that pushed it most towards a topic."""
        contributions = row.data * self.coef[topic_index, row.indices]
        order = np.argsort(-contributions)[:count]
        return [self.terms[row.indices[i]] for i in order if contributions[i] > 0]

    def save(self, path: Path) -> None:
        """Write the model atomically: a killed run leaves the previous file intact."""
        meta = {**self.meta, "format": FORMAT, "format_version": FORMAT_VERSION, "topics": self.topics,
                "vectorizer": self.vectorizer_params}
        arrays = {
            "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            "terms": np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8),
            "idf": self.idf.astype(np.float32),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept.astype(np.float32),
            "thresholds": self.thresholds.astype(np.float32),
        }
        with atomic_file(path, "wb") as stream:
            np.savez(stream, **arrays)


def load_model(path: Path) -> TopicModel:
    """Read a model file, refusing anything that is not a complete model of a known format."""
    if not path.exists():
        raise ModelError(f"{path}: no model there; train one: classify train SOURCES -m {path}")
    if path.is_dir():
        raise ModelError(f"{path}: is a folder; pass the model file (e.g. {path / 'model.npz'})")
    hint = RETRAIN_HINT.format(path=path)
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(stored["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ModelError(f"{path}: not a classify model; {hint}")
            if meta.get("format_version") != FORMAT_VERSION:
                raise ModelError(
                    f"{path}: model format {meta.get('format_version')} was written by classify "
                    f"{meta.get('classify_version', '?')}; this classify {__version__} reads format {FORMAT_VERSION}; {hint}"
                )
            terms = stored["terms"].tobytes().decode("utf-8").split("\n")
            model = TopicModel(
                topics=list(meta["topics"]),
                vectorizer_params=dict(meta["vectorizer"]),
                terms=terms,
                idf=stored["idf"],
                coef=stored["coef"],
                intercept=stored["intercept"],
                thresholds=stored["thresholds"],
                meta=meta,
            )
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = "holds pickled code, which is never loaded" if "pickle" in str(error) else "is damaged or not a model file"
        raise ModelError(f"{path}: {reason}; {hint}") from None
    _check_shapes(model, path, hint)
    return model


def _check_shapes(model: TopicModel, path: Path, hint: str) -> None:
    n_topics, n_terms = len(model.topics), len(model.terms)
    if (model.coef.shape != (n_topics, n_terms) or model.idf.shape != (n_terms,)
            or model.intercept.shape != (n_topics,) or model.thresholds.shape != (n_topics,)):
        raise ModelError(f"{path}: arrays do not fit together (damaged file); {hint}")


def version_warnings(model: TopicModel, path: Path) -> list[str]:
    """Differences between the versions that built the model and these, worth a warning."""
    import sklearn

    built = model.meta.get("versions", {}).get("scikit-learn", "")
    if built.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        return [f"{path}: model built with scikit-learn {built or '?'}, running {sklearn.__version__}; "
                f"tags may differ slightly; {RETRAIN_HINT.format(path=path)}"]
    return []
