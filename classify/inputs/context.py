"""What every reader is handed: where the bytes come from and how to treat them.

One object instead of five parameters, so adding a reader or a reading option touches one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from classify.errors import InputError, InputNote

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
"""The most one article (a text file, a JSONL line, a CSV row) may hold, so memory stays bounded."""

ProblemHandler = Callable[[InputError], None]


def raise_problem(problem: InputError) -> None:
    """Default problem handler: stop at the first bad record (notes are not problems)."""
    if not isinstance(problem, InputNote):
        raise problem


@dataclass(frozen=True, slots=True)
class ReadContext:
    """The source being read and the caller's choices.

    `on_problem` receives each bad line or record, which the reader then skips; `encoding` is the
    user's `--encoding` (None: detect); `require_labels` (training, evaluation) makes an article
    without topics a bad record; `article_id` names a single-document source (`-` for stdin).
    """

    source: str
    on_problem: ProblemHandler = raise_problem
    encoding: str | None = None
    require_labels: bool = False
    max_bytes: int = MAX_ARTICLE_BYTES
    article_id: str | None = None

    def problem(self, message: str, line: int | None = None) -> InputError:
        """An error about this source (and line), to raise or report."""
        return InputError(message, source=self.source, line=line)

    def report(self, message: str, line: int | None = None) -> None:
        """Pass a problem on and carry on reading."""
        self.on_problem(self.problem(message, line))

    def note(self, message: str, line: int | None = None) -> None:
        """Tell people about something done to make a record readable; the record is kept."""
        self.on_problem(InputNote(message, source=self.source, line=line))

    def document_id(self) -> str:
        """The id of an article that is the whole source."""
        return self.source if self.article_id is None else self.article_id

    def replace(self, **changes: object) -> ReadContext:
        """The same context for another source or problem handler."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def limit_mb(self) -> int:
        """The article limit as people read it, for messages."""
        return self.max_bytes // 2**20
