"""What joining the bundled seeds costs when tagging: allsides trained with them against allsides alone.

    .venv/bin/python bench/seeds_join_cost.py [--repeats 6]

`classify train SOURCES` joins the bundled seeds by default, which adds their terms to the model.
This trains ../shared/data/allsides both ways (`classify train`, and with `--no-seeds`) and times,
interleaved, `classify tag` on one article (cold start) and on 2,000 allsides articles as JSONL
(batch), printing each as a ratio of the joined model to the model trained alone (target ≤ 1.1×).
CPU time is printed beside wall time: on a busy shared machine it is the steadier of the two.
"""

from __future__ import annotations

from itertools import islice

from _harness import (
    ALLSIDES,
    CLASSIFY,
    SEED_ARTICLE,
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

TARGET = 1.1
BATCH = 2000


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--repeats", type=int, default=6)
    options = arguments.parse_args()
    work = workdir(options.workdir)
    models = {"alone": trained_model(work, "allsides", [ALLSIDES], ["--no-seeds"]),
              "joined": trained_model(work, "allsides", [ALLSIDES])}
    batch = work / f"allsides-first-{BATCH}.jsonl"
    if not batch.exists():
        write_jsonl(batch, islice(allsides_records(), BATCH))
    output = work / "seeds-join-cost.jsonl"
    cases = {}
    for name, model in models.items():
        cases[f"cold, {name}"] = command([*CLASSIFY, "tag", str(SEED_ARTICLE), "-m", str(model), "-f", "json"])
        cases[f"batch, {name}"] = command([*CLASSIFY, "tag", str(batch), "-m", str(model), "-f", "jsonl", "-o", str(output)])
    print(f"# Tagging with allsides trained alone and with the seeds joined, {options.repeats} interleaved runs, medians")
    results = interleaved(cases, options.repeats)
    rows = []
    for case in ("cold", "batch"):
        alone, joined = results[f"{case}, alone"], results[f"{case}, joined"]
        for name, series in (("alone", alone), ("joined", joined)):
            wall, cpu = series.wall / alone.wall, series.cpu / alone.cpu
            note = verdict(max(wall, cpu), TARGET) if name == "joined" else ""
            rows.append([f"{case}, {name}", f"{series.wall:.3f}", f"{series.cpu:.3f}", f"{wall:.2f}×", f"{cpu:.2f}×", note])
    print(table(rows, ["case", "median s", "cpu s", "wall ÷ alone", "cpu ÷ alone", ""]))
    print(f"models: {models['alone'].name} (--no-seeds), {models['joined'].name} (seeds joined); batch: {batch.name}")
    print(machine_note())


if __name__ == "__main__":
    main()
