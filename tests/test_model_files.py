"""Model files are data, never code: crafted, damaged, foreign and outdated models get one line.

A model is a zip of `.npy` arrays of plain numbers plus JSON, parsed by classify itself; pickle
and joblib files (which run code when loaded) are refused, and the tests prove their payload is
live by running it once on purpose, elsewhere.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest

from classify.errors import ModelError
from classify.model_file import load_model
from tests.conftest import SECURITY


class Payload:
    """Unpickling this creates `marker` (it calls `open(marker, "w")`): harmless, but code running."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def arrays_of(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return dict(stored)


def meta_of(arrays: dict[str, np.ndarray]) -> dict:
    return json.loads(arrays["meta"].tobytes())


def with_meta(arrays: dict[str, np.ndarray], meta: dict) -> dict[str, np.ndarray]:
    return {**arrays, "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}


def one_error_line(result, path: Path) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.stderr
    return lines[0]


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(SECURITY[0])
    return path


def test_the_payload_is_live_when_unpickled(tmp_path: Path) -> None:
    control = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(Payload(control)))
    assert control.exists()


def _crafted(kind: str, path: Path, marker: Path, model_path: Path) -> None:
    payload = Payload(marker)
    if kind == "pickle":
        path.write_bytes(pickle.dumps(payload))
    elif kind == "pickle-protocol-0":
        path.write_bytes(pickle.dumps(payload, protocol=0))
    elif kind == "joblib":
        joblib.dump(payload, path)
    elif kind == "joblib-compressed":
        joblib.dump(payload, path, compress=3)
    elif kind == "npz-object-array":
        column = np.empty(1, dtype=object)
        column[0] = payload
        with path.open("wb") as stream:
            np.savez(stream, meta=column)
    elif kind == "model-with-object-array":  # a real model whose coefficients were swapped for a payload
        column = np.empty(1, dtype=object)
        column[0] = payload
        with path.open("wb") as stream:
            np.savez(stream, **{**arrays_of(model_path), "coef": column})


@pytest.mark.parametrize("kind", ["pickle", "pickle-protocol-0", "joblib", "joblib-compressed", "npz-object-array",
                                  "model-with-object-array"])
@pytest.mark.parametrize("name", ["model.npz", "model.pkl"])
def test_crafted_model_is_refused_and_never_run(run, model_path: Path, tmp_path: Path, story: Path, kind, name) -> None:
    marker = tmp_path / "pwned"
    crafted = tmp_path / name
    _crafted(kind, crafted, marker, model_path)
    for command in (["tag", str(story), "-m", str(crafted)], ["evaluate", str(story), "-m", str(crafted)]):
        line = one_error_line(run(*command), crafted)
        assert "never loads" in line and ("pickle" in line or "joblib" in line or "not a classify model" in line), line
        assert "retrain" in line
    with pytest.raises(ModelError):
        load_model(crafted)
    assert not marker.exists()


def test_crafted_default_model_is_refused_too(run, model_path: Path, tmp_path: Path, story: Path, isolated_model) -> None:
    marker = tmp_path / "pwned"
    isolated_model.write_bytes(pickle.dumps(Payload(marker)))
    one_error_line(run("tag", str(story)), isolated_model)
    assert not marker.exists()


def test_garbage_file_gives_one_line(run, tmp_path: Path, story: Path) -> None:
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(os.urandom(4096))
    assert "not a classify model" in one_error_line(run("tag", str(story), "-m", str(garbage)), garbage)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"PK\x03\x04" + b"\x00" * 100, b"\x93NUMPY\x01\x00"])
def test_empty_and_almost_files_give_one_line(run, tmp_path: Path, story: Path, content: bytes) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    one_error_line(run("tag", str(story), "-m", str(path)), path)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_model_gives_one_line(run, model_path: Path, tmp_path: Path, story: Path, fraction: float) -> None:
    data = model_path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: int(len(data) * fraction)])
    line = one_error_line(run("tag", str(story), "-m", str(cut)), cut)
    assert "damaged" in line or "not a classify model" in line
    assert f"classify train SOURCES -m {cut}" in line


def test_flipped_bytes_inside_an_array_are_caught(run, model_path: Path, tmp_path: Path, story: Path) -> None:
    data = bytearray(model_path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    damaged = tmp_path / "flipped.npz"
    damaged.write_bytes(bytes(data))
    one_error_line(run("tag", str(story), "-m", str(damaged)), damaged)


@pytest.mark.parametrize(("version", "says"), [(2, "upgrade classify, or retrain"), (0, "retrain it"), ("1", "retrain it")])
def test_other_format_version_is_refused_with_how_to_retrain(run, model_path: Path, tmp_path: Path, story: Path,
                                                              version, says) -> None:
    arrays = arrays_of(model_path)
    other = tmp_path / "other.npz"
    np.savez(other, **with_meta(arrays, {**meta_of(arrays), "format_version": version}))
    line = one_error_line(run("tag", str(story), "-m", str(other)), other)
    assert f"model format {version}" in line and says in line
    assert f"classify train SOURCES -m {other}" in line


def test_missing_model_says_how_to_train_one(run, tmp_path: Path, story: Path) -> None:
    missing = tmp_path / "nowhere" / "model.npz"
    line = one_error_line(run("tag", str(story), "-m", str(missing)), missing)
    assert line == f"Error: {missing}: no model there; train one: classify train SOURCES -m {missing}"


def test_other_scikit_learn_version_warns_with_a_retrain_hint(run, model_path: Path, tmp_path: Path, story: Path) -> None:
    arrays = arrays_of(model_path)
    meta = meta_of(arrays)
    old = tmp_path / "old.npz"
    np.savez(old, **with_meta(arrays, {**meta, "versions": {**meta["versions"], "scikit-learn": "0.24.2"}}))
    result = run("tag", str(story), "-m", str(old), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == str(story)
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"Warning: {old}: model built with scikit-learn 0.24.2")
    assert f"retrain it: classify train SOURCES -m {old}" in warning


@pytest.mark.parametrize(("change", "says"), [
    ({"vectorizer": {"input": "filename"}}, "unknown vectorizer setting input='filename'"),  # would read files named by articles
    ({"vectorizer": {"analyzer": "nonsense"}}, "unknown vectorizer setting"),
    ({"vectorizer": "tfidf"}, "vectorizer settings are damaged"),
    ({"topics": []}, "topic list is damaged"),
    ({"topics": [1, 2]}, "topic list is damaged"),
    ({"versions": "1.0"}, "`versions` record is damaged"),
    ({"format": "something-else"}, "not a classify model"),
    ({"notes": "added by hand"}, "unknown record `notes`"),
    ({"training_data": {"source": "x"}}, "`training_data` record is damaged"),
    ({"cross_validation": {"folds": "5", "metrics": {}}}, "`cross_validation` record is damaged"),
    ({"seed": 1.5}, "`seed` record is damaged"),
])
def test_meta_that_is_not_plain_settings_is_refused(run, model_path: Path, tmp_path: Path, story: Path, change, says) -> None:
    arrays = arrays_of(model_path)
    meta = meta_of(arrays)
    if isinstance(change.get("vectorizer"), dict):
        change = {"vectorizer": {**meta["vectorizer"], **change["vectorizer"]}}
    odd = tmp_path / "odd.npz"
    np.savez(odd, **with_meta(arrays, {**meta, **change}))
    assert says in one_error_line(run("tag", str(story), "-m", str(odd)), odd)


def _edit_terms(change):
    """An array replacement that edits the model's term list (stored as UTF-8 lines)."""
    return lambda a: np.frombuffer("\n".join(change(a.tobytes().decode("utf-8").split("\n"))).encode("utf-8"),
                                   dtype=np.uint8)


@pytest.mark.parametrize(("name", "replace", "says"), [
    ("coef", lambda a: a[:, :3], "arrays do not fit together"),
    ("terms", _edit_terms(lambda terms: terms[:1] * 2 + terms[2:]), "vocabulary is out of order or repeats terms"),
    ("terms", _edit_terms(lambda terms: terms[::-1]), "vocabulary is out of order or repeats terms"),
    ("coef", lambda a: a.astype(np.complex64), "wrong type or shape"),
    ("coef", lambda a: np.full_like(a, np.nan), "NaN or infinite"),
    ("idf", lambda a: a.astype(np.int64), "wrong type or shape"),
    ("meta", lambda a: np.frombuffer(b"[1, 2]", dtype=np.uint8), "not a classify model"),
    ("meta", lambda a: np.frombuffer(b"\xff\xfe", dtype=np.uint8), "damaged or not a classify model"),
])
def test_arrays_of_the_wrong_kind_are_refused(run, model_path: Path, tmp_path: Path, story: Path, name, replace, says) -> None:
    arrays = arrays_of(model_path)
    odd = tmp_path / "odd.npz"
    np.savez(odd, **{**arrays, name: replace(arrays[name])})
    assert says in one_error_line(run("tag", str(story), "-m", str(odd)), odd)


def test_missing_array_is_named(run, model_path: Path, tmp_path: Path, story: Path) -> None:
    arrays = arrays_of(model_path)
    del arrays["idf"]
    odd = tmp_path / "odd.npz"
    np.savez(odd, **arrays)
    assert "has no `idf` array" in one_error_line(run("tag", str(story), "-m", str(odd)), odd)


def test_a_folder_as_model_is_a_usage_error(run, tmp_path: Path, story: Path) -> None:
    result = run("tag", str(story), "-m", str(tmp_path))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "is a directory" in " ".join(result.stderr.replace("│", " ").split())


def test_saved_model_round_trips_through_the_safe_reader(model_path: Path) -> None:
    model = load_model(model_path)
    assert model.topics == ["diplomacy", "middle-east", "security"]
    assert model.coef.shape == (3, len(model.terms)) and np.isfinite(model.coef).all()
