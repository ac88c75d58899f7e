"""`classify digest` against `classify tag` + `classify summarize` of the same articles, in the same run.

    .venv/bin/python bench/digest_speed.py [--articles 6599] [--repeats 2]

All 6,599 allsides articles by default, with a model trained on them by `classify train`. The three
commands run as a user runs them (fresh processes, reading the same JSONL, writing a file), interleaved
and repeated, medians compared: digest ÷ (tag + summarize). Target ≤ 1.3×: the digest does both jobs
(tags with their terms, three-sentence summaries), signs every article for grouping, groups and writes
one HTML report, and reads the input once instead of twice. Peak memory of each command is printed too.
"""

from __future__ import annotations

from _harness import (
    ALLSIDES,
    CLASSIFY,
    allsides_sample,
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



def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--articles", type=int, default=6599)
    arguments.add_argument("--repeats", type=int, default=2)
    options = arguments.parse_args()
    work = workdir(options.workdir)
    model = trained_model(work, "allsides", [ALLSIDES])
    records = allsides_sample(work, options.articles)
    print(f"# {options.articles:,} allsides articles, {options.repeats} interleaved runs, medians")
    cases = {
        "tag": command([*CLASSIFY, "--quiet", "tag", str(records), "-m", str(model), "--format", "jsonl", "--explain",
                        "-o", str(work / "digest-bench-tags.jsonl")]),
        "summarize": command([*CLASSIFY, "--quiet", "summarize", str(records), "--format", "jsonl",
                              "-o", str(work / "digest-bench-summaries.jsonl")]),
        "digest": command([*CLASSIFY, "--quiet", "digest", str(records), "-m", str(model),
                           "-o", str(work / "digest-bench-report.html")]),
    }
    results = interleaved(cases, options.repeats, warmup=False)
    both = results["tag"].wall + results["summarize"].wall
    rows = [[name, f"{series.wall:.2f}", series.spread, f"{series.cpu:.2f}", f"{series.rss_mb:.0f}"]
            for name, series in results.items()]
    both_cpu = results["tag"].cpu + results["summarize"].cpu
    rows.append(["tag + summarize", f"{both:.2f}", "", f"{both_cpu:.2f}", ""])
    print(table(rows, ["case", "median s", "range s", "cpu s", "peak MB"]))
    ratio = results["digest"].wall / both
    print(f"digest ÷ (tag + summarize) = {ratio:.2f}× by wall time {verdict(ratio, TARGET)}")
    cpu_ratio = results["digest"].cpu / both_cpu
    print(f"digest ÷ (tag + summarize) = {cpu_ratio:.2f}× by CPU time {verdict(cpu_ratio, TARGET)}")
    print(machine_note())


if __name__ == "__main__":
    main()
