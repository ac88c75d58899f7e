"""Issue 12's faults: one meaning per option, nothing dropped silently, help that reads cleanly.

Each test drives the CLI as a user would and checks what they notice: exit codes, the records and
columns written, the messages on stderr, the help text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from classify.model_file import load_model
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run

LONG_STORY = " ".join(SECURITY + DIPLOMACY + MIDDLE_EAST + OTHER)


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


# --- records keep what the input said ---------------------------------------------------------------


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


def test_summary_records_carry_the_title_after_the_id(run: Run, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "a", "title": "Talks resume", "text": LONG_STORY},
                                                 {"id": "b", "text": LONG_STORY}])
    result = run("summarize", str(path), "-f", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(records[0]) == ["id", "title", "summary", "method"]
    assert records[0]["title"] == "Talks resume"
    assert list(records[1]) == ["id", "summary", "method"]


# --- one meaning per option; options that do not apply are refused -----------------------------------


def test_m_is_never_the_summary_method(run: Run, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(LONG_STORY)
    result = run("summarize", str(story), "-m", "lead")
    assert result.exit_code == 2
    assert run("summarize", str(story), "--method", "lead").exit_code == 0


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


# --- global options anywhere, completion, help ----------------------------------------------------------


def test_quiet_and_debug_work_after_the_subcommand(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "model.npz"
    result = run("train", str(seeds_dir), "-m", str(target), "--quiet")
    assert result.exit_code == 0, result.stderr
    assert "Saved model" not in result.stderr and "Training on" not in result.stderr
    assert run("tag", str(seeds_dir), "-m", str(target), "--debug", "-q", "-f", "jsonl").exit_code == 0


def test_dash_capital_v_prints_the_version(run: Run) -> None:
    result = run("-V")
    assert result.exit_code == 0 and result.stdout.startswith("classify ")


def test_shell_completion_is_offered(run: Run) -> None:
    assert "--install-completion" in run("--help").stdout and "--show-completion" in run("--help").stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_and_completions(shell: str) -> None:
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "classify"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "classify"]

    def completing(env: dict[str, str]) -> str:
        return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
                              check=True).stdout

    assert "classify" in completing({"_CLASSIFY_COMPLETE": f"source_{shell}"})
    if shell == "bash":  # what the script asks for as you type
        words = {"COMP_WORDS": "classify summarize --me", "COMP_CWORD": "2", "_CLASSIFY_COMPLETE": "complete_bash"}
        assert completing(words).split() == ["--method"]


@pytest.mark.parametrize("command", ["tag", "summarize", "train", "evaluate", "digest", "serve", "info"])
def test_help_reads_cleanly(run: Run, command: str) -> None:
    text = run(command, "--help").stdout
    assert "<bool>" not in text and "<list[" not in text
    assert not re.search(r"\w [.,](\s|$)", text)  # a default hidden as markup used to leave "Model file ."
    assert " | classify" not in text  # examples are one per line, not joined by a pipe
    assert "Examples" in text


def _commands() -> list[str]:
    import typer

    from classify.cli import app

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", _commands())
def test_each_command_help_lists_the_global_options_that_work_after_it(run: Run, command: str) -> None:
    lines = run(command, "--help").stdout.splitlines()
    panel = next(i for i, line in enumerate(lines) if "Global options (also after the command)" in line)
    below = lines[panel:]
    assert any(re.search(r"--quiet\s+-q\s+No progress bars or status messages\.", line) for line in below)
    assert any(re.search(r"--debug\s+Show the full traceback", line) for line in below)
    assert not any("--version" in line for line in below)
    own = "\n".join(lines[:panel])
    assert "--quiet" not in own and "--debug" not in own  # shown once, in their own panel


def test_help_shows_the_default_summary_length(run: Run) -> None:
    assert "[default: 3]" in run("summarize", "--help").stdout


# --- messages that lead somewhere ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["tag", "summarize"])
def test_a_url_as_input_says_how_to_fetch_it(run: Run, model_path: Path, command: str) -> None:
    url = "https://example.com/news/story.html"
    result = run(command, url, *(["-m", str(model_path)] if command == "tag" else []))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()[:1]
    assert line.startswith(f"Error: {url}: ") and "check the path" not in line
    assert "saved files" in line and "digest --fetch" in line


@pytest.mark.parametrize("content", [b"An article I wrote, not a model.\n", b"PK\x03\x04 a zip that is not a model"])
def test_a_non_model_file_is_never_offered_for_overwriting(run: Run, tmp_path: Path, content: bytes) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    result = run("tag", str(story), "-m", str(article))
    assert result.exit_code == 1
    assert str(article) in result.stderr
    assert f"-m {article}" not in result.stderr  # no `classify train SOURCES -m article.txt`
    assert "classify train" in result.stderr  # but how to get a model


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_text_is_one_documented_behaviour(run: Run, model_path: Path, tmp_path: Path, text: str) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", [{"id": "empty", "text": text}, {"id": "ok", "text": LONG_STORY}])
    for command in (["tag", "-m", str(model_path)], ["summarize"]):
        result = run(command[0], str(path), *command[1:], "-f", "jsonl")
        assert result.exit_code == 1
        assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ok"]
        assert result.stderr.splitlines()[0] == (f"Error: {path}:1: `text` is empty; the record was skipped "
                                                 "(give the article text, or leave the record out)")
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "empty `text`" in readme and "Short, empty or lower-case articles get a summary" not in readme


# --- macro-F1 ---------------------------------------------------------------------------------------------


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


# --- page furniture --------------------------------------------------------------------------------------

FURNITURE = [
    "This article is more than 5 years old.",
    "Have a news tip? Email us at tips@example.com or contact us securely.",
    "Sign up to our morning briefing and get the news delivered to your inbox.",
    "Support our journalism: subscribe today for full access to every story.",
    "Already a subscriber? Log in to continue reading this article.",
]


@pytest.mark.parametrize("method", ["position-centrality", "lead", "lexrank", "lsa", "luhn", "textrank", "kl", "sumbasic",
                                    "reduction", "edmundson", "random"])
def test_no_method_picks_page_furniture(method: str) -> None:
    from classify.summarize import METHODS, Length, summarize

    assert method in METHODS
    paragraphs = [FURNITURE[0], SECURITY[0], FURNITURE[1], DIPLOMACY[0], FURNITURE[2], MIDDLE_EAST[0],
                  FURNITURE[3], SECURITY[1], FURNITURE[4], DIPLOMACY[1]]
    summary = summarize("\n\n".join(paragraphs), length=Length(sentences=5), method=method)
    assert len(summary.sentences) == 5
    assert not set(summary.sentences) & set(FURNITURE)


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
