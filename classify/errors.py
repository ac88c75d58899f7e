"""The one exception family of `classify`.

Library code raises these; the CLI turns each into one line on stderr and an exit code
(see `classify.cli.app.ClassifyGroup`), so no command needs its own try/except.
"""

from __future__ import annotations

import re

# what str.splitlines() breaks on, and other control characters (terminal escapes among them)
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
SURROGATES = re.compile("[\ud800-\udfff]")


def _escaped(character: str) -> str:
    """A byte that was not UTF-8 in a file name (Python keeps it as U+DC80-U+DCFF) reads as `\\xNN`."""
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return repr(character)[1:-1] if code < 0xD800 or code > 0xDFFF else "\ufffd"


def one_line(text: str) -> str:
    """`text` with line breaks and control characters escaped, so a message stays one safe line.

    Messages quote file names, column names, ids and values from the input, which may hold anything.
    """
    return _CONTROL.sub(lambda match: _escaped(match.group()), text)


def writable(text: str) -> str:
    """`text` that can always be written as UTF-8: undecodable file-name bytes become `\\xNN`.

    A file name that is not UTF-8 becomes an article id holding lone surrogates, which would put
    raw bytes in JSON on stdout or fail to encode in an `-o` file.
    """
    return SURROGATES.sub(lambda match: _escaped(match.group()), text) if SURROGATES.search(text) else text


class ClassifyError(Exception):
    """A problem the user can fix: the message says what, where, and what to do."""

    exit_code = 1

    def __str__(self) -> str:
        return one_line(super().__str__())


class InputError(ClassifyError):
    """An input file, folder or record cannot be read as articles."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class InputNote(InputError):
    """Not an error: something a reader did that people should check (a line read in another encoding).

    It travels the same way as problems (`on_problem`), but the record is kept and the run still succeeds.
    """


class ModelError(ClassifyError):
    """A model file is missing, damaged, untrusted or from an incompatible version."""


class MissingExtraError(ClassifyError):
    """An optional part of classify is needed (e.g. the dense view) but its package is not installed."""


class DataError(ClassifyError):
    """The data cannot train or evaluate a model (e.g. a topic with no positive example)."""


class BadRecordsError(ClassifyError):
    """Some inputs (files, lines, rows) were reported and skipped; raised at the end of a run so it exits 1."""

    def __init__(self, count: int) -> None:
        self.count = count
        noun, pronoun = ("input", "it") if count == 1 else ("inputs", "them")
        super().__init__(f"{count} bad {noun} skipped (reported above); fix or remove {pronoun} and rerun")


class OutputClosedError(ClassifyError):
    """Standard output was closed before the run (`>&-`), so data has nowhere to go."""


class UsageError(ClassifyError):
    """Options that cannot go together, or a value the parser could not check."""

    exit_code = 2
