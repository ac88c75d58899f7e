"""`classify tag`: every input kind and output format, in input order, with reasons."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from classify.model_file import load_model
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run, write_jsonl

ALL_THREE = " ".join([SECURITY[0], DIPLOMACY[0], MIDDLE_EAST[1]])


@pytest.fixture
def articles_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    rows = [
        {"id": "sport", "text": OTHER[0]},
        {"id": "all", "title": "Strike", "text": ALL_THREE},
        {"id": "sec", "text": SECURITY[1]},
    ]
    return write_jsonl(path, rows)


def test_jsonl_records_in_input_order_with_labels_and_scores(run: Run, model_path: Path, articles_jsonl: Path) -> None:
    result = run("tag", str(articles_jsonl), "-m", str(model_path), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["sport", "all", "sec"]
    assert records[0]["labels"] == []
    assert records[1]["labels"] == ["diplomacy", "middle-east", "security"]
    assert "security" in records[2]["labels"]
    assert [list(record) for record in records] == [["id", "labels", "scores"], ["id", "title", "labels", "scores"],
                                                    ["id", "labels", "scores"]]  # title where the input has one
    for record in records:
        assert all(0.0 <= s <= 1.0 for s in record["scores"].values())


def test_json_is_one_array_and_explain_adds_reasons(run: Run, model_path: Path, articles_jsonl: Path) -> None:
    result = run("tag", str(articles_jsonl), "-m", str(model_path), "--format", "json", "--explain")
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == 3
    assert set(records[1]["reasons"]) == set(records[1]["labels"])
    assert all(records[1]["reasons"][label] for label in records[1]["labels"])


def test_csv_has_one_column_per_topic_score(run: Run, model_path: Path, articles_jsonl: Path) -> None:
    result = run("tag", str(articles_jsonl), "-m", str(model_path), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["sport", "all", "sec"]
    assert {"labels", "scores.security", "scores.diplomacy", "scores.middle-east"} <= set(rows[0])
    assert rows[1]["labels"] == "diplomacy; middle-east; security"


def test_table_shows_the_terms_behind_each_tag(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(SECURITY[1] + "\n")
    result = run("tag", str(path), "-m", str(model_path))
    assert result.exit_code == 0
    assert "security" in result.stdout
    assert "security:" in result.stdout  # the "why" column lists terms per tag
    assert any(word in result.stdout for word in ("militants", "missile", "weapons", "army", "soldiers"))


def test_folders_text_files_and_stdin(run: Run, model_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "b.txt").write_text(MIDDLE_EAST[0])
    (folder / "a.txt").write_text(OTHER[1])
    result = run("tag", str(folder), "-", "-m", str(model_path), "--format", "jsonl", input=DIPLOMACY[2])
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == [str(folder / "a.txt"), str(folder / "b.txt"), "-"]


def test_output_file_written_and_stdout_left_empty(run: Run, model_path: Path, articles_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "tags.jsonl"
    result = run("tag", str(articles_jsonl), "-m", str(model_path), "-f", "jsonl", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text().splitlines()) == 3


def test_default_model_is_built_from_bundled_seeds_on_first_use(run: Run, isolated_model: Path, tmp_path: Path) -> None:
    assert not isolated_model.exists()
    path = tmp_path / "story.txt"
    path.write_text(
        "NATO allies backed Washington after a U.S. drone strike in Baghdad killed an Iranian commander. "
        "Foreign ministers urged restraint and the UN Secretary-General called for dialogue with Tehran.\n"
    )
    result = run("tag", str(path), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert "Building the default model" in result.stderr
    assert isolated_model.exists()
    assert json.loads(result.stdout)["labels"] == ["diplomacy", "middle-east", "security"]
    again = run("tag", str(path), "-f", "jsonl")
    assert "Building" not in again.stderr and again.stdout == result.stdout


def test_unknown_format_is_a_usage_error(run: Run, model_path: Path, articles_jsonl: Path) -> None:
    result = run("tag", str(articles_jsonl), "-m", str(model_path), "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_missing_model_file_says_how_to_train(run: Run, tmp_path: Path, articles_jsonl: Path) -> None:
    result = run("tag", str(articles_jsonl), "-m", str(tmp_path / "none.npz"))
    assert result.exit_code == 1
    assert "no model there; train one: classify train" in result.stderr


def test_damaged_cached_default_model_is_rebuilt(run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CLASSIFY_MODEL")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cached = tmp_path / "cache" / "classify" / "default.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not a model at all")
    result = run("tag", "-", "-f", "jsonl", input=SECURITY[0])
    assert result.exit_code == 0, result.stderr
    assert "Warning:" in result.stderr and "not a classify model" in result.stderr
    assert "Building the default model" in result.stderr
    assert json.loads(result.stdout)["id"] == "-"


def test_csv_reasons_columns_come_from_the_model_not_the_first_record(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "sport", "text": OTHER[0]},
                                                 {"id": "war", "text": " ".join(SECURITY)}])
    result = run("tag", str(path), "-m", str(model_path), "-f", "csv", "--explain")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    topics = load_model(model_path).topics
    assert list(rows[0]) == ["id", "title", "labels", *(f"scores.{t}" for t in topics), *(f"reasons.{t}" for t in topics)]
    assert rows[0]["labels"] == "" and rows[0]["reasons.security"] == ""
    assert "security" in rows[1]["labels"]
    assert rows[1]["reasons.security"]  # the second record's reasons are not dropped


def test_tag_records_carry_the_title_after_the_id(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Border clash", "text": SECURITY[0]},
                                                 {"id": "b", "text": SECURITY[1]}])
    records = [json.loads(line) for line in run("tag", str(path), "-m", str(model_path), "-f", "jsonl").stdout.splitlines()]
    assert list(records[0]) == ["id", "title", "labels", "scores"]
    assert records[0]["title"] == "Border clash"
    assert list(records[1]) == ["id", "labels", "scores"]  # no title in the input: none invented


def test_the_tag_table_shows_the_title(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Border clash overnight", "text": SECURITY[0]}])
    result = run("tag", str(path), "-m", str(model_path))
    assert result.exit_code == 0, result.stderr
    assert "Border clash overnight" in result.stdout
