"""Tag articles with a `TopicModel`: scores, labels over each topic's threshold, and why."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from classify.articles import Article
from classify.model import TopicModel
from classify.parallel import IN_THIS_PROCESS, Batching, Runner

BATCHING = Batching(size=256, parallel_from=12)
"""The articles of a batch share one vectorizer call. With workers, an input of fewer than `parallel_from`
batches is still tagged in this process: a worker needs about as much CPU to start (Python, numpy, the
model and its term index) as tagging it here takes."""
REASON_TERMS = 5


@dataclass(frozen=True, slots=True)
class TaggedArticle:
    """One article's tags; `reasons` maps each given label to the terms that pushed it there."""

    id: str
    labels: list[str]
    scores: dict[str, float]
    reasons: dict[str, list[str]]
    title: str = ""

    def record(self, *, explain: bool = False) -> dict[str, object]:
        """The machine-readable record: `id`, `title` (when the input has one), `labels`, `scores` (and
        `reasons` when asked)."""
        record: dict[str, object] = {"id": self.id}
        if self.title:
            record["title"] = self.title
        record.update(labels=self.labels, scores=self.scores)
        if explain:
            record["reasons"] = self.reasons
        return record


def record_columns(topics: list[str], *, explain: bool = False) -> list[str]:
    """CSV columns of tag records, from the model's topics: a record only names the topics it was given,
    so columns taken from the first record would drop the others' reasons."""
    columns = ["id", "title", "labels", *(f"scores.{topic}" for topic in topics)]
    return columns + [f"reasons.{topic}" for topic in topics] if explain else columns


def tag(
    articles: Iterable[Article],
    model: TopicModel,
    *,
    runner: Runner = IN_THIS_PROCESS,
    batching: Batching = BATCHING,
    reasons: bool = True,
) -> Iterator[TaggedArticle]:
    """Tag a stream of articles lazily, in input order, a batch at a time.

    However `runner` spreads the batches (local processes, a Dask cluster), the results are the
    same, in the same order. `reasons=False` leaves `reasons` empty, which saves a little time
    when they will not be shown.
    """
    func = tag_batch if reasons else partial(tag_batch, reasons=False)
    model.load_views()
    return runner.map(func, articles, batching, shared=(model,), prepare=prepare_model)


def prepare_model(model: TopicModel) -> None:
    """What a worker does before its first batch: build the model's term dict."""
    model.prepare()


def tag_batch(batch: list[Article], model: TopicModel, *, reasons: bool = True) -> list[TaggedArticle]:
    """Tag a list of articles with one vectorizer call (much faster than one by one)."""
    texts = [article.full_text for article in batch]
    features, scores = model.score(texts)
    probabilities = scores.tolist()  # Python floats: the same values, faster to read
    thresholds = model.thresholds.tolist()
    topics = model.topics
    results = []
    for row_index, article in enumerate(batch):
        scores = probabilities[row_index]
        chosen = [i for i, score in enumerate(scores) if score >= thresholds[i]]
        results.append(TaggedArticle(
            id=article.id,
            title=article.title,
            labels=[topics[i] for i in chosen],
            scores={topic: round(score, 4) for topic, score in zip(topics, scores, strict=True)},
            reasons={topics[i]: model.top_terms(features, row_index, i, REASON_TERMS) for i in chosen} if reasons else {},
        ))
    return results
