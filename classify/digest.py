"""A day's articles as one report: tagged, summarized, and grouped into stories.

`digest()` is the plain function (articles in, `Digest` out) that the `digest` command and any
other caller share; classify.report renders a `Digest` as HTML, Markdown or JSON.

Each article is read once: one pass tags it (classify.tagging), summarizes it (classify.summarize)
and takes its MinHash signature (classify.stories), in this process or in workers like `tag` and
`summarize` do, and keeps only what the report shows. The text is dropped as soon as that is done,
so memory grows with the report, not with the articles read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classify import stories
from classify.articles import Article
from classify.model import TopicModel
from classify.parallel import IN_THIS_PROCESS, Runner
from classify.progress import track
from classify.summarize import BATCHING, DEFAULT_LENGTH, DEFAULT_METHOD, Length, summarize_batch, warm_up
from classify.tagging import TaggedArticle, prepare_model, tag_batch


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story, as the report lists it (no text)."""

    id: str
    title: str
    source: str
    link: str
    date: str

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "source": self.source or None, "link": self.link or None,
                "date": self.date or None}


@dataclass(frozen=True, slots=True)
class Item:
    """What one article leaves behind for the report: its member line, tags, summary and length."""

    member: Member
    tags: TaggedArticle
    summary: list[str]
    length: int


@dataclass
class Story:
    """Articles about one event. Tags are the group's: a topic any member got, at the best member's score,
    with that member's terms as the reason; title and summary come from the longest member, the fullest version."""

    id: str
    title: str
    labels: list[str]
    scores: dict[str, float]
    reasons: dict[str, list[str]]
    summary: list[str]
    members: list[Member]

    @property
    def topic(self) -> str | None:
        """The topic the story is filed under: its best-scoring tag (None for untagged stories)."""
        return max(self.labels, key=lambda label: self.scores[label]) if self.labels else None

    @property
    def date(self) -> str:
        """The earliest date a member carries ("" when none does)."""
        return min((member.date for member in self.members if member.date), default="")

    @property
    def sources(self) -> list[str]:
        """The outlets that carried it, each once, in member order."""
        return list(dict.fromkeys(member.source for member in self.members if member.source))

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "labels": self.labels, "scores": self.scores, "reasons": self.reasons,
                "summary": self.summary, "members": [member.record() for member in self.members]}


@dataclass
class Digest:
    """Stories with topics, ordered topic by topic (see `order_key`), then untagged stories in input order."""

    topics: list[str]
    stories: list[Story]
    other: list[Story]
    articles: int
    skipped: int = 0
    """Inputs that could not be read (set by the caller once reading is over)."""
    by_topic: dict[str, list[Story]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_topic = {topic: sorted((s for s in self.stories if topic in s.labels), key=lambda s: order_key(s, topic))
                         for topic in self.topics}

    @property
    def counts(self) -> dict[str, Any]:
        """Articles read, stories made, untagged stories, stories per topic, inputs skipped."""
        return {"articles": self.articles, "stories": len(self.stories), "other": len(self.other),
                "topics": {topic: len(stories_) for topic, stories_ in self.by_topic.items()}, "skipped": self.skipped}

    def record(self) -> dict[str, Any]:
        """The JSON shape: {"stories": [...], "other": [...], "counts": {...}}."""
        return {"stories": [story.record() for story in self.stories], "other": [story.record() for story in self.other],
                "counts": self.counts}


def order_key(story: Story, topic: str) -> tuple[float, float, str]:
    """Within a topic: stories carried by more articles first (the day's big stories), then by the topic's score."""
    return (-len(story.members), -story.scores.get(topic, 0.0), story.id)


def digest_batch(batch: list[Article], model: TopicModel, length: Length, method: str) -> list[tuple[Item, np.ndarray]]:
    """Tag, summarize and sign a chunk of articles: the unit of work `Runner.map` sends to a worker."""
    tagged = tag_batch(batch, model)
    summaries = summarize_batch(batch, length, method)
    results = []
    for article, tags, (_, summary) in zip(batch, tagged, summaries, strict=True):
        member = Member(id=article.id, title=article.title, source=article.source, link=article.link,
                        date=article.date)
        item = Item(member=member, tags=tags, summary=summary.sentences, length=len(article.text))
        results.append((item, stories.signature(article.text)))
    return results


def prepare_worker(model: TopicModel, length: Length, method: str) -> None:
    """What a worker loads before its first chunk: the model's vectorizer and the summary method."""
    prepare_model(model)
    warm_up(length, method)


def read_items(
    articles: Iterable[Article], model: TopicModel, *, length: Length, method: str = DEFAULT_METHOD,
    runner: Runner = IN_THIS_PROCESS,
) -> Iterator[tuple[Item, np.ndarray]]:
    """(item, signature) per article, lazily and in input order; batches as `summarize` cuts them, since
    summaries are most of the work."""
    model.load_views()
    return runner.map(digest_batch, articles, BATCHING, shared=(model, length, method), prepare=prepare_worker)


def build_digest(items: Iterable[tuple[Item, np.ndarray]], topics: list[str]) -> Digest:
    """Group the items into stories and order them for the report."""
    kept: list[Item] = []
    signatures: list[np.ndarray] = []
    for item, values in items:
        kept.append(item)
        signatures.append(values)
    groups = stories.group(signatures, progress=lambda bands, total: track(bands, description="Grouping", total=total))
    made = [make_story([kept[i] for i in members], topics) for members in groups]
    tagged = [story for story in made if story.labels]
    tagged.sort(key=lambda story: (topics.index(story.topic), *order_key(story, story.topic)))  # type: ignore[arg-type]
    return Digest(topics=topics, stories=tagged, other=[story for story in made if not story.labels], articles=len(kept))


def make_story(items: list[Item], topics: list[str]) -> Story:
    """One story from its members' items (see `Story`)."""
    lead = max(items, key=lambda item: item.length)  # the first of the longest: max keeps the first on ties
    tags = [item.tags for item in items]
    labels = [topic for topic in topics if any(topic in tagged.labels for tagged in tags)]
    scores = {topic: max(tagged.scores.get(topic, 0.0) for tagged in tags) for topic in topics}
    reasons = {}
    for label in labels:
        best = max((tagged for tagged in tags if label in tagged.labels), key=lambda tagged: tagged.scores[label])
        reasons[label] = best.reasons.get(label, [])
    title = lead.member.title or next((item.member.title for item in items if item.member.title), "") or (
        lead.summary[0] if lead.summary else lead.member.id)
    return Story(id=lead.member.id, title=title, labels=labels, scores=scores, reasons=reasons, summary=lead.summary,
                 members=[item.member for item in items])


def digest(
    articles: Iterable[Article], model: TopicModel, *, length: Length | None = None, method: str = DEFAULT_METHOD,
    runner: Runner = IN_THIS_PROCESS,
) -> Digest:
    """Articles in, report structure out: the whole digest without rendering."""
    items = read_items(articles, model, length=length or DEFAULT_LENGTH, method=method, runner=runner)
    return build_digest(items, list(model.topics))
