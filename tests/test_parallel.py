"""`--jobs` and `--scheduler`: the same records in the same order however the work is spread, a
Dask cluster on loopback giving what a local run gives, streaming input never read whole, and a
bad scheduler address failing in one line. No timings here: speed lives in bench/."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import classify.parallel as parallel
import classify.tagging as tagging
from classify.articles import Article
from classify.model_file import load_model
from classify.parallel import Batching, Runner
from classify.summarize import Length, summarize_many
from classify.tagging import tag
from tests.conftest import DIPLOMACY, SECURITY, TEXTS, Run, numbered_article

SMALL = Batching(size=8, parallel_from=3)
"""Small batches, so a few dozen articles take the parallel path in library tests."""


# --- --jobs ---------------------------------------------------------------------------------------


def test_jobs_2_gives_the_same_records_in_the_same_order(run: Run, model_path: Path, tmp_path: Path,
                                                         workers_used: list[int]) -> None:
    count = tagging.BATCHING.size * (tagging.BATCHING.parallel_from + 1)  # enough for workers to pay off
    path = tmp_path / "enough.jsonl"
    path.write_text("".join(json.dumps({"id": f"a{n}", "text": numbered_article(n).text}) + "\n" for n in range(count)))
    serial = run("tag", str(path), "-m", str(model_path), "--format", "jsonl", "--explain")
    shared = run("tag", str(path), "-m", str(model_path), "--format", "jsonl", "--explain", "--jobs", "2")
    assert serial.exit_code == 0 and shared.exit_code == 0, serial.stderr + shared.stderr
    assert len(workers_used) == 1 and workers_used[0] > 0  # the worker tagged some of the batches
    assert shared.stdout == serial.stdout
    assert [json.loads(line)["id"] for line in shared.stdout.splitlines()] == [f"a{n}" for n in range(count)]


def test_jobs_in_the_library_keep_order_and_leave_no_temporary_files(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers_used: list[int]
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    model = load_model(model_path)
    articles = [numbered_article(n) for n in range(70)]
    expected = list(tag(articles, model, batching=Batching(size=5)))
    assert list(tag(iter(articles), model, runner=Runner(jobs=3), batching=Batching(size=5))) == expected
    assert workers_used[0] > 0
    assert [item.id for item in expected] == [a.id for a in articles]
    assert not list(tmp_path.glob("classify-shared-*"))


def test_small_inputs_start_no_worker(run: Run, model_path: Path, many_jsonl: Path, workers_used: list[int]) -> None:
    result = run("tag", str(many_jsonl), "-m", str(model_path), "--format", "jsonl", "--jobs", "4")
    assert result.exit_code == 0, result.stderr
    assert workers_used == []
    assert len(result.stdout.splitlines()) == 90


def test_training_with_jobs_gives_the_same_model(run: Run, seeds_dir: Path, tmp_path: Path, workers_used: list[int]) -> None:
    one, two = tmp_path / "one.npz", tmp_path / "two.npz"
    assert run("train", str(seeds_dir), "-m", str(one)).exit_code == 0
    result = run("train", str(seeds_dir), "-m", str(two), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert workers_used[0] > 0  # folds or the final fit ran in the worker
    assert_same_model(one, two)


def test_evaluating_with_jobs_gives_the_same_report(run: Run, model_path: Path, tmp_path: Path, workers_used: list[int]) -> None:
    count = tagging.BATCHING.size * (tagging.BATCHING.parallel_from + 1)
    path = tmp_path / "labelled.jsonl"
    topics = ["security", "diplomacy", "middle-east", "none"]
    path.write_text("".join(json.dumps({"id": f"a{n}", "text": TEXTS[n % len(TEXTS)],
                                        "labels": [topics[min(n % len(TEXTS) // 4, 3)]]}) + "\n" for n in range(count)))
    serial = run("evaluate", str(path), "-m", str(model_path), "-f", "json")
    shared = run("evaluate", str(path), "-m", str(model_path), "-f", "json", "--jobs", "2")
    assert serial.exit_code == 0 and shared.exit_code == 0, serial.stderr + shared.stderr
    assert workers_used[0] > 0
    assert shared.stdout == serial.stdout


@pytest.mark.parametrize("options", [["--jobs", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]])
def test_evaluating_summaries_refuses_workers(run: Run, tmp_path: Path, options: list[str]) -> None:
    path = tmp_path / "refs.jsonl"
    path.write_text(json.dumps({"id": "a", "text": SECURITY[0], "summary": [SECURITY[0]]}) + "\n")
    result = run("evaluate", "--summaries", str(path), *options)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {options[0]} does not apply to --summaries")


@pytest.mark.parametrize("command", [["train"], ["summarize"], ["evaluate"]])
def test_every_command_checks_the_scheduler_before_reading(run: Run, tmp_path: Path, command: list[str]) -> None:
    result = run(*command, str(tmp_path / "missing.jsonl"), "--scheduler", "nonsense")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "tcp://HOST:PORT" in result.stderr  # not the missing file


# --- streaming ---------------------------------------------------------------------------------------


class Counting:
    """An endless stream of articles that counts how many were pulled."""

    def __init__(self) -> None:
        self.pulled = 0

    def __iter__(self) -> Iterator[Article]:
        for number in itertools.count():
            self.pulled += 1
            yield numbered_article(number)


def test_an_endless_stream_is_tagged_lazily(model_path: Path) -> None:
    model = load_model(model_path)
    stream = Counting()
    first = list(itertools.islice(tag(stream, model, batching=SMALL), 20))
    assert [item.id for item in first] == [f"a{n}" for n in range(20)]
    assert stream.pulled <= 24  # the batches that held the first 20, nothing more


def test_an_endless_stream_is_tagged_lazily_with_workers(
    model_path: Path, monkeypatch: pytest.MonkeyPatch, workers_used: list[int]
) -> None:
    model = load_model(model_path)
    stream = Counting()
    results = tag(stream, model, runner=Runner(jobs=2), batching=SMALL)
    first = list(itertools.islice(results, 100))
    results.close()
    assert workers_used[0] > 0
    assert [item.id for item in first] == [f"a{n}" for n in range(100)]
    # read-ahead is bounded: the batches waiting for the oldest unfinished one, nothing like the whole stream
    assert stream.pulled <= 100 + 8 * (parallel.MAX_AHEAD_PER_WORKER + SMALL.parallel_from + 1)


def test_an_endless_stream_is_summarized_lazily_with_workers(workers_used: list[int]) -> None:
    stream = Counting()
    results = summarize_many(stream, length=Length(sentences=1), runner=Runner(jobs=2), batching=SMALL)
    first = list(itertools.islice(results, 100))
    results.close()
    assert workers_used[0] > 0
    assert [article_id for article_id, _ in first] == [f"a{n}" for n in range(100)]
    assert all(len(summary.sentences) == 1 for _, summary in first)
    assert stream.pulled <= 100 + 8 * (parallel.MAX_AHEAD_PER_WORKER + SMALL.parallel_from + 1)


def test_the_runner_reads_a_chunk_at_a_time() -> None:
    pulled: list[int] = []

    def numbers() -> Iterator[int]:
        for n in itertools.count():
            pulled.append(n)
            yield n

    doubled = Runner().map(double, numbers(), Batching(size=10))
    assert list(itertools.islice(doubled, 15)) == [2 * n for n in range(15)]
    assert len(pulled) == 20


def double(chunk: list[int]) -> list[int]:
    return [2 * n for n in chunk]


# --- Dask ------------------------------------------------------------------------------------------------


def test_tagging_on_a_dask_cluster_equals_a_local_run(run: Run, model_path: Path, many_jsonl: Path, dask_scheduler: str) -> None:
    local = run("tag", str(many_jsonl), "-m", str(model_path), "--format", "jsonl", "--explain")
    remote = run("tag", str(many_jsonl), "-m", str(model_path), "--format", "jsonl", "--explain",
                 "--scheduler", dask_scheduler)
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert len(remote.stdout.splitlines()) == 90


def test_summarizing_on_a_dask_cluster_equals_a_local_run(run: Run, many_jsonl: Path, dask_scheduler: str) -> None:
    local = run("summarize", str(many_jsonl), "-n", "1", "--format", "jsonl")
    remote = run("summarize", str(many_jsonl), "-n", "1", "--format", "jsonl", "--scheduler", dask_scheduler)
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert [json.loads(line)["id"] for line in remote.stdout.splitlines()] == [f"a{n}" for n in range(90)]


def test_training_on_a_dask_cluster_equals_a_local_run(run: Run, seeds_dir: Path, tmp_path: Path, dask_scheduler: str) -> None:
    local, remote = tmp_path / "local.npz", tmp_path / "remote.npz"
    assert run("train", str(seeds_dir), "-m", str(local)).exit_code == 0
    result = run("train", str(seeds_dir), "-m", str(remote), "--scheduler", dask_scheduler)
    assert result.exit_code == 0, result.stderr
    assert_same_model(local, remote)


@pytest.mark.parametrize("address", ["nonsense", "http://127.0.0.1:8786", "tcp://127.0.0.1:99999", "tcp://:8786"])
def test_a_malformed_scheduler_address_is_one_line_before_any_work(run: Run, tmp_path: Path, address: str) -> None:
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0] + "\n")
    result = run("tag", str(story), "-m", str(tmp_path / "no-model.npz"), "--scheduler", address)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ") and "tcp://HOST:PORT" in result.stderr  # not the missing model


def test_an_unreachable_scheduler_is_one_line(run: Run, model_path: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "1s")
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0] + "\n")
    result = run("tag", str(story), "-m", str(model_path), "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:1")
    assert result.stdout == ""


def test_a_cluster_without_workers_is_one_line(run: Run, model_path: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "1s")
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0] + "\n")
    with distributed.LocalCluster(n_workers=0, processes=False, host="127.0.0.1", protocol="tcp",
                                  dashboard_address="127.0.0.1:0") as cluster:
        result = run("tag", str(story), "-m", str(model_path), "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "has no workers" in result.stderr


def assert_same_model(a: Path, b: Path) -> None:
    one, two = load_model(a), load_model(b)
    assert one.topics == two.topics and one.terms == two.terms
    for name in ("idf", "coef", "intercept", "thresholds"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    assert one.meta.cross_validation == two.meta.cross_validation


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never says a word (a stuck scheduler, another service)."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in accepted:
        connection.close()


def test_a_scheduler_that_never_answers_is_one_line(run: Run, model_path: Path, tmp_path: Path, silent_server: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "1s")
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0] + "\n")
    result = run("tag", str(story), "-m", str(model_path), "--scheduler", silent_server)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: cannot reach the Dask scheduler at {silent_server} (no Dask greeting within 1s); check the address, "
        "and that the scheduler is running and reachable from here"]


def _living(processes: list) -> list:
    import psutil

    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_workers_die_with_their_parent_and_its_folder_goes_on_the_next_run(model_path: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import signal
    import subprocess
    import sys
    import time

    psutil = pytest.importorskip("psutil")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the run's temporary folder
    monkeypatch.setattr(parallel.tempfile, "tempdir", str(tmp_path))  # this process's, for the clean-up
    tag_run = subprocess.Popen([sys.executable, "-m", "classify", "tag", "-", "-m", str(model_path), "--jobs", "2",
                                "-f", "jsonl"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = json.dumps({"text": f"{SECURITY[0]} {DIPLOMACY[0]}"}) + "\n"
    tag_run.stdin.write(line.encode() * 256 * 20)  # enough chunks to start a worker; stdin stays open
    tag_run.stdin.flush()
    workers: list = []
    for _ in range(600):  # until the worker is up (at most a minute)
        workers = [p for p in psutil.Process(tag_run.pid).children(recursive=True) if "loky" in " ".join(p.cmdline())]
        if workers:
            break
        time.sleep(0.1)
    assert workers, "no worker started"
    assert list(tmp_path.glob("classify-shared-*"))
    tag_run.send_signal(signal.SIGKILL)
    tag_run.wait()
    psutil.wait_procs(workers, timeout=30)
    assert _living(workers) == []
    assert list(tmp_path.glob("classify-shared-*"))  # SIGKILL left it behind ...
    parallel._remove_orphaned_folders()
    assert list(tmp_path.glob("classify-shared-*")) == []  # ... and the next run removes it
    tag_run.stdin.close()
    tag_run.stderr.close()


def test_folders_of_running_runs_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(parallel.tempfile, "tempdir", str(tmp_path))
    mine = tmp_path / f"classify-shared-{os.getpid()}-abc"
    mine.mkdir()
    other = tmp_path / "classify-shared-notapid-abc"
    other.mkdir()
    parallel._remove_orphaned_folders()
    assert mine.exists() and other.exists()


def test_a_worker_whose_parent_is_already_gone_ends_at_once() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from classify.parallel import die_with_parent; "
                                                 "die_with_parent(0); print('still here')"],
                          capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stdout == b""


def test_more_jobs_than_cpus_are_capped_with_a_warning(run: Run, model_path: Path, many_jsonl: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    monkeypatch.setattr(parallel.Runner, "__post_init__", lambda self: used.append(self.jobs))
    result = run("tag", str(many_jsonl), "-m", str(model_path), "--jobs", "40", "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == ["Warning: --jobs 40 is more than the 2 CPUs this run may use; using 2"]
    assert used == [2]
