"""Random text, bytes and JSONL through the CLI: never a traceback, only exit 0 or 1.

Kept to a modest number of examples so the suite stays fast; raise `FUZZ_EXAMPLES` locally
(e.g. `FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_cli.py`) for a longer hunt.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from classify.cli import app

if TYPE_CHECKING:
    from click.testing import Result

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# conftest's autouse `isolated_model` (CLASSIFY_MODEL in a tmp folder) is safely shared by a test's examples
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SUFFIXES = [".txt", ".jsonl", ".csv", ".tsv", ".md", ".html"]

runner = CliRunner()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "title": json_values,
        "text": st.text(max_size=300) | json_values,
        "labels": st.lists(st.text(max_size=12), max_size=3) | json_values,
        "unknown_labels": json_values,
        "summary": json_values,
    },
)
jsonl_lines = st.lists(
    st.one_of(
        records.map(lambda record: json.dumps(record, ensure_ascii=False)),
        json_values.map(json.dumps),
        st.text(max_size=60).filter(lambda line: "\n" not in line and "\r" not in line),
    ),
    max_size=8,
)


def assert_no_traceback(result: Result, *, messages_only: bool = True) -> None:
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    if messages_only:
        for line in result.stderr.splitlines():
            assert line.startswith(("Error: ", "Warning: ")), line


def tag(model_path: Path, *args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(app, ["tag", *args, "-m", str(model_path), "-f", "jsonl"], input=input)


def summarize(*args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(app, ["summarize", *args, "-f", "jsonl"], input=input)


def assert_jsonl(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


@FUZZ
@given(text=st.text(max_size=2000))
def test_random_text_on_stdin(model_path: Path, text: str) -> None:
    result = tag(model_path, "-", input=text)
    assert_no_traceback(result)
    records = assert_jsonl(result.stdout)
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):  # one article, or one reported problem
        assert [r["id"] for r in records] == (["-"] if result.exit_code == 0 else [])


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_as_a_file(model_path: Path, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        result = tag(model_path, str(path))
        assert_no_traceback(result)
        records = assert_jsonl(result.stdout)
        if suffix in (".txt", ".md", ".html"):
            assert len(records) == (1 if result.exit_code == 0 else 0)  # one article, or one reported problem


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_on_stdin(model_path: Path, data: bytes) -> None:
    assert_no_traceback(tag(model_path, "-", input=data))


@FUZZ
@given(lines=jsonl_lines, newline=st.sampled_from(["\n", "\r\n"]))
def test_random_jsonl(model_path: Path, lines: list[str], newline: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_text(newline.join(lines) + newline, encoding="utf-8", errors="surrogatepass")
        result = tag(model_path, str(path))
        assert_no_traceback(result)
        records = assert_jsonl(result.stdout)
        numbers = [int(match) for match in re.findall(rf"^Error: {re.escape(str(path))}:(\d+): ", result.stderr, re.M)]
        assert len(records) + len(numbers) <= len(lines)  # each line is a record, a reported problem, or blank
        assert all(1 <= number <= len(lines) for number in numbers)


@FUZZ
@given(text=st.text(max_size=2000))
def test_summarize_random_text_on_stdin(text: str) -> None:
    assert_no_traceback(summarize("-", input=text), messages_only=False)


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_summarize_random_bytes_as_a_file(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        assert_no_traceback(summarize(str(path)), messages_only=False)


@FUZZ
@given(lines=jsonl_lines)
def test_summarize_random_jsonl(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        result = summarize(str(path))
        assert_no_traceback(result, messages_only=False)
        assert_jsonl(result.stdout)
