"""A batch function for the parallel tests: tags like `tag_batch`, and says which process did it and
whether that process had imported scikit-learn or scipy (tagging should need neither)."""

from __future__ import annotations

import os
import sys

from classify.articles import Article
from classify.model import TopicModel
from classify.tagging import tag_batch


def tag_and_report(batch: list[Article], model: TopicModel) -> list[tuple[int, list[str], list[str]]]:
    heavy = sorted(name for name in ("sklearn", "scipy") if name in sys.modules)
    return [(os.getpid(), item.labels, heavy) for item in tag_batch(batch, model)]
