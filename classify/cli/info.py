"""`classify info`: what a model is, what it learned from and how well it tags."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from classify.cli.app import ReportFormat, ReportFormatOption, app, say


@app.command("info")
def info_command(
    model_arg: Annotated[
        Path | None,
        typer.Argument(metavar="MODEL", dir_okay=False, show_default=False,
                       help="Model file [default: $CLASSIFY_MODEL, else the default model built from the bundled seeds]."),
    ] = None,
    fmt: ReportFormatOption = ReportFormat.table,
) -> None:
    """Describe a model: topics, thresholds, cross-validated and cross-source figures, training data, settings.

    Reads the file only (nothing in it runs). The cross-source figures are there when the model
    was trained with --check.

    Examples:

    * `classify info allsides.npz`
    * `classify info --format json`
    """
    from classify.cli.render import print_json, print_model_info
    from classify.default_model import default_model_path, load_model_or_default
    from classify.model_info import model_info

    model = load_model_or_default(model_arg, say)
    info = model_info(model, model_arg or default_model_path())
    if fmt is ReportFormat.json:
        print_json(info, sys.stdout)
    else:
        print_model_info(info, sys.stdout)
