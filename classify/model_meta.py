"""What a model file says about itself: how it was trained, on what, and how well it did.

Typed, so every reader (staleness checks, reports, `classify info`) gets the same fields, and a
file whose record is not exactly what training writes is refused in one place, when it is read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


class MetaError(ValueError):
    """A record in the metadata that is not what training writes; the message names it."""


@dataclass(frozen=True)
class TrainingData:
    """The articles a model learned from: where, how many, and a hash of them (and of the seeds, for the default)."""

    source: str
    articles: int
    sha256: str
    seeds_sha256: str | None = None


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold figures: `metrics` maps each topic to precision/recall/F1/threshold/support, plus `macro_f1`."""

    folds: int
    metrics: dict[str, Any]


@dataclass(frozen=True)
class CrossSource:
    """Figures on labelled data from another source (`train --check`): `data` names it, `metrics` as in
    `CrossValidation`. Cross-validation only sees the training source; this is how the tags hold elsewhere."""

    data: str
    articles: int
    metrics: dict[str, Any]


@dataclass(frozen=True)
class DenseSettings:
    """How a model with the dense view (`train --dense`) blends it in: which word embeddings, of how many
    `dimensions`, from each text's first `words` words, weighing `weight` of each blended score."""

    embedder: str
    dimensions: int
    words: int
    weight: float


@dataclass(frozen=True)
class ModelMeta:
    """Provenance and quality of a trained model."""

    classify_version: str
    created: str
    training_data: TrainingData
    cross_validation: CrossValidation
    seed: int = 0
    versions: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    cross_source: CrossSource | None = None
    dense: DenseSettings | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data; `seeds_sha256`, `cross_source` and `dense` only when there is one."""
        data = dataclasses.asdict(self)
        if data["training_data"]["seeds_sha256"] is None:
            del data["training_data"]["seeds_sha256"]
        for optional in ("cross_source", "dense"):
            if data[optional] is None:
                del data[optional]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelMeta:
        """The record as training wrote it, or MetaError naming the first part that is not."""
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise MetaError(f"unknown record `{sorted(unknown)[0]}`")
        training = _record(data, "training_data", TrainingData)
        cross_validation = _record(data, "cross_validation", CrossValidation)
        cross_source = _record(data, "cross_source", CrossSource) if "cross_source" in data else None
        dense = _record(data, "dense", DenseSettings) if "dense" in data else None
        if dense is not None and not (0 < dense.dimensions <= MAX_DIMENSIONS and dense.words > 0
                                      and 0.0 <= dense.weight <= 1.0):
            raise MetaError("its `dense` record is damaged")
        versions = data.get("versions", {})
        if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
            raise MetaError("its `versions` record is damaged")
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise MetaError("its `params` record is damaged")
        for name in ("classify_version", "created"):
            if not isinstance(data.get(name), str):
                raise MetaError(f"its `{name}` record is damaged")
        if type(data.get("seed", 0)) is not int:
            raise MetaError("its `seed` record is damaged")
        return cls(classify_version=data["classify_version"], created=data["created"], training_data=training,
                   cross_validation=cross_validation, seed=data.get("seed", 0), versions=versions, params=params,
                   cross_source=cross_source, dense=dense)


FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "source": (str,), "articles": (int,), "sha256": (str,), "seeds_sha256": (str, type(None)),
    "folds": (int,), "metrics": (dict,), "data": (str,),
    "embedder": (str,), "dimensions": (int,), "words": (int,), "weight": (float,),
}
MAX_DIMENSIONS = 4096
"""Far above any static word-embedding model's width; a file claiming more is damaged."""


def _record(data: dict[str, Any], name: str, kind: type) -> Any:
    """One nested record, with exactly its dataclass's fields, each of the type training writes."""
    value = data.get(name)
    names = {f.name for f in dataclasses.fields(kind)}
    required = {f.name for f in dataclasses.fields(kind) if f.default is dataclasses.MISSING}
    if (not isinstance(value, dict) or not required <= set(value) <= names
            or not all(type(value[key]) in FIELD_TYPES[key] for key in value)):
        raise MetaError(f"its `{name}` record is damaged")
    return kind(**value)
