"""Tag articles with a `TopicModel`: scores, labels over each topic's threshold, and why."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from classify.articles import Article
from classify.model import TopicModel
from classify.parallel import ordered_map

BATCH_SIZE = 256
REASON_TERMS = 5


@dataclass(frozen=True, slots=True)
class TaggedArticle:
    """One article's tags; `reasons` maps each given label to the terms that pushed it there."""

    id: str
    labels: list[str]
    scores: dict[str, float]
    reasons: dict[str, list[str]]

    def record(self, *, explain: bool = False) -> dict[str, object]:
        """The machine-readable record: `id`, `labels`, `scores` (and `reasons` when asked)."""
        record: dict[str, object] = {"id": self.id, "labels": self.labels, "scores": self.scores}
        if explain:
            record["reasons"] = self.reasons
        return record


def tag(
    articles: Iterable[Article],
    model: TopicModel,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[TaggedArticle]:
    """Tag a stream of articles lazily, in input order, a batch at a time (in parallel with `jobs`)."""
    return ordered_map(tag_batch, articles, shared=(model,), jobs=jobs, scheduler=scheduler, chunk_size=batch_size)


def tag_batch(batch: list[Article], model: TopicModel) -> list[TaggedArticle]:
    """Tag a list of articles with one vectorizer call (much faster than one by one)."""
    features = model.transform([article.full_text for article in batch])
    probabilities = model.probabilities(features)
    results = []
    for row_index, article in enumerate(batch):
        scores = probabilities[row_index]
        chosen = [i for i, topic in enumerate(model.topics) if scores[i] >= model.thresholds[i]]
        row = features[row_index]
        results.append(TaggedArticle(
            id=article.id,
            labels=[model.topics[i] for i in chosen],
            scores={topic: round(float(scores[i]), 4) for i, topic in enumerate(model.topics)},
            reasons={model.topics[i]: model.top_terms(row, i, REASON_TERMS) for i in chosen},
        ))
    return results
