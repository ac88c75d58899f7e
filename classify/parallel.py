"""Map a function over a stream in chunks: in this process, in local worker processes (joblib's
loky), or on an existing Dask cluster, with results in input order and the input consumed lazily,
so memory stays flat however long the stream is.

The objects every chunk needs (`shared`, e.g. the model) travel once per worker, not once per
chunk: locally they are pickled once to a file in a private temporary folder, which each worker
process loads when it starts and keeps; on a cluster they are scattered once to every worker.
Sending a large model with each chunk cost more than tagging the chunk (docs/benchmarks.md).

Locally `jobs` counts this process too. It reads and writes, keeps each of the `jobs - 1` workers
a couple of chunks ahead, and works on chunks itself whenever they are all busy, and alone until
they have started (each loads Python, scikit-learn and the shared objects first), so
it never waits for a worker that is still starting, and a small input is done before one is up.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from classify.errors import ClassifyError, UsageError

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT = "10s"
"""How long to keep trying to reach a Dask scheduler before giving up."""
IN_FLIGHT_PER_WORKER = 2
"""Chunks queued per worker: enough to keep it busy, few enough that memory stays flat."""
MAX_AHEAD_PER_WORKER = 8
"""Chunks read ahead of the oldest one not finished yet, per worker: the bound on memory."""
SCHEDULER_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(?P<port>\d+)/?$")
DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


@dataclass(frozen=True, slots=True)
class Batching:
    """How a workload cuts its stream: `size` items per chunk, and workers only for inputs of at least
    `parallel_from` chunks, since a smaller input is done before a worker has started.

    Each workload states its own (tagging, summarizing, training): what pays off depends on how long
    one item takes there.
    """

    size: int
    parallel_from: int = 3


@dataclass(frozen=True, slots=True)
class Runner:
    """Where the work runs: this process, `jobs` local processes (this one included), or the Dask
    cluster at `scheduler`. Built once from the command line, checked there, and passed to every workload.
    """

    jobs: int = 1
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise UsageError(f"--jobs {self.jobs}: give 1 or more processes")
        if self.scheduler is not None:
            object.__setattr__(self, "scheduler", check_scheduler_address(self.scheduler))

    def map(
        self,
        func: Callable[..., list[R]],
        items: Iterable[T],
        batching: Batching,
        *,
        shared: tuple[Any, ...] = (),
        prepare: Callable[..., Any] | None = None,
    ) -> Iterator[R]:
        """Yield `func(chunk, *shared)` results item by item, in the order of `items`.

        Only a few chunks per worker are read ahead of the results. `func` must be importable by the
        workers (a module-level function, or a functools.partial of one). Each worker loads `shared`
        and runs `prepare(*shared)` (e.g. imports and caches the first chunk would otherwise pay for)
        when it starts.
        """
        chunks = chunked(items, batching.size)
        if self.scheduler is not None:
            yield from _on_dask(func, chunks, shared, self.scheduler)
            return
        if self.jobs > 1:
            head = list(islice(chunks, batching.parallel_from))
            chunks = chain(head, chunks)
            if len(head) >= batching.parallel_from:
                yield from _on_local_workers(func, chunks, shared, self.jobs - 1, prepare)
                return
        for chunk in chunks:
            yield from func(chunk, *shared)


IN_THIS_PROCESS = Runner()


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, pulled from `items` one chunk at a time."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Done:
    """A chunk finished in this process, queued behind the workers' chunks so order is kept."""

    __slots__ = ("results",)

    def __init__(self, results: list[Any]) -> None:
        self.results = results

    def done(self) -> bool:
        return True

    def result(self) -> list[Any]:
        return self.results

    def cancel(self) -> bool:
        return False


def _share_out(
    chunks: Iterator[list[Any]],
    submit: Callable[[list[Any]], Any],
    workers: int,
    result: Callable[[Any], list[R]],
    *,
    local: Callable[[list[Any]], list[R]] | None = None,
    ready: Any = None,
) -> Iterator[R]:
    """Keep each worker `IN_FLIGHT_PER_WORKER` chunks ahead; with `local`, do the other chunks here,
    and all of them until the `ready` future says the workers have started.

    Results come out in input order; at most `MAX_AHEAD_PER_WORKER` chunks per worker wait.
    """
    pending: deque[Any] = deque()
    limit, ahead = IN_FLIGHT_PER_WORKER * workers, MAX_AHEAD_PER_WORKER * max(workers, 1)
    try:
        for chunk in chunks:
            if ready is not None and ready.done():
                result(ready)  # a worker that could not start raises here
                ready = None
            if local is None or (ready is None and sum(not item.done() for item in pending) < limit):
                pending.append(submit(chunk))
            else:
                pending.append(_Done(local(chunk)))
            while pending and (pending[0].done() or len(pending) >= (ahead if local else limit)):
                yield from result(pending.popleft())
        while pending:
            yield from result(pending.popleft())
    finally:
        for item in pending:
            item.cancel()


# --- local worker processes (joblib's loky backend) -----------------------------------------------


@dataclass(frozen=True)
class SharedFile:
    """A handle to `shared` objects dumped once to a file; workers load it once and keep it."""

    path: str

    def load(self) -> tuple[Any, ...]:
        loaded = _LOADED.get(self.path)
        if loaded is None:
            with open(self.path, "rb") as stream:  # written by this run's parent, in a folder only it can write
                loaded = pickle.load(stream)
            while len(_LOADED) >= _KEEP_LOADED:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[self.path] = loaded
        return loaded


_LOADED: dict[str, tuple[Any, ...]] = {}
"""In each worker process: the shared objects of the latest runs, by file."""
_KEEP_LOADED = 2


def _start_worker(func: Callable[..., Any], handle: SharedFile, prepare: Callable[..., Any] | None) -> list[Any]:
    """Load what the chunks need (unpickling `func` imported its module) before any chunk is sent."""
    shared = handle.load()
    if prepare is not None:
        prepare(*shared)
    return []


def _call_with_shared(func: Callable[..., list[R]], chunk: list[Any], handle: SharedFile) -> list[R]:
    return func(chunk, *handle.load())


def _on_local_workers(
    func: Callable[..., list[R]], chunks: Iterator[list[Any]], shared: tuple[Any, ...], workers: int,
    prepare: Callable[..., Any] | None,
) -> Iterator[R]:
    from joblib.externals.loky import get_reusable_executor

    _remove_orphaned_folders()
    folder = tempfile.mkdtemp(prefix=f"{SHARED_PREFIX}{os.getpid()}-")  # readable and writable by this user only
    try:
        path = str(Path(folder) / "shared.pickle")
        with open(path, "wb") as stream:  # the C pickler: much faster than joblib.dump on a large vocabulary
            pickle.dump(shared, stream, protocol=pickle.HIGHEST_PROTOCOL)
        handle = SharedFile(path)
        executor = get_reusable_executor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),))
        started = [executor.submit(_start_worker, func, handle, prepare) for _ in range(workers)]
        sent = 0

        def submit(chunk: list[Any]) -> Any:
            nonlocal sent
            sent += 1
            return executor.submit(_call_with_shared, func, chunk, handle)

        finished = False
        try:
            yield from _share_out(chunks, submit, workers, _local_result, local=lambda chunk: func(chunk, *shared),
                                  ready=started[-1])
            finished = True
        finally:
            if not finished or not sent:  # stopped early, or done before the workers were up: do not wait for them
                executor.shutdown(wait=False, kill_workers=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, e.g. a container's share), at least 1.

    More local processes than that only add start-up time and memory: `--jobs 40` on 2 cores started 41.
    """
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


SHARED_PREFIX = "classify-shared-"
"""Temporary folders of shared objects are named `classify-shared-PID-XXXX` after the run that made them."""


def _remove_orphaned_folders() -> None:
    """Delete shared folders of runs that were killed (SIGKILL skips their clean-up): this user's only."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SHARED_PREFIX}*-*"):
        pid = folder.name[len(SHARED_PREFIX):].partition("-")[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid() or _alive(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent(parent: int) -> None:
    """In each worker: end when the run that started it ends, even by SIGKILL, instead of lingering.

    On Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a thread
    checks once a second whether the parent is gone. Either way a parent that already died ends it now.
    """
    import signal
    import threading

    set_death_signal = _linux_death_signal()
    if set_death_signal is not None:
        set_death_signal(signal.SIGKILL)
    else:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _linux_death_signal() -> Callable[[int], Any] | None:
    """prctl(PR_SET_PDEATHSIG, signal) from the C library, where there is one."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    set_parent_death_signal = 1  # PR_SET_PDEATHSIG in <linux/prctl.h>
    return lambda signum: prctl(set_parent_death_signal, signum, 0, 0, 0)


def _local_result(future: Any) -> Any:
    from concurrent.futures import BrokenExecutor

    try:
        return future.result()
    except BrokenExecutor as error:
        raise ClassifyError(f"a worker process died ({error}); out of memory? Try fewer --jobs") from None


# --- an existing Dask cluster ------------------------------------------------------------------------


def check_scheduler_address(address: str) -> str:
    """`address` if it looks like a Dask scheduler address, else a one-line error saying what does."""
    match = SCHEDULER_ADDRESS.match(address.strip())
    scheme = (match.group("scheme") or "tcp") if match else ""
    if match is None or scheme not in DASK_SCHEMES or not 0 < int(match.group("port")) < 65536:
        raise UsageError(f"--scheduler {address!r} is not a Dask scheduler address; give tcp://HOST:PORT "
                            "(e.g. tcp://10.0.0.5:8786, as printed by `dask scheduler`)")
    return address.strip() if match.group("scheme") else f"tcp://{address.strip()}"


def _connect(address: str) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise ClassifyError("--scheduler needs Dask: pip install 'classify[dask]'") from None
    try:
        _handshake(address)
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClassifyError(f"cannot reach the Dask scheduler at {address} ({error or 'no answer'}); check the "
                            "address, and that the scheduler is running and reachable from here") from None


def _handshake(address: str) -> None:
    """Connect and exchange Dask's greeting within `CONNECT_TIMEOUT`, or raise TimeoutError.

    distributed's own connect timeout stops at the TCP connection: a server that accepts and never
    answers (a stuck scheduler, another service on the port) left the client waiting for the greeting
    forever. So the whole handshake is tried first here, under one deadline.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from dask.utils import parse_timedelta
    from distributed.comm import connect

    seconds = parse_timedelta(CONNECT_TIMEOUT)

    async def greet() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=seconds), seconds)
        await comm.close()

    try:
        with ThreadPoolExecutor(1) as thread:  # its own event loop, even where one runs here (Jupyter, Playwright)
            thread.submit(asyncio.run, greet()).result()
    except TimeoutError:
        raise TimeoutError(f"no Dask greeting within {CONNECT_TIMEOUT}") from None


def _on_dask(func: Callable[..., list[R]], chunks: Iterator[list[Any]], shared: tuple[Any, ...], address: str) -> Iterator[R]:
    """Submit chunks to the cluster, a few per worker ahead, and yield results in input order."""
    client = _connect(address)
    with client:
        if not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError:
                raise ClassifyError(f"the Dask scheduler at {address} has no workers; start some "
                                    f"(dask worker {address}) and rerun") from None
        workers = max(sum(client.nthreads().values()), 1)
        shared_futures = client.scatter(list(shared), broadcast=True, hash=False) if shared else []
        yield from _share_out(chunks, lambda chunk: client.submit(func, chunk, *shared_futures, pure=False), workers,
                              _dask_result)


def _dask_result(future: Any) -> Any:
    try:
        return future.result()
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != "classify":
            raise
        raise ClassifyError("the Dask workers cannot import classify: install the same classify version on every "
                            "worker (pip install 'classify[dask]')") from None
