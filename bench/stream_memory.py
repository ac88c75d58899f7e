"""Streaming: peak memory of `classify tag` on 10k, 100k and 1M records must stay flat.

    .venv/bin/python bench/stream_memory.py [--sizes 10000 100000 1000000] [--full-sizes 10000 100000]
                                            [--csv-sizes 10000 100000]

Records are allsides articles replicated (ids made unique): "short" ones (title + first 60 words)
at every size, so the sizes differ only in count, plus full articles at `--full-sizes`, plus the
short ones as CSV at `--csv-sizes`. Each run is `classify tag FILE -m allsides.npz --format jsonl
-o OUT`, one process, its peak RSS from `os.wait4`. The baseline is the same command on one
article: the interpreter, scikit-learn and the model. Target: the largest input's peak is within
10 % of the smallest's.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain, count, islice
from pathlib import Path

from _harness import (
    ALLSIDES,
    CLASSIFY,
    SEED_ARTICLE,
    allsides_records,
    machine_note,
    parser,
    run,
    table,
    trained_model,
    verdict,
    workdir,
    write_jsonl,
)

FLAT = 1.1
LEAD_WORDS = 60


def replicated(size: int, *, short: bool) -> Iterator[dict]:
    """`size` allsides records, the corpus repeated as often as needed, each id unique."""
    copies = (allsides_records() for _ in count())
    for number, record in enumerate(islice(chain.from_iterable(copies), size)):
        text = " ".join(record["text"].split()[:LEAD_WORDS]) if short else record["text"]
        yield {"id": f"{record['id']}-{number}", "title": record["title"], "text": text}


def records_file(work: Path, size: int, *, short: bool, fmt: str) -> Path:
    path = work / f"stream-{'short' if short else 'full'}-{size}.{fmt}"
    if path.exists():
        return path
    print(f"writing {path.name}", flush=True)
    if fmt == "jsonl":
        write_jsonl(path, replicated(size, short=short))
    else:
        partial = path.with_suffix(".part")
        with partial.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=["id", "title", "text"])
            writer.writeheader()
            writer.writerows(replicated(size, short=short))
        partial.replace(path)
    return path


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    arguments.add_argument("--full-sizes", type=int, nargs="*", default=[10_000, 100_000])
    arguments.add_argument("--csv-sizes", type=int, nargs="*", default=[10_000, 100_000])
    options = arguments.parse_args()
    work = workdir(options.workdir)
    model = trained_model(work, "allsides", [ALLSIDES])
    output = work / "stream-out.jsonl"

    def measure(path: Path) -> tuple[float, float, int]:
        result = run([*CLASSIFY, "tag", str(path), "-m", str(model), "--format", "jsonl", "-o", str(output)])
        lines = sum(1 for _ in output.open(encoding="utf-8")) if path != SEED_ARTICLE else 1
        return result.max_rss_kb / 1024, result.wall, lines

    floor, _, _ = measure(SEED_ARTICLE)
    print(f"# Peak memory of classify tag, allsides model; one article: {floor:.0f} MB")
    series = [("short JSONL", True, "jsonl", options.sizes), ("full JSONL", False, "jsonl", options.full_sizes),
              ("short CSV", True, "csv", options.csv_sizes)]
    rows = []
    for name, short, fmt, sizes in series:
        first = None
        for size in sizes:
            path = records_file(work, size, short=short, fmt=fmt)
            peak, wall, lines = measure(path)
            first = first or peak
            flat = verdict(peak / first, FLAT) if size == sizes[-1] and len(sizes) > 1 else ""
            rows.append([name, f"{size:,}", f"{path.stat().st_size / 2**20:,.0f}", f"{lines:,}", f"{peak:.0f}",
                         f"{peak / floor:.2f}×", f"{peak / first:.2f}×", flat, f"{size / wall:,.0f}"])
            print("  " + "  ".join(rows[-1]), flush=True)
    print(table(rows, ["input", "records", "file MB", "output lines", "peak MB", "÷ one article", "÷ smallest", "",
                       "records/s"]))
    print(machine_note())


if __name__ == "__main__":
    main()
