"""Model files are data, never code: crafted, damaged, foreign and outdated models get one line.

A model is a zip of `.npy` arrays of plain numbers plus JSON, parsed by classify itself; pickle
and joblib files (which run code when loaded) are refused, and the tests prove their payload is
live by running it once on purpose, elsewhere.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from classify.errors import ModelError
from classify.model_file import load_model
from tests.conftest import SECURITY, Run

if TYPE_CHECKING:
    from click.testing import Result


class Payload:
    """Unpickling this creates `marker` (it calls `open(marker, "w")`): harmless, but code running."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def members_of(path: Path) -> dict[str, bytes]:
    """A model file's parts, by name (meta.json, terms.txt, idf.npy...)."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def array_of(members: dict[str, bytes], name: str) -> np.ndarray:
    return np.load(io.BytesIO(members[f"{name}.npy"]))


def meta_of(members: dict[str, bytes]) -> dict:
    return json.loads(members["meta.json"])


def with_meta(members: dict[str, bytes], meta: dict) -> dict[str, bytes]:
    return {**members, "meta.json": json.dumps(meta).encode()}


def as_format_1(model_path: Path, path: Path, **meta_changes: object) -> Path:
    """The model as classify wrote it before format 2: meta and terms as byte arrays, stop words named."""
    members = members_of(model_path)
    meta = meta_of(members)
    meta = {**meta, "format_version": 1, "vectorizer": {**meta["vectorizer"], "stop_words": "english"}, **meta_changes}
    np.savez(path, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
             terms=np.frombuffer(members["terms.txt"], dtype=np.uint8),
             **{name: array_of(members, name) for name in ("idf", "coef", "intercept", "thresholds")})
    return path


def one_error_line(result: Result, path: Path) -> str:
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
        write_members(path, {**members_of(model_path), "coef.npy": npy(column)})


@pytest.mark.parametrize("kind", ["pickle", "pickle-protocol-0", "joblib", "joblib-compressed", "npz-object-array",
                                  "model-with-object-array"])
@pytest.mark.parametrize("name", ["model.npz", "model.pkl"])
def test_crafted_model_is_refused_and_never_run(run: Run, model_path: Path, tmp_path: Path, story: Path, kind: str,
                                                name: str) -> None:
    marker = tmp_path / "pwned"
    crafted = tmp_path / name
    _crafted(kind, crafted, marker, model_path)
    for command in (["tag", str(story), "-m", str(crafted)], ["evaluate", str(story), "-m", str(crafted)]):
        line = one_error_line(run(*command), crafted)
        assert "never loads" in line and ("pickle" in line or "joblib" in line or "not a classify model" in line), line
        assert "classify train SOURCES -m" in line  # retrain over it only when its envelope says it is a model
    with pytest.raises(ModelError):
        load_model(crafted)
    assert not marker.exists()


def test_crafted_default_model_is_refused_too(run: Run, model_path: Path, tmp_path: Path, story: Path,
                                              isolated_model: Path) -> None:
    marker = tmp_path / "pwned"
    isolated_model.write_bytes(pickle.dumps(Payload(marker)))
    one_error_line(run("tag", str(story)), isolated_model)
    assert not marker.exists()


def test_garbage_file_gives_one_line(run: Run, tmp_path: Path, story: Path) -> None:
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(os.urandom(4096))
    assert "not a classify model" in one_error_line(run("tag", str(story), "-m", str(garbage)), garbage)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"PK\x03\x04" + b"\x00" * 100, b"\x93NUMPY\x01\x00"])
def test_empty_and_almost_files_give_one_line(run: Run, tmp_path: Path, story: Path, content: bytes) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    one_error_line(run("tag", str(story), "-m", str(path)), path)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_model_gives_one_line(run: Run, model_path: Path, tmp_path: Path, story: Path, fraction: float) -> None:
    data = model_path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: int(len(data) * fraction)])
    line = one_error_line(run("tag", str(story), "-m", str(cut)), cut)
    assert "damaged" in line or "not a classify model" in line
    assert "train one: classify train SOURCES -m NEW.npz" in line  # a cut file may not have been a model


def test_flipped_bytes_inside_an_array_are_caught(run: Run, model_path: Path, tmp_path: Path, story: Path) -> None:
    data = bytearray(model_path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    damaged = tmp_path / "flipped.npz"
    damaged.write_bytes(bytes(data))
    one_error_line(run("tag", str(story), "-m", str(damaged)), damaged)


@pytest.mark.parametrize(("version", "says"), [(3, "upgrade classify, or retrain"), (0, "retrain it"), ("2", "retrain it"),
                                               (1, "retrain it")])
def test_other_format_version_is_refused_with_how_to_retrain(run: Run, model_path: Path, tmp_path: Path, story: Path,
                                                              version: object, says: str) -> None:
    members = members_of(model_path)
    other = write_members(tmp_path / "other.npz", with_meta(members, {**meta_of(members), "format_version": version}))
    line = one_error_line(run("tag", str(story), "-m", str(other)), other)
    assert f"model format {version}" in line and says in line
    assert f"classify train SOURCES -m {other}" in line


def test_missing_model_says_how_to_train_one(run: Run, tmp_path: Path, story: Path) -> None:
    missing = tmp_path / "nowhere" / "model.npz"
    line = one_error_line(run("tag", str(story), "-m", str(missing)), missing)
    assert line == f"Error: {missing}: no model there; train one: classify train SOURCES -m {missing}"


def test_a_format_1_model_still_tags_the_same_with_a_hint_to_retrain(run: Run, model_path: Path, tmp_path: Path,
                                                                     story: Path) -> None:
    """A file from before format 2 is tagged by scikit-learn, to the same records, and the user is told why it is slower."""
    old = as_format_1(model_path, tmp_path / "old.npz")
    result = run("tag", str(story), "-m", str(old), "-f", "jsonl", "--explain")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run("tag", str(story), "-m", str(model_path), "-f", "jsonl", "--explain").stdout
    (warning,) = result.stderr.splitlines()
    assert warning == (f"Warning: {old}: model format 1 predates tagging without scikit-learn, so tagging with it is slower; "
                       f"retrain it: classify train SOURCES -m {old}")


def test_a_format_1_model_from_another_scikit_learn_warns_too(run: Run, model_path: Path, tmp_path: Path, story: Path) -> None:
    meta = meta_of(members_of(model_path))
    old = as_format_1(model_path, tmp_path / "old.npz", versions={**meta["versions"], "scikit-learn": "0.24.2"})
    result = run("tag", str(story), "-m", str(old), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == str(story)
    warning = result.stderr.splitlines()[-1]
    assert warning.startswith(f"Warning: {old}: model built with scikit-learn 0.24.2")
    assert f"retrain it: classify train SOURCES -m {old}" in warning


def test_a_default_model_in_format_1_is_rebuilt(run: Run, model_path: Path, story: Path, isolated_model: Path) -> None:
    assert run("tag", str(story)).exit_code == 0  # builds the default model
    as_format_1(isolated_model, isolated_model.with_name("old.npz")).replace(isolated_model)
    result = run("tag", str(story), "-f", "jsonl")
    assert result.exit_code == 0 and "Building the default model" in result.stderr
    assert "model format 1" not in result.stderr
    assert "meta.json" in members_of(isolated_model)


@pytest.mark.parametrize(("change", "says"), [
    ({"vectorizer": {"input": "filename"}}, "unknown vectorizer setting input='filename'"),  # would read files named by articles
    ({"vectorizer": {"analyzer": "char"}}, "unknown vectorizer setting analyzer='char'"),
    ({"vectorizer": {"token_pattern": "(a+)+$"}}, "unknown vectorizer setting token_pattern='(a+)+$'"),  # backtracks
    ({"vectorizer": {"ngram_range": [1, 90]}}, "unknown vectorizer setting ngram_range=[1, 90]"),
    ({"vectorizer": {"stop_words": ["the"]}}, "unknown vectorizer setting stop_words=['the']"),  # format 2: a part
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
def test_meta_that_is_not_plain_settings_is_refused(run: Run, model_path: Path, tmp_path: Path, story: Path,
                                                    change: dict[str, object], says: str) -> None:
    members = members_of(model_path)
    meta = meta_of(members)
    if isinstance(change.get("vectorizer"), dict):
        change = {"vectorizer": {**meta["vectorizer"], **change["vectorizer"]}}
    odd = write_members(tmp_path / "odd.npz", with_meta(members, {**meta, **change}))
    line = one_error_line(run("tag", str(story), "-m", str(odd)), odd)
    not_ours = change.get("format") is not None  # another format: nothing says it is ours to overwrite
    assert says in line and ("train one:" if not_ours else f"retrain it: classify train SOURCES -m {odd}") in line


def _edit_terms(change: Callable[[list[str]], list[str]]) -> Callable[[bytes], bytes]:
    """A replacement for terms.txt (one term a line)."""
    return lambda data: "\n".join(change(data.decode("utf-8").split("\n"))).encode("utf-8")


def _array(change: Callable[[np.ndarray], np.ndarray]) -> Callable[[bytes], bytes]:
    """A replacement for an array part: `change` applied to the stored array."""
    return lambda data: npy(change(np.load(io.BytesIO(data))))


@pytest.mark.parametrize(("name", "replace", "says"), [
    ("coef.npy", _array(lambda a: a[:, :3]), "arrays do not fit together"),
    ("terms.txt", _edit_terms(lambda terms: terms[1:]), "arrays do not fit together"),
    ("term_columns.npy", _array(lambda a: np.zeros_like(a)), "term index is out of order or misses terms"),
    ("term_hashes.npy", _array(lambda a: a[::-1].copy()), "term index is out of order or misses terms"),
    ("term_hashes.npy", _array(lambda a: a.astype(np.int64)), "wrong type or shape"),
    ("coef.npy", _array(lambda a: a.astype(np.complex64)), "wrong type or shape"),
    ("coef.npy", _array(lambda a: np.full_like(a, np.nan)), "NaN or infinite"),
    ("idf.npy", _array(lambda a: a.astype(np.int64)), "wrong type or shape"),
    ("meta.json", lambda data: b"[1, 2]", "not a classify model"),
    ("meta.json", lambda data: b"\xff\xfe", "damaged or not a classify model"),
    ("meta.json", lambda data: b"[" * 100_000 + b"]" * 100_000, "damaged or not a classify model"),
])
def test_parts_of_the_wrong_kind_are_refused(run: Run, model_path: Path, tmp_path: Path, story: Path, name: str,
                                             replace: Callable[[bytes], bytes], says: str) -> None:
    members = members_of(model_path)
    odd = write_members(tmp_path / "odd.npz", {**members, name: replace(members[name])})
    assert says in one_error_line(run("tag", str(story), "-m", str(odd)), odd)


@pytest.mark.parametrize(("change", "line"), [
    (lambda terms: terms[::-1], lambda terms: 2),
    (lambda terms: [*terms[:5], terms[4], *terms[6:]], lambda terms: 6),  # a term repeated, in place of its neighbour
    (lambda terms: [*terms[:-2], terms[-1], terms[-2]], len),  # the last two swapped
])
def test_terms_out_of_order_or_repeated_are_refused_naming_the_file(run: Run, model_path: Path, tmp_path: Path, story: Path,
                                                                    change: Callable[[list[str]], list[str]],
                                                                    line: Callable[[list[str]], int]) -> None:
    """Even with a term index rebuilt to match them, so that only their order is wrong."""
    from classify.vocabulary import hash_index

    members = members_of(model_path)
    terms = change(members["terms.txt"].decode("utf-8").split("\n"))
    hashes, columns = hash_index(terms)
    odd = write_members(tmp_path / "odd.npz", {**members, "terms.txt": "\n".join(terms).encode("utf-8"),
                                               "term_hashes.npy": npy(hashes), "term_columns.npy": npy(columns)})
    error = one_error_line(run("tag", str(story), "-m", str(odd)), odd)
    assert f"its terms are not sorted and unique (terms.txt line {line(terms)}) (damaged file)" in error


PIECES = st.lists(st.sampled_from(["a", "b", "ab", "é", "日", "\x00", " ", "abcdefgh", "z" * 9]), max_size=4).map("".join)


@given(st.lists(PIECES, max_size=8))
def test_the_vectorised_order_check_agrees_with_python(terms: list[str]) -> None:
    from classify.vocabulary import Vocabulary, first_unsorted

    for listed in (terms or [""], sorted(set(terms)) or [""]):
        vocabulary = Vocabulary.from_terms(listed)
        python = next((i + 1 for i in range(1, len(listed)) if not listed[i - 1] < listed[i]), None)
        assert first_unsorted(vocabulary.text, *vocabulary._line_bounds()) == python


@pytest.mark.parametrize(("name", "change", "says"), [
    ("idf", lambda a: a.astype(np.float64) * 1e200, "wrong type or shape (float64"),
    ("idf", lambda a: np.full_like(a, 1e30), "`idf` holds numbers outside [1, 100]"),
    ("idf", lambda a: -a, "`idf` holds numbers outside [1, 100]"),
    ("coef", lambda a: np.full_like(a, 3e38), "`coef` holds numbers outside [-1e+06, 1e+06]"),
    ("coef", lambda a: a.astype(np.longdouble), "wrong type or shape (float128"),
    ("intercept", lambda a: a - 1e9, "`intercept` holds numbers outside"),
    ("thresholds", lambda a: a + 1.5, "`thresholds` holds numbers outside [0, 1]"),
    ("thresholds", lambda a: a - 1, "`thresholds` holds numbers outside [0, 1]"),
])
def test_damaged_numbers_are_refused_at_load(run: Run, model_path: Path, tmp_path: Path, story: Path, name: str,
                                             change: Callable[[np.ndarray], np.ndarray], says: str) -> None:
    members = members_of(model_path)
    odd = write_members(tmp_path / "odd.npz", {**members, f"{name}.npy": npy(change(array_of(members, name)))})
    line = one_error_line(run("tag", str(story), "-m", str(odd)), odd)
    assert says in line and ("damaged" in line or "wrong type" in line)


def test_missing_array_is_named(run: Run, model_path: Path, tmp_path: Path, story: Path) -> None:
    members = members_of(model_path)
    del members["idf.npy"]
    odd = write_members(tmp_path / "odd.npz", members)
    assert "has no `idf` array" in one_error_line(run("tag", str(story), "-m", str(odd)), odd)


def test_a_folder_as_model_is_a_usage_error(run: Run, tmp_path: Path, story: Path) -> None:
    result = run("tag", str(story), "-m", str(tmp_path))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "is a directory" in " ".join(result.stderr.replace("│", " ").split())


def test_saved_model_round_trips_through_the_safe_reader(model_path: Path) -> None:
    model = load_model(model_path)
    assert model.topics == ["diplomacy", "middle-east", "security"]
    assert model.coef.shape == (3, len(model.terms)) and np.isfinite(model.coef).all()


# --- files that would exhaust memory or block ------------------------------------------------------


def npy_header(shape: tuple[int, ...], dtype: str = "<f4") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


LOAD_UNDER_A_MEMORY_LIMIT = """
import json, resource, sys, zipfile
from pathlib import Path
import numpy.lib.format
from classify.errors import ModelError
from classify.model_file import load_model

pages = int(open("/proc/self/statm").read().split()[0])
resource.setrlimit(resource.RLIMIT_AS, (pages * resource.getpagesize() + 64 * 2**20, resource.RLIM_INFINITY))
try:
    load_model(Path(sys.argv[1]))
except ModelError as error:
    print(error)
"""


def test_parts_that_inflate_to_gigabytes_are_refused_before_reading(run: Run, model_path: Path, tmp_path: Path,
                                                                    story: Path) -> None:
    """A small file of compressed zeros whose coefficients unpack to 256 MB: refused from the sizes the zip declares,
    under a memory limit that reading them would break, and the message blames the model, not the articles."""
    members = members_of(model_path)
    bomb = tmp_path / "bomb.npz"
    write_members(bomb, {name: data for name, data in members.items() if name != "coef.npy"}, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("coef.npy", "w", force_zip64=True) as part:
        part.write(npy_header((3, 2**26 // 3)))
        for _ in range(256):
            part.write(bytes(2**20))
    assert bomb.stat().st_size < 2 * 2**20
    limited = subprocess.run([sys.executable, "-c", LOAD_UNDER_A_MEMORY_LIMIT, str(bomb)], capture_output=True, text=True,
                             timeout=120)
    assert limited.returncode == 0 and "Traceback" not in limited.stderr, limited.stderr
    assert "damaged or oversized" in limited.stdout
    line = one_error_line(run("tag", str(story), "-m", str(bomb)), bomb)
    assert "would unpack to 256 MB" in line and "damaged or oversized" in line and "article" in line.split(";")[0]


def test_an_array_header_promising_gigabytes_is_refused_before_reading(run: Run, model_path: Path, tmp_path: Path,
                                                                     story: Path) -> None:
    members = members_of(model_path)
    odd = write_members(tmp_path / "odd.npz", {**members, "idf.npy": npy_header((10**12,)) + bytes(64)})
    assert "arrays do not fit together" in one_error_line(run("tag", str(story), "-m", str(odd)), odd)
    odd = write_members(tmp_path / "odd2.npz", {**members, "meta.json": b" " * 2**24 + members["meta.json"]},
                        zipfile.ZIP_DEFLATED)
    assert "damaged or oversized" in one_error_line(run("tag", str(story), "-m", str(odd)), odd)


def test_a_fifo_as_model_is_refused_without_waiting_for_a_writer(tmp_path: Path, story: Path) -> None:
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "classify", "tag", str(story), "-m", str(fifo)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"Error: {fifo}: is not a regular file (a FIFO, device or socket), so not a model; point -m at " \
                            "a model file written by classify train\n"


def test_a_symlink_loop_is_named_as_one(run: Run, tmp_path: Path, story: Path) -> None:
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    first.symlink_to(second)
    second.symlink_to(first)
    line = one_error_line(run("tag", str(story), "-m", str(first)), first)
    assert "is a loop of symbolic links" in line
    dangling = tmp_path / "dangling.npz"
    dangling.symlink_to(tmp_path / "gone.npz")
    line = one_error_line(run("tag", str(story), "-m", str(dangling)), dangling)
    assert f"is a link to {tmp_path / 'gone.npz'}, which does not exist" in line


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
