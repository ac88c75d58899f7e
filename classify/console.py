"""Console-script entry point.

The CLI is imported inside `main` so that Ctrl-C while Python is still importing it ends
with "Interrupted." and exit 130 like everywhere else, not a traceback.

At exit the garbage collector is frozen first: the interpreter's last full collection walks every
object scikit-learn, sumy and a model created, only for the memory to go back to the system anyway
(a noticeable share of a one-article run; docs/benchmarks.md has the figures from bench/cold_start.py). Objects
are still released and atexit handlers still run; only that final cycle search is skipped.
"""

from __future__ import annotations

import atexit
import gc
import sys
import threading

INTERRUPTED = "Interrupted."
_INTERRUPT_SHOWN = threading.Event()


def say_interrupted() -> None:
    """The one message for Ctrl-C (exit 130), shown once per run: the interrupt passes through several
    layers (the command, the parser, the program, the import), and each may be the first to see it."""
    if not _INTERRUPT_SHOWN.is_set():
        _INTERRUPT_SHOWN.set()
        print(INTERRUPTED, file=sys.stderr, flush=True)


def interrupt_handled() -> None:
    """A run has ended: the next one (tests run many in one process) may say it was interrupted again."""
    _INTERRUPT_SHOWN.clear()


def main() -> None:
    """Run the `classify` command line."""
    atexit.register(gc.freeze)
    try:
        from classify.cli import app
    except KeyboardInterrupt:
        say_interrupted()
        raise SystemExit(130) from None
    app(prog_name="classify")
