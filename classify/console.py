"""Console-script entry point.

The CLI is imported inside `main` so that Ctrl-C while Python is still importing it ends
with "Interrupted." and exit 130 like everywhere else, not a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the `classify` command line."""
    try:
        from classify.cli import app
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    app(prog_name="classify")
