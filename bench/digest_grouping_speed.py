"""Story grouping time at 1,000, 10,000 and 100,000 articles: it must grow no faster than n log n.

    .venv/bin/python bench/digest_grouping_speed.py [--sizes 1000 10000 100000]

The articles: allsides has 6,599, so larger sets are made of real text by drawing six paragraphs at
random from the whole corpus for each made-up article (seed 0), and one article in ten is followed by
a copy of itself cut to 60-90 % of its paragraphs, so there are stories to find. Signatures are
computed once (cached in the work folder; that cost is per article and is part of reading, timed
separately here) and `classify.stories.group` is timed on the first n of them, in this process,
smallest first; then run once more under tracemalloc for the most memory grouping allocated at once.
Growth is compared to n log n: the time ratio between sizes against (10n log 10n) / (n log n), about 13.
"""

from __future__ import annotations

import math
import random
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from _harness import allsides_records, fingerprint, machine_note, parser, table, workdir

from classify import stories


def made_up_texts(count: int, seed: int = 0) -> list[str]:
    pool = [p for record in allsides_records() for p in record["text"].split("\n\n") if len(p.split()) >= 8]
    rng = random.Random(seed)
    texts: list[str] = []
    while len(texts) < count:
        parts = rng.sample(pool, 6)
        texts.append("\n\n".join(parts))
        if rng.random() < 0.1 and len(texts) < count:
            texts.append("\n\n".join(parts[: rng.randint(4, 5)]))
    return texts


def signatures(work: Path, count: int) -> tuple[np.ndarray, float]:
    """(count, 2, NUM_PERM) signatures, cached; and the seconds signing took (per article, for the record)."""
    path = work / f"grouping-signatures-{count}-{fingerprint(Path(stories.__file__), count)}.npy"
    timing = path.with_suffix(".seconds")
    if path.exists() and timing.exists():
        return np.load(path), float(timing.read_text())
    texts = made_up_texts(count)
    print(f"signing {count:,} made-up articles (cached for later runs)", file=sys.stderr, flush=True)
    started = time.process_time()
    signed = np.stack([stories.signature(text) for text in texts])
    took = time.process_time() - started
    np.save(path, signed)
    timing.write_text(str(took))
    return signed, took


def grouping_memory(subset: list[np.ndarray]) -> int:
    """The most memory `group` allocated at once (tracemalloc sees numpy's arrays too); a second, untimed run."""
    tracemalloc.start()
    try:
        stories.group(subset)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    options = arguments.parse_args()
    work = workdir(options.workdir)
    largest = max(options.sizes)
    signed, signing = signatures(work, largest)
    print(f"signing: {signing / largest * 1000:.2f} ms CPU per article ({largest:,} articles)")
    stories.group(list(signed[:10]))  # imports (datasketch, for its banding) are start-up, not grouping
    rows, previous = [], None
    for size in sorted(options.sizes):
        subset = list(signed[:size])
        started, cpu = time.perf_counter(), time.process_time()
        groups = stories.group(subset)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        merged = sum(1 for g in groups if len(g) > 1)
        growth = expected = ""
        if previous is not None:
            growth = f"{cpu / previous[1]:.1f}×"
            expected = f"{size * math.log(size) / (previous[0] * math.log(previous[0])):.1f}×"
        rows.append([f"{size:,}", f"{wall:.2f}", f"{cpu:.2f}", f"{cpu / size * 1e6:.0f}", growth, expected, f"{merged:,}",
                     f"{grouping_memory(subset) / 2**20:.0f}"])
        previous = (size, cpu)
    print(table(rows, ["articles", "wall s", "cpu s", "cpu µs/article", "cpu growth", "n log n growth", "stories of 2+",
                       "peak MB while grouping"]))
    print(machine_note())


if __name__ == "__main__":
    main()
