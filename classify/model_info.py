"""Everything a model file says about itself, as one plain record: what `classify info` shows.

A model is only as trustworthy as what it learned from and how it scored, on its own source and on
another; this gathers that from the file (topics, thresholds, settings, the dense view if any, data hash, versions,
cross-validated and cross-source figures) without running anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classify.model import TopicModel


def model_info(model: TopicModel, path: Path | None = None) -> dict[str, Any]:
    """The model's description as JSON-ready data; `path` adds the file's name and size."""
    meta = model.meta.to_json()
    info: dict[str, Any] = {}
    if path is not None:
        info["model"] = {"path": str(path), "bytes": path.stat().st_size}
    return info | {
        "topics": model.topics,
        "thresholds": {topic: round(float(t), 4) for topic, t in zip(model.topics, model.thresholds, strict=True)},
        "cross_validation": meta["cross_validation"],
        "cross_source": meta.get("cross_source"),
        "training_data": meta["training_data"],
        "settings": {"vectorizer": model.settings, **meta["params"], "seed": meta["seed"],
                     "terms": len(model.vocabulary)},
        "dense": meta.get("dense"),
        "created": meta["created"],
        "versions": {"classify (model)": meta["classify_version"], **meta["versions"]},
    }
