"""The registry of readers: which function reads a file, chosen by its suffix.

A new format is one module with one function decorated with `@reader(".suffix")`, imported in
`classify/inputs/__init__.py`. A reader takes the open binary stream and the `ReadContext`, yields
`Article`s, reports bad records through `context.report` (then skips them) and raises an
`InputError` when nothing in the file can be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from classify.articles import Article
from classify.inputs.context import ReadContext

Reader = Callable[[IO[bytes], ReadContext], Iterator[Article]]


@dataclass(frozen=True, slots=True)
class Format:
    """A registered reader. `records`: the file holds many articles, so an empty one is worth a message."""

    read: Reader
    records: bool


_FORMATS: dict[str, Format] = {}
_FALLBACK: list[Format] = []


def reader(*suffixes: str, records: bool = False, fallback: bool = False) -> Callable[[Reader], Reader]:
    """Register the decorated function for `suffixes` (lower case, with the dot).

    `fallback`: it also reads files named on the command line whose suffix no reader claims;
    folders only yield files with a registered suffix.
    """

    def register(read: Reader) -> Reader:
        entry = Format(read, records)
        for suffix in suffixes:
            _FORMATS[suffix] = entry
        if fallback:
            _FALLBACK[:] = [entry]
        return read

    return register


def format_for(suffix: str) -> Format:
    """The reader for a file named on the command line."""
    return _FORMATS.get(suffix.lower()) or _FALLBACK[0]


def known_suffixes() -> list[str]:
    """Every registered suffix, sorted: what folders yield, and what the web page takes."""
    return sorted(_FORMATS)


def known_suffix(suffix: str) -> bool:
    """Whether a file met while walking a folder is one of ours."""
    return suffix.lower() in _FORMATS
