"""Console-script entry point.

The CLI is imported inside `main` so that Ctrl-C while Python is still importing it ends
with "Interrupted." and exit 130 like everywhere else, not a traceback.

At exit the garbage collector is frozen first: the interpreter's last full collection walks every
object scikit-learn, sumy and a model created, only for the memory to go back to the system anyway
(0.1-0.2 s of a one-article `tag`, 40 ms of a one-article `summarize`; bench/cold_start.py). Objects
are still released and atexit handlers still run; only that final cycle search is skipped.
"""

from __future__ import annotations

import atexit
import gc
import sys


def main() -> None:
    """Run the `classify` command line."""
    atexit.register(gc.freeze)
    try:
        from classify.cli import app
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    app(prog_name="classify")
