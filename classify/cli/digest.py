"""`classify digest`: a day's articles and feeds in, one report a person reads out."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from classify.cli.app import (
    DEFAULT,
    EncodingOption,
    Inputs,
    JobsOption,
    MethodOption,
    ModelOption,
    OutputOption,
    ProblemReporter,
    SchedulerOption,
    app,
    build_runner,
    require_inputs,
    say,
)
from classify.summarize import DEFAULT_SENTENCES


class DigestFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"


@app.command("digest")
def digest_command(
    inputs: Inputs = None,
    output: OutputOption = None,
    fmt: Annotated[DigestFormat, typer.Option("--format", "-f", case_sensitive=False,
                                              help="html: one self-contained page; md: for notes; json: for machines.")] = (
        DigestFormat.html),
    model_path: ModelOption = None,
    sentences: Annotated[int, typer.Option("--sentences", "-n", min=1, help="Summary sentences per story.")] = DEFAULT_SENTENCES,
    method: MethodOption = DEFAULT,
    fetch: Annotated[bool, typer.Option("--fetch", help="Download http(s) URLs given as inputs (feeds or pages).")] = False,
    encoding: EncodingOption = None,
    jobs: JobsOption = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """One report of many articles: tagged, summarized, and the same story from several outlets shown once.

    Reads what `tag` reads plus RSS/Atom feeds (.rss, .atom, .xml); with --fetch also http(s) URLs.
    Stories are grouped by topic, with their outlets, summary, tags, scores and the terms behind them;
    articles with no topic are listed at the end.

    Examples:

    * `classify digest feeds/ -o today.html`
    * `classify digest news.jsonl --format md`
    """
    from classify.default_model import load_model_or_default
    from classify.digest import digest
    from classify.fetch import iter_articles_and_urls
    from classify.outputs import output_stream, refuse_overwriting
    from classify.progress import track
    from classify.report import render
    from classify.summarize import Length

    runner = build_runner(jobs, scheduler)
    sources = require_inputs(inputs)
    refuse_overwriting(output, "-o", [*sources, model_path])
    reporter = ProblemReporter()
    articles = iter_articles_and_urls(sources, fetch_urls=fetch, encoding=encoding, on_problem=reporter)
    model = load_model_or_default(model_path, say)
    stream = track(articles, description="Digesting")
    report = digest(stream, model, length=Length(sentences=sentences), method=method.value, runner=runner)
    report.skipped = reporter.count
    if report.articles or not reporter.count:
        with output_stream(output) as out:
            out.write(render(report, fmt.value))
    reporter.finish()

