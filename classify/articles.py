"""The article record every command reads."""

from __future__ import annotations

from dataclasses import dataclass

from classify.links import http_link


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    `labels` is None when the input says nothing about topics (plain text to tag);
    `unknown_labels` are topics the record neither confirms nor denies, so training and
    evaluation skip this article for them. `summary` is a reference summary, for evaluation.
    `source` (the outlet), `link` (an http(s) URL) and `date` (ISO 8601) are what a digest shows
    for it; empty when the input does not say. Any other link (`javascript:`, `file:`...) is dropped here,
    whatever reader made the article, so no report can carry one.
    """

    id: str
    text: str
    title: str = ""
    labels: frozenset[str] | None = None
    unknown_labels: frozenset[str] = frozenset()
    summary: tuple[str, ...] | None = None
    source: str = ""
    link: str = ""
    date: str = ""

    def __post_init__(self) -> None:
        if self.link:
            object.__setattr__(self, "link", http_link(self.link))

    @property
    def full_text(self) -> str:
        """Title and body together: what the topic model reads."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text
