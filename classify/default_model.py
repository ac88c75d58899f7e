"""Where the default model lives, and building it from the bundled seeds on first use."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from classify import __version__

if TYPE_CHECKING:
    from classify.model import TopicModel

MODEL_ENV = "CLASSIFY_MODEL"
SEEDS_SOURCE = "bundled seeds"


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
    """Names and contents of the seed files plus the classify version: a change means retrain."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(seeds_dir.rglob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_stale(meta: dict, seeds_dir: Path) -> bool:
    """True for a default model built from other seeds or by another classify version."""
    data = meta.get("training_data", {})
    return data.get("source") == SEEDS_SOURCE and data.get("seeds_sha256") != seeds_fingerprint(seeds_dir)


def build_default_model(path: Path, say: Callable[[str], None]) -> None:
    """Train on the bundled seeds and save to `path` (a second or two, once)."""
    from classify.inputs import iter_articles
    from classify.training import train

    seeds_dir = bundled_seeds_dir()
    say(f"Building the default model from {seeds_dir} into {path} (first use only)")
    model = train(list(iter_articles([str(seeds_dir)])), source=SEEDS_SOURCE)
    model.meta["training_data"]["seeds_sha256"] = seeds_fingerprint(seeds_dir)
    model.save(path)


def load_model_or_default(path: Path | None, say: Callable[[str], None]) -> TopicModel:
    """Load `path`; with no path, the default model, (re)built from the bundled seeds if needed."""
    from classify.model import load_model, version_warnings

    if path is None:
        path = default_model_path()
        model = _load_default(path, say)
    else:
        model = load_model(path)
    for warning in version_warnings(model, path):
        say(f"Warning: {warning}")
    return model


def _load_default(path: Path, say: Callable[[str], None]) -> TopicModel:
    """The default model, built when missing or stale, and rebuilt when the cached copy is damaged.

    A file named by $CLASSIFY_MODEL may be the user's own model, so it is never overwritten.
    """
    from classify.errors import ModelError
    from classify.model import load_model

    if not path.exists():
        build_default_model(path, say)
    try:
        model = load_model(path)
    except ModelError as error:
        if os.environ.get(MODEL_ENV):
            raise
        say(f"Warning: {error}")
        build_default_model(path, say)
        model = load_model(path)
    if is_stale(model.meta, bundled_seeds_dir()):
        build_default_model(path, say)
        model = load_model(path)
    return model
