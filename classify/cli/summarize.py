"""`classify summarize`: extractive summaries of articles, offline."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, TextIO

import typer

from classify.cli.app import (
    DEFAULT,
    EncodingOption,
    Inputs,
    JobsOption,
    MethodOption,
    OutputOption,
    ProblemReporter,
    SchedulerOption,
    app,
    build_runner,
    require_inputs,
    say,
)
from classify.errors import UsageError, one_line
from classify.summarize import DEFAULT_SENTENCES


class SummaryFormat(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


@app.command("summarize")
def summarize_command(
    inputs: Inputs = None,
    sentences: Annotated[
        int | None, typer.Option("--sentences", "-n", min=1, help=f"Sentences per summary [default: {DEFAULT_SENTENCES}].",
                                   show_default=False)
    ] = None,
    ratio: Annotated[
        float | None, typer.Option("--ratio", "-r", help="Share of the article's sentences, e.g. 0.2.")
    ] = None,
    words: Annotated[int | None, typer.Option("--words", "-w", min=1, help="Word budget per summary.")] = None,
    method: MethodOption = DEFAULT,
    seed: Annotated[
        int | None, typer.Option("--seed", help="With --method random: the draw, so a run can be repeated [default: 0].",
                                 show_default=False)
    ] = None,
    fmt: Annotated[SummaryFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")] = (
        SummaryFormat.text
    ),
    encoding: EncodingOption = None,
    output: OutputOption = None,
    jobs: JobsOption = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Summarize articles with sentences taken from them, in their order, skipping page junk.

    Text heads each summary with its id and title (`id — title`); records carry `id`, `title` (when the
    input has one), `summary` (list of sentences) and `method`, in input order. Notes such as
    "article has 2 sentences, fewer than the 3 asked" go to stderr, prefixed by the article id.

    Examples:

    * `classify summarize article.txt`
    * `classify summarize news.jsonl -n 2 --format jsonl`
    """
    from classify.inputs import iter_articles
    from classify.outputs import output_stream, refuse_overwriting, write_records
    from classify.progress import track
    from classify.summarize import Length, summarize_many, summary_record

    runner = build_runner(jobs, scheduler)
    if seed is not None and method.value != "random":
        raise UsageError(f"--seed only applies to --method random, not {method.value}")
    length = Length.asked(sentences, ratio, words, names=("--sentences", "--ratio", "--words"))
    sources = require_inputs(inputs)
    refuse_overwriting(output, "-o", sources)
    reporter = ProblemReporter()
    articles = track(iter_articles(sources, encoding=encoding, on_problem=reporter), description="Summarizing")

    def records() -> Iterator[dict[str, object]]:
        summaries = summarize_many(articles, length=length, method=method.value, seed=seed or 0, runner=runner)
        for article_id, summary in summaries:
            for note in summary.notes:
                say(f"{article_id}: {note}")
            yield summary_record(article_id, summary)

    with output_stream(output) as stream:
        if fmt is SummaryFormat.text:
            _write_text(records(), stream)
        else:
            write_records(records(), fmt.value, stream)
    reporter.finish()


def _write_text(records: Iterator[dict[str, object]], stream: TextIO) -> None:
    """For people: a heading line (the id, then ` — ` and the title when the article has one), the
    sentences one per line, a blank line between articles."""
    for number, record in enumerate(records):
        heading = one_line(str(record["id"]) + (f" — {record['title']}" if record.get("title") else ""))
        lines = [heading, *record["summary"]]  # type: ignore[misc]
        stream.write(("\n" if number else "") + "\n".join(lines) + "\n")
        stream.flush()
