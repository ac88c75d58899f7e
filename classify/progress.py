"""Progress bars on stderr that stay out of pipes and logs."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

QUIET = False


def enabled() -> bool:
    """Bars only on an interactive stderr, and never with `--quiet`."""
    return not QUIET and sys.stderr.isatty()


def track(items: Iterable[T], *, description: str, total: int | None = None) -> Iterator[T]:
    """Yield `items` while drawing a bar with count and rate on stderr when it helps."""
    if not enabled():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total, rate="")
        for item in items:
            yield item
            speed = progress.tasks[0].speed
            progress.update(task, advance=1, rate=f"{speed:,.0f}/s" if speed else "")
