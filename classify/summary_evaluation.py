"""Score summary methods against reference summaries: ROUGE-1, ROUGE-2, ROUGE-Lsum F1 x 100 and speed.

ROUGE-Lsum (one sentence per line on both sides) is what papers call ROUGE-L, so figures compare with
the literature; `rouge-score` with the Porter stemmer is Google's re-implementation of ROUGE-1.5.5.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from classify.articles import Article
from classify.errors import DataError
from classify.summarize import Length, summarize

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")


def evaluate_summaries(
    articles: Iterable[Article],
    methods: Sequence[str],
    length: Length,
    progress: Callable[..., Iterable[Article]] | None = None,
    *,
    filter_junk: bool = True,
) -> list[dict[str, Any]]:
    """One row per method: mean F1 x 100 for each ROUGE type, articles scored, and articles per second.

    ``progress`` wraps the article loop like ``classify.progress.track(items, description=, total=)``.
    Articles without a reference summary are skipped and counted in ``skipped``. Only the summarizing is
    timed (parsing and splitting included), not the scoring.
    """
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    every = list(articles)
    usable = [a for a in every if a.summary]
    if not usable:
        raise DataError("no article has a reference summary: give records a 'summary' field "
                        "(a list of sentences or a string with one sentence per line)")
    rows = []
    for method in methods:
        totals = dict.fromkeys(ROUGE_TYPES, 0.0)
        seconds = 0.0
        items: Iterable[Article] = usable
        if progress is not None:
            items = progress(usable, description=f"Summarizing with {method}", total=len(usable))
        for article in items:
            start = time.perf_counter()
            summary = summarize(article.text, title=article.title, length=length, method=method,
                                filter_junk=filter_junk)
            seconds += time.perf_counter() - start
            scores = scorer.score("\n".join(article.summary or ()), "\n".join(summary.sentences))
            for rouge_type in ROUGE_TYPES:
                totals[rouge_type] += scores[rouge_type].fmeasure
        row: dict[str, Any] = {"method": method, "articles": len(usable), "skipped": len(every) - len(usable)}
        row.update({rouge_type: round(100 * totals[rouge_type] / len(usable), 2) for rouge_type in ROUGE_TYPES})
        row["articles_per_second"] = round(len(usable) / seconds, 1) if seconds else None
        rows.append(row)
    return rows
