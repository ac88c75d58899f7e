"""Growth: training and tagging time against corpus size and against article length; docs/growth.png.

    .venv/bin/python bench/growth.py [--sizes 1000 5000 20000 100000] [--lengths 50 200 800 3200 12800]
                                     [--train-up-to 100000] [--plot docs/growth.png]

Corpus size: `classify train CORPUS.jsonl` (default settings: 5 folds, --jobs 1) and `classify tag
CORPUS.jsonl -m allsides.npz --format jsonl -o OUT` on N allsides articles: a seeded sample up to
the 6,599 there are, then perturbed copies (each copy drops a different random 15 % of each
article's words, so the vocabulary keeps growing a little as it would with new articles).
Article length: 1,000 articles of L words each, made by running allsides texts together, trained
and tagged the same way. Each figure is one run (a fresh process, start-up included); ratios are
against the smallest size, so 1.0× per article means time grows in proportion.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from itertools import count
from pathlib import Path

from _harness import (
    ALLSIDES,
    CLASSIFY,
    REPO,
    allsides_records,
    machine_note,
    parser,
    run,
    table,
    trained_model,
    workdir,
    write_jsonl,
)

DROP = 0.15
ARTICLES_PER_LENGTH = 1000


def corpus(size: int) -> Iterator[dict]:
    records = list(allsides_records())
    random.Random(0).shuffle(records)
    for copy in count():
        for number, record in enumerate(records):
            if copy * len(records) + number >= size:
                return
            if copy:
                rng = random.Random(copy * 1_000_003 + number)
                words = record["text"].split()
                record = {**record, "id": f"{record['id']}-{copy}",
                          "text": " ".join(w for w in words if rng.random() >= DROP) or record["text"]}
            yield record


def of_length(words: int, articles: int) -> Iterator[dict]:
    """`articles` records of exactly `words` words, from allsides texts run together, labels of the first."""
    stream = (record for _ in count() for record in allsides_records())
    for number in range(articles):
        first = next(stream)
        text = first["text"].split()
        while len(text) < words:
            text += next(stream)["text"].split()
        yield {"id": f"len{words}-{number}", "title": first["title"], "text": " ".join(text[:words]),
               "labels": first["labels"], "unknown_labels": first.get("unknown_labels", [])}


def cached(work: Path, name: str, records: Iterator[dict]) -> Path:
    path = work / name
    if not path.exists():
        print(f"writing {name}", flush=True)
        write_jsonl(path, records)
    return path


def timings(path: Path, model: Path, work: Path, train: bool) -> tuple[float | None, float]:
    trained = run([*CLASSIFY, "--quiet", "train", str(path), "-m", str(work / "growth-model.npz")]).wall if train else None
    tagged = run([*CLASSIFY, "tag", str(path), "-m", str(model), "--format", "jsonl", "-o", str(work / "growth-out.jsonl")])
    return trained, tagged.wall


def ratio_rows(label: str, points: list[tuple[int, float | None, float]], unit: str) -> list[list[str]]:
    rows = []
    base_n, base_train, base_tag = points[0]
    for n, trained, tagged in points:
        scale = n / base_n
        train_cells = (["-", "-"] if trained is None or base_train is None else
                       [f"{trained:.1f}", f"{trained / base_train:.2f}× ({trained / base_train / scale:.2f}× per {unit})"])
        rows.append([label, f"{n:,}", *train_cells, f"{tagged:.1f}",
                     f"{tagged / base_tag:.2f}× ({tagged / base_tag / scale:.2f}× per {unit})"])
    return rows


def plot(path: Path, sizes: list[tuple[int, float | None, float]], lengths: list[tuple[int, float | None, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2), dpi=100)
    for axis, points, xlabel in ((left, sizes, "articles in the corpus"),
                                 (right, lengths, f"words per article ({ARTICLES_PER_LENGTH:,} articles)")):
        xs = [n for n, _, _ in points]
        trained = [(n, t) for n, t, _ in points if t is not None]
        if trained:
            axis.plot(*zip(*trained, strict=True), "o-", label="classify train")
        axis.plot(xs, [t for _, _, t in points], "s-", label="classify tag")
        for series, color in ((trained, "C0"), ([(n, t) for n, _, t in points], "C1")):
            if series:
                (first_n, first_t), last_n = series[0], series[-1][0]
                axis.plot([first_n, last_n], [first_t, first_t * last_n / first_n], ":", color=color, alpha=0.7)
        axis.plot([], [], ":", color="grey", label="proportional to n")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(xlabel)
        axis.set_ylabel("seconds (one run)")
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    figure.suptitle("classify: time against corpus size and article length", fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 100000])
    arguments.add_argument("--lengths", type=int, nargs="+", default=[50, 200, 800, 3200, 12800])
    arguments.add_argument("--train-up-to", type=int, default=100000, help="train only corpora up to this size")
    arguments.add_argument("--plot", type=Path, default=REPO / "docs" / "growth.png")
    arguments.add_argument("--replot", action="store_true", help="redraw the plot from the last run's figures")
    options = arguments.parse_args()
    work = workdir(options.workdir)
    saved = work / "growth-results.json"
    if options.replot:
        figures = json.loads(saved.read_text(encoding="utf-8"))
        plot(options.plot, [tuple(p) for p in figures["sizes"]], [tuple(p) for p in figures["lengths"]])
        print(f"plot: {options.plot} (from {saved})")
        return
    model = trained_model(work, "allsides", [ALLSIDES])

    sizes = []
    for size in options.sizes:
        path = cached(work, f"growth-size-{size}.jsonl", corpus(size))
        trained, tagged = timings(path, model, work, train=size <= options.train_up_to)
        sizes.append((size, trained, tagged))
        print(f"  {size:,} articles: train {trained if trained is None else f'{trained:.1f}'} s, tag {tagged:.1f} s",
              flush=True)
    lengths = []
    for words in options.lengths:
        path = cached(work, f"growth-length-{words}.jsonl", of_length(words, ARTICLES_PER_LENGTH))
        trained, tagged = timings(path, model, work, train=True)
        lengths.append((words, trained, tagged))
        print(f"  {words:,} words: train {trained:.1f} s, tag {tagged:.1f} s", flush=True)

    saved.write_text(json.dumps({"sizes": sizes, "lengths": lengths}), encoding="utf-8")
    header = ["series", "n", "train s", "train ÷ smallest", "tag s", "tag ÷ smallest"]
    print("# Time against corpus size (allsides, perturbed copies beyond 6,599)")
    print(table(ratio_rows("corpus size", sizes, "article"), header))
    print(f"\n# Time against article length ({ARTICLES_PER_LENGTH:,} articles each)")
    print(table(ratio_rows("words/article", lengths, "word"), header))
    plot(options.plot, sizes, lengths)
    print(f"\nplot: {options.plot}")
    print(machine_note())


if __name__ == "__main__":
    main()
