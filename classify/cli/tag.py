"""`classify tag`: tag articles with topics."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from classify.cli.app import (
    EncodingOption,
    Inputs,
    JobsOption,
    ModelOption,
    OutputOption,
    ProblemReporter,
    SchedulerOption,
    app,
    build_runner,
    inform,
    require_inputs,
    say,
)


class TagFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


@app.command("tag")
def tag_command(
    inputs: Inputs = None,
    model_path: ModelOption = None,
    fmt: Annotated[TagFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")] = TagFormat.table,
    explain: Annotated[bool, typer.Option("--explain", help="Add each tag's top terms (`reasons`) to json/jsonl/csv.")] = False,
    encoding: EncodingOption = None,
    output: OutputOption = None,
    jobs: JobsOption = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Tag articles with topics; the table shows the terms behind each tag.

    Records carry `id`, `title` (when the input has one), `labels` (topics over their thresholds)
    and `scores` (topic -> probability), in input order.

    Examples:

    * `classify tag article.txt`
    * `classify tag news.jsonl --format jsonl --explain`
    """
    from classify.default_model import load_model_or_default
    from classify.inputs import iter_articles
    from classify.outputs import output_stream, refuse_overwriting, write_records
    from classify.progress import track
    from classify.tagging import record_columns, tag

    runner = build_runner(jobs, scheduler)
    sources = require_inputs(inputs)
    refuse_overwriting(output, "-o", [*sources, model_path])
    model = load_model_or_default(model_path, say)
    reporter = ProblemReporter()
    articles = iter_articles(sources, encoding=encoding, on_problem=reporter)
    shown = explain or fmt is TagFormat.table  # the table always shows the terms behind each tag
    if shown and model.meta.dense is not None:
        weight = model.meta.dense.weight
        inform(f"Note: this model's scores are {1 - weight:.0%} its terms' and {weight:.0%} a word-embedding view's "
               "(trained with --dense); the terms shown explain the first part only.")
    tagged = track(tag(articles, model, runner=runner, reasons=shown), description="Tagging")
    with output_stream(output) as stream:
        if fmt is TagFormat.table:
            from classify.cli.render import print_tag_table

            print_tag_table(tagged, stream)
        else:
            write_records((item.record(explain=explain) for item in tagged), fmt.value, stream,
                          columns=record_columns(model.topics, explain=explain))
    reporter.finish()
