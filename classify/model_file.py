"""The model file: save and load a `TopicModel` as a zip of JSON, text and plain `.npy` arrays.

Format 2 (written since tagging stopped needing scikit-learn) holds:

    meta.json        format, version, topics, vectorizer settings and the `ModelMeta` record
    terms.txt        the vocabulary, one term a line, in column order (UTF-8)
    stop_words.txt   the stop words training removed, one a line
    idf.npy, coef.npy, intercept.npy, thresholds.npy          float32
    term_hashes.npy, term_columns.npy                         the vocabulary's hash index (uint32)
    dense_coef.npy, dense_intercept.npy                       float32, only in a model with the dense view
                                                              (`train --dense`; its record's `dense` says so)

Format 1 files (`meta.npy`, `terms.npy` as UTF-8 bytes, stop words named, no index) still load;
they are tagged with scikit-learn, with a warning to retrain.

Loading parses the file here, never with pickle, numpy's object loader or scikit-learn, so a
model file cannot run code. Every size is checked before anything is read (a small file cannot
make classify allocate gigabytes), only the settings training writes are accepted (so a file
cannot hand tagging a regular expression to run), and the numbers must be in the ranges training
produces. Anything else gives one `ModelError` line that says what to do.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

import numpy as np

from classify import __version__
from classify.dense import DIMENSIONS, EMBEDDER
from classify.errors import ModelError
from classify.model import TopicModel
from classify.model_meta import MetaError, ModelMeta
from classify.outputs import atomic_file
from classify.vocabulary import Vocabulary

FORMAT = "classify-topic-model"
FORMAT_VERSION = 2
LEGACY_VERSION = 1
RETRAIN_HINT = "retrain it: classify train SOURCES -m {path}"
"""For a file that is a classify model (its envelope says so): writing a new one over it loses nothing."""
NOT_A_MODEL_HINT = "pass a model file written by classify train, or train one: classify train SOURCES -m NEW.npz"
"""For anything else: it may be the user's own file, so never suggest writing a model over it."""
FLOAT = np.dtype("<f4")
INDEX = np.dtype("<u4")
ARRAYS = ("idf", "coef", "intercept", "thresholds")
INDEX_ARRAYS = ("term_hashes", "term_columns")
DENSE_ARRAYS = ("dense_coef", "dense_intercept")
MAX_MODEL_BYTES = 2**30
"""The most a model's members may hold, unpacked: far above any model trained on a realistic corpus."""
MAX_INFLATION = 8
"""How many times its own size a file's members may unpack to: classify writes them uncompressed."""
MAX_CHUNK = 2**20
MAX_IDF = 100.0
"""idf is ln((1 + documents) / (1 + frequency)) + 1: from 1 up to about 1 + ln(documents)."""
MAX_WEIGHT = 1e6
"""Scorer weights of a trained model are tens at most; this bound keeps every score finite."""


def save_model(model: TopicModel, path: Path) -> None:
    """Write the model atomically (format 2): a killed run leaves the previous file intact."""
    settings = {key: value for key, value in model.settings.items() if key != "stop_words"}
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "topics": model.topics, "vectorizer": settings,
            **model.meta.to_json()}
    stop_words = "\n".join(sorted(model.settings.get("stop_words") or ()))
    arrays = {name: getattr(model, name).astype(FLOAT) for name in ARRAYS}
    arrays["term_hashes"], arrays["term_columns"] = model.vocabulary.hashes, model.vocabulary.columns
    if model.meta.dense is not None:
        arrays |= {name: getattr(model, name).astype(FLOAT) for name in DENSE_ARRAYS}
    with atomic_file(path, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(_member("meta.json"), json.dumps(meta, ensure_ascii=False, indent=1))
        archive.writestr(_member("terms.txt"), model.vocabulary.text)
        archive.writestr(_member("stop_words.txt"), stop_words)
        for name, array in arrays.items():
            with archive.open(_member(f"{name}.npy"), "w", force_zip64=array.nbytes > 2**30) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)


def _member(name: str) -> zipfile.ZipInfo:
    """A member with a fixed date, so the same model makes the same bytes."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def load_model(path: Path) -> TopicModel:
    """Read a model file, refusing anything that is not a complete model of a known format, in one line."""
    hint = NOT_A_MODEL_HINT
    reader: _Reader | None = None
    try:
        with _open_regular(path) as (stream, size):
            magic = stream.read(4)
            if magic != ZIP_MAGIC:
                if _looks_pickled(magic, stream):
                    raise ModelError(f"{path}: looks like a pickle or joblib file, which classify never loads (loading "
                                     f"one can run any code in it); {hint}")
                raise ModelError(f"{path}: not a classify model (expected a .npz file written by classify train); {hint}")
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                reader = _Reader(archive, size, path, hint)
                return reader.load()
    except ModelError:
        raise
    except OSError as error:
        raise ModelError(f"{path}: cannot read: {error.strerror or error}") from None
    except (ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RecursionError):
        raise ModelError(f"{path}: is damaged or not a classify model; {reader.hint if reader else hint}") from None


@contextmanager
def _open_regular(path: Path) -> Iterator[tuple[IO[bytes], int]]:
    """The model file opened for reading, with its size; what is not a regular file is refused first
    (opening a FIFO would wait for a writer forever), and a missing file or a link loop is named as such."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if path.is_symlink():
            raise ModelError(f"{path}: is a link to {os.readlink(path)}, which does not exist; point -m at the model "
                             "file") from None
        raise ModelError(f"{path}: no model there; train one: classify train SOURCES -m {path}") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ModelError(f"{path}: is a loop of symbolic links (it leads back to itself); point -m at the model "
                             "file") from None
        raise
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise ModelError(f"{path}: is a folder; pass the model file (e.g. {path / 'model.npz'})")
        if not stat.S_ISREG(status.st_mode):
            raise ModelError(f"{path}: is not a regular file (a FIFO, device or socket), so not a model; point -m at "
                             "a model file written by classify train")
        yield stream, status.st_size


class _Reader:
    """Reads one archive's members, each size checked against what it must hold before it is read."""

    def __init__(self, archive: zipfile.ZipFile, size: int, path: Path, hint: str) -> None:
        self.archive, self.path, self.hint = archive, path, hint
        declared = sum(info.file_size for info in archive.infolist())
        if declared > min(MAX_MODEL_BYTES, MAX_INFLATION * size + MAX_CHUNK):
            self.fail(f"its parts would unpack to {declared / 2**20:,.0f} MB from a {size / 2**20:,.1f} MB file, so "
                      f"it is damaged or oversized (not a problem with the articles)")

    def fail(self, problem: str) -> NoReturn:
        raise ModelError(f"{self.path}: {problem}; {self.hint}")

    def info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self.archive.getinfo(name)
        except KeyError:
            stem = name.rpartition(".")[0]
            self.fail(f"has no `{stem}` {'array' if name.endswith('.npy') else 'part'}, so it is damaged or not a "
                      "classify model")

    def read(self, name: str) -> bytes:
        with self.archive.open(self.info(name)) as member:
            return member.read()

    def array(self, name: str, dtype: np.dtype | None, shape: tuple[int, ...] | None) -> np.ndarray:
        """A `.npy` member, refused unless its header promises `dtype` and `shape` (None: any 1-D bytes) and its
        declared size is exactly what those need; read in chunks straight into the array."""
        from numpy.lib import format as npy

        info = self.info(f"{name}.npy")
        with self.archive.open(info) as member:
            version = npy.read_magic(member)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"unsupported .npy version {version}")
            header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            found_shape, fortran_order, found_dtype = header(member)
            if found_dtype.hasobject:
                self.fail("holds pickled Python objects, which classify never loads (loading them can run code)")
            if dtype is None:
                if found_dtype != np.dtype("u1") or len(found_shape) != 1:
                    self.fail(f"`{name}` has the wrong type or shape ({found_dtype}, {found_shape})")
            elif found_dtype != dtype or len(found_shape) != len(shape or ()):
                self.fail(f"`{name}` has the wrong type or shape ({found_dtype}, {found_shape})")
            elif found_shape != shape:
                self.fail("its arrays do not fit together (damaged file)")
            count = int(np.prod(found_shape, dtype=np.int64))
            if count * found_dtype.itemsize != info.file_size - member.tell():
                raise ValueError("array size does not match its header")
            array = np.empty(count, dtype=found_dtype)
            view, filled = memoryview(array).cast("B"), 0
            while filled < len(view):
                chunk = member.read(min(MAX_CHUNK, len(view) - filled))
                if not chunk:
                    raise ValueError("truncated array")
                view[filled:filled + len(chunk)] = chunk
                filled += len(chunk)
            return array.reshape(found_shape, order="F" if fortran_order else "C")

    def numbers(self, topics: int, terms: int, dimensions: int | None) -> dict[str, np.ndarray]:
        """idf, coef, intercept and thresholds (and the dense view's scorers, given its `dimensions`), of the right
        shapes and in the ranges training produces."""
        shapes = {"idf": (terms,), "coef": (topics, terms), "intercept": (topics,), "thresholds": (topics,)}
        if dimensions is not None:
            shapes |= {"dense_coef": (topics, dimensions), "dense_intercept": (topics,)}
        elif DENSE_ARRAYS[0] + ".npy" in self.archive.namelist():
            self.fail("holds dense-view scorers its record does not mention (damaged file)")
        arrays = {name: self.array(name, FLOAT, shape) for name, shape in shapes.items()}
        for name, array in arrays.items():
            if not np.isfinite(array).all():
                self.fail(f"`{name}` holds NaN or infinite numbers (damaged file)")
        ranges = {"idf": (1.0, MAX_IDF), "coef": (-MAX_WEIGHT, MAX_WEIGHT), "intercept": (-MAX_WEIGHT, MAX_WEIGHT),
                  "thresholds": (0.0, 1.0), "dense_coef": (-MAX_WEIGHT, MAX_WEIGHT),
                  "dense_intercept": (-MAX_WEIGHT, MAX_WEIGHT)}
        for name, array in arrays.items():
            low, high = ranges[name]
            if array.size and (array.min() < low or array.max() > high):
                self.fail(f"`{name}` holds numbers outside [{low:g}, {high:g}], which training never writes (damaged "
                          "file)")
        return arrays

    def load(self) -> TopicModel:
        names = set(self.archive.namelist())
        if "meta.json" in names:
            return self._format_2()
        if "meta.npy" in names:
            return self._format_1()
        self.fail("has no `meta` part, so it is damaged or not a classify model")

    def _format_2(self) -> TopicModel:
        meta = self._meta(json.loads(self.read("meta.json").decode("utf-8")), FORMAT_VERSION)
        vocabulary = Vocabulary(self.read("terms.txt"), np.empty(0, INDEX), np.empty(0, INDEX))
        count = vocabulary.count_terms()
        vocabulary.hashes, vocabulary.columns = (self.array(name, INDEX, (count,)) for name in INDEX_ARRAYS)
        if problem := vocabulary.check():
            self.fail(f"{problem} (damaged file)")
        stop_words = self.read("stop_words.txt").decode("utf-8")
        settings = {**meta["vectorizer"], "stop_words": stop_words.split("\n") if stop_words else None}
        return self._model(meta, settings, vocabulary, lean=True)

    def _format_1(self) -> TopicModel:
        meta = self._meta(json.loads(self.array("meta", None, None).tobytes().decode("utf-8")), LEGACY_VERSION)
        vocabulary = Vocabulary.from_terms(self.array("terms", None, None).tobytes().decode("utf-8").split("\n"))
        if vocabulary.first_unsorted_term() is not None:
            self.fail("its vocabulary is out of order or repeats terms (damaged file)")
        return self._model(meta, dict(meta["vectorizer"]), vocabulary, lean=False)

    def _model(self, meta: dict[str, Any], settings: dict[str, Any], vocabulary: Vocabulary, *, lean: bool) -> TopicModel:
        try:
            record = ModelMeta.from_json({key: value for key, value in meta.items() if key not in ENVELOPE})
        except MetaError as error:
            self.fail(str(error))
        if record.dense is not None and (record.dense.embedder, record.dense.dimensions) != (EMBEDDER, DIMENSIONS):
            self.fail(f"its dense view uses {record.dense.embedder} ({record.dense.dimensions} dimensions), which this "
                      f"classify {__version__} does not (it has {EMBEDDER}, {DIMENSIONS})")
        arrays = self.numbers(len(meta["topics"]), len(vocabulary), record.dense.dimensions if record.dense else None)
        return TopicModel(topics=list(meta["topics"]), settings=settings, vocabulary=vocabulary, meta=record, lean=lean,
                          **arrays)

    def _meta(self, meta: Any, layout_version: int) -> dict[str, Any]:
        """The JSON envelope: a known format and version, topics, and only the vectorizer settings training writes."""
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            self.fail("not a classify model")
        self.hint = RETRAIN_HINT.format(path=self.path)
        version = meta.get("format_version")
        if version != layout_version:
            written = f"model format {version} (written by classify {meta.get('classify_version', '?')})"
            if type(version) is int and version > FORMAT_VERSION:
                self.fail(f"{written} is newer than this classify {__version__} reads (format {FORMAT_VERSION}); "
                          "upgrade classify, or retrain it")
            self.fail(f"{written} cannot be read by classify {__version__} (format {FORMAT_VERSION})")
        topics = meta.get("topics")
        if (not isinstance(topics, list) or not topics or not all(isinstance(t, str) and t for t in topics)
                or len(set(topics)) != len(topics)):
            self.fail("its topic list is damaged")
        settings = meta.get("vectorizer")
        if not isinstance(settings, dict):
            self.fail("its vectorizer settings are damaged")
        for key, value in settings.items():
            check = SETTINGS.get(key)
            if check is None or not check(value) or (key == "stop_words" and layout_version != LEGACY_VERSION):
                self.fail(f"unknown vectorizer setting {key}={value!r}: only the settings classify train writes are "
                          "read")
        return meta


ENVELOPE = ("format", "format_version", "topics", "vectorizer")
"""meta.json's keys that describe the file; the rest is the `ModelMeta` record."""
SETTINGS: dict[str, Callable[[Any], bool]] = {
    "ngram_range": lambda v: isinstance(v, list) and len(v) == 2 and all(type(n) is int for n in v) and 1 <= v[0] <= v[1] <= 3,
    "sublinear_tf": lambda v: isinstance(v, bool),
    "lowercase": lambda v: isinstance(v, bool),
    "strip_accents": lambda v: v in (None, "ascii", "unicode"),
    "stop_words": lambda v: v is None or v == "english" or (isinstance(v, list) and all(isinstance(w, str) for w in v)),
}
"""What `classify train` writes (format 1 named its stop words; format 2 stores them in stop_words.txt)."""
ZIP_MAGIC = b"PK\x03\x04"
COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"]\x00\x00", b"\x04\x22\x4d\x18", b"ZF")


def _looks_pickled(magic: bytes, stream: IO[bytes]) -> bool:
    """A pickle (any protocol) or a joblib file (often compressed), told apart without unpickling."""
    if magic[:1] == b"\x80" or magic.startswith(COMPRESSED_MAGIC):
        return True
    if len(magic) >= 2 and magic[0] == 0x78 and (magic[0] * 256 + magic[1]) % 31 == 0:  # zlib
        return True
    import pickletools

    try:  # protocols 0 and 1 are text-like: parse the opcodes (this never runs them)
        for opcode, _, _ in pickletools.genops(io.BytesIO(magic + stream.read(2**20))):
            if opcode.name == "STOP":
                return True
    except Exception:  # anything unparsable is not a pickle
        return False
    return False


def model_warnings(model: TopicModel, path: Path) -> list[str]:
    """What is worth telling the user about a model before tagging with it.

    A format 1 file is tagged by scikit-learn, whose version then matters: it is read from the
    installed package's metadata (importing scikit-learn to ask would take longer than tagging).
    """
    if model.lean:
        return []
    from importlib.metadata import PackageNotFoundError, version

    try:
        running = version("scikit-learn")
    except PackageNotFoundError:
        running = "?"
    warnings = [f"{path}: model format {LEGACY_VERSION} predates tagging without scikit-learn, so tagging with it is "
                f"slower; {RETRAIN_HINT.format(path=path)}"]
    built = model.meta.versions.get("scikit-learn", "")
    if built.split(".")[:2] != running.split(".")[:2]:
        warnings.append(f"{path}: model built with scikit-learn {built or '?'}, running {running}; "
                        f"tags may differ slightly; {RETRAIN_HINT.format(path=path)}")
    return warnings
