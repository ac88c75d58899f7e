"""The Typer app, the options commands share, and the one place errors become exit codes."""

from __future__ import annotations

import copy
import os
import signal
import sys
import threading
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from classify import __version__, progress
from classify.console import interrupt_handled, say_interrupted
from classify.errors import BadRecordsError, ClassifyError, InputError, InputNote, UsageError, one_line
from classify.summarize import DEFAULT_METHOD, METHODS

if TYPE_CHECKING:
    from classify.parallel import Runner

DEBUG = False


PARSER_EXCEPTIONS = (typer.TyperException, typer.Exit, typer.Abort)
"""The parser's own signals (usage errors, --help, exits): Typer shows those itself."""
GLOBAL_FLAGS = frozenset({"--quiet", "-q", "--debug"})


def globals_first(args: Sequence[str]) -> list[str]:
    """The command line with --quiet/-q/--debug moved before the command, so they work wherever people
    type them (`classify tag x --quiet`); nothing after `--` is touched."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    flags = [arg for arg in args[:end] if arg in GLOBAL_FLAGS]
    return flags + [arg for arg in args[:end] if arg not in GLOBAL_FLAGS] + args[end:]


class ClassifyGroup(TyperGroup):
    """Runs a command and maps what it raises to one stderr line and an exit code.

    This is the only place an exception becomes a message: `ClassifyError`s print their
    message, file-system errors their path and reason, Ctrl-C "Interrupted." (exit 130), a
    closed pipe nothing, and anything else a short line with a hint to rerun with --debug.
    """

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PARSER_EXCEPTIONS:
            raise
        except ClassifyError as error:
            say(f"Error: {error}")
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            say_interrupted()
            raise typer.Exit(130) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(0) from None
        except Exception as error:
            if DEBUG:
                raise
            say(f"Error: {describe(error)}")
            raise typer.Exit(1) from None

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _tidy_help(command.get_params(ctx))
        return command

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        _tidy_help(self.get_params(ctx))
        super().format_help(ctx, formatter)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        try:
            return super().main(globals_first(sys.argv[1:] if args is None else args), *rest, **kwargs)
        except SystemExit as exit_:
            if exit_.code == 130:
                say_interrupted()  # Ctrl-C while Typer was still parsing the command line
            raise
        finally:
            interrupt_handled()
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _silence_stdout()
            except (OSError, ValueError):
                pass


def _tidy_help(params: Sequence[Any]) -> None:
    """Give each parameter a type column people read: nothing for flags (Typer shows `<bool>`) and for
    the inputs (`<list[str]>`), `<int>` for `<int range>` (the range is shown beside it), `<text>` for
    `<str>`, and a repeatable option's choices without `list[...]`."""
    for param in params:
        base = type(param)
        if not getattr(base, "_tidy", False):
            param.__class__ = _TIDY.setdefault(base, type(f"Tidy{base.__name__}", (base,), {
                "_tidy": True, "display_type_rich": _tidy_type(base)}))


_TIDY: dict[type, type] = {}


def _tidy_type(base: type) -> Any:
    def display_type_rich(self: Any, ctx: typer.Context) -> str | None:
        label = base.display_type_rich(self, ctx)
        if label is None or getattr(self, "is_flag", False) or label in ("<bool>", "<list[str]>"):
            return None
        label = label.replace("<list[", "<").replace("]>", ">")
        return {"<int range>": "<int>", "<float range>": "<float>", "<str>": "<text>"}.get(label, label)

    return display_type_rich


def describe(error: BaseException) -> str:
    """One line for an exception no command expected (file-system errors are expected)."""
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return one_line(f"{where}{error.strerror}; check the path, its permissions and the free space")
    if isinstance(error, MemoryError):
        return "out of memory; pass fewer or smaller articles at a time"
    return one_line(f"unexpected {type(error).__name__}: {error}. Rerun with --debug for the traceback, and report it.")


def _silence_stdout() -> None:
    """Stdout's reader has gone (`| head`): drop the rest quietly, including at interpreter exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


GLOBAL_PANEL = "Global options (also after the command)"


class ClassifyCommand(TyperCommand):
    """A command whose --help also lists the global options that work after it (`globals_first`).

    They are the group's own option objects, copied into a panel of their own for the help page
    only: the command never parses them (they are moved before it), so it does not define them.
    """

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        own = self.params
        self.params = [*own, *_global_options(ctx)]
        try:
            super().format_help(ctx, formatter)
        finally:
            self.params = own


def _global_options(ctx: typer.Context) -> list[Any]:
    group = ctx.parent
    if group is None:
        return []
    shown = [copy.copy(param) for param in group.command.get_params(group) if GLOBAL_FLAGS & set(param.opts)]
    for param in shown:
        param.rich_help_panel = GLOBAL_PANEL
    _tidy_help(shown)
    return shown


class ClassifyTyper(typer.Typer):
    """The app as a program: Ctrl-C at any moment is exit 130, and SIGTERM cleans up like it.

    Its commands are `ClassifyCommand`s, so each one's --help shows the global options too.
    """

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or ClassifyCommand, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminated)
        _hold_closed_standard_streams()
        try:
            return super().__call__(*args, **kwargs)
        except KeyboardInterrupt:
            say_interrupted()
            sys.exit(130)
        except ClassifyError as error:  # raised while the command line was parsed (e.g. --version >&-)
            say(f"Error: {error}")
            sys.exit(error.exit_code)


def _hold_closed_standard_streams() -> None:
    """Started with stdout or stderr closed (`>&-`): put /dev/null on that descriptor.

    Otherwise the next file opened (a model, an input) would get descriptor 1 or 2 and receive
    whatever is printed, and workers would inherit it. Data for a closed stdout is an error
    (`ClosedOutput`); messages for a closed stderr are dropped.
    """
    from classify.outputs import ClosedOutput

    for descriptor, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != descriptor:
            os.dup2(devnull, descriptor)
            os.close(devnull)
        setattr(sys, name, ClosedOutput() if name == "stdout" else open(os.devnull, "w"))  # noqa: SIM115 - until exit


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM: unwind (temporary files are removed, outputs left as they were) and exit 143."""
    say("Terminated.")
    raise SystemExit(128 + signum)


app = ClassifyTyper(
    cls=ClassifyGroup,
    name="classify",
    help="Tag news articles with topics and write extractive summaries, offline.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def say(message: str) -> None:
    """A message for people: always stderr, so stdout carries data only; one line, control characters escaped."""
    print(one_line(message), file=sys.stderr, flush=True)


def inform(message: str) -> None:
    """A progress or status message, silenced by --quiet."""
    if not progress.QUIET:
        say(message)


class ProblemReporter:
    """Reports each bad record on stderr as it is met, and fails the run once at the end.

    After `MAX_SHOWN` problems in one file (a file in the wrong format), the rest of that
    file's problems are counted but not shown, so stderr stays readable.
    """

    MAX_SHOWN = 100

    def __init__(self) -> None:
        self.count = 0
        self.per_source: dict[tuple[str | None, bool], int] = {}

    def __call__(self, problem: InputError) -> None:
        note = isinstance(problem, InputNote)  # a warning: the record was kept
        self.count += not note
        key = (problem.source, note)
        seen = self.per_source[key] = self.per_source.get(key, 0) + 1
        kind, things = ("Warning", "notes") if note else ("Error", "problems")
        if seen <= self.MAX_SHOWN:
            say(f"{kind}: {problem}")
        if seen == self.MAX_SHOWN:
            say(f"{kind}: {problem.source}: {self.MAX_SHOWN} {things} so far; further ones in this file are counted "
                "but not shown (is it in the right format?)")

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
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Print the version.")
    ] = False,
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


def _check_encoding(value: str | None) -> str | None:
    """Refuse an unknown `--encoding` before any work starts (exit 2)."""
    if value is not None:
        from classify.encodings import check_encoding

        try:
            check_encoding(value)
        except InputError as error:
            raise typer.BadParameter(str(error)) from None
    return value


EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", "-e", callback=_check_encoding,
                 help="Force the input encoding, e.g. cp1252 (default: UTF-8, else detected)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write to this file (atomically) instead of stdout.")
]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes to use on this machine, this one included.")]


class ReportFormat(StrEnum):
    """How `evaluate` and `info` print their report: a table for people, or JSON for machines."""

    table = "table"
    json = "json"


# From the registry (importing it loads no method's libraries), the default first as --help lists it.
METHOD_NAMES = (DEFAULT_METHOD, *(name for name in METHODS if name != DEFAULT_METHOD))
Method = StrEnum("Method", {name: name for name in METHOD_NAMES})  # type: ignore[misc]
DEFAULT = Method(DEFAULT_METHOD)
MethodOption = Annotated[
    Method, typer.Option("--method", case_sensitive=False, help="Summary method (see docs/summarization.md).")
]
ReportFormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", case_sensitive=False, help="Report format.")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (needs classify[dask]).",
                 show_default=False),
]


def build_runner(jobs: int, scheduler: str | None) -> Runner:
    """Where the command's work runs, checked before anything is read or loaded (a bad address is exit 2)."""
    from classify.parallel import Runner, available_cpus

    cpus = available_cpus()
    if scheduler is None and jobs > cpus:
        say(f"Warning: --jobs {jobs} is more than the {cpus} CPUs this run may use; using {cpus}")
        jobs = cpus
    return Runner(jobs=jobs, scheduler=scheduler)


def require_inputs(inputs: list[str] | None) -> list[str]:
    """The inputs given, or stdin when it is piped; a bare command never hangs on a terminal."""
    if inputs:
        return inputs
    if not sys.stdin.isatty():
        return ["-"]
    raise UsageError("no input: pass files, folders or record files, or pipe text in and pass -")
