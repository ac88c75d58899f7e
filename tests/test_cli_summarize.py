"""`classify summarize`: what a user sees on stdout, stderr and in the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classify.summarize import DEFAULT_METHOD, METHODS
from tests.conftest import DIPLOMACY, LONG_STORY, MIDDLE_EAST, OTHER, SECURITY, Run, write_jsonl
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
    write_jsonl(data, rows)
    result = run("summarize", str(data), "-n", "1", "--method", "lead")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["long — Port strike\\x1b[31m", ARTICLE_SENTENCES[0], "",
                                          "short", "The mayor resigned on Monday after a vote."]


def test_jsonl_records_in_input_order_with_notes_on_stderr(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "batch.jsonl"
    rows = [{"id": "long", "title": "Port strike", "text": STORY},
            {"id": "short", "text": "The mayor resigned on Monday after a vote."}]
    write_jsonl(data, rows)
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
    from classify.cli.app import Method

    assert [m.value for m in Method] == [DEFAULT_METHOD, *(m for m in METHODS if m != DEFAULT_METHOD)]


def test_jobs_keep_input_order_and_match_one_process(tmp_path: Path, workers_used: list[int]) -> None:
    from typer.testing import CliRunner

    from classify.cli import app
    from classify.summarize import BATCHING

    path = tmp_path / "many.jsonl"
    count = BATCHING.size * (BATCHING.parallel_from + 1)  # enough for a worker to pay off
    rows = [{"id": f"a{i}", "text": f"Story {i} begins here. It has a middle part number {i}. And it ends."}
            for i in range(count)]
    write_jsonl(path, rows)
    runner = CliRunner()
    one = runner.invoke(app, ["summarize", str(path), "-n", "1", "-f", "jsonl"])
    two = runner.invoke(app, ["summarize", str(path), "-n", "1", "-f", "jsonl", "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.stderr
    assert workers_used == [workers_used[0]] and workers_used[0] > 0  # a worker summarized some of the batches
    assert [json.loads(line)["id"] for line in two.stdout.splitlines()] == [row["id"] for row in rows]
    assert two.stdout == one.stdout


def test_summary_records_carry_the_title_after_the_id(run: Run, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Talks resume", "text": LONG_STORY},
                                                 {"id": "b", "text": LONG_STORY}])
    result = run("summarize", str(path), "-f", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(records[0]) == ["id", "title", "summary", "method"]
    assert records[0]["title"] == "Talks resume"
    assert list(records[1]) == ["id", "summary", "method"]


def test_m_is_never_the_summary_method(run: Run, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(LONG_STORY)
    result = run("summarize", str(story), "-m", "lead")
    assert result.exit_code == 2
    assert run("summarize", str(story), "--method", "lead").exit_code == 0


def test_random_summaries_are_the_same_on_every_run_and_follow_seed(run: Run, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("\n\n".join(SECURITY + DIPLOMACY + MIDDLE_EAST + OTHER))

    def summary(*options: str) -> str:
        result = run("summarize", str(story), "--method", "random", "-n", "3", *options)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    assert summary() == summary()
    assert summary("--seed", "1") == summary("--seed", "1")
    assert len({summary("--seed", str(seed)) for seed in range(5)}) > 1


def test_seed_without_random_is_refused(run: Run, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(LONG_STORY)
    result = run("summarize", str(story), "--seed", "3")
    assert result.exit_code == 2 and "--seed" in result.stderr and "random" in result.stderr


def test_help_shows_the_default_summary_length(run: Run) -> None:
    assert "[default: 3]" in run("summarize", "--help").stdout


def test_a_line_recurring_across_a_batch_is_furniture(run: Run, tmp_path: Path) -> None:
    footer = "The Valmora Herald has served readers on the northern coast with local reporting since 1921."
    stories = [SECURITY, DIPLOMACY, MIDDLE_EAST, OTHER[:4], OTHER[2:]]
    path = write_jsonl(tmp_path / "scraped.jsonl", [{"id": f"a{i}", "text": "\n\n".join([footer, *story])}
                                                    for i, story in enumerate(stories)])
    result = run("summarize", str(path), "--method", "lead", "-n", "1", "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    summaries = [json.loads(line)["summary"] for line in result.stdout.splitlines()]
    assert summaries == [[story[0]] for story in stories]  # the footer, first on every page, is never picked
    alone = run("summarize", "--method", "lead", "-n", "1", "-", input="\n\n".join([footer, *SECURITY]))
    assert footer in alone.stdout  # one page cannot show it is furniture


def test_duplicate_articles_do_not_make_their_lines_furniture(run: Run, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dupes.jsonl", [{"id": f"d{i}", "text": "\n\n".join(SECURITY)} for i in range(5)])
    result = run("summarize", str(path), "--method", "lead", "-n", "1", "-f", "jsonl")
    assert [json.loads(line)["summary"] for line in result.stdout.splitlines()] == [[SECURITY[0]]] * 5
    assert result.stderr == ""
