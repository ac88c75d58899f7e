"""Where results go: special files, inputs named as outputs, closed streams, and names that are not text.

Every case ends with one line on stderr and the right exit code; nothing an output option names is
turned into something else (a device into a file, an input into results).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import DIPLOMACY, SECURITY, Run

if TYPE_CHECKING:
    from click.testing import Result

CLASSIFY = [sys.executable, "-m", "classify"]


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    with path.open("w") as stream:
        for i in range(40):
            stream.write(json.dumps({"id": f"a{i}", "text": f"{SECURITY[i % 4]} {DIPLOMACY[i % 4]}"}) + "\n")
    return path


def tag_jsonl(run: Run, model_path: Path, *args: str) -> Result:
    return run("tag", *args, "-m", str(model_path), "-f", "jsonl")


def ids(text: str) -> list[str]:
    return [json.loads(line)["id"] for line in text.splitlines()]


# --- special files ---------------------------------------------------------------------------------


def test_output_onto_a_fifo_writes_through_and_keeps_the_fifo(run: Run, model_path: Path, articles: Path,
                                                               tmp_path: Path) -> None:
    fifo = tmp_path / "results"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    result = tag_jsonl(run, model_path, str(articles), "-o", str(fifo))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert ids(received[0]) == [f"a{i}" for i in range(40)]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_output_onto_a_character_device_writes_through(run: Run, model_path: Path, articles: Path) -> None:
    before = os.stat(os.devnull)
    result = tag_jsonl(run, model_path, str(articles), "-o", os.devnull)
    assert result.exit_code == 0, result.stderr
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_output_onto_dev_stdout_reaches_stdout(model_path: Path, articles: Path) -> None:
    done = subprocess.run([*CLASSIFY, "tag", str(articles), "-m", str(model_path), "-f", "jsonl", "-o", "/dev/stdout"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(ids(done.stdout.decode())) == 40


def test_output_onto_a_symlink_replaces_its_target_and_keeps_the_link(run: Run, model_path: Path, articles: Path,
                                                                     tmp_path: Path) -> None:
    target = tmp_path / "store" / "tags.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = tag_jsonl(run, model_path, str(articles), "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert len(ids(target.read_text())) == 40
    assert list(target.parent.glob(".*.tmp")) == []


def test_output_onto_a_symlink_loop_is_one_line(run: Run, model_path: Path, articles: Path, tmp_path: Path) -> None:
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    result = tag_jsonl(run, model_path, str(articles), "-o", str(loop))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {loop}: Too many levels of symbolic links; "
                                          "check the path, its permissions and the free space"]


@pytest.mark.parametrize("spelling", ["same", "symlink", "hardlink"])
def test_output_that_is_an_input_is_refused_and_the_input_kept(run: Run, model_path: Path, articles: Path,
                                                               tmp_path: Path, spelling: str) -> None:
    original = articles.read_bytes()
    output = {"same": articles, "symlink": tmp_path / "link.jsonl", "hardlink": tmp_path / "hard.jsonl"}[spelling]
    if spelling == "symlink":
        output.symlink_to(articles)
    elif spelling == "hardlink":
        os.link(articles, output)
    result = tag_jsonl(run, model_path, str(articles), "-o", str(output))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: -o {output} is also an input ({articles}); writing it would "
                                          "replace that input: write to another file"]
    assert articles.read_bytes() == original


def test_summarize_refuses_to_overwrite_its_input(run: Run, articles: Path) -> None:
    original = articles.read_bytes()
    result = run("summarize", str(articles), "-o", str(articles))
    assert result.exit_code == 2 and "is also an input" in result.stderr
    assert articles.read_bytes() == original


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "articles"
    path.mkdir()
    for i in range(3):
        (path / f"a{i}.txt").write_text(f"{SECURITY[i]} {DIPLOMACY[i]}\n")
    return path


@pytest.mark.parametrize(("command", "name"), [("tag", "tags.jsonl"), ("tag", "sub/tags.csv"),
                                               ("summarize", "summaries.txt"), ("digest", "today.html"),
                                               ("digest", "today.md")])
def test_output_inside_an_input_folder_is_refused_when_the_next_run_would_read_it(
        run: Run, model_path: Path, folder: Path, command: str, name: str) -> None:
    before = sorted(path.name for path in folder.rglob("*"))
    model = [] if command == "summarize" else ["-m", str(model_path)]
    output = folder / name
    result = run(command, str(folder), *model, "-o", str(output))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: -o {output} is inside the input folder {folder}, whose {output.suffix} files are read as articles: "
        "the next run would read these results as input; write it outside that folder"]
    assert sorted(path.name for path in folder.rglob("*")) == before


def test_output_inside_an_input_folder_through_a_symlinked_folder_is_refused(run: Run, model_path: Path, folder: Path,
                                                                            tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(folder)
    result = tag_jsonl(run, model_path, str(folder), "-o", str(alias / "tags.jsonl"))
    assert result.exit_code == 2 and "is inside the input folder" in result.stderr


@pytest.mark.parametrize("name", ["tags.json", ".out/tags.jsonl", ".tags.jsonl", "README.jsonl"])
def test_output_inside_an_input_folder_that_the_walk_skips_is_written(run: Run, model_path: Path, folder: Path,
                                                                      name: str) -> None:
    output = folder / name
    result = run("tag", str(folder), "-m", str(model_path), "-f", "jsonl", "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert len(ids(output.read_text())) == 3
    again = run("tag", str(folder), "-m", str(model_path), "-f", "jsonl")
    assert again.exit_code == 0 and len(ids(again.stdout)) == 3  # the output was not read as articles


def test_digest_refuses_to_overwrite_its_input(run: Run, model_path: Path, folder: Path) -> None:
    page = folder / "a0.txt"
    original = page.read_bytes()
    result = run("digest", str(page), "-m", str(model_path), "-o", str(page))
    assert result.exit_code == 2 and "is also an input" in result.stderr
    assert page.read_bytes() == original


def test_train_refuses_a_model_path_that_is_its_data(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "seeds.jsonl"
    data.write_text(json.dumps({"text": SECURITY[0], "labels": ["security"]}) + "\n")
    result = run("train", str(data), "-m", str(data))
    assert result.exit_code == 2 and "Error: -m " in result.stderr and "is also an input" in result.stderr
    assert json.loads(data.read_text())["labels"] == ["security"]


def test_tag_refuses_to_write_over_its_model(run: Run, model_path: Path, articles: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.npz"
    model.write_bytes(model_path.read_bytes())
    result = tag_jsonl(run, model, str(articles), "-o", str(model))
    assert result.exit_code == 2 and "is also an input" in result.stderr
    assert model.read_bytes() == model_path.read_bytes()


def test_a_full_device_names_the_output(run: Run, model_path: Path, articles: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    result = tag_jsonl(run, model_path, str(articles), "-o", "/dev/full")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: /dev/full: No space left on device; check the path, its "
                                          "permissions and the free space"]


def test_a_full_disk_names_the_output_and_keeps_the_old_file(run: Run, model_path: Path, articles: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import classify.outputs

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(classify.outputs.os, "fsync", full)
    output = tmp_path / "tags.jsonl"
    output.write_text("old\n")
    result = tag_jsonl(run, model_path, str(articles), "-o", str(output))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {output}: No space left on device; check the path, its "
                                          "permissions and the free space"]
    assert output.read_text() == "old\n"


def test_plot_format_follows_the_extension(run: Run, model_path: Path, seeds_dir: Path, tmp_path: Path) -> None:
    for name, magic in (("tags.pdf", b"%PDF"), ("tags.svg", b"<?xml"), ("tags.png", b"\x89PNG")):
        result = run("evaluate", str(seeds_dir), "-m", str(model_path), "--plot", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / name).read_bytes().startswith(magic)


def test_plot_with_an_unknown_extension_is_a_usage_error(run: Run, model_path: Path, seeds_dir: Path,
                                                         tmp_path: Path) -> None:
    result = run("evaluate", str(seeds_dir), "-m", str(model_path), "--plot", str(tmp_path / "tags.jpg"))
    assert result.exit_code == 2 and "name the file .png, .pdf or .svg" in result.stderr
    assert not (tmp_path / "tags.jpg").exists()


# --- closed streams --------------------------------------------------------------------------------


def closed_stdout(*args: str) -> subprocess.CompletedProcess:
    """Run classify with its standard output closed, as `classify ... >&-` does."""
    return subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *CLASSIFY, *args], stderr=subprocess.PIPE,
                          timeout=120)


def test_closed_stdout_is_one_line(model_path: Path, articles: Path) -> None:
    done = closed_stdout("tag", str(articles), "-m", str(model_path), "-f", "jsonl")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "Error: standard output is closed, so the results have nowhere to go; redirect it (> FILE) or pass -o FILE"]


def test_closed_stdout_does_not_matter_with_an_output_file(model_path: Path, articles: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.jsonl"
    done = closed_stdout("tag", str(articles), "-m", str(model_path), "-f", "jsonl", "-o", str(output))
    assert done.returncode == 0, done.stderr
    assert len(ids(output.read_text())) == 40


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_reader_leaving_early_ends_quietly_in_every_format(model_path: Path, articles: Path, fmt: str) -> None:
    # like `classify tag in.jsonl | head -1`
    many = [str(articles)] * 20
    process = subprocess.Popen([*CLASSIFY, "tag", *many, "-m", str(model_path), "-f", fmt],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert (process.returncode, stderr) == (0, "")


# --- names and ids that are not text ---------------------------------------------------------------


@pytest.fixture
def undecodable_name(tmp_path: Path) -> Path:
    folder = tmp_path / "named"
    folder.mkdir()
    path = folder / os.fsdecode(b"caf\xe9-\xff.txt")
    path.write_text(f"{SECURITY[0]} {DIPLOMACY[0]}\n")
    return path


def test_an_undecodable_file_name_gives_utf8_json_on_stdout(model_path: Path, undecodable_name: Path) -> None:
    done = subprocess.run([*CLASSIFY, "tag", str(undecodable_name), "-m", str(model_path), "-f", "jsonl"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (record,) = (json.loads(line) for line in done.stdout.decode("utf-8").splitlines())
    assert record["id"].endswith("caf\\xe9-\\xff.txt")


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_an_undecodable_file_name_is_written_to_an_output_file(run: Run, model_path: Path, undecodable_name: Path,
                                                               tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"tags.{fmt}"
    result = run("tag", str(undecodable_name.parent), "-m", str(model_path), "-f", fmt, "-o", str(output))
    assert result.exit_code == 0, result.stderr
    text = output.read_bytes().decode("utf-8")
    shown = text.replace("\\\\", "\\") if fmt.startswith("json") else text  # JSON doubles the backslash
    assert "caf\\xe9-\\xff.txt" in shown


HOSTILE_ID = "x\x1b[2J\x07\nline two\u2028"


def test_control_characters_in_ids_are_escaped_in_notes(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"id": HOSTILE_ID, "text": SECURITY[0]}) + "\n")
    result = run("summarize", str(data), "-n", "3")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u2028" not in result.stderr
    (note,) = result.stderr.splitlines()
    assert note.startswith("x\\x1b[2J\\x07\\nline two\\u2028: ")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout  # the text format is for people too


def test_control_characters_in_ids_are_escaped_in_the_table(run: Run, model_path: Path, tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"id": HOSTILE_ID + "[/bold]", "text": SECURITY[0]}) + "\n")
    result = run("tag", str(data), "-m", str(model_path))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "[/bold]" in result.stdout  # shown as text, not read as markup


def test_control_characters_in_the_plot_name_are_escaped_in_wrote(run: Run, model_path: Path, seeds_dir: Path,
                                                                  tmp_path: Path) -> None:
    plot = tmp_path / "a\x1b]0;title\x07.png"
    result = run("evaluate", str(seeds_dir), "-m", str(model_path), "--plot", str(plot))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"Wrote {tmp_path}/a\\x1b]0;title\\x07.png"
    assert plot.exists()


def test_evaluating_labels_the_model_does_not_know_says_so(run: Run, model_path: Path, tmp_path: Path) -> None:
    data = tmp_path / "sports.jsonl"
    data.write_text("".join(json.dumps({"text": SECURITY[i], "labels": ["sports"]}) + "\n" for i in range(3)))
    result = run("evaluate", str(data), "-m", str(model_path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Warning: labels the model does not know were not scored: sports (3 articles); the model knows diplomacy, "
        "middle-east, security: train one with these labels to score them"]


def test_jsonl_records_stay_one_line_for_unicode_line_splitters(run: Run, model_path: Path, tmp_path: Path) -> None:
    """NEL and the Unicode line/paragraph separators are legal raw in JSON, but `str.splitlines` and older
    JavaScript break lines there; a record carrying them must still be one line."""
    record = {"id": "n1", "title": "Envoy\u2028returns\u2029home", "text": "0\u00850"}
    source = tmp_path / "odd.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    for command in (["tag", "-m", str(model_path)], ["summarize", "-n", "1"]):
        result = run(*command, str(source), "-f", "jsonl")
        assert result.exit_code == 0, result.stderr
        (line,) = result.stdout.splitlines()
        assert json.loads(line)["id"] == "n1"


def test_version_with_stdout_closed_is_one_line() -> None:
    done = closed_stdout("--version")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "Error: standard output is closed, so the results have nowhere to go; redirect it (> FILE) or pass -o FILE"]
