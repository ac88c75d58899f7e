"""Shared helpers for the benchmarks in bench/: running commands, timing them, the shared data, trained models.

Machines are shared and noisy, so every figure is a ratio against a baseline measured in the same
run: cases are run interleaved (A B A B ..., order rotated each round) and compared by median.
Each run is a subprocess; its wall time, CPU time and peak RSS come from `os.wait4`, so they are
that process's own (with the worker processes it started and reaped).

Data comes from ../shared (never copied into the repo); generated files and trained models go to
a work folder (default: $TMPDIR/classify-bench), reused between runs when their inputs are unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = next((folder / "shared" for folder in REPO.parents if (folder / "shared" / "data").is_dir()), REPO.parent / "shared")
"""`../shared` beside the checkout (or beside a folder of git worktrees that holds it)."""
ALLSIDES = SHARED / "data/allsides/articles.jsonl"
SEED_ARTICLE = SHARED / "seeds/000_2ffa289d12d69e05.txt"
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).parent / "classify"
CLASSIFY = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "classify"]
"""How a user runs it: the console script of this environment."""


def parser(description: str) -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(description=description)
    arguments.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "classify-bench",
                           help="where generated data and models go (reused between runs)")
    return arguments


def workdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- running and timing ---------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys of the process itself
    max_rss_kb: int
    returncode: int


def run(argv: Sequence[str], *, env: dict[str, str] | None = None, stdout: Path | None = None, check: bool = True) -> Run:
    """Run one command; wall time, CPU time and peak RSS of that process."""
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.PIPE, env=env)
        stderr = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    if check and process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(argv)}\n{stderr.decode(errors='replace')[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode)


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.max_rss_kb for r in self.runs) / 1024

    @property
    def spread(self) -> str:
        walls = sorted(r.wall for r in self.runs)
        return f"{walls[0]:.2f}-{walls[-1]:.2f}"


def interleaved(cases: dict[str, Callable[[], Run]], repeats: int, *, warmup: bool = True) -> dict[str, Series]:
    """Run every case `repeats` times, interleaved, rotating the order each round."""
    names = list(cases)
    if warmup:  # page cache, .pyc files
        for name in names:
            cases[name]()
    results = {name: Series() for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].runs.append(cases[name]())
        print(f"  round {round_ + 1}/{repeats}: " + ", ".join(f"{n} {results[n].runs[-1].wall:.2f}s" for n in names),
              file=sys.stderr, flush=True)
    return results


def command(argv: Sequence[str], **kwargs: object) -> Callable[[], Run]:
    return lambda: run(argv, **kwargs)  # type: ignore[arg-type]


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def verdict(value: float, target: float, *, at_most: bool = True) -> str:
    ok = value <= target if at_most else value >= target
    return f"{'PASS' if ok else 'MISS'} (target {'≤' if at_most else '≥'} {target}×)"


def machine_note() -> str:
    """Load average and CPU count: the context a ratio needs on a shared machine."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) at the end of the run"


# --- data ---------------------------------------------------------------------------------------------


def allsides_records() -> Iterator[dict]:
    with ALLSIDES.open(encoding="utf-8") as stream:
        for line in stream:
            yield json.loads(line)


def allsides_sample(work: Path, count: int) -> Path:
    """The first `count` allsides records as a JSONL file in `work` (written once, then reused)."""
    path = work / f"allsides-first-{count}.jsonl"
    if not path.exists():
        write_jsonl(path, islice(allsides_records(), count))
    return path


def write_jsonl(path: Path, records: Iterator[dict]) -> int:
    """Write records atomically; returns how many."""
    count = 0
    partial = path.with_suffix(path.suffix + ".part")
    with partial.open("w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    partial.replace(path)
    return count


def fingerprint(*parts: object) -> str:
    """A short hash of what a cached file was made from (the code that made it included)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            stat = part.stat()
            digest.update(f"{part}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()[:12]


def trained_model(work: Path, name: str, sources: Sequence[str | Path] = (), options: Sequence[str] = ()) -> Path:
    """A model trained by `classify train` on `sources` (none: the bundled seeds) with `options`, cached in `work`.

    The seeds are in the cache key either way: `classify train SOURCES` joins them unless told not to.
    """
    code = [REPO / "classify" / name for name in ("training.py", "dense.py")]
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    key = fingerprint(*code, *(Path(s) for s in sources), *seeds, *options)
    path = work / f"{name}-{key}.npz"
    if not path.exists():
        print(f"training {path.name} with classify train (cached for later runs)", file=sys.stderr, flush=True)
        run([*CLASSIFY, "--quiet", "train", *map(str, sources), *options, "-m", str(path)])
    return path
