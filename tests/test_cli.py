"""The command line as a whole: global options anywhere, the version, shell completion, help that reads
cleanly, and messages that lead somewhere.

Each test drives the CLI as a user would and checks what they notice: exit codes, messages on stderr,
the help text. Each command's own behaviour is tested in its own file (test_tag.py, test_cli_summarize.py...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Run

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


# --- messages that lead somewhere ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["tag", "summarize"])
def test_a_url_as_input_says_how_to_fetch_it(run: Run, model_path: Path, command: str) -> None:
    url = "https://example.com/news/story.html"
    result = run(command, url, *(["-m", str(model_path)] if command == "tag" else []))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()[:1]
    assert line.startswith(f"Error: {url}: ") and "check the path" not in line
    assert "saved files" in line and "digest --fetch" in line
