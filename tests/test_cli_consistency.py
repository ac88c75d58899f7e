"""Issue 12's faults: one meaning per option, nothing dropped silently, help that reads cleanly.

Each test drives the CLI as a user would and checks what they notice: exit codes, the records and
columns written, the messages on stderr, the help text.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from classify.model_file import load_model
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY

LONG_STORY = " ".join(SECURITY + DIPLOMACY + MIDDLE_EAST + OTHER)


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


# --- records keep what the input said ---------------------------------------------------------------


def test_csv_reasons_columns_come_from_the_model_not_the_first_record(run, model_path: Path, tmp_path: Path) -> None:
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


def test_tag_records_carry_the_title_after_the_id(run, model_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Border clash", "text": SECURITY[0]},
                                                 {"id": "b", "text": SECURITY[1]}])
    records = [json.loads(line) for line in run("tag", str(path), "-m", str(model_path), "-f", "jsonl").stdout.splitlines()]
    assert list(records[0]) == ["id", "title", "labels", "scores"]
    assert records[0]["title"] == "Border clash"
    assert list(records[1]) == ["id", "labels", "scores"]  # no title in the input: none invented


def test_the_tag_table_shows_the_title(run, model_path: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Border clash overnight", "text": SECURITY[0]}])
    result = run("tag", str(path), "-m", str(model_path))
    assert result.exit_code == 0, result.stderr
    assert "Border clash overnight" in result.stdout


def test_summary_records_carry_the_title_after_the_id(run, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Talks resume", "text": LONG_STORY},
                                                 {"id": "b", "text": LONG_STORY}])
    result = run("summarize", str(path), "-f", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(records[0]) == ["id", "title", "summary", "method"]
    assert records[0]["title"] == "Talks resume"
    assert list(records[1]) == ["id", "summary", "method"]
