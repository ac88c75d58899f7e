"""Shared fixtures: a tiny seed set written for the tests and a model trained on it.

No test touches the user's cache: CLASSIFY_MODEL points into a temporary folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import pytest
from click.testing import Result
from typer.testing import CliRunner

import classify.parallel as parallel
from classify import default_model
from classify.articles import Article
from classify.cli import app

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SECURITY = [
    "Troops and armoured units launched a military offensive against insurgent fighters near the border.",
    "The army said soldiers repelled an attack by militants; a missile strike hit a weapons depot.",
    "Counter-terrorism police foiled a bomb plot; the militant cell had explosives and rifles.",
    "The defence ministry raised the military budget for new fighter jets, drones and missiles.",
]
DIPLOMACY = [
    "Foreign ministers met at the summit and the ambassador presented a treaty for negotiation.",
    "The envoy held talks with the foreign minister; both governments signed a diplomatic accord.",
    "Diplomats at the United Nations debated the resolution as the ambassador urged negotiations.",
    "The state visit ended with a joint communique; the foreign ministry recalled its ambassador.",
]
MIDDLE_EAST = [
    "In Baghdad and Tehran, Iraqi and Iranian officials spoke about Syria and Lebanon.",
    "Israel and Gaza, Jordan and Egypt: the region from Beirut to Riyadh watched closely.",
    "Saudi Arabia, Qatar and the Gulf states; Yemen and the Houthis; Iran's Revolutionary Guards.",
    "Palestinian leaders in Ramallah and Israeli officials in Jerusalem; Damascus and Amman too.",
]
OTHER = [
    "The football club won the cup final after extra time; fans celebrated the striker's goal.",
    "Shares rose as the company reported quarterly profits; the central bank held interest rates.",
    "Heavy rain flooded the valley; firefighters rescued residents and the weather office warned.",
    "The museum reopened its gallery with a painting exhibition and a concert for families.",
    "Scientists published a study on sleep and diet; the vaccine trial enrolled volunteers.",
    "The mayor's council approved the school budget after a long local election campaign.",
]

TEXTS = SECURITY + DIPLOMACY + MIDDLE_EAST + OTHER
LONG_STORY = " ".join(TEXTS)


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """`records` as a JSONL file, one a line."""
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def _article(topics: str, *sentences: str) -> str:
    return f"title: {sentences[0][:40]}\ntopics: {topics}\n\n" + "\n\n".join(sentences) + "\n"


def write_seeds(folder: Path) -> Path:
    """Write a small labelled seed folder: single topics, combinations and negatives."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for i in range(4):
        files[f"sec-{i}"] = _article("security", SECURITY[i], OTHER[i])
        files[f"dip-{i}"] = _article("diplomacy", DIPLOMACY[i], OTHER[i + 1])
        files[f"me-{i}"] = _article("middle-east", MIDDLE_EAST[i], OTHER[i + 2])
        files[f"all-{i}"] = _article("security, diplomacy, middle-east", SECURITY[i], DIPLOMACY[3 - i], MIDDLE_EAST[i])
        files[f"none-{i}"] = _article("none", OTHER[i], OTHER[(i + 3) % len(OTHER)])
        files[f"none2-{i}"] = _article("none", OTHER[(i + 1) % len(OTHER)], OTHER[(i + 4) % len(OTHER)])
    for name, text in files.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def numbered_article(number: int) -> Article:
    """A different article for every number, from the test sentences."""
    first, second = TEXTS[number % len(TEXTS)], TEXTS[(number * 7 + 3) % len(TEXTS)]
    return Article(id=f"a{number}", title=f"Story {number}", text=f"{first} {second}")


@pytest.fixture
def many_jsonl(tmp_path: Path) -> Path:
    """90 different articles as JSONL (id, title, text): enough for the parallel paths with small batches."""
    return write_jsonl(tmp_path / "many.jsonl", [
        {"id": a.id, "title": a.title, "text": a.text} for a in map(numbered_article, range(90))])


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """A local Dask cluster on loopback only, in this process (threads, no extra processes)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, host="127.0.0.1",
                                  protocol="tcp", dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(autouse=True, scope="session")
def seeds_stay_out() -> Iterator[None]:
    """`classify train SOURCES` joins the bundled seeds by default; here the tiny seed set stands for a user's
    data on its own, so each test sees exactly the articles it wrote (and trains in a blink). The tests of
    joining ask for it with --with-seeds, and one checks that it is the default."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(default_model, "JOIN_SEEDS", False)
        yield


@pytest.fixture(autouse=True)
def isolated_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own default-model location, never the user's cache."""
    path = tmp_path / "default-model.npz"
    monkeypatch.setenv("CLASSIFY_MODEL", str(path))
    return path


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="session")
def model_path(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once per session on the tiny seed set, through the CLI."""
    path = tmp_path_factory.mktemp("model") / "tiny.npz"
    result = CliRunner().invoke(app, ["train", str(seeds_dir), "-m", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


class CheckedModel(NamedTuple):
    path: Path
    check: Path


@pytest.fixture(scope="session")
def checked_model(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> CheckedModel:
    """A model trained on the tiny seed set with `--check` on a few labelled articles from "another source",
    so its record has cross-source figures beside the cross-validated ones."""
    folder = tmp_path_factory.mktemp("checked")
    check = write_jsonl(folder / "other-source.jsonl", [
        {"text": SECURITY[3], "labels": ["security"]}, {"text": DIPLOMACY[0], "labels": ["diplomacy"]},
        {"text": MIDDLE_EAST[1], "labels": ["middle-east"]}, {"text": OTHER[1], "labels": []}])
    path = folder / "checked.npz"
    result = CliRunner().invoke(app, ["train", str(seeds_dir), "-m", str(path), "--check", str(check)])
    assert result.exit_code == 0, result.stderr
    return CheckedModel(path, check)


class Run(Protocol):
    """The `run` fixture: `run("tag", path, "-f", "json")`."""

    def __call__(self, *args: str, input: str | bytes | None = None) -> Result: ...


@pytest.fixture
def run() -> Run:
    """Invoke the CLI like a user would; returns the click Result (stdout/stderr separate)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def workers_used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many chunks went to local worker processes, per run that started workers.

    The runs wait for their workers to start before sharing out chunks (normally this process
    works alone until then, and a small test input would be done before any worker is up), so
    a test cannot pass by staying in this process.
    """
    sent: list[int] = []
    original = parallel._share_out

    def waiting(chunks: Iterator[list[Any]], submit: Callable[[list[Any]], Any], workers: int,
                result: Callable[[Any], list[Any]], *, local: Callable[[list[Any]], list[Any]] | None = None,
                ready: Any = None) -> Iterator[Any]:
        if ready is not None:
            ready.result()
        sent.append(0)

        def counted(chunk: list[Any]) -> Any:
            sent[-1] += 1
            return submit(chunk)

        yield from original(chunks, counted, workers, result, local=local, ready=None)

    monkeypatch.setattr(parallel, "_share_out", waiting)
    return sent


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    # This machine's network is closed: without these, Chromium keeps trying Google's services at start.
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A real headless Chromium (Debian's, driven through Playwright), shared by the page tests.

    Nothing downloads a browser: `.ci/run` installs Debian's chromium when it is missing, and a
    machine without it fails here with the command that installs it, rather than skipping.
    """
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the page tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()
