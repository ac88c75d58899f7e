"""`classify evaluate`: how good are the tags on labelled data."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from classify.cli.app import (
    DEFAULT,
    EncodingOption,
    JobsOption,
    Method,
    ModelOption,
    ProblemReporter,
    ReportFormat,
    ReportFormatOption,
    SchedulerOption,
    app,
    build_runner,
    inform,
    say,
)
from classify.errors import UsageError
from classify.summarize import DEFAULT_SENTENCES

if TYPE_CHECKING:
    from classify.articles import Article
    from classify.parallel import Runner


def _check_plot(path: Path | None) -> Path | None:
    """Refuse a plot name whose extension is not a format we write, before any work (exit 2)."""
    if path is None:
        return None
    from classify.evaluation import PLOT_FORMATS

    if path.suffix.lower().lstrip(".") not in PLOT_FORMATS:
        raise typer.BadParameter(f"{path.name}: name the file .png, .pdf or .svg (the format follows the extension)")
    return path


@app.command("evaluate")
def evaluate_command(
    data: Annotated[list[str], typer.Argument(help="Labelled JSONL/CSV files or seed folders.", show_default=False)],
    model_path: ModelOption = None,
    fmt: ReportFormatOption = ReportFormat.table,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", dir_okay=False, callback=_check_plot,
                     help="Also write a chart of precision/recall and score distributions (.png, .pdf or .svg)."),
    ] = None,
    encoding: EncodingOption = None,
    summaries: Annotated[
        bool, typer.Option("--summaries", help="Score summaries against the records' reference `summary` instead.")
    ] = False,
    methods: Annotated[
        list[Method] | None,
        typer.Option("--method", case_sensitive=False, show_default=False,
                     help=f"With --summaries: a method to score (repeat for several) [default: {DEFAULT.value} and lead]."),
    ] = None,
    sentences: Annotated[
        int | None, typer.Option("--sentences", "-n", min=1, show_default=False,
                                 help=f"With --summaries: sentences per summary [default: {DEFAULT_SENTENCES}].")
    ] = None,
    jobs: JobsOption = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Score a model's tags against labelled data: precision, recall, F1 per topic, macro-F1.

    Records' `unknown_labels` are left out of that topic's figures. With --summaries, score
    summary methods against reference summaries (records with `text` and `summary`): ROUGE-1,
    ROUGE-2 and ROUGE-Lsum F1 x 100, and articles per second, methods side by side.

    Examples:

    * `classify evaluate test.jsonl -m allsides.npz --plot tags.png`
    * `classify evaluate --summaries news.jsonl --method lead --method lexrank`
    """
    from classify.inputs import iter_articles
    from classify.outputs import refuse_overwriting
    from classify.progress import track

    runner = build_runner(jobs, scheduler)
    _refuse_options_of_the_other_mode(summaries, {
        "--model": model_path, "--plot": plot, "--jobs": runner.jobs if runner.jobs > 1 else None,
        "--scheduler": runner.scheduler,
    }, {"--method": methods, "--sentences": sentences})
    refuse_overwriting(plot, "--plot", [*data, model_path])
    reporter = ProblemReporter()
    articles = iter_articles(data, encoding=encoding, on_problem=reporter, require_labels=not summaries)
    if summaries:
        chosen = [m.value for m in methods or (DEFAULT, Method("lead"))]
        _evaluate_summaries(articles, chosen, sentences or DEFAULT_SENTENCES, fmt)
    else:
        _evaluate_tags(track(articles, description="Evaluating"), data, model_path, fmt, plot, runner)
    reporter.finish()


def _refuse_options_of_the_other_mode(summaries: bool, for_tags: dict[str, object], for_summaries: dict[str, object]) -> None:
    """Options of the mode not asked for are a usage error, never silently ignored (`-m lead` with
    --summaries once scored the default methods)."""
    if summaries:
        given = [name for name, value in for_tags.items() if value is not None]
        if given:
            raise UsageError(f"{' and '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to --summaries, which "
                             "scores summary methods in this process (-m is the model; choose methods with --method)")
    else:
        given = [name for name, value in for_summaries.items() if value is not None]
        if given:
            raise UsageError(f"{' and '.join(given)} only {'applies' if len(given) == 1 else 'apply'} with --summaries")


def _evaluate_tags(articles: Iterable[Article], data: list[str], model_path: Path | None, fmt: ReportFormat,
                   plot: Path | None, runner: Runner) -> None:
    from classify.cli.render import print_json, print_metrics
    from classify.default_model import load_model_or_default
    from classify.evaluation import evaluate_tags, plot_tag_evaluation

    model = load_model_or_default(model_path, say)
    evaluation = evaluate_tags(articles, model, source=", ".join(data), runner=runner)
    if evaluation.unknown_labels:
        counts = ", ".join(f"{label} ({count} articles)" for label, count in sorted(evaluation.unknown_labels.items()))
        say(f"Warning: labels the model does not know were not scored: {counts}; the model knows "
            f"{', '.join(model.topics)}: train one with these labels to score them")
    metrics = evaluation.metrics()
    if fmt is ReportFormat.json:
        print_json({"data": data, "metrics": metrics}, sys.stdout)
    else:
        print_metrics(metrics, model.topics, f"Tags on {', '.join(data)}", sys.stdout)
    if plot is not None:
        plot_tag_evaluation(evaluation, plot)
        inform(f"Wrote {plot}")


def _evaluate_summaries(articles: Iterable[Article], methods: list[str], sentences: int, fmt: ReportFormat) -> None:
    from classify.cli.render import print_json, print_rouge
    from classify.progress import track
    from classify.summarize import Length
    from classify.summary_evaluation import evaluate_summaries

    rows = evaluate_summaries(articles, methods, Length(sentences=sentences), progress=track)
    if fmt is ReportFormat.json:
        print_json({"sentences": sentences, "methods": rows}, sys.stdout)
    else:
        print_rouge(rows, f"Summaries of {sentences} sentences against the references (F1 x 100)", sys.stdout)
