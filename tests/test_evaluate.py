"""`classify evaluate`: per-topic figures that honour unknown labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classify.metrics import calibration
from tests.conftest import DIPLOMACY, LONG_STORY, MIDDLE_EAST, OTHER, SECURITY, Run, write_jsonl


def test_json_metrics_per_topic_and_macro(run: Run, model_path: Path, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "test.jsonl", [
        {"text": SECURITY[2], "labels": ["security"]},
        {"text": DIPLOMACY[1], "labels": ["diplomacy"]},
        {"text": MIDDLE_EAST[2], "labels": ["middle-east"]},
        {"text": OTHER[4], "labels": []},
    ])
    result = run("evaluate", str(data), "-m", str(model_path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["security"]["positives"] == 1 and metrics["security"]["negatives"] == 3
    assert 0.0 <= metrics["macro_f1"] <= 1.0


def test_unknown_labels_are_left_out(run: Run, model_path: Path, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "partial.jsonl", [
        {"text": SECURITY[0], "labels": ["security"], "unknown_labels": ["diplomacy", "middle-east"]},
        {"text": OTHER[2], "labels": []},
    ])
    metrics = json.loads(run("evaluate", str(data), "-m", str(model_path), "-f", "json").stdout)["metrics"]
    assert metrics["security"]["positives"] + metrics["security"]["negatives"] == 2
    assert metrics["diplomacy"]["positives"] + metrics["diplomacy"]["negatives"] == 1


def test_table_and_plot(run: Run, model_path: Path, seeds_dir: Path, tmp_path: Path) -> None:
    plot = tmp_path / "tags.png"
    result = run("evaluate", str(seeds_dir), "-m", str(model_path), "--plot", str(plot))
    assert result.exit_code == 0, result.stderr
    assert "macro" in result.stdout and "precision" in result.stdout
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_unlabelled_data_is_refused(run: Run, model_path: Path, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "plain.jsonl", [{"id": "u1", "text": OTHER[0]}])
    result = run("evaluate", str(data), "-m", str(model_path))
    assert result.exit_code == 1
    assert f"{data}:1: record has no `labels`" in result.stderr


def test_summaries_scored_with_rouge_for_each_method(run: Run, tmp_path: Path) -> None:
    story = (
        "The city council approved a new tram line on Tuesday. The line will link the station to the hospital. "
        "Work starts in March and should take two years. Residents had campaigned for the line since 2015. "
        "The council said fares would match the buses. Shops on the route will get compensation during works."
    )
    reference = ["The city council approved a new tram line on Tuesday.", "Work starts in March."]
    data = write_jsonl(tmp_path / "refs.jsonl", [{"id": "tram", "text": story, "summary": reference}] * 2)
    result = run("evaluate", "--summaries", str(data), "--method", "lead", "--method", "luhn", "-n", "2", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["methods"]
    assert [row["method"] for row in rows] == ["lead", "luhn"]
    lead = rows[0]
    assert lead["articles"] == 2 and 50 < lead["rouge1"] <= 100 and lead["rouge2"] > 0 and lead["rougeLsum"] > 0
    table = run("evaluate", "--summaries", str(data), "--method", "lead")
    assert "ROUGE-Lsum" in table.stdout and "lead" in table.stdout


def test_summaries_need_reference_summaries(run: Run, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "norefs.jsonl", [{"id": "a", "text": "One sentence. Another one."}])
    result = run("evaluate", "--summaries", str(data))
    assert result.exit_code == 1
    assert "reference summary" in result.stderr


def test_calibration_is_zero_for_exact_scores_and_counts_overconfidence() -> None:
    truth = np.array([True, False, True, False])
    assert calibration(truth.astype(float), truth) == {"brier": 0.0, "ece": 0.0}
    assert calibration(np.full(4, 0.5), truth) == {"brier": 0.25, "ece": 0.0}  # vague but honest
    overconfident = calibration(np.full(4, 0.95), truth)  # says 95 % where half are right
    assert overconfident["brier"] == pytest.approx((0.05**2 + 0.95**2) / 2)
    assert overconfident["ece"] == pytest.approx(0.45)


def test_metrics_carry_calibration_next_to_f1(run: Run, model_path: Path, seeds_dir: Path) -> None:
    metrics = json.loads(run("evaluate", str(seeds_dir), "-m", str(model_path), "-f", "json").stdout)["metrics"]
    topics = ("security", "diplomacy", "middle-east")
    for topic in topics:
        assert 0.0 <= metrics[topic]["brier"] <= 1.0 and 0.0 <= metrics[topic]["ece"] <= 1.0
    assert metrics["macro_brier"] == pytest.approx(np.mean([metrics[t]["brier"] for t in topics]))


@pytest.fixture
def references(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "refs.jsonl", [{"id": "a", "text": LONG_STORY, "summary": SECURITY[:2]}])


def test_evaluate_summaries_scores_the_methods_asked_for(run: Run, references: Path) -> None:
    result = run("evaluate", "--summaries", str(references), "--method", "lead", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [row["method"] for row in json.loads(result.stdout)["methods"]] == ["lead"]


@pytest.mark.parametrize(("options", "named"), [
    (["-m", "lead"], "--model"),  # the model option: it used to be ignored and the default methods scored
    (["--plot", "out.png"], "--plot"),
])
def test_options_for_tags_are_refused_with_summaries(run: Run, references: Path, options: list[str], named: str) -> None:
    result = run("evaluate", "--summaries", str(references), *options)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and named in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("options", "named"), [(["--method", "lead"], "--method"), (["-n", "2"], "--sentences")])
def test_options_for_summaries_are_refused_without_it(run: Run, model_path: Path, seeds_dir: Path, options: list[str],
                                                     named: str) -> None:
    result = run("evaluate", str(seeds_dir), "-m", str(model_path), *options)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and named in result.stderr and "--summaries" in result.stderr


def test_macro_f1_leaves_out_topics_with_no_positives_and_no_predictions() -> None:
    import numpy as np

    from classify.evaluation import TagEvaluation

    truth = {"war": np.array([True, False, False]), "talks": np.array([False, False, False]),
             "gulf": np.array([False, False, False])}
    scores = {"war": np.array([0.9, 0.1, 0.2]), "talks": np.array([0.1, 0.2, 0.3]), "gulf": np.array([0.1, 0.9, 0.1])}
    metrics = TagEvaluation(["war", "talks", "gulf"], [0.5, 0.5, 0.5], scores, truth).metrics()
    assert metrics["macro_left_out"] == ["talks"]  # gulf was predicted once, wrongly: it counts, with F1 0
    assert metrics["macro_f1"] == pytest.approx((1.0 + 0.0) / 2)


def test_the_report_says_which_topics_macro_f1_leaves_out(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "labelled.jsonl", [{"id": f"o{i}", "text": text, "labels": []}
                                                     for i, text in enumerate(OTHER)])
    metrics = json.loads(run("evaluate", str(path), "-m", str(model_path), "-f", "json").stdout)["metrics"]
    assert metrics["macro_left_out"]  # no topic in the data; the tiny model tags none of these
    assert all(metrics[topic]["positives"] == 0 for topic in metrics["macro_left_out"])
    table = run("evaluate", str(path), "-m", str(model_path))
    assert table.exit_code == 0, table.stderr
    assert f"macro-F1 leaves out {', '.join(sorted(metrics['macro_left_out']))}" in " ".join(table.stdout.split())
