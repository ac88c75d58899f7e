"""`classify summarize`: what a user sees on stdout, stderr and in the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classify.summarize import DEFAULT_METHOD, METHODS
from tests.conftest import Run
from tests.test_summarize import ARTICLE_SENTENCES, STORY


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    return path


def test_text_output_is_id_then_three_article_sentences(run: Run, story: Path) -> None:
    result = run("summarize", str(story))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == str(story) and len(lines) == 4
    assert all(line in ARTICLE_SENTENCES for line in lines[1:])
    assert result.stderr == ""


def test_text_output_heads_each_summary_with_its_title_when_it_has_one(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "batch.jsonl"
    rows = [{"id": "long", "title": "Port strike\x1b[31m", "text": STORY},
            {"id": "short", "text": "The mayor resigned on Monday after a vote."}]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run("summarize", str(data), "-n", "1", "--method", "lead")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["long — Port strike\\x1b[31m", ARTICLE_SENTENCES[0], "",
                                          "short", "The mayor resigned on Monday after a vote."]


def test_jsonl_records_in_input_order_with_notes_on_stderr(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "batch.jsonl"
    rows = [{"id": "long", "title": "Port strike", "text": STORY},
            {"id": "short", "text": "The mayor resigned on Monday after a vote."}]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run("summarize", str(data), "-n", "2", "--format", "jsonl", "--method", "lexrank")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["long", "short"]
    assert [list(r) for r in records] == [["id", "title", "summary", "method"], ["id", "summary", "method"]]
    assert all(r["method"] == "lexrank" for r in records)
    assert len(records[0]["summary"]) == 2
    assert result.stderr.strip() == "short: article has 1 sentence, fewer than the 2 asked"


def test_json_is_one_array_and_stdin_works(run: Run) -> None:
    result = run("summarize", "-", "--format", "json", "--ratio", "0.3", input=STORY)
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert len(record["summary"]) == 2 and all(s in ARTICLE_SENTENCES for s in record["summary"])


def test_word_budget(run: Run, story: Path) -> None:
    result = run("summarize", str(story), "--words", "40", "--format", "jsonl")
    assert sum(len(s.split()) for s in json.loads(result.stdout)["summary"]) <= 40


@pytest.mark.parametrize(
    "args", [["-n", "3", "--ratio", "0.2"], ["--ratio", "2"], ["--method", "nonsense"], ["-n", "0"], ["--format", "csv"]]
)
def test_usage_errors_exit_2_with_one_line_on_stderr(run: Run, story: Path, args: list[str]) -> None:
    result = run("summarize", str(story), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip()


def test_missing_file_exits_1(run: Run, tmp_path: Path) -> None:
    result = run("summarize", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_empty_input_is_never_a_silent_empty_summary(run: Run) -> None:
    result = run("summarize", "-", "--format", "jsonl", input="...\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"] == []
    assert "no sentences found" in result.stderr


def test_method_choices_are_the_registry_with_the_default_first() -> None:
    from classify.cli.summarize import Method

    assert [m.value for m in Method] == [DEFAULT_METHOD, *(m for m in METHODS if m != DEFAULT_METHOD)]


def test_jobs_keep_input_order_and_match_one_process(tmp_path: Path, workers_used: list[int]) -> None:
    from typer.testing import CliRunner

    from classify.cli import app
    from classify.summarize import BATCHING

    path = tmp_path / "many.jsonl"
    count = BATCHING.size * (BATCHING.parallel_from + 1)  # enough for a worker to pay off
    rows = [{"id": f"a{i}", "text": f"Story {i} begins here. It has a middle part number {i}. And it ends."}
            for i in range(count)]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    runner = CliRunner()
    one = runner.invoke(app, ["summarize", str(path), "-n", "1", "-f", "jsonl"])
    two = runner.invoke(app, ["summarize", str(path), "-n", "1", "-f", "jsonl", "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.stderr
    assert workers_used == [workers_used[0]] and workers_used[0] > 0  # a worker summarized some of the batches
    assert [json.loads(line)["id"] for line in two.stdout.splitlines()] == [row["id"] for row in rows]
    assert two.stdout == one.stdout
