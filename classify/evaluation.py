"""Score a model's tags against labelled articles, honouring `unknown_labels`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classify.articles import Article
from classify.errors import DataError
from classify.metrics import macro, topic_figures
from classify.model import TopicModel
from classify.model_meta import CrossSource
from classify.parallel import IN_THIS_PROCESS, Runner
from classify.tagging import BATCHING, prepare_model

PLOT_FORMATS = ("png", "pdf", "svg")


@dataclass
class TagEvaluation:
    """Per-topic scores and truth for the articles where the topic is known."""

    topics: list[str]
    thresholds: list[float]
    scores: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]
    unknown_labels: dict[str, int] = field(default_factory=dict)  # label -> articles, for labels not in the model

    def metrics(self) -> dict[str, object]:
        """Precision, recall, F1 per topic at the model's thresholds, plus macro-F1 (see `metrics.macro`)."""
        result: dict[str, object] = {}
        left_out = []
        for topic, threshold in zip(self.topics, self.thresholds, strict=True):
            truth = self.truth[topic]
            if not truth.any() and not (self.scores[topic] >= threshold).any():
                left_out.append(topic)
            result[topic] = topic_figures(self.scores[topic], truth, threshold, int(truth.sum()), int((~truth).sum()))
        scored = [t for t in self.topics if len(self.truth[t])]
        result.update(macro(result, scored, [t for t in left_out if t in scored]))
        return result


def evaluate_tags(
    articles: Iterable[Article], model: TopicModel, source: str = "the data", *, runner: Runner = IN_THIS_PROCESS
) -> TagEvaluation:
    """Score labelled articles in batches (as `tag` does) and collect each known topic's scores and truth."""
    scores: dict[str, list[float]] = {topic: [] for topic in model.topics}
    truth: dict[str, list[bool]] = {topic: [] for topic in model.topics}
    unknown: Counter[str] = Counter()
    labelled = _labelled(articles)
    model.load_views()
    known = set(model.topics)
    for article, probabilities in runner.map(_score_batch, labelled, BATCHING, shared=(model,), prepare=prepare_model):
        unknown.update(article.labels - known)
        for column, topic in enumerate(model.topics):
            if topic not in article.unknown_labels:
                scores[topic].append(probabilities[column])
                truth[topic].append(topic in (article.labels or ()))
    if not any(truth.values()):
        raise DataError(f"{source}: no labelled articles to evaluate")
    return TagEvaluation(
        topics=list(model.topics),
        thresholds=[float(t) for t in model.thresholds],
        scores={t: np.array(v) for t, v in scores.items()},
        truth={t: np.array(v, dtype=bool) for t, v in truth.items()},
        unknown_labels=dict(unknown),
    )


def _labelled(articles: Iterable[Article]) -> Iterator[Article]:
    """The articles, checked here (not in a worker) so an unlabelled one stops the run with its id."""
    for article in articles:
        if article.labels is None:
            raise DataError(f"{article.id}: no labels; evaluation needs labelled records (`labels`, or a `topics:` line)")
        yield article


def _score_batch(batch: list[Article], model: TopicModel) -> list[tuple[Article, list[float]]]:
    """Each article with its topic probabilities: the unit of work `Runner.map` sends to a worker."""
    probabilities = model.score([article.full_text for article in batch])[1]
    return list(zip(batch, probabilities.astype(float).tolist(), strict=True))


def cross_source(model: TopicModel, articles: Sequence[Article], source: str) -> CrossSource:
    """What `train --check` stores: the model's figures on labelled data from another source."""
    return CrossSource(data=source, articles=len(articles), metrics=evaluate_tags(articles, model, source).metrics())


def plot_tag_evaluation(evaluation: TagEvaluation, path: Path) -> None:
    """A chart of precision/recall per topic and each topic's score distribution by truth.

    The format follows the extension (one of `PLOT_FORMATS`), so `--plot tags.pdf` is a PDF.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from classify.outputs import atomic_file

    metrics = evaluation.metrics()
    topics = evaluation.topics
    figure, axes = plt.subplots(1, 1 + len(topics), figsize=(4 * (1 + len(topics)), 3.6))
    positions = np.arange(len(topics))
    for offset, name in ((-0.2, "precision"), (0.2, "recall")):
        axes[0].bar(positions + offset, [metrics[t][name] for t in topics], width=0.4, label=name)  # type: ignore[index]
    axes[0].set_xticks(positions, topics, rotation=20)
    axes[0].set_ylim(0, 1)
    axes[0].set_title(f"macro-F1 {metrics['macro_f1']:.3f}")
    axes[0].legend(loc="lower right")
    bins = np.linspace(0, 1, 21)
    for axis, topic, threshold in zip(axes[1:], topics, evaluation.thresholds, strict=True):
        truth, scores = evaluation.truth[topic], evaluation.scores[topic]
        axis.hist(scores[truth], bins=bins, alpha=0.6, label="has topic")
        axis.hist(scores[~truth], bins=bins, alpha=0.6, label="does not")
        axis.axvline(threshold, color="black", linestyle="--", label="threshold")
        axis.set_yscale("log")
        axis.set_title(topic)
        axis.set_xlabel("score")
    axes[1].legend(fontsize="small")
    figure.tight_layout()
    with atomic_file(path, "wb") as stream:
        figure.savefig(stream, format=path.suffix.lower().lstrip(".") or "png", dpi=100)
    plt.close(figure)
