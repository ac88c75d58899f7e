"""Bad input gets one line per problem, with file and line, and never a traceback.

The batch policy (docs/errors.md): every command reports each bad file, line or row on stderr as
`Error: FILE:LINE: what; what to do`, skips it, carries on, and exits 1 at the end; `tag` and
`summarize` still write the good records, `train` writes no model.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from classify.errors import InputError
from classify.inputs import iter_articles
from tests.conftest import DIPLOMACY, LONG_STORY, MIDDLE_EAST, OTHER, SECURITY, Run, write_jsonl

if TYPE_CHECKING:
    from click.testing import Result

WESTERN = "Café owners in Zürich said the naïve plan was déjà vu; the façade cost 5 €."  # cp1252 and UTF-8
LATIN1 = "Café owners in Zürich said the naïve plan was déjà vu."  # also latin-1
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4


def lines_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_calm(result: Result, code: int = 1) -> None:
    """The exit code asked for, only `Error:`/`Warning:` lines on stderr, and no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def tagged_ids(result: Result) -> list[str]:
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


# --- encodings ---

@pytest.mark.parametrize(("encoding", "text"), [
    ("utf-8", WESTERN),
    ("utf-8-sig", WESTERN),
    ("utf-16", WESTERN),
    ("cp1252", WESTERN),
    ("latin-1", LATIN1),
])
def test_text_files_in_common_encodings_are_read_correctly(run: Run, model_path: Path, tmp_path: Path, encoding: str,
                                                           text: str) -> None:
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(f"id: ça-{encoding}\n\n{SECURITY[0]} {text}\n".encode(encoding))
    (article,) = iter_articles([str(path)])
    assert article.text == f"{SECURITY[0]} {text}"

    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 0)
    assert tagged_ids(result) == [f"ça-{encoding}"]
    assert result.stderr == ""


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_record_files_in_common_encodings_are_read_correctly(run: Run, model_path: Path, tmp_path: Path, encoding: str,
                                                             kind: str) -> None:
    ids = [f"café-{i}" for i in range(3)]
    if kind == "jsonl":
        content = "".join(json.dumps({"id": i, "text": f"{SECURITY[1]} {WESTERN}"}, ensure_ascii=False) + "\n" for i in ids)
    else:
        content = "id,text\n" + "".join(f'{i},"{SECURITY[1]} {WESTERN}"\n' for i in ids)
    path = tmp_path / f"records.{kind}"
    path.write_bytes(content.encode(encoding))
    assert [a.text for a in iter_articles([str(path)])] == [f"{SECURITY[1]} {WESTERN}"] * 3

    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 0)
    assert tagged_ids(result) == ids


def test_stdin_in_another_encoding_is_detected(run: Run, model_path: Path) -> None:
    record = json.dumps({"id": "déjà", "text": f"{DIPLOMACY[0]} {WESTERN}"}, ensure_ascii=False) + "\n"
    result = run("tag", "-", "-m", str(model_path), "-f", "jsonl", input=record.encode("cp1252"))
    assert_calm(result, 0)
    assert tagged_ids(result) == ["déjà"]


def test_encoding_option_forces_one(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(f"id: ça\n\n{SECURITY[0]} {LATIN1}".encode("latin-1"))
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl", "--encoding", "latin-1")
    assert_calm(result, 0)
    assert tagged_ids(result) == ["ça"]

    wrong = run("tag", str(path), "-m", str(model_path), "-f", "jsonl", "--encoding", "utf-8")
    assert_calm(wrong, 1)
    assert wrong.stdout == ""
    assert f"Error: {path}: not valid UTF-8" in wrong.stderr and "--encoding" in wrong.stderr


@pytest.mark.parametrize("name", ["klingon", "rot13", "base64"])
def test_unknown_encoding_is_a_usage_error_before_any_work(run: Run, model_path: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SECURITY[0])
    result = run("tag", str(path), "-m", str(model_path), "--encoding", name)
    assert_calm(result, 2)
    assert "unknown text encoding" in result.stderr and name in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("name", "content", "message"), [
    ("picture.txt", PNG, "looks like a binary file"),
    ("records.jsonl", PNG, "looks like a binary file"),
    ("table.csv", PNG, "looks like a binary file"),
    ("empty.txt", b"", "file has no text"),
    ("blank.txt", b"  \n\t\n", "file has no text"),
    ("empty.jsonl", b"", "no records in this file"),
    ("blank.jsonl", b"\n\n  \n", "no records in this file"),
    ("empty.csv", b"", "file is empty"),
    ("header-only.csv", b"id,text\n", "no records in this file"),
])
def test_binary_and_empty_files_are_reported_and_skipped(run: Run, model_path: Path, tmp_path: Path, name: str, content: bytes,
                                                         message: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text(SECURITY[0])
    bad = tmp_path / name
    bad.write_bytes(content)
    result = run("tag", str(bad), str(good), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == [str(good)]  # not tagged as an empty article
    errors = lines_of(result.stderr)
    assert len(errors) == 2 and errors[0].startswith(f"Error: {bad}: {message}")
    assert errors[1] == "Error: 1 bad input skipped (reported above); fix or remove it and rerun"


def test_binary_file_is_refused_even_with_a_forced_encoding(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(PNG)
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl", "--encoding", "latin-1")
    assert_calm(result, 1)
    assert result.stdout == "" and "looks like a binary file" in result.stderr


def test_a_cp1252_line_mid_file_is_decoded_on_its_own_with_a_note(run: Run, tmp_path: Path) -> None:
    # more than the 64 KB that encoding detection looks at, all UTF-8, then one cp1252 line
    good = [json.dumps({"id": f"r{i}", "text": f"{OTHER[i % 6]} é"}, ensure_ascii=False).encode() for i in range(1200)]
    bad = b'{"id": "bad", "text": "The caf\xe9 in Z\xfcrich reopened on Monday after the talks."}'
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([*good[:1000], bad, *good[1000:]]) + b"\n")
    assert path.stat().st_size > 64 * 1024
    result = run("summarize", str(path), "-f", "jsonl")
    assert_calm(result, 0)
    assert (f"Warning: {path}:1001: not valid UTF-8 (byte 0xe9 at column 31); read this line as cp1252: check it, "
            "or pass --encoding (e.g. --encoding cp1252)") in result.stderr.splitlines()
    summaries = {json.loads(line)["id"]: json.loads(line)["summary"] for line in result.stdout.splitlines()}
    assert len(summaries) == 1201
    assert summaries["bad"] == ["The café in Zürich reopened on Monday after the talks."]
    assert summaries["r1001"][-1] == "é"  # the UTF-8 lines after it stay UTF-8


def test_one_odd_byte_does_not_turn_a_utf8_file_into_mojibake(run: Run, tmp_path: Path) -> None:
    # 100 UTF-8 records and one cp1252 byte, all inside the part that encoding detection reads
    lines = [json.dumps({"id": f"r{i}", "text": f"Le ministre a visité Téhéran — {OTHER[i % 6]}"},
                        ensure_ascii=False).encode() for i in range(100)]
    lines.insert(50, b'{"id": "odd", "text": "Na\xefve diplomats met in Gen\xe8ve to talk about the treaty."}')
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = run("summarize", str(path), "-f", "jsonl")
    assert_calm(result, 0)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [f"Warning: {path}:51: not valid UTF-8 (byte 0xef at column 26); read this line as cp1252: "
                        "check it, or pass --encoding (e.g. --encoding cp1252)"]
    summaries = {json.loads(line)["id"]: json.loads(line)["summary"] for line in result.stdout.splitlines()}
    assert summaries["r0"] == [f"Le ministre a visité Téhéran — {OTHER[0]}"]
    assert summaries["odd"] == ["Naïve diplomats met in Genève to talk about the treaty."]


def test_a_cp1252_file_is_read_with_one_note(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(b"".join(json.dumps({"id": f"r{i}", "text": f"Le ministre a visit\u00e9 T\u00e9h\u00e9ran {i}."},
                                         ensure_ascii=False).encode("cp1252") + b"\n" for i in range(5)))
    result = run("summarize", str(path), "-f", "jsonl")
    assert_calm(result, 0)
    assert [line for line in result.stderr.splitlines() if line.startswith("Warning:")] == [
        f"Warning: {path}:1: not valid UTF-8; read this line and the file's other such lines as cp1252 (detected): "
        "pass --encoding (e.g. --encoding cp1252) to choose another"]
    assert json.loads(result.stdout.splitlines()[4])["summary"] == ["Le ministre a visité Téhéran 4."]


def test_a_forced_encoding_still_reports_lines_it_cannot_read(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "forced.jsonl"
    path.write_bytes(b'{"id": "a", "text": "caf\xe9 talks"}\n' + json.dumps({"id": "b", "text": OTHER[0]}).encode() + b"\n")
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl", "--encoding", "utf-8")
    assert_calm(result, 1)
    assert f"Error: {path}:1: not valid UTF-8 (byte 0xe9 at column 25); fix the line or pass --encoding" in result.stderr
    assert tagged_ids(result) == ["b"]


# --- bad records, the same for every command ---

def labelled_records() -> list[dict]:
    records = []
    for i in range(4):
        records.append({"id": f"sec-{i}", "text": f"{SECURITY[i]} {OTHER[i]}", "labels": ["security"]})
        records.append({"id": f"dip-{i}", "text": f"{DIPLOMACY[i]} {OTHER[i + 1]}", "labels": ["diplomacy"]})
        records.append({"id": f"me-{i}", "text": f"{MIDDLE_EAST[i]} {OTHER[i + 2]}", "labels": ["middle-east"]})
        records.append({"id": f"none-{i}", "text": f"{OTHER[i]} {OTHER[(i + 3) % 6]}", "labels": []})
    return records


BAD_LINES = {  # line number -> (line, what stderr says about it)
    2: ('{"id": "broken", "text": ', "not valid JSON"),
    4: ('["a", "list"]', "a record must be a JSON object"),
    5: ('"just a string"', "a record must be a JSON object"),
    7: ('{"id": "no-text", "labels": []}', "record has no `text`"),
    9: ('{"id": "empty", "text": "   ", "labels": []}', "`text` is empty"),
    10: ('{"id": "number", "text": 42, "labels": []}', "record has no `text`"),
}


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, list[str]]:
    """A labelled JSONL file with the bad lines above among 16 good records."""
    good = iter(labelled_records())
    lines, ids = [], []
    for number in range(1, 23):
        if number in BAD_LINES:
            lines.append(BAD_LINES[number][0])
        else:
            record = next(good)
            ids.append(record["id"])
            lines.append(json.dumps(record))
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, ids


def assert_bad_lines_reported(stderr: str, path: Path) -> None:
    errors = lines_of(stderr)
    reported = [line for line in errors if line.startswith(f"Error: {path}:")]
    assert len(reported) == len(BAD_LINES), errors
    for line, (number, (_, message)) in zip(reported, sorted(BAD_LINES.items()), strict=True):
        assert line.startswith(f"Error: {path}:{number}: {message}"), line
    assert errors[-1] == f"Error: {len(BAD_LINES)} bad inputs skipped (reported above); fix or remove them and rerun"


def test_tag_reports_each_bad_record_and_writes_the_good_ones(run: Run, model_path: Path, batch: tuple[Path, list[str]],
                                                              tmp_path: Path) -> None:
    path, ids = batch
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == ids
    assert_bad_lines_reported(result.stderr, path)

    output = tmp_path / "tags.jsonl"
    to_file = run("tag", str(path), "-m", str(model_path), "-f", "jsonl", "-o", str(output))
    assert_calm(to_file, 1)
    assert [json.loads(line)["id"] for line in output.read_text().splitlines()] == ids


def test_summarize_reports_each_bad_record_and_writes_the_good_ones(run: Run, batch: tuple[Path, list[str]]) -> None:
    path, ids = batch
    result = run("summarize", str(path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == ids
    assert_bad_lines_reported("\n".join(line for line in result.stderr.splitlines() if line.startswith("Error")), path)


def test_evaluate_reports_each_bad_record_and_scores_the_good_ones(run: Run, model_path: Path,
                                                                   batch: tuple[Path, list[str]]) -> None:
    path, _ = batch
    result = run("evaluate", str(path), "-m", str(model_path), "-f", "json")
    assert_calm(result, 1)
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["security"]["positives"] == 4 and metrics["security"]["negatives"] == 12
    assert_bad_lines_reported(result.stderr, path)


def test_train_reports_each_bad_record_and_writes_no_model(run: Run, model_path: Path, batch: tuple[Path, list[str]],
                                                           tmp_path: Path) -> None:
    path, _ = batch
    fresh = tmp_path / "fresh.npz"
    result = run("train", str(path), "-m", str(fresh))
    assert_calm(result, 1)
    assert_bad_lines_reported(result.stderr, path)
    assert not fresh.exists()
    assert list(tmp_path.glob(".fresh.npz*")) == []

    existing = tmp_path / "existing.npz"
    existing.write_bytes(model_path.read_bytes())
    again = run("train", str(path), "-m", str(existing))
    assert_calm(again, 1)
    assert existing.read_bytes() == model_path.read_bytes()


def test_train_succeeds_once_the_bad_lines_are_gone(run: Run, batch: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, _ = batch
    path.write_text("\n".join(json.dumps(r) for r in labelled_records()) + "\n")
    result = run("train", str(path), "-m", str(tmp_path / "ok.npz"))
    assert_calm(result, 0)
    assert (tmp_path / "ok.npz").exists()


def test_csv_without_a_text_column_names_the_columns_it_found(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("id,body\n1,Some story\n")
    for command in (["tag", str(path), "-m", str(model_path)], ["summarize", str(path)],
                    ["evaluate", str(path), "-m", str(model_path)], ["train", str(path), "-m", str(tmp_path / "m.npz")]):
        result = run(*command)
        assert_calm(result, 1)
        assert f"Error: {path}:1: no `text` column in the header row (found: id, body)" in result.stderr, command
    assert not (tmp_path / "m.npz").exists()


def test_csv_rows_without_text_are_reported_with_their_first_line(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text(
        "id,text\n"
        f'a,"{SECURITY[0]}\nsecond line of a"\n'  # lines 2-3
        "b,\n"  # line 4
        f"c,{DIPLOMACY[0].replace(',', '')}\n"  # line 5
        'd,"   "\n'  # line 6
        "\n"  # a blank line is no record
        f"e,{OTHER[0].replace(',', '')}\n",
        encoding="utf-8",
    )
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == ["a", "c", "e"]
    errors = lines_of(result.stderr)
    assert errors[0].startswith(f"Error: {path}:4: `text` is empty")
    assert errors[1].startswith(f"Error: {path}:6: `text` is empty")
    assert len(errors) == 3


@pytest.mark.parametrize(("line", "message"), [
    ("[" * 100_000, "nested too deeply"),
    ('{"text": "a", "id": 1' + "0" * 5000 + "}", "not usable JSON"),
    ('{"text": "a story", "labels": 7}', "labels must be a list"),
    ('{"text": "a story", "summary": 7}', "`summary` must be"),
])
def test_hostile_json_lines_are_reported(run: Run, model_path: Path, tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text(line + "\n" + json.dumps({"id": "fine", "text": SECURITY[0]}) + "\n")
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == ["fine"]
    assert lines_of(result.stderr)[0].startswith(f"Error: {path}:1: ") and message in result.stderr


def test_half_an_emoji_in_json_is_written_out_as_a_replacement_character(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "surrogate.jsonl"
    path.write_text('{"id": "x\\ud83d", "text": "' + SECURITY[0] + '"}\n')
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 0)
    assert tagged_ids(result) == ["x\ufffd"]


def test_missing_paths_and_empty_folders_are_reported_and_the_rest_tagged(run: Run, model_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(SECURITY[0])
    (tmp_path / "empty-folder").mkdir()
    result = run("tag", str(tmp_path / "nope.txt"), str(tmp_path / "empty-folder"), str(good), "-m", str(model_path),
                 "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == [str(good)]
    errors = lines_of(result.stderr)
    assert errors[0] == f"Error: {tmp_path / 'nope.txt'}: no such file or folder; check the path"
    assert errors[1].startswith(f"Error: {tmp_path / 'empty-folder'}: folder has no .txt")


def test_folder_with_bad_files_tags_the_good_ones(run: Run, model_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "scraped"
    folder.mkdir()
    (folder / "a.txt").write_text(SECURITY[0])
    (folder / "b.txt").write_bytes(PNG)
    (folder / "c.txt").write_bytes(f"{DIPLOMACY[0]} {WESTERN}".encode("cp1252"))
    (folder / "d.txt").write_text("")
    result = run("tag", str(folder), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == [str(folder / "a.txt"), str(folder / "c.txt")]
    assert [line.split(":")[1].strip() for line in lines_of(result.stderr)[:2]] == [str(folder / "b.txt"), str(folder / "d.txt")]


def test_one_article_over_the_size_limit_is_refused_not_loaded(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(SECURITY[0] * 50)
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"text": SECURITY[0] * 50}) + "\n" + json.dumps({"id": "ok", "text": SECURITY[0]}) + "\n")
    problems: list[InputError] = []
    articles = list(iter_articles([str(big), str(records), "-"], on_problem=problems.append, max_article_bytes=1000,
                                  stdin=io.StringIO(SECURITY[0] * 50)))
    assert [article.id for article in articles] == ["ok"]
    assert [(problem.source, problem.line) for problem in problems] == [(str(big), None), (str(records), 1), ("<stdin>", None)]
    assert all("limit for one article; it was skipped" in str(problem) for problem in problems)


def test_library_reports_unlabelled_articles_when_labels_are_required(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"id": "a", "text": "x", "labels": []}\n{"id": "b", "text": "y"}\n')
    problems: list[InputError] = []
    articles = list(iter_articles([str(path)], on_problem=problems.append, require_labels=True))
    assert [a.id for a in articles] == ["a"]
    assert [(p.source, p.line) for p in problems] == [(str(path), 2)]
    assert "no `labels`" in str(problems[0])


def test_a_file_in_the_wrong_format_does_not_flood_stderr(run: Run, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "actually-csv.jsonl"
    path.write_text("id,text\n" * 150 + json.dumps({"id": "ok", "text": SECURITY[0]}) + "\n")
    result = run("tag", str(path), "-m", str(model_path), "-f", "jsonl")
    assert_calm(result, 1)
    assert tagged_ids(result) == ["ok"]
    errors = lines_of(result.stderr)
    assert len(errors) == 102
    assert errors[99].startswith(f"Error: {path}:100: not valid JSON")
    assert errors[100] == (f"Error: {path}: 100 problems so far; further ones in this file are counted but not shown "
                           "(is it in the right format?)")
    assert errors[101] == "Error: 150 bad inputs skipped (reported above); fix or remove them and rerun"


def test_forced_encoding_applies_to_stdin_and_tolerates_a_bom(run: Run, model_path: Path, tmp_path: Path) -> None:
    record = json.dumps({"id": "ça", "text": SECURITY[0]}, ensure_ascii=False) + "\n"
    result = run("tag", "-", "-m", str(model_path), "-f", "jsonl", "--encoding", "latin-1", input=record.encode("latin-1"))
    assert_calm(result, 0)
    assert tagged_ids(result) == ["ça"]

    path = tmp_path / "bom.jsonl"
    path.write_bytes(record.encode("utf-8-sig"))
    forced = run("tag", str(path), "-m", str(model_path), "-f", "jsonl", "--encoding", "utf-8")
    assert_calm(forced, 0)
    assert tagged_ids(forced) == ["ça"]


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
