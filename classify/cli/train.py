"""`classify train`: learn topics from labelled articles."""

from __future__ import annotations

from typing import Annotated

import typer

from classify.cli.app import (
    EncodingOption,
    Inputs,
    JobsOption,
    ModelOption,
    ProblemReporter,
    SchedulerOption,
    app,
    build_runner,
    inform,
)


@app.command("train")
def train_command(
    sources: Inputs = None,
    model_path: ModelOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the cross-validation splits.")] = 0,
    folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="Cross-validation folds.")] = 5,
    encoding: EncodingOption = None,
    jobs: JobsOption = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Learn a topic model from labelled seeds (no SOURCES: the bundled seeds).

    SOURCES are seed folders (`title:`/`topics:` header lines, then the article), or JSONL/CSV
    records with `text`, `labels` and optional `id`, `title` and `unknown_labels`. Prints
    cross-validated precision, recall and F1 per topic and saves the model with its thresholds.

    Example: classify train ../shared/data/allsides/articles.jsonl -m allsides.npz
    """
    from classify.cli.render import print_training_report
    from classify.default_model import SEEDS_SOURCE, default_model_path, seeds_model
    from classify.inputs import iter_articles
    from classify.model_file import save_model
    from classify.outputs import refuse_overwriting
    from classify.progress import track
    from classify.training import train

    runner = build_runner(jobs, scheduler)
    target = model_path or default_model_path()
    refuse_overwriting(target, "-m", sources or [])
    options = {"seed": seed, "folds": folds, "runner": runner, "progress": track}
    if not sources:
        inform(f"Training on the {SEEDS_SOURCE}")
        model = seeds_model(**options)
    else:
        reporter = ProblemReporter()
        articles = list(track(iter_articles(sources, encoding=encoding, on_problem=reporter, require_labels=True),
                              description="Reading"))
        reporter.finish()
        inform(f"Training on {len(articles)} articles from {', '.join(sources)}")
        model = train(articles, source=", ".join(sources), **options)
    save_model(model, target)
    print_training_report(model.meta.cross_validation, model.topics)
    inform(f"Saved model to {target}")


