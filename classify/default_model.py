"""Where the default model lives, and building it from the bundled seeds on first use."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classify import __version__

if TYPE_CHECKING:
    from classify.articles import Article
    from classify.model import TopicModel

MODEL_ENV = "CLASSIFY_MODEL"
SEEDS_SOURCE = "bundled seeds"
JOIN_SEEDS = True
"""Whether `classify train SOURCES` joins the bundled seeds unless told (`--with-seeds/--no-seeds`): on, because
with them a model trained on one source tags news from others better and its own source no worse
(docs/benchmarks.md § Tag quality)."""


def bundled_seeds_dir() -> Path:
    """The seeds shipped in the wheel (`classify/seeds`), or the checkout's `seeds/` folder."""
    packaged = Path(__file__).parent / "seeds"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "seeds"


def default_model_path() -> Path:
    """`$CLASSIFY_MODEL`, else `default.npz` in the user cache folder."""
    if override := os.environ.get(MODEL_ENV):
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("classify") / "default.npz"


def seeds_fingerprint(seeds_dir: Path) -> str:
    """The classify version and every seed file's path, size and modification time: a change means retrain.

    Checked on every run that uses the default model, so it reads the folders' entries only:
    hashing the seeds' contents took longer than tagging an article. Editing, adding or removing a
    seed changes a size or a time; a fresh copy of the same seeds (a reinstall) costs one rebuild.
    """
    digest = hashlib.sha256(__version__.encode())
    for folder, subfolders, files in os.walk(seeds_dir):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".txt"):
                status = os.stat(os.path.join(folder, name))
                relative = os.path.relpath(os.path.join(folder, name), seeds_dir)
                digest.update(f"{relative}\0{status.st_size}\0{status.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def is_stale(model: TopicModel, seeds_dir: Path) -> bool:
    """True for a default model built from other seeds, by another classify version, or in an older format."""
    data = model.meta.training_data
    return data.source == SEEDS_SOURCE and (data.seeds_sha256 != seeds_fingerprint(seeds_dir) or not model.lean)


def seeds_model(**training: Any) -> TopicModel:
    """The model trained on the bundled seeds (what `classify train` with no sources and the default model
    are), stamped with the seeds' fingerprint so a later classify or seed set knows to retrain it.
    `training` goes to `classify.training.train` (seed, folds, runner, progress...)."""
    from classify.inputs import iter_articles
    from classify.training import train

    seeds_dir = bundled_seeds_dir()
    model = train(list(iter_articles([str(seeds_dir)], require_labels=True)), source=SEEDS_SOURCE, **training)
    return _stamped_with_seeds(model)


def _stamped_with_seeds(model: TopicModel, **meta: Any) -> TopicModel:
    """`model` with the bundled seeds' fingerprint in its training data (and `meta`'s other fields set), so a
    later classify or seed set knows what it learned from."""
    stamped = dataclasses.replace(model.meta.training_data, seeds_sha256=seeds_fingerprint(bundled_seeds_dir()))
    model.meta = dataclasses.replace(model.meta, training_data=stamped, **meta)
    return model


def joinable_seeds(topics: Collection[str]) -> list[Article]:
    """The bundled seeds labelled for a user's topics, to join their training data; none when no topic is shared.

    A model learns a topic from one source's way of writing about it; the seeds are another source
    (short items and whole articles, hard negatives on each topic's edges), which is what carries a
    model to news it never saw. Seed topics the user's data lacks are dropped, and the user's topics
    the seeds do not cover are marked unknown on them, so the seeds say nothing about those.
    """
    from classify.inputs import iter_articles

    seeds = list(iter_articles([str(bundled_seeds_dir())], require_labels=True))
    covered = set().union(*(seed.labels or () for seed in seeds))
    wanted = set(topics)
    if not covered & wanted:
        return []
    return [dataclasses.replace(seed, labels=(seed.labels or frozenset()) & wanted,
                                unknown_labels=(seed.unknown_labels & wanted) | frozenset(wanted - covered))
            for seed in seeds]


def seeds_to_join(articles: Sequence[Article], sources: Sequence[str], join: bool | None = None) -> list[Article]:
    """The bundled seeds `classify train SOURCES` adds to `articles`: `joinable_seeds` for their topics, unless
    `join` is False (None: `JOIN_SEEDS`) or the seed folder is among `sources` already."""
    if not (JOIN_SEEDS if join is None else join):
        return []
    if bundled_seeds_dir().resolve() in {Path(source).resolve() for source in sources}:
        return []
    return joinable_seeds(set().union(*(article.labels or () for article in articles)))


def train_joined(articles: Sequence[Article], seeds: Sequence[Article], source: str, **training: Any) -> TopicModel:
    """A model trained on `articles` with `seeds` (from `joinable_seeds`) joined, saying so in its record:
    its source names the seeds, its data hash covers them, `seeds_sha256` says which seeds and
    `params["seeds_joined"]` how many. With no seeds, the model `articles` alone make."""
    from classify.training import train

    if not seeds:
        return train(articles, source=source, **training)
    model = train([*articles, *seeds], source=f"{source} + {SEEDS_SOURCE}", **training)
    return _stamped_with_seeds(model, params={**model.meta.params, "seeds_joined": len(seeds)})


def build_default_model(path: Path, say: Callable[[str], None]) -> None:
    """Train on the bundled seeds and save to `path` (a second or two, once)."""
    from classify.model_file import save_model

    say(f"Building the default model from {bundled_seeds_dir()} into {path} (first use only)")
    save_model(seeds_model(), path)


def load_model_or_default(path: Path | None, say: Callable[[str], None]) -> TopicModel:
    """Load `path`; with no path, the default model, (re)built from the bundled seeds if needed."""
    from classify.model_file import load_model, model_warnings

    if path is None:
        path = default_model_path()
        model = _load_default(path, say)
    else:
        model = load_model(path)
    for warning in model_warnings(model, path):
        say(f"Warning: {warning}")
    return model


def _load_default(path: Path, say: Callable[[str], None]) -> TopicModel:
    """The default model, built when missing or stale, and rebuilt when the cached copy is damaged.

    A file named by $CLASSIFY_MODEL may be the user's own model, so it is never overwritten.
    """
    from classify.errors import ModelError
    from classify.model_file import load_model

    if not os.path.lexists(path):
        build_default_model(path, say)
    try:
        model = load_model(path)
    except ModelError as error:
        if os.environ.get(MODEL_ENV):
            raise
        say(f"Warning: {error}")
        build_default_model(path, say)
        model = load_model(path)
    if is_stale(model, bundled_seeds_dir()):
        build_default_model(path, say)
        model = load_model(path)
    return model
