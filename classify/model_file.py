"""The model file: save and load a `TopicModel` as a zip of plain arrays and JSON.

Loading parses the file here, never with pickle, numpy's object loader or scikit-learn, so a
model file cannot run code, and anything that is not a complete model of a known format version
gives one `ModelError` line that says what to do.
"""

from __future__ import annotations

import json
import operator
import zipfile
import zlib
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from classify import __version__
from classify.errors import ModelError
from classify.model import TopicModel
from classify.model_meta import MetaError, ModelMeta
from classify.outputs import atomic_file

FORMAT = "classify-topic-model"
FORMAT_VERSION = 1
RETRAIN_HINT = "retrain it: classify train SOURCES -m {path}"


def save_model(model: TopicModel, path: Path) -> None:
    """Write the model atomically: a killed run leaves the previous file intact."""
    meta = {**model.meta.to_json(), "format": FORMAT, "format_version": FORMAT_VERSION, "topics": model.topics,
            "vectorizer": model.vectorizer_params}
    arrays = {
        "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        "terms": np.frombuffer("\n".join(model.terms).encode("utf-8"), dtype=np.uint8),
        "idf": model.idf.astype(np.float32),
        "coef": model.coef.astype(np.float32),
        "intercept": model.intercept.astype(np.float32),
        "thresholds": model.thresholds.astype(np.float32),
    }
    with atomic_file(path, "wb") as stream:
        np.savez(stream, **arrays)


def load_model(path: Path) -> TopicModel:
    """Read a model file, refusing anything that is not a complete model of a known format.

    The file is parsed here, not by pickle, numpy's object loader or scikit-learn: a zip of
    `.npy` arrays of plain numbers plus JSON. Nothing in it can run code, and any other file
    (pickle, joblib, truncated, garbage, another format version) gives one ModelError line.
    """
    if not path.exists():
        raise ModelError(f"{path}: no model there; train one: classify train SOURCES -m {path}")
    if path.is_dir():
        raise ModelError(f"{path}: is a folder; pass the model file (e.g. {path / 'model.npz'})")
    hint = RETRAIN_HINT.format(path=path)
    try:
        arrays = _read_arrays(path, hint)
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        terms = arrays["terms"].tobytes().decode("utf-8").split("\n")
    except ModelError:
        raise
    except OSError as error:
        raise ModelError(f"{path}: cannot read: {error.strerror or error}") from None
    except (ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RecursionError):
        raise ModelError(f"{path}: is damaged or not a classify model; {hint}") from None
    model_meta = _check_meta(meta, path, hint)
    model = TopicModel(
        topics=list(meta["topics"]),
        vectorizer_params=dict(meta["vectorizer"]),
        terms=terms,
        idf=arrays["idf"],
        coef=arrays["coef"],
        intercept=arrays["intercept"],
        thresholds=arrays["thresholds"],
        meta=model_meta,
    )
    _check_shapes(model, path, hint)
    return model


# name -> number of dimensions; `meta` and `terms` are UTF-8 bytes, the rest real numbers
ARRAYS = {"meta": 1, "terms": 1, "idf": 1, "coef": 2, "intercept": 1, "thresholds": 1}
MAX_MODEL_BYTES = 2 * 1024**3
ZIP_MAGIC = b"PK\x03\x04"


def _read_arrays(path: Path, hint: str) -> dict[str, np.ndarray]:
    with path.open("rb") as stream:
        magic = stream.read(4)
        if magic != ZIP_MAGIC and _looks_pickled(magic, stream):
            raise ModelError(f"{path}: looks like a pickle or joblib file, which classify never loads (loading one can "
                             f"run any code in it); {hint}")
    if magic != ZIP_MAGIC:
        raise ModelError(f"{path}: not a classify model (expected a .npz file written by classify train); {hint}")
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for name, ndim in ARRAYS.items():
            try:
                info = archive.getinfo(f"{name}.npy")
            except KeyError:
                raise ModelError(f"{path}: has no `{name}` array, so it is damaged or not a classify model; {hint}") from None
            if info.file_size > MAX_MODEL_BYTES:
                raise ModelError(f"{path}: `{name}` is over {MAX_MODEL_BYTES // 1024**3} GB; not a classify model; {hint}")
            with archive.open(info) as member:
                arrays[name] = _read_npy(member, info.file_size, path, hint)
            kind = "u" if name in ("meta", "terms") else "f"
            array = arrays[name]
            if array.ndim != ndim or array.dtype.kind != kind or (kind == "u" and array.dtype.itemsize != 1):
                raise ModelError(f"{path}: `{name}` has the wrong type or shape ({array.dtype}, {array.shape}); {hint}")
            if kind == "f" and not np.isfinite(array).all():
                raise ModelError(f"{path}: `{name}` holds NaN or infinite numbers (damaged file); {hint}")
    return arrays


COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"]\x00\x00", b"\x04\x22\x4d\x18", b"ZF")


def _looks_pickled(magic: bytes, stream: Any) -> bool:
    """A pickle (any protocol) or a joblib file (often compressed), told apart without unpickling."""
    if magic[:1] == b"\x80" or magic.startswith(COMPRESSED_MAGIC):
        return True
    if len(magic) >= 2 and magic[0] == 0x78 and (magic[0] * 256 + magic[1]) % 31 == 0:  # zlib
        return True
    import io
    import pickletools

    try:  # protocols 0 and 1 are text-like: parse the opcodes (this never runs them)
        for opcode, _, _ in pickletools.genops(io.BytesIO(magic + stream.read(2**20))):
            if opcode.name == "STOP":
                return True
    except Exception:  # anything unparsable is not a pickle
        return False
    return False


def _read_npy(member: Any, size: int, path: Path, hint: str) -> np.ndarray:
    """One `.npy` member, read without numpy's object (pickle) path and with its size checked first."""
    from numpy.lib import format as npy

    version = npy.read_magic(member)
    if version == (1, 0):
        shape, fortran_order, dtype = npy.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran_order, dtype = npy.read_array_header_2_0(member)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    if dtype.hasobject:
        raise ModelError(f"{path}: holds pickled Python objects, which classify never loads (loading them can run "
                         f"code); {hint}")
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected != size - member.tell():
        raise ValueError("array size does not match its header")
    data = member.read(expected)
    if len(data) != expected:
        raise ValueError("truncated array")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C").copy()


VECTORIZER_SETTINGS: dict[str, Any] = {
    "ngram_range": lambda v: isinstance(v, list | tuple) and len(v) == 2 and all(type(n) is int for n in v)
    and 1 <= v[0] <= v[1] <= 5,
    "sublinear_tf": lambda v: isinstance(v, bool),
    "lowercase": lambda v: isinstance(v, bool),
    "use_idf": lambda v: isinstance(v, bool),
    "smooth_idf": lambda v: isinstance(v, bool),
    "binary": lambda v: isinstance(v, bool),
    "stop_words": lambda v: v is None or v == "english" or (isinstance(v, list) and all(isinstance(w, str) for w in v)),
    "strip_accents": lambda v: v in (None, "ascii", "unicode"),
    "analyzer": lambda v: v in ("word", "char", "char_wb"),
    "norm": lambda v: v in (None, "l1", "l2"),
    "token_pattern": lambda v: isinstance(v, str) and len(v) <= 200,
}


def _check_meta(meta: Any, path: Path, hint: str) -> ModelMeta:
    """The JSON part: a known format and version, and only settings that are plain data."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelError(f"{path}: not a classify model; {hint}")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        written = f"model format {version} (written by classify {meta.get('classify_version', '?')})"
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise ModelError(f"{path}: {written} is newer than this classify {__version__} reads (format "
                             f"{FORMAT_VERSION}); upgrade classify, or {hint}")
        raise ModelError(f"{path}: {written} cannot be read by classify {__version__} (format {FORMAT_VERSION}); {hint}")
    topics = meta.get("topics")
    if (not isinstance(topics, list) or not topics or not all(isinstance(t, str) and t for t in topics)
            or len(set(topics)) != len(topics)):
        raise ModelError(f"{path}: its topic list is damaged; {hint}")
    vectorizer = meta.get("vectorizer")
    if not isinstance(vectorizer, dict):
        raise ModelError(f"{path}: its vectorizer settings are damaged; {hint}")
    for key, value in vectorizer.items():
        check = VECTORIZER_SETTINGS.get(key)
        if check is None or not check(value):
            raise ModelError(f"{path}: unknown vectorizer setting {key}={value!r}; {hint}")
    try:
        return ModelMeta.from_json({key: value for key, value in meta.items()
                                    if key not in ("format", "format_version", "topics", "vectorizer")})
    except MetaError as error:
        raise ModelError(f"{path}: {error}; {hint}") from None


def _check_shapes(model: TopicModel, path: Path, hint: str) -> None:
    n_topics, n_terms = len(model.topics), len(model.terms)
    if (model.coef.shape != (n_topics, n_terms) or model.idf.shape != (n_terms,)
            or model.intercept.shape != (n_topics,) or model.thresholds.shape != (n_topics,)):
        raise ModelError(f"{path}: arrays do not fit together (damaged file); {hint}")
    terms = model.terms
    if not all(map(operator.lt, terms, islice(terms, 1, None))):  # sorted, so no repeats: 4x faster than a set
        raise ModelError(f"{path}: its vocabulary is out of order or repeats terms (damaged file); {hint}")


def version_warnings(model: TopicModel, path: Path) -> list[str]:
    """Differences between the scikit-learn that built the model and this one, worth a warning.

    The version is read from the installed package's metadata: importing scikit-learn to ask
    would cost more than tagging an article.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        running = version("scikit-learn")
    except PackageNotFoundError:
        running = "?"
    built = model.meta.versions.get("scikit-learn", "")
    if built.split(".")[:2] != running.split(".")[:2]:
        return [f"{path}: model built with scikit-learn {built or '?'}, running {running}; "
                f"tags may differ slightly; {RETRAIN_HINT.format(path=path)}"]
    return []
