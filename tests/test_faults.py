"""Faults: kills, races, interrupts, closed pipes and crashes leave nothing half-written.

Models and `-o` outputs are written to a temporary file beside the target and renamed over it
only when complete, so the previous file survives anything, even SIGKILL mid-write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Never

import pytest

from classify.model_file import load_model, save_model
from classify.outputs import atomic_file
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run

if TYPE_CHECKING:
    from classify.model import TopicModel
    from classify.tagging import TaggedArticle

CLASSIFY = [sys.executable, "-m", "classify"]


def start(*args: str, **kwargs: Any) -> subprocess.Popen:
    return subprocess.Popen([*CLASSIFY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def wait_for_line(stream: IO[bytes], text: str, timeout: float = 60) -> None:
    """Read `stream` (a pipe) until a line containing `text`; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = stream.readline().decode()
        if not line:
            break
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"never saw {text!r}; got {seen!r}")


def strays(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


@pytest.fixture
def old_model(model_path: Path, tmp_path: Path) -> Path:
    """A copy of the session model: the 'previous model' the faults must not damage."""
    path = tmp_path / "models" / "topics.npz"
    path.parent.mkdir()
    path.write_bytes(model_path.read_bytes())
    return path


@pytest.fixture(scope="module")
def bigger_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Labelled records enough to keep training busy for a few seconds."""
    rng = random.Random(0)
    pools = {"security": SECURITY, "diplomacy": DIPLOMACY, "middle-east": MIDDLE_EAST}
    path = tmp_path_factory.mktemp("bigger") / "bigger.jsonl"
    with path.open("w") as stream:
        for i in range(1500):
            labels = [topic for topic in pools if rng.random() < 0.3]
            words = " ".join([rng.choice(pools[t]) for t in labels] + rng.sample(OTHER, 2)).split()
            words += [f"w{rng.randint(0, 5000)}" for _ in range(30)]
            stream.write(json.dumps({"id": f"b{i}", "text": " ".join(words), "labels": labels}) + "\n")
    return path


def assert_intact(path: Path, original: bytes) -> None:
    assert path.read_bytes() == original
    assert load_model(path).topics == ["diplomacy", "middle-east", "security"]


@pytest.mark.parametrize("when", ["starting", "reading done", "training"])
def test_sigkill_during_training_leaves_the_old_model(run: Run, old_model: Path, bigger_seeds: Path, tmp_path: Path,
                                                      when: str) -> None:
    original = old_model.read_bytes()
    process = start("train", str(bigger_seeds), "-m", str(old_model))
    try:
        if when == "starting":
            time.sleep(0.2)
        else:
            wait_for_line(process.stderr, "Training on")
            if when == "training":
                time.sleep(1.0)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert_intact(old_model, original)
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    result = run("tag", str(story), "-m", str(old_model), "-f", "jsonl")
    assert result.exit_code == 0 and "security" in json.loads(result.stdout)["labels"]


KILL_MID_WRITE = """
import os, signal, sys, zipfile

real_writestr = zipfile.ZipFile.writestr

def write_two_parts_then_die(self, *args, **kwargs):
    real_writestr(self, *args, **kwargs)
    if len(self.infolist()) == 2:  # the model's metadata and terms are out, its numbers are not
        self.fp.flush()
        os.fsync(self.fp.fileno())
        os.kill(os.getpid(), signal.SIGKILL)

zipfile.ZipFile.writestr = write_two_parts_then_die
from classify.cli import app
app(sys.argv[1:], prog_name="classify")
"""


def test_sigkill_in_the_middle_of_writing_the_model_leaves_the_old_one(old_model: Path, seeds_dir: Path) -> None:
    original = old_model.read_bytes()
    process = subprocess.run([sys.executable, "-c", KILL_MID_WRITE, "train", str(seeds_dir), "-m", str(old_model),
                              "--no-seeds"],
                             capture_output=True, timeout=120)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()
    (stray,) = strays(old_model.parent)  # the half-written file: proof the kill came mid-write
    assert stray.name.startswith(".topics.npz.") and 0 < stray.stat().st_size < len(original) * 2
    assert_intact(old_model, original)


def test_sigterm_during_training_exits_143_and_cleans_up(old_model: Path, bigger_seeds: Path) -> None:
    original = old_model.read_bytes()
    process = start("train", str(bigger_seeds), "-m", str(old_model))
    wait_for_line(process.stderr, "Training on")
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert stderr.decode().strip().endswith("Terminated.") and "Traceback" not in stderr.decode()
    assert_intact(old_model, original)
    assert strays(old_model.parent) == []


def test_two_trainings_racing_on_one_path_leave_one_valid_model(seeds_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    rows = [{"text": f"{OTHER[i % 6]} match goal", "labels": ["sport"]} for i in range(6)]
    rows += [{"text": f"{SECURITY[i % 4]} shares bank", "labels": ["money"]} for i in range(6)]
    other.write_text("".join(json.dumps(row) + "\n" for row in rows))
    target = tmp_path / "shared" / "model.npz"
    processes = [start("train", source, "-m", str(target)) for source in (str(seeds_dir), str(other))]
    for process in processes:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr.decode()
    assert load_model(target).topics in (["diplomacy", "middle-east", "security"], ["money", "sport"])
    assert strays(target.parent) == []


def test_writers_racing_never_show_a_reader_a_partial_model(model_path: Path, tmp_path: Path) -> None:
    models = [load_model(model_path), load_model(model_path)]
    models[1].topics = ["alpha", "beta", "gamma"]
    target = tmp_path / "model.npz"
    save_model(models[0], target)
    failures: list[BaseException] = []
    done = threading.Event()

    def write(model: TopicModel) -> None:
        for _ in range(25):
            save_model(model, target)

    def read() -> None:
        while not done.is_set():
            try:
                assert load_model(target).topics in (models[0].topics, models[1].topics)
            except BaseException as error:  # reported below
                failures.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(model,)) for model in models]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    assert failures == []
    assert strays(tmp_path) == []


@pytest.fixture
def many_articles(tmp_path: Path) -> Path:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"id": f"a{i}", "text": SECURITY[i % 4]}) + "\n" for i in range(700)))
    return path


@pytest.mark.parametrize(("fault", "code", "message"), [
    (RuntimeError("disk gremlin"), 1, "Error: unexpected RuntimeError: disk gremlin. Rerun with --debug for the traceback"),
    (KeyboardInterrupt(), 130, "Interrupted."),
])
def test_tag_output_file_is_all_or_nothing(run: Run, model_path: Path, many_articles: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           fault: BaseException, code: int, message: str) -> None:
    import classify.tagging

    output = tmp_path / "tags.jsonl"
    output.write_text("previous results\n")
    real = classify.tagging.tag_batch
    calls = []

    def fail_on_second_batch(*args: Any, **kwargs: Any) -> list[TaggedArticle]:
        calls.append(1)
        if len(calls) == 2:
            raise fault
        return real(*args, **kwargs)

    monkeypatch.setattr(classify.tagging, "tag_batch", fail_on_second_batch)
    result = run("tag", str(many_articles), "-m", str(model_path), "-f", "jsonl", "-o", str(output))
    assert result.exit_code == code, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(message)
    assert len(calls) == 2  # the first batch was written to the temporary file, then the run failed
    assert output.read_text() == "previous results\n"
    assert strays(tmp_path) == []


def test_debug_shows_the_traceback_of_unexpected_errors(run: Run, model_path: Path, many_articles: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import classify.tagging

    def broken(*args: Any, **kwargs: Any) -> Never:
        raise RuntimeError("disk gremlin")

    monkeypatch.setattr(classify.tagging, "tag_batch", broken)
    result = run("--debug", "tag", str(many_articles), "-m", str(model_path), "-f", "jsonl")
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)


def test_successful_output_file_replaces_the_old_one(run: Run, model_path: Path, many_articles: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.jsonl"
    output.write_text("previous results\n")
    output.chmod(0o640)
    result = run("tag", str(many_articles), "-m", str(model_path), "-f", "jsonl", "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert len(output.read_text().splitlines()) == 700
    assert output.stat().st_mode & 0o777 == 0o640  # permissions kept, not mkstemp's 0600
    assert strays(tmp_path) == []


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with atomic_file(tmp_path / "new.txt") as stream:
            stream.write("x")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644


def test_unwritable_output_is_one_line(run: Run, model_path: Path, many_articles: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = run("tag", str(many_articles), "-m", str(model_path), "-f", "jsonl", "-o", str(blocker / "tags.jsonl"))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and str(blocker) in line and "check the path" in line


def test_ctrl_c_while_reading_a_slow_stdin_exits_130_in_one_line(model_path: Path) -> None:
    from classify.tagging import BATCHING

    process = start("tag", "-", "-m", str(model_path), "-f", "jsonl", stdin=subprocess.PIPE)
    watchdog = threading.Timer(120, process.kill)  # never hang the suite
    watchdog.start()
    try:
        count = BATCHING.size + BATCHING.size // 4  # one batch gets tagged, then it waits for the rest
        records = "".join(json.dumps({"id": f"s{i}", "text": SECURITY[i % 4]}) + "\n" for i in range(count))
        threading.Thread(target=lambda: (process.stdin.write(records.encode()), process.stdin.flush())).start()
        assert json.loads(process.stdout.readline())["id"] == "s0"  # it is tagging, and now waits for more input
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)  # stdin stays open: closing it could let the run end normally before the signal acts
        stderr = process.stderr.read()
    finally:
        watchdog.cancel()
        process.stdin.close()
    assert process.returncode == 130
    assert stderr.decode() == "Interrupted.\n"


def test_closed_pipe_ends_quietly(model_path: Path, many_articles: Path) -> None:
    # like `classify tag many.jsonl --format jsonl | head -1`
    process = start("tag", str(many_articles), str(many_articles), str(many_articles), "-m", str(model_path), "-f", "jsonl")
    assert json.loads(process.stdout.readline())["id"] == "a0"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode == 0
    assert stderr == ""
