"""The dense view (`train --dense`): word embeddings from wordllama's bundled model, blended with TF-IDF.

What a user notices: such a model says so in `info`, scores differently from a TF-IDF-only one,
tags in every format, and without wordllama installed the run stops with one line saying how to
install it; a damaged dense part of a model file is refused like any other.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from typer.testing import CliRunner

from classify import dense
from classify.cli import app
from classify.model_file import load_model
from classify.server import create_app
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run
from tests.serve_support import live_server
from tests.test_lean import imported_by
from tests.test_model_files import array_of, members_of, meta_of, npy, one_error_line, with_meta, write_members

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="session")
def dense_model_path(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once per session on the tiny seed set with --dense, through the CLI."""
    path = tmp_path_factory.mktemp("dense") / "dense.npz"
    result = CliRunner().invoke(app, ["train", str(seeds_dir), "-m", str(path), "--dense"])
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    path = tmp_path / "stories.jsonl"
    texts = [SECURITY[1], DIPLOMACY[2], MIDDLE_EAST[0], OTHER[0]]
    path.write_text("".join(json.dumps({"id": f"s{i}", "text": text}) + "\n" for i, text in enumerate(texts)))
    return path


@pytest.fixture
def without_wordllama(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if wordllama were not installed: importing it fails, and no loaded copy is cached."""
    monkeypatch.setitem(sys.modules, "wordllama", None)
    dense.embedder.cache_clear()
    yield
    dense.embedder.cache_clear()


def test_info_says_the_model_has_the_dense_view(run: Run, dense_model_path: Path, model_path: Path) -> None:
    info = json.loads(run("info", str(dense_model_path), "-f", "json").stdout)
    assert info["dense"] == {"embedder": dense.EMBEDDER, "dimensions": dense.DIMENSIONS, "words": dense.WORDS,
                             "weight": dense.WEIGHT}
    assert "wordllama" in info["versions"]
    table = run("info", str(dense_model_path)).stdout
    assert "dense view" in table and f"wordllama l2_supercat ({dense.DIMENSIONS} dimensions" in table
    assert json.loads(run("info", str(model_path), "-f", "json").stdout)["dense"] is None
    assert "no (TF-IDF only)" in run("info", str(model_path)).stdout


def test_dense_model_tags_in_jsonl_with_scores_of_its_own(run: Run, dense_model_path: Path, model_path: Path,
                                                          stories: Path) -> None:
    result = run("tag", str(stories), "-m", str(dense_model_path), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["s0", "s1", "s2", "s3"]
    assert [max(r["scores"], key=r["scores"].get) for r in records[:3]] == ["security", "diplomacy", "middle-east"]
    thresholds = json.loads(run("info", str(dense_model_path), "-f", "json").stdout)["thresholds"]
    assert all(r["labels"] == [t for t, s in r["scores"].items() if s >= thresholds[t]] for r in records)
    assert "security" in records[0]["labels"] and not records[3]["labels"]
    plain = [json.loads(line) for line in run("tag", str(stories), "-m", str(model_path), "-f", "jsonl").stdout.splitlines()]
    assert all(0.0 <= s <= 1.0 for r in records for s in r["scores"].values())
    assert all(r["scores"] != p["scores"] for r, p in zip(records, plain, strict=True))


def test_dense_scores_blend_both_views_by_the_stored_weight(dense_model_path: Path) -> None:
    """The stored dense scorers are used: the blended score moves from the TF-IDF one by the weight."""
    model = load_model(dense_model_path)
    texts = [SECURITY[0], OTHER[2]]
    tfidf = model.probabilities(model.transform(texts))
    blended = model.score(texts)[1]
    dense_only = (blended - (1 - model.meta.dense.weight) * tfidf) / model.meta.dense.weight
    assert ((dense_only > 0) & (dense_only < 1)).all()
    assert not np.allclose(blended, tfidf, atol=1e-3)


@pytest.mark.usefixtures("without_wordllama")
def test_training_without_wordllama_says_how_to_install_it(run: Run, seeds_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "never.npz"
    result = run("train", str(seeds_dir), "-m", str(target), "--dense")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"Error: the dense view (`train --dense`, or a model trained with it) needs "
                                          f"wordllama, which is not installed: {dense.INSTALL_HINT}"]
    assert not target.exists()


@pytest.mark.usefixtures("without_wordllama")
def test_tagging_with_a_dense_model_without_wordllama_says_how_to_install_it(run: Run, dense_model_path: Path,
                                                                             stories: Path) -> None:
    result = run("tag", str(stories), "-m", str(dense_model_path), "-f", "jsonl")
    assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "pip install 'classify[dense]'" in result.stderr


@pytest.mark.usefixtures("without_wordllama")
def test_a_tf_idf_only_model_tags_without_wordllama(run: Run, model_path: Path, stories: Path) -> None:
    result = run("tag", str(stories), "-m", str(model_path), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4


def test_only_a_dense_model_imports_wordllama(dense_model_path: Path, model_path: Path, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(SECURITY[0])
    assert "wordllama" in imported_by("tag", str(story), "-m", str(dense_model_path), "-f", "json")
    assert "wordllama" not in imported_by("tag", str(story), "-m", str(model_path), "-f", "json")


def test_a_model_without_dense_parts_loads_as_before(model_path: Path) -> None:
    model = load_model(model_path)
    assert model.meta.dense is None and model.dense_coef is None and model.dense_intercept is None
    assert not any(name.startswith("dense") for name in members_of(model_path))


@pytest.mark.parametrize(("name", "change", "says"), [
    ("dense_coef", lambda a: np.full_like(a, np.nan), "`dense_coef` holds NaN or infinite numbers"),
    ("dense_coef", lambda a: a[:, :10], "arrays do not fit together"),
    ("dense_coef", lambda a: a.astype(np.float64), "`dense_coef` has the wrong type or shape"),
    ("dense_intercept", lambda a: a + 1e9, "`dense_intercept` holds numbers outside"),
])
def test_damaged_dense_parts_are_refused(run: Run, dense_model_path: Path, tmp_path: Path, stories: Path, name: str,
                                         change: Callable[[np.ndarray], np.ndarray], says: str) -> None:
    members = members_of(dense_model_path)
    odd = write_members(tmp_path / "odd.npz", {**members, f"{name}.npy": npy(change(array_of(members, name)))})
    assert says in one_error_line(run("tag", str(stories), "-m", str(odd)), odd)


def test_a_missing_dense_part_is_named(run: Run, dense_model_path: Path, tmp_path: Path, stories: Path) -> None:
    members = members_of(dense_model_path)
    del members["dense_coef.npy"]
    odd = write_members(tmp_path / "odd.npz", members)
    assert "has no `dense_coef` array" in one_error_line(run("tag", str(stories), "-m", str(odd)), odd)


def test_dense_parts_the_record_does_not_mention_are_refused(run: Run, dense_model_path: Path, tmp_path: Path,
                                                             stories: Path) -> None:
    members = members_of(dense_model_path)
    meta = meta_of(members)
    del meta["dense"]
    odd = write_members(tmp_path / "odd.npz", with_meta(members, meta))
    assert "dense-view scorers its record does not mention" in one_error_line(run("tag", str(stories), "-m", str(odd)), odd)


@pytest.mark.parametrize("change", [{"weight": 2.0}, {"words": 0}, {"dimensions": "256"}, {"extra": 1}])
def test_a_damaged_dense_record_is_refused(run: Run, dense_model_path: Path, tmp_path: Path, stories: Path,
                                           change: dict[str, object]) -> None:
    members = members_of(dense_model_path)
    meta = meta_of(members)
    odd = write_members(tmp_path / "odd.npz", with_meta(members, {**meta, "dense": {**meta["dense"], **change}}))
    assert "`dense` record is damaged" in one_error_line(run("tag", str(stories), "-m", str(odd)), odd)


def test_a_dense_view_of_other_embeddings_is_refused(run: Run, dense_model_path: Path, tmp_path: Path, stories: Path) -> None:
    members = members_of(dense_model_path)
    meta = meta_of(members)
    odd = write_members(tmp_path / "odd.npz", with_meta(members, {**meta, "dense": {**meta["dense"], "embedder": "other"}}))
    line = one_error_line(run("tag", str(stories), "-m", str(odd)), odd)
    assert "dense view uses other" in line and "retrain it" in line


@pytest.mark.parametrize("command", [["digest", "SEEDS", "--format", "json"], ["serve", "--port", "0"],
                                     ["evaluate", "SEEDS", "--format", "json"]])
@pytest.mark.usefixtures("without_wordllama")
def test_every_command_using_a_dense_model_without_wordllama_stops_before_it_starts(run: Run, dense_model_path: Path,
                                                                                    seeds_dir: Path, command: list[str]) -> None:
    result = run(*(str(seeds_dir) if arg == "SEEDS" else arg for arg in command), "-m", str(dense_model_path))
    assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"Error: the dense view (`train --dense`, or a model trained with it) needs "
                                          f"wordllama, which is not installed: {dense.INSTALL_HINT}"]


def test_digest_and_evaluate_use_the_dense_view(run: Run, dense_model_path: Path, seeds_dir: Path) -> None:
    digest = run("digest", str(seeds_dir), "-m", str(dense_model_path), "--format", "json")
    assert digest.exit_code == 0, digest.stderr
    assert json.loads(digest.stdout)["stories"]
    figures = run("evaluate", str(seeds_dir), "-m", str(dense_model_path), "--format", "json")
    assert figures.exit_code == 0, figures.stderr


def test_loading_wordllama_leaves_logging_alone() -> None:
    """wordllama configures the root logger when imported, which would print other libraries' INFO lines."""
    code = "import logging\nfrom classify.dense import embedder\nembedder()\nprint(logging.getLogger().handlers)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_reasons_from_a_dense_model_say_they_explain_the_terms_part_only(run: Run, dense_model_path: Path,
                                                                         model_path: Path, stories: Path) -> None:
    note = "the terms shown explain the first part only"
    table = run("tag", str(stories), "-m", str(dense_model_path))
    assert table.exit_code == 0 and note in table.stderr and "70% its terms' and 30% a word-embedding view's" in table.stderr
    assert note not in table.stdout
    assert note in run("tag", str(stories), "-m", str(dense_model_path), "-f", "jsonl", "--explain").stderr
    assert note not in run("tag", str(stories), "-m", str(dense_model_path), "-f", "jsonl").stderr  # no terms shown
    assert note not in run("tag", str(stories), "-m", str(model_path)).stderr
    assert note not in run("tag", str(stories), "-m", str(dense_model_path), "--quiet").stderr


def test_the_serve_page_says_what_the_terms_of_a_dense_model_explain(browser: Browser, dense_model_path: Path,
                                                                     model_path: Path) -> None:
    note = "the terms shown explain the first part"
    lines = {}
    for path in (dense_model_path, model_path):
        with live_server(create_app(load_model(path))) as base:
            context = browser.new_context()
            tab = context.new_page()
            tab.goto(base)
            tab.wait_for_function("() => document.getElementById('model').textContent.includes('security')")
            lines[path] = tab.locator("#model").inner_text()
            context.close()
    assert "scores 70% from terms and 30% from a word-embedding view" in lines[dense_model_path]
    assert note in lines[dense_model_path] and note not in lines[model_path]
