"""The Typer app, the options commands share, and the one place errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from classify import __version__, progress
from classify.errors import BadRecordsError, ClassifyError, InputError, UsageError

DEBUG = False


class ClassifyGroup(TyperGroup):
    """Runs a command and maps what it raises to one stderr line and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # the parser's own usage errors (exit 2) and exits
        except ClassifyError as error:
            say(f"Error: {error}")
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            say("Interrupted.")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stdout = open(_devnull(), "w")  # noqa: SIM115 - keep interpreter shutdown from failing on the pipe
            raise typer.Exit(0) from None
        except Exception as error:
            if DEBUG:
                raise
            say(f"Error: unexpected {type(error).__name__}: {error}. Rerun with --debug for the traceback, and report it.")
            raise typer.Exit(1) from None


def _devnull() -> str:
    import os

    return os.devnull


app = typer.Typer(
    cls=ClassifyGroup,
    name="classify",
    help="Tag news articles with topics and write extractive summaries, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def say(message: str) -> None:
    """A message for people: always stderr, so stdout carries data only."""
    print(message, file=sys.stderr, flush=True)


def inform(message: str) -> None:
    """A progress or status message, silenced by --quiet."""
    if not progress.QUIET:
        say(message)


class ProblemReporter:
    """Reports each bad record on stderr as it is met, and fails the run once at the end."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, problem: InputError) -> None:
        self.count += 1
        say(f"Error: {problem}")

    def finish(self) -> None:
        if self.count:
            raise BadRecordsError(self.count)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"classify {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or status messages.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """Tag news articles with topics and write extractive summaries, offline.

    Every command reads files, folders, JSONL/CSV records or `-` (stdin); data goes to stdout,
    messages to stderr. Exit codes: 0 success, 1 bad input or data, 2 usage error, 130 interrupted.
    """
    global DEBUG
    DEBUG = debug
    progress.QUIET = quiet


Inputs = Annotated[
    list[str] | None,
    typer.Argument(help="Files, folders, JSONL/CSV record files, or - for stdin.", show_default=False),
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model", "-m", dir_okay=False, show_default=False,
        help="Model file [default: $CLASSIFY_MODEL, else the default model built from the bundled seeds].",
    ),
]
EncodingOption = Annotated[
    str | None, typer.Option("--encoding", "-e", help="Force the input encoding (default: UTF-8, else detected).")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write to this file (atomically) instead of stdout.")
]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes on this machine.")]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (needs classify[dask]).",
                 show_default=False),
]


def require_inputs(inputs: list[str] | None) -> list[str]:
    """The inputs given, or stdin when it is piped; a bare command never hangs on a terminal."""
    if inputs:
        return inputs
    if not sys.stdin.isatty():
        return ["-"]
    raise UsageError("no input: pass files, folders or record files, or pipe text in and pass -")
