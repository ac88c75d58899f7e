"""The `classify` command line: thin commands over the library functions."""

from classify.cli import digest, evaluate, info, serve, summarize, tag, train  # noqa: F401  (registers the commands)
from classify.cli.app import app

__all__ = ["app"]
