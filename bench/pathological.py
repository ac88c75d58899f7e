"""Growth on hostile shapes: summarize and tag time against input size, to show it stays linear.

    .venv/bin/python bench/pathological.py [--scale 1]

Shapes (issue 14), each at doubling sizes, generated into the work folder:
- `repeated-words`: one line of the same eleven words over and over, no full stop until the end
  (the junk filter's "line repeats itself" regex backtracked on it: 5 s for 200 KB, growing 4x per doubling);
- `one-word-sentences`: "WordN." thousands of times (every method compares pairs of sentences);
- `many-attributes`: an HTML page whose one `<div>` has N attributes (libxml2 checks each against
  the others: one with 50,000 took 80 s);
- `huge-article`: one plain-text article made of allsides articles run together, 1 to 4 MB.

Each figure is one run of `classify summarize FILE -f jsonl` or `classify tag FILE -m SEEDS_MODEL
-f jsonl` (a fresh process); `net` subtracts the same command on a one-sentence article measured in
the same run (start-up and imports). The growth exponent between two sizes is
log(net2/net1) / log(size2/size1): 1.0 is linear, 2.0 quadratic.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from _harness import CLASSIFY, allsides_records, machine_note, parser, run, table, trained_model, workdir

WORDS = ["the", "minister", "said", "talks", "would", "continue", "next", "week", "in", "the", "capital"]


def repeated_words(size: int) -> str:
    text = " ".join(WORDS[i % len(WORDS)] for i in range(size // 5))
    return text[:size].rstrip() + ".\n"


def one_word_sentences(size: int) -> str:
    return " ".join(f"Word{i}." for i in range(size // 9)) + "\n"


def many_attributes(size: int) -> str:
    attributes = " ".join(f'a{i}="v{i}"' for i in range(size // 10))
    body = "".join(f"<p>{sentence} talks resumed in the capital on Monday, officials said.</p>" for sentence in WORDS)
    return f"<html><head><title>Talks</title></head><body><div {attributes}>{body}</div></body></html>\n"


def huge_article(size: int) -> str:
    parts, total = [], 0
    for record in allsides_records():
        parts.append(record["text"])
        total += len(record["text"]) + 2
        if total >= size:
            break
    return "\n\n".join(parts)[:size] + "\n"


SHAPES: dict[str, tuple[Callable[[int], str], str, list[int]]] = {
    "repeated-words": (repeated_words, ".txt", [400_000, 800_000, 1_600_000, 3_200_000]),
    "one-word-sentences": (one_word_sentences, ".txt", [100_000, 200_000, 400_000, 800_000]),
    "many-attributes": (many_attributes, ".html", [500_000, 1_000_000, 2_000_000, 4_000_000]),
    "huge-article": (huge_article, ".txt", [1_000_000, 2_000_000, 4_000_000]),
}


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    options = arguments.parse_args()
    work = workdir(options.workdir / "pathological")
    model = trained_model(options.workdir, "seeds")
    tiny = work / "tiny.txt"
    tiny.write_text("Talks resumed in the capital on Monday, officials said.\n")
    commands = {
        "summarize": lambda path: [*CLASSIFY, "summarize", str(path), "-f", "jsonl"],
        "tag": lambda path: [*CLASSIFY, "tag", str(path), "-m", str(model), "-f", "jsonl"],
    }
    start_up = {name: min(run(make(tiny), check=False).wall for _ in range(3)) for name, make in commands.items()}
    rows, overall = [], []
    for shape, (make_text, suffix, sizes) in SHAPES.items():
        for name, make_command in commands.items():
            previous: tuple[int, float] | None = None
            first: tuple[int, float] | None = None
            for size in (int(s * options.scale) for s in sizes):
                path = work / f"{shape}-{size}{suffix}"
                if not path.exists():
                    path.write_text(make_text(size), encoding="utf-8")
                measured = run(make_command(path), check=False)
                net = max(measured.wall - start_up[name], 0.01)
                growth = "" if previous is None else f"{math.log(net / previous[1]) / math.log(size / previous[0]):.2f}"
                rows.append([shape, name, f"{path.stat().st_size / 1e3:,.0f} KB", f"{measured.wall:.2f}", f"{net:.2f}",
                             growth, f"{measured.max_rss_kb / 1024:.0f}", str(measured.returncode)])
                previous = (size, net)
                first = first or previous
            if first is not None and previous is not None and previous[0] > first[0]:
                exponent = math.log(previous[1] / first[1]) / math.log(previous[0] / first[0])
                overall.append([shape, name, f"{previous[0] / first[0]:.0f}x", f"{exponent:.2f}"])
    print(table(rows, ["shape", "command", "size", "wall s", "net s", "growth exp.", "peak MB", "exit"]))
    print("\nsmallest to largest size:\n" + table(overall, ["shape", "command", "size ratio", "growth exp."]))
    print(f"\nstart-up (one-sentence article): summarize {start_up['summarize']:.2f} s, tag {start_up['tag']:.2f} s; "
          f"{machine_note()}")


if __name__ == "__main__":
    main()
