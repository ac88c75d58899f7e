"""The article record every command reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    `labels` is None when the input says nothing about topics (plain text to tag);
    `unknown_labels` are topics the record neither confirms nor denies, so training and
    evaluation skip this article for them. `summary` is a reference summary, for evaluation.
    `source` (the outlet), `link` (an http(s) URL) and `date` (ISO 8601) are what a digest shows
    for it; empty when the input does not say.
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

    @property
    def full_text(self) -> str:
        """Title and body together: what the topic model reads."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text
