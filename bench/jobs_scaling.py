"""Parallel speed-up: `classify tag`, `summarize` and `train` with --jobs 1 and --jobs 2, and on Dask.

    .venv/bin/python bench/jobs_scaling.py [--copies 10] [--summaries 6599] [--repeats 3] [--train-repeats 3] [--dask]

Tag: the allsides corpus repeated `--copies` times (66,000 articles; 3 gives 20,000) as JSONL, with the
allsides model, output to a file. Summarize: the first `--summaries` allsides articles, default method,
JSONL out. Train: `classify train` on the 6,599 allsides articles (5 folds).
Each is run with --jobs 1 and --jobs 2, interleaved; the figure is median(jobs 1) / median(jobs 2),
target ≥ 1.7× on a 2-core machine. The outputs of both must be identical.

On a shared machine other people's work takes CPU too, so the same run measures the machine's own
ceiling: a pure-Python busy loop split over 2 processes against 1 process. When that is well under
2×, the second core was busy with someone else's work and the speed-ups are capped by it. For
training it also times the part 2 jobs cannot share (start-up, reading, counting every text's terms
once) and gives the speed-up Amdahl's law allows with it.

--dask also tags the same file on a local Dask cluster (2 worker processes, 1 thread each) through
--scheduler, and compares the two ways of driving it: classify's (Client.submit, model scattered
once) and joblib's Dask backend (`parallel_config(backend="dask", scatter=[model])`), in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import chain, islice
from pathlib import Path

from _harness import (
    ALLSIDES,
    CLASSIFY,
    PYTHON,
    Run,
    allsides_records,
    command,
    interleaved,
    machine_note,
    parser,
    table,
    trained_model,
    verdict,
    workdir,
    write_jsonl,
)

TARGET = 1.7
BURN = "import sys; n = int(sys.argv[1]); sum(i * i for i in range(n))"
BURN_PAIR = ("import subprocess, sys; ps = [subprocess.Popen([sys.executable, '-c', sys.argv[1], sys.argv[2]]) "
             "for _ in range(2)]; [p.wait() for p in ps]")
BURN_UNITS = 40_000_000


def ceiling(repeats: int) -> float:
    """How much faster 2 processes finish a fixed pure-Python job than 1, on this machine right now."""
    cases = {
        "1 process": command([PYTHON, "-c", BURN, str(BURN_UNITS)]),
        "2 processes": command([PYTHON, "-c", BURN_PAIR, BURN, str(BURN_UNITS // 2)]),
    }
    results = interleaved(cases, repeats, warmup=False)
    return results["1 process"].wall / results["2 processes"].wall


COUNT_ONLY = """\
import sys
from classify import training
from classify.inputs import iter_articles
training.count_terms(training.with_leads(list(iter_articles([sys.argv[1]]))), 2)
"""


def serial_share(repeats: int, train_seconds: float) -> float:
    """The share of `classify train --jobs 1` spent where 2 jobs cannot help: starting, reading the corpus and
    counting its terms once (one process, `repeats` runs, median)."""
    results = interleaved({"count": command([PYTHON, "-c", COUNT_ONLY, str(ALLSIDES)])}, repeats, warmup=False)
    return results["count"].wall / train_seconds


def compare(
    name: str, cases: dict[str, Callable[[], Run]], repeats: int, outputs: tuple[Path, Path],
    same: Callable[[Path, Path], bool],
) -> list[str]:
    results = interleaved(cases, repeats, warmup=False)
    one, two = results["jobs 1"], results["jobs 2"]
    speedup = one.wall / two.wall
    identical = "yes" if same(*outputs) else "NO"
    return [name, f"{one.wall:.2f}", f"{two.wall:.2f}", f"{one.spread} / {two.spread}", f"{speedup:.2f}×",
            verdict(speedup, TARGET, at_most=False), identical, f"{one.cpu:.1f} / {two.cpu:.1f}",
            f"{2 * one.cpu / two.cpu:.2f}×"]


def same_file(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


def same_model(a: Path, b: Path) -> bool:
    import json

    import numpy as np

    with np.load(a) as x, np.load(b) as y:
        arrays = all(np.array_equal(x[k], y[k]) for k in x.files if k != "meta")
        meta_x, meta_y = (json.loads(z["meta"].tobytes()) for z in (x, y))
    return arrays and meta_x["cross_validation"] == meta_y["cross_validation"]


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--copies", type=int, default=10, help="allsides repeated this many times for tagging; 0 skips")
    arguments.add_argument("--summaries", type=int, default=6599, help="allsides articles to summarize; 0 skips")
    arguments.add_argument("--repeats", type=int, default=3)
    arguments.add_argument("--train-repeats", type=int, default=3, help="0 skips training")
    arguments.add_argument("--dask", action="store_true", help="also tag on a local Dask cluster")
    options = arguments.parse_args()
    work = workdir(options.workdir)
    print("# Machine ceiling: a busy loop on 2 processes vs 1")
    machine = ceiling(options.repeats)
    print(f"2 processes finish {machine:.2f}× faster than 1 (2.0× when both cores are free)\n")

    rows = []
    if options.copies:
        model = trained_model(work, "allsides", [ALLSIDES])
        batch = work / f"allsides-x{options.copies}.jsonl"
        if not batch.exists():
            write_jsonl(batch, chain.from_iterable(allsides_records() for _ in range(options.copies)))
        count = sum(1 for _ in batch.open(encoding="utf-8"))

        def tag(jobs: int) -> Callable[[], Run]:
            return command([*CLASSIFY, "tag", str(batch), "-m", str(model), "--format", "jsonl",
                            "-o", str(work / f"jobs{jobs}.jsonl"), "--jobs", str(jobs)])

        print(f"# Tagging {count:,} articles, {options.repeats} interleaved runs each")
        rows.append(compare(f"tag {count:,}", {"jobs 1": tag(1), "jobs 2": tag(2)}, options.repeats,
                            (work / "jobs1.jsonl", work / "jobs2.jsonl"), same_file))
    if options.summaries:
        articles = work / f"allsides-first-{options.summaries}.jsonl"
        if not articles.exists():
            write_jsonl(articles, islice(allsides_records(), options.summaries))
        summaries = sum(1 for _ in articles.open(encoding="utf-8"))

        def summarize(jobs: int) -> Callable[[], Run]:
            return command([*CLASSIFY, "--quiet", "summarize", str(articles), "--format", "jsonl",
                            "-o", str(work / f"summaries-jobs{jobs}.jsonl"), "--jobs", str(jobs)])

        print(f"# Summarizing {summaries:,} articles, {options.repeats} interleaved runs each")
        rows.append(compare(f"summarize {summaries:,}", {"jobs 1": summarize(1), "jobs 2": summarize(2)}, options.repeats,
                            (work / "summaries-jobs1.jsonl", work / "summaries-jobs2.jsonl"), same_file))
    if options.train_repeats:
        def train(jobs: int) -> Callable[[], Run]:
            return command([*CLASSIFY, "--quiet", "train", str(ALLSIDES), "-m", str(work / f"train-jobs{jobs}.npz"),
                            "--jobs", str(jobs)])

        print(f"# Training on allsides, {options.train_repeats} interleaved runs each")
        rows.append(compare("train 6,599", {"jobs 1": train(1), "jobs 2": train(2)}, options.train_repeats,
                            (work / "train-jobs1.npz", work / "train-jobs2.npz"), same_model))
    print(table(rows, ["work", "jobs 1 s", "jobs 2 s", "ranges s", "speed-up", "", "identical output",
                       "CPU s (all processes)", "bound on 2 free cores"]))
    print("bound on 2 free cores = 2 × CPU(jobs 1) / CPU(jobs 2): the speed-up if the work, worker start-up and\n"
          "hand-over included, were split evenly over two otherwise idle cores")
    print(f"machine ceiling in this run: {machine:.2f}×; speed-up as a share of it: "
          + ", ".join(f"{row[0]} {float(row[4].rstrip('×')) / machine:.0%}" for row in rows))
    if options.train_repeats:
        one = float(rows[-1][1])
        serial = serial_share(options.train_repeats, one)
        bound = 1 / (serial + (1 - serial) / machine)
        print(f"\n# Training: starting, reading and counting terms (one pass, serial) take {serial:.0%} of --jobs 1; "
              f"with the rest sped up by the machine ceiling, 2 jobs can reach at most {bound:.2f}× (Amdahl)")
    if options.dask and options.copies:
        print()
        dask_section(batch, model, work, count, options.repeats)
    print(machine_note())


def dask_section(batch: Path, model: Path, work: Path, count: int, repeats: int) -> None:
    from distributed import LocalCluster

    from classify.inputs import iter_articles
    from classify.model_file import load_model
    from classify.parallel import Runner
    from classify.tagging import tag, tag_batch

    print(f"# Dask: local cluster, 2 worker processes × 1 thread, {count:,} articles, {repeats} interleaved runs")
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster:
        address = cluster.scheduler_address
        cases = {
            "jobs 1": command([*CLASSIFY, "tag", str(batch), "-m", str(model), "-f", "jsonl", "-o", str(work / "d1.jsonl")]),
            "jobs 2": command([*CLASSIFY, "tag", str(batch), "-m", str(model), "-f", "jsonl", "-o", str(work / "d2.jsonl"),
                               "--jobs", "2"]),
            "--scheduler": command([*CLASSIFY, "tag", str(batch), "-m", str(model), "-f", "jsonl",
                                    "-o", str(work / "dask.jsonl"), "--scheduler", address]),
        }
        results = interleaved(cases, repeats)
        base = results["jobs 1"].wall
        rows = [[name, f"{s.wall:.2f}", s.spread, f"{base / s.wall:.2f}×"] for name, s in results.items()]
        print(table(rows, ["classify tag", "median s", "range s", "speed-up vs jobs 1"]))
        identical = "yes" if same_file(work / "d1.jsonl", work / "dask.jsonl") else "NO"
        print(f"--scheduler output identical to the local run: {identical}")

        loaded = load_model(model)

        def native() -> Run:
            start = time.perf_counter()
            for _ in tag(iter_articles([str(batch)]), loaded, runner=Runner(scheduler=address), reasons=False):
                pass
            return Run(time.perf_counter() - start, 0.0, 0, 0)

        def joblib_dask() -> Run:
            from dask.distributed import Client
            from joblib import Parallel, delayed, parallel_config

            from classify.parallel import chunked

            start = time.perf_counter()
            with Client(address) as _, parallel_config(backend="dask", scatter=[loaded]):
                runner = Parallel(n_jobs=-1, return_as="generator", pre_dispatch="2 * n_jobs")
                for results_ in runner(delayed(tag_batch)(chunk, loaded, reasons=False)
                                       for chunk in chunked(iter_articles([str(batch)]), 256)):
                    for _ in results_:
                        pass
            return Run(time.perf_counter() - start, 0.0, 0, 0)

        print("\n# Driving the cluster, in-process (model loaded once, not timed)")
        results = interleaved({"Client.submit (classify)": native, "joblib dask backend": joblib_dask}, repeats)
        base = results["Client.submit (classify)"].wall
        rows = [[name, f"{s.wall:.2f}", s.spread, f"{s.wall / base:.2f}×"] for name, s in results.items()]
        print(table(rows, ["driver", "median s", "range s", "÷ classify's"]))


if __name__ == "__main__":
    main()
