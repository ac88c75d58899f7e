"""Before/after: the same commands on two checkouts of classify, for a refactor that must change nothing.

    .venv/bin/python bench/before_after.py --before /tmp/classify-before [--repeats 5]

`--before` is a folder holding an older tree (e.g. `git archive COMMIT | tar -x -C DIR`); the other side
is this repo. Both run with this environment's Python and packages (PYTHONPATH picks the tree; `-P` keeps
the current folder off sys.path, or `python -m` would import the tree you run it from), on the
same inputs from ../shared, interleaved; the figure is median(after) / median(before) of wall and CPU
time. Then each command's records are compared byte for byte, and any difference is listed.
"""

from __future__ import annotations

import os
from pathlib import Path

from _harness import ALLSIDES, PYTHON, REPO, SEED_ARTICLE, SHARED, command, interleaved, machine_note, parser, table, workdir

BBC = SHARED / "data/bbc-summary/articles.jsonl"
CNNDM = SHARED / "data/cnndm-dev/articles.jsonl"


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--before", type=Path, required=True, help="folder with the older tree")
    arguments.add_argument("--repeats", type=int, default=5)
    options = arguments.parse_args()
    work = workdir(options.workdir / "before-after")
    model = work / "model.npz"
    trees = {"before": options.before.resolve(), "after": REPO}
    if not model.exists():  # trained by the older tree, so both can read it
        command([PYTHON, "-P", "-m", "classify", "-q", "train", str(ALLSIDES), "-m", str(model)],
                env={**os.environ, "PYTHONPATH": str(trees["before"])})()
    bbc, cnndm = work / "bbc-500.jsonl", work / "cnndm-200.jsonl"
    for source, target, count in ((BBC, bbc, 500), (CNNDM, cnndm, 200)):
        with source.open(encoding="utf-8") as lines:
            target.write_text("".join(line for _, line in zip(range(count), lines, strict=False)), encoding="utf-8")
    jobs = {
        "tag 6,599 jsonl": (["tag", str(ALLSIDES), "-m", str(model), "-f", "jsonl"], "tag.jsonl"),
        "tag 6,599 csv --explain": (["tag", str(ALLSIDES), "-m", str(model), "-f", "csv", "--explain"], "tag.csv"),
        "tag 1 article (cold)": (["tag", str(SEED_ARTICLE), "-m", str(model), "-f", "json"], "one.json"),
        "summarize 500 BBC": (["summarize", str(bbc), "-f", "jsonl"], "bbc.jsonl"),
        "summarize 200 CNN/DM lexrank": (["summarize", str(cnndm), "--method", "lexrank", "-f", "jsonl"], "cnndm.jsonl"),
        "--help": (["--help"], "help.txt"),
    }
    rows = []
    differences = []
    for name, (argv, output) in jobs.items():
        cases = {side: command([PYTHON, "-P", "-m", "classify", "-q", *argv], stdout=work / f"{side}-{output}",
                               env={**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "100"})
                 for side, tree in trees.items()}
        results = interleaved(cases, options.repeats)
        before, after = results["before"], results["after"]
        rows.append([name, f"{before.wall:.2f}", f"{after.wall:.2f}", f"{after.wall / before.wall:.2f}×",
                     f"{after.cpu / before.cpu:.2f}×", f"{before.spread} / {after.spread}"])
        if (work / f"before-{output}").read_bytes() != (work / f"after-{output}").read_bytes():
            differences.append(name)
    print(table(rows, ["command", "before s", "after s", "wall after/before", "CPU after/before", "ranges s"]))
    print(f"\nrecords differing: {', '.join(differences) or 'none'}")
    print(machine_note())


if __name__ == "__main__":
    main()
