"""`classify evaluate`: how good are the tags on labelled data."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from classify.cli.app import EncodingOption, ModelOption, ProblemReporter, app, inform, say


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("evaluate")
def evaluate_command(
    data: Annotated[list[str], typer.Argument(help="Labelled JSONL/CSV files or seed folders.", show_default=False)],
    model_path: ModelOption = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", case_sensitive=False, help="Report format.")] = (
        ReportFormat.table
    ),
    plot: Annotated[
        Path | None,
        typer.Option("--plot", dir_okay=False, help="Also write a PNG of precision/recall and score distributions."),
    ] = None,
    encoding: EncodingOption = None,
) -> None:
    """Score a model's tags against labelled data: precision, recall, F1 per topic, macro-F1.

    Records' `unknown_labels` are left out of that topic's figures.

    Example: classify evaluate test.jsonl -m allsides.npz --plot tags.png
    """
    from classify.cli.render import print_metrics
    from classify.default_model import load_model_or_default
    from classify.evaluation import evaluate_tags, plot_tag_evaluation
    from classify.inputs import iter_articles
    from classify.progress import track

    model = load_model_or_default(model_path, say)
    reporter = ProblemReporter()
    articles = track(iter_articles(data, encoding=encoding, on_problem=reporter), description="Evaluating")
    evaluation = evaluate_tags(articles, model, source=", ".join(data))
    metrics = evaluation.metrics()
    if fmt is ReportFormat.json:
        json.dump({"data": data, "metrics": metrics}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_metrics(metrics, model.topics, f"Tags on {', '.join(data)}", sys.stdout)
    if plot is not None:
        plot_tag_evaluation(evaluation, plot)
        inform(f"Wrote {plot}")
    reporter.finish()
