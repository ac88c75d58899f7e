"""Cold start: tagging one article from the shell, against a bare scikit-learn import.

    .venv/bin/python bench/cold_start.py [--repeats 15]

Times `classify tag ARTICLE.txt -m MODEL` (a fresh process each time, wall clock) with the
default seeds model and with a model trained on ../shared/data/allsides, interleaved with the
baseline `python -c "import sklearn.feature_extraction.text, sklearn.linear_model"`; prints each
median as a ratio to the baseline's (target ≤ 1.3×). Then checks with `python -X importtime` that
`classify --help` imports none of scikit-learn, sumy or NLTK, and lists what `classify tag` imports.
"""

from __future__ import annotations

import re
import subprocess

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

TARGET = 1.3
FORBIDDEN = ("sklearn", "sumy", "nltk")
BASELINE = [PYTHON, "-c", "import sklearn.feature_extraction.text, sklearn.linear_model"]


def imported(argv: list[str]) -> dict[str, int]:
    """Top-level package -> cumulative import time (µs) of everything it pulled in, from -X importtime."""
    result = subprocess.run([PYTHON, "-X", "importtime", *argv], capture_output=True, text=True, check=False)
    totals: dict[str, int] = {}
    for match in re.finditer(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$", result.stderr, re.MULTILINE):
        self_us, package = int(match.group(1)), match.group(4).split(".")[0]
        totals[package] = totals.get(package, 0) + self_us
    return totals


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--repeats", type=int, default=15)
    options = arguments.parse_args()
    work = workdir(options.workdir)
    models = {"seeds": trained_model(work, "seeds"), "allsides": trained_model(work, "allsides", [ALLSIDES])}

    print(f"# Cold start: one article, {options.repeats} interleaved runs each, medians")
    cases = {"baseline": command(BASELINE)}
    for name, model in models.items():
        cases[f"tag/{name}"] = command([*CLASSIFY, "tag", str(SEED_ARTICLE), "-m", str(model)])
    cases["--help"] = command([*CLASSIFY, "--help"])
    results = interleaved(cases, options.repeats)
    base = results["baseline"].wall
    rows = []
    for name, series in results.items():
        ratio = series.wall / base
        note = "" if name in ("baseline", "--help") else verdict(ratio, TARGET)
        rows.append([name, f"{series.wall:.3f}", series.spread, f"{series.cpu:.3f}", f"{series.rss_mb:.0f}",
                     f"{ratio:.2f}×", note])
    print(table(rows, ["case", "median s", "range s", "cpu s", "peak MB", "÷ baseline", ""]))
    print(f"baseline: {' '.join(BASELINE[1:])!s}")
    print(f"tag: classify tag {SEED_ARTICLE.name} -m MODEL  (models: {', '.join(p.name for p in models.values())})")

    print("\n# What the commands import (python -X importtime)")
    help_imports = imported(["-m", "classify", "--help"])
    bad = [name for name in FORBIDDEN if name in help_imports]
    found = ", ".join(bad) if bad else "none of " + ", ".join(FORBIDDEN)
    print(f"classify --help imports {found}: {'MISS' if bad else 'PASS'}")
    tag_imports = imported(["-m", "classify", "tag", str(SEED_ARTICLE), "-m", str(models["seeds"])])
    bad = [name for name in ("sumy", "nltk") if name in tag_imports]
    print(f"classify tag imports {', '.join(bad) if bad else 'neither sumy nor nltk'}: {'MISS' if bad else 'PASS'}")
    heaviest = sorted(tag_imports.items(), key=lambda item: -item[1])[:8]
    print("classify tag, import time by package (ms, self time summed): "
          + ", ".join(f"{name} {us / 1000:.0f}" for name, us in heaviest))
    print(machine_note())


if __name__ == "__main__":
    main()
