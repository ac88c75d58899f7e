"""`classify evaluate`: per-topic figures that honour unknown labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classify.metrics import calibration
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_json_metrics_per_topic_and_macro(run: Run, model_path: Path, tmp_path: Path) -> None:
    data = _write(tmp_path / "test.jsonl", [
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
    data = _write(tmp_path / "partial.jsonl", [
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
    data = _write(tmp_path / "plain.jsonl", [{"id": "u1", "text": OTHER[0]}])
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
    data = _write(tmp_path / "refs.jsonl", [{"id": "tram", "text": story, "summary": reference}] * 2)
    result = run("evaluate", "--summaries", str(data), "--method", "lead", "--method", "luhn", "-n", "2", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["methods"]
    assert [row["method"] for row in rows] == ["lead", "luhn"]
    lead = rows[0]
    assert lead["articles"] == 2 and 50 < lead["rouge1"] <= 100 and lead["rouge2"] > 0 and lead["rougeLsum"] > 0
    table = run("evaluate", "--summaries", str(data), "--method", "lead")
    assert "ROUGE-Lsum" in table.stdout and "lead" in table.stdout


def test_summaries_need_reference_summaries(run: Run, tmp_path: Path) -> None:
    data = _write(tmp_path / "norefs.jsonl", [{"id": "a", "text": "One sentence. Another one."}])
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
