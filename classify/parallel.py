"""Map a function over a stream in chunks: in this process, in local worker processes
(joblib/loky), or on an existing Dask cluster (joblib's Dask backend), with results in input
order and the input consumed lazily, so memory stays flat however long the stream is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from classify.errors import ClassifyError

T = TypeVar("T")
R = TypeVar("R")

CHUNK_SIZE = 256


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, pulled from `items` one chunk at a time."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ordered_map(
    func: Callable[..., list[R]],
    items: Iterable[T],
    *,
    shared: tuple[Any, ...] = (),
    jobs: int = 1,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[R]:
    """Yield `func(chunk, *shared)` results item by item, in the order of `items`.

    `shared` objects (e.g. the model) are sent to each worker process with every task locally,
    and scattered once to the cluster with Dask.
    """
    chunks = chunked(items, chunk_size)
    if jobs == 1 and scheduler is None:
        for chunk in chunks:
            yield from func(chunk, *shared)
        return
    from joblib import Parallel, delayed

    with _backend(scheduler, shared):
        runner = Parallel(n_jobs=-1 if scheduler else jobs, return_as="generator", pre_dispatch="2 * n_jobs")
        for results in runner(delayed(func)(chunk, *shared) for chunk in chunks):
            yield from results


@contextlib.contextmanager
def _backend(scheduler: str | None, shared: tuple[Any, ...]) -> Iterator[None]:
    if scheduler is None:
        yield
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ClassifyError("--scheduler needs Dask: pip install 'classify[dask]'") from None
    from joblib import parallel_config

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise ClassifyError(f"cannot reach the Dask scheduler at {scheduler} ({error}); check the address") from None
    with client, parallel_config(backend="dask", scatter=list(shared) or None):
        yield
