"""`classify info`: a model's topics, thresholds, figures, data and settings, for people and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from classify.model_file import load_model
from tests.conftest import CheckedModel, Run


def test_json_has_topics_thresholds_figures_data_settings_and_versions(run: Run, model_path: Path) -> None:
    result = run("info", str(model_path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    model = load_model(model_path)
    assert info["model"] == {"path": str(model_path), "bytes": model_path.stat().st_size}
    assert info["topics"] == ["diplomacy", "middle-east", "security"]
    assert info["thresholds"] == {t: round(float(v), 4) for t, v in zip(model.topics, model.thresholds, strict=True)}
    assert info["cross_validation"]["metrics"]["macro_f1"] == model.meta.cross_validation.metrics["macro_f1"]
    assert info["cross_source"] is None
    assert info["training_data"]["articles"] == 24 and info["training_data"]["sha256"] == model.meta.training_data.sha256
    assert info["settings"]["C"] == model.meta.params["C"] and info["settings"]["terms"] == len(model.vocabulary)
    assert info["settings"]["vectorizer"]["ngram_range"] == [1, 2]
    assert {"classify (model)", "scikit-learn", "numpy"} <= set(info["versions"])


def test_table_shows_cross_source_figures_beside_cross_validation(run: Run, checked_model: CheckedModel) -> None:
    path, check = checked_model
    result = run("info", str(path))
    assert result.exit_code == 0, result.stderr
    assert "cross-validated" in result.stdout and "on --check" in result.stdout and str(check) in result.stdout
    assert load_model(path).meta.training_data.sha256 in result.stdout
    macro = load_model(path).meta.cross_source.metrics["macro_f1"]
    assert f"{macro:.3f}" in result.stdout
    as_json = json.loads(run("info", str(path), "-f", "json").stdout)
    assert as_json["cross_source"]["data"] == str(check) and as_json["cross_source"]["articles"] == 4


def test_table_without_check_says_how_to_add_cross_source_figures(run: Run, model_path: Path) -> None:
    result = run("info", str(model_path))
    assert result.exit_code == 0
    assert "train with --check" in result.stdout and "security" in result.stdout


def test_missing_or_foreign_model_is_one_line(run: Run, tmp_path: Path) -> None:
    result = run("info", str(tmp_path / "nope.npz"))
    assert result.exit_code == 1 and "no model there" in result.stderr and "Traceback" not in result.stderr
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    result = run("info", str(junk))
    assert result.exit_code == 1 and str(junk) in result.stderr


def test_table_counts_the_stop_words_instead_of_listing_them(run: Run, model_path: Path) -> None:
    stop_words = load_model(model_path).settings["stop_words"]
    result = run("info", str(model_path))
    assert result.exit_code == 0
    assert f"stop_words={len(stop_words)} words" in result.stdout
    assert "'afterwards'" not in result.stdout, "the word list belongs in --format json"
