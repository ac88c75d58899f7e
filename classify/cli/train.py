"""`classify train`: learn topics from labelled articles."""

from __future__ import annotations

import dataclasses
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
    check: Annotated[
        list[str] | None,
        typer.Option("--check", metavar="DATA", show_default=False,
                     help="Labelled data from another source (any input `evaluate` takes; repeat for several): scored "
                          "beside the cross-validation and stored in the model."),
    ] = None,
    with_seeds: Annotated[
        bool | None,
        typer.Option("--with-seeds/--no-seeds", show_default=False,
                     help="Join the bundled seeds to SOURCES for the topics they share: they teach the topics' edges and "
                          "short items, which carries a model to other sources [default: with-seeds]."),
    ] = None,
    dense: Annotated[
        bool,
        typer.Option("--dense", help="Also learn from the texts' word embeddings (wordllama, bundled in its wheel; "
                                     "install it with `pip install 'classify[dense]'`) and blend them with the TF-IDF "
                                     "scores. Tagging with such a model then takes longer to start and runs slower."),
    ] = False,
) -> None:
    """Learn a topic model from labelled seeds (no SOURCES: the bundled seeds).

    SOURCES are seed folders (`title:`/`topics:` header lines, then the article), or JSONL/CSV
    records with `text`, `labels` and optional `id`, `title` and `unknown_labels`. Prints
    cross-validated precision, recall and F1 per topic and saves the model with its thresholds.
    Cross-validation only sees the training source; --check scores the model on another one, the
    figure that says how the tags hold on news the model never saw.

    Examples:

    * `classify train`
    * `classify train ../shared/data/allsides/articles.jsonl -m allsides.npz --check wikitimes.jsonl`
    * `classify train ../shared/data/allsides/articles.jsonl -m allsides-dense.npz --dense`
    """
    from classify.cli.render import print_training_report
    from classify.default_model import SEEDS_SOURCE, default_model_path, seeds_model, seeds_to_join, train_joined
    from classify.evaluation import cross_source
    from classify.inputs import iter_articles
    from classify.model_file import save_model
    from classify.outputs import refuse_overwriting
    from classify.progress import track

    runner = build_runner(jobs, scheduler)
    target = model_path or default_model_path()
    refuse_overwriting(target, "-m", sources or [])
    if dense:
        from classify.dense import embedder

        embedder()  # a missing extra is said before anything is read
    options = {"seed": seed, "folds": folds, "runner": runner, "progress": track, "dense": dense}
    reporter = ProblemReporter()
    articles = list(track(iter_articles(sources, encoding=encoding, on_problem=reporter, require_labels=True),
                          description="Reading")) if sources else None
    checked = list(track(iter_articles(check, encoding=encoding, on_problem=reporter, require_labels=True),
                         description="Reading --check")) if check else []
    reporter.finish()
    if articles is None:
        inform(f"Training on the {SEEDS_SOURCE}")
        model = seeds_model(**options)
    else:
        seeds = seeds_to_join(articles, sources or [], with_seeds)
        joined = f" and {len(seeds)} bundled seeds" if seeds else " (the bundled seeds share none of its topics)"
        inform(f"Training on {len(articles)} articles from {', '.join(sources or [])}{joined if seeds or with_seeds else ''}")
        model = train_joined(articles, seeds, ", ".join(sources or []), **options)
    if check:
        model.meta = dataclasses.replace(model.meta, cross_source=cross_source(model, checked, ", ".join(check)))
    save_model(model, target)
    print_training_report(model.meta.cross_validation, model.topics, model.meta.cross_source)
    inform(f"Saved model to {target}")


