"""Cold start: tagging one article from the shell, against a bare scikit-learn import.

    .venv/bin/python bench/cold_start.py [--repeats 15]

Times fresh processes (wall clock), interleaved with the baseline `python -c "import
sklearn.feature_extraction.text, sklearn.linear_model"`, and prints each median as a ratio to the
baseline's. The cases: `classify tag ARTICLE.txt` with the default model (CLASSIFY_MODEL pointing at
one built from the bundled seeds, so the staleness check runs as a user's does; target ≤ 0.35×) and
with a model trained on ../shared/data/allsides (482k terms; target ≤ 0.4×), both as the table and
as JSON; the floor any numpy program pays (`python -c "import numpy"`); typer, with and without
the pydantic it imports to convert arguments (`typer._adapters`); `classify --version`, `classify
--help`; and `classify summarize ARTICLE.txt` (default method). With `--dense` (the `dense` extra
installed), also `classify tag ARTICLE.txt -f json` with models trained with `--dense` (the bundled
seeds, and allsides) and the floor of importing wordllama. Then lists, with `python -X importtime`,
what `tag` (table and JSON, and with a dense model), `--help` and `summarize` import, and what share
of loading the allsides model is the check that its terms are sorted and unique.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from _harness import (
    ALLSIDES,
    CLASSIFY,
    PYTHON,
    SEED_ARTICLE,
    command,
    interleaved,
    machine_note,
    parser,
    table,
    trained_model,
    verdict,
    workdir,
)

TARGETS = {"tag, default model": 0.35, "tag, allsides model": 0.4}
BASELINE = [PYTHON, "-c", "import sklearn.feature_extraction.text, sklearn.linear_model"]
HEAVY = ("sklearn", "scipy", "rich", "pydantic", "sumy", "nltk", "joblib", "numpy", "wordllama", "tokenizers", "requests")


def imported(argv: list[str], env: dict[str, str]) -> dict[str, int]:
    """Top-level package -> import time (µs, self times summed) of everything it pulled in, from -X importtime."""
    result = subprocess.run([PYTHON, "-X", "importtime", *argv], capture_output=True, text=True, check=False, env=env)
    totals: dict[str, int] = {}
    for match in re.finditer(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$", result.stderr, re.MULTILINE):
        self_us, package = int(match.group(1)), match.group(4).split(".")[0]
        totals[package] = totals.get(package, 0) + self_us
    return totals


def term_order_share(model: Path, repeats: int) -> str:
    """Medians of `load_model` (which checks the terms are sorted and unique) and of that check alone, interleaved."""
    import statistics
    import time

    from classify.model_file import load_model
    from classify.vocabulary import first_unsorted

    loads, checks = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        vocabulary = load_model(model).vocabulary
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        first_unsorted(vocabulary.text, *vocabulary._line_bounds())
        checks.append(time.perf_counter() - started)
    load, check = statistics.median(loads), statistics.median(checks)
    return (f"load_model: {load * 1000:.1f} ms, of which the term-order check {check * 1000:.1f} ms ({check / load:.2f}× "
            f"the load; {len(vocabulary):,} terms)")


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--repeats", type=int, default=15)
    arguments.add_argument("--dense", action="store_true", help="add the cases of models with the dense view")
    options = arguments.parse_args()
    work = workdir(options.workdir)
    default = trained_model(work, "seeds")
    allsides = trained_model(work, "allsides", [ALLSIDES])
    env = {**os.environ, "CLASSIFY_MODEL": str(default)}
    article = str(SEED_ARTICLE)

    print(f"# Cold start: one article, {options.repeats} interleaved runs each, medians")
    cases = {
        "baseline: import sklearn": command(BASELINE),
        "floor: import numpy": command([PYTHON, "-c", "import numpy"]),
        "tag, default model": command([*CLASSIFY, "tag", article], env=env),
        "tag, default model, json": command([*CLASSIFY, "tag", article, "-f", "json"], env=env),
        "tag, allsides model": command([*CLASSIFY, "tag", article, "-m", str(allsides)]),
        "tag, allsides model, json": command([*CLASSIFY, "tag", article, "-m", str(allsides), "-f", "json"]),
        "import typer": command([PYTHON, "-c", "import typer"]),
        "import typer + its pydantic": command([PYTHON, "-c", "import typer, typer._adapters"]),
        "classify --version": command([*CLASSIFY, "--version"]),
        "classify --help": command([*CLASSIFY, "--help"]),
        "summarize (default method)": command([*CLASSIFY, "summarize", article]),
    }
    imports = {
        "tag (table)": ["-m", "classify", "tag", article],
        "tag -f json": ["-m", "classify", "tag", article, "-f", "json"],
        "--help": ["-m", "classify", "--help"],
        "summarize": ["-m", "classify", "summarize", article],
    }
    if options.dense:
        dense_default = trained_model(work, "seeds-dense", options=["--dense"])
        dense_allsides = trained_model(work, "allsides-dense", [ALLSIDES], ["--dense"])
        cases |= {
            "floor: import wordllama": command([PYTHON, "-c", "import wordllama"]),
            "tag, default model + dense, json": command([*CLASSIFY, "tag", article, "-m", str(dense_default), "-f", "json"]),
            "tag, allsides model + dense, json": command([*CLASSIFY, "tag", article, "-m", str(dense_allsides), "-f",
                                                          "json"]),
        }
        imports["tag -f json, dense model"] = ["-m", "classify", "tag", article, "-m", str(dense_default), "-f", "json"]
    results = interleaved(cases, options.repeats)
    base = results["baseline: import sklearn"].wall
    rows = []
    for name, series in results.items():
        ratio = series.wall / base
        note = verdict(ratio, TARGETS[name]) if name in TARGETS else ""
        rows.append([name, f"{series.wall:.3f}", series.spread, f"{series.cpu:.3f}", f"{series.rss_mb:.0f}",
                     f"{ratio:.2f}×", note])
    print(table(rows, ["case", "median s", "range s", "cpu s", "peak MB", "÷ baseline", ""]))
    print(f"baseline: {' '.join(BASELINE[1:])}; article: {SEED_ARTICLE.name}; default model: CLASSIFY_MODEL={default.name} "
          f"(bundled seeds); allsides model: {allsides.name}")

    print("\n# Loading the allsides model in this process: the share of its checks that is the term-order check")
    print(term_order_share(allsides, options.repeats))

    print("\n# What each command imports (python -X importtime; ms, self times summed per package)")
    for name, argv in imports.items():
        modules = imported(argv, env)
        heavy = ", ".join(f"{package} {modules[package] / 1000:.0f}" for package in HEAVY if package in modules)
        print(f"{name}: {heavy or 'none of ' + ', '.join(HEAVY)}; total {sum(modules.values()) / 1000:.0f} ms")
    print(machine_note())


if __name__ == "__main__":
    main()
