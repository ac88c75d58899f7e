"""The dense view: an article as the average of static word embeddings, from wordllama's bundled model.

TF-IDF only knows the words a model was trained on; a word-embedding average also places words the
training data never used near the ones it did (an "earthquake" near a "flood", not near an
"attack"), which carries a topic to news written in other words. wordllama ships its weights and
tokenizer inside its wheel, so the view works offline; it is an extra (`classify[dense]`) because
importing and loading it costs more than tagging one article otherwise does.

Nothing here imports wordllama until an embedding is asked for, and nothing ever downloads: the
model is loaded from the package's own folder with downloads disabled (wordllama's default
`load()` looks in a cache folder under the home directory and fetches what is missing).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np

from classify.errors import MissingExtraError

EMBEDDER = "wordllama l2_supercat"
CONFIG = "l2_supercat"
DIMENSIONS = 256
WORDS = 200
"""Each text is embedded from its first words only: the embedding is an average, so later words move
it little, and the tokenizer pads every text in a batch to the longest, so long texts cost most.
Chosen with the weight and the scorers' regularisation on allsides outlets no reported figure uses
(docs/benchmarks.md § Tag quality): more words gained little there for much more time."""
WEIGHT = 0.3
"""The dense view's share of a blended score (the rest is TF-IDF's); chosen as `WORDS` was."""
INSTALL_HINT = "pip install 'classify[dense]'"
BATCH = 64


@functools.cache
def embedder() -> Any:
    """wordllama's model, loaded once per process from the files inside its package, never downloaded."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
    except ImportError:
        raise MissingExtraError("the dense view (`train --dense`, or a model trained with it) needs wordllama, which is "
                                f"not installed: {INSTALL_HINT}") from None
    finally:  # wordllama configures the root logger when imported; logging is the application's to set up
        root.handlers[:] = handlers
        root.setLevel(level)
    try:
        return wordllama.WordLlama.load(config=CONFIG, dim=DIMENSIONS, cache_dir=Path(wordllama.__file__).parent,
                                        disable_download=True)
    except (FileNotFoundError, ValueError, AttributeError) as error:
        raise MissingExtraError(f"the installed wordllama {getattr(wordllama, '__version__', '?')} lacks its bundled "
                                f"{CONFIG} model ({error}); reinstall it: {INSTALL_HINT}") from None


def lead_words(text: str, words: int) -> str:
    """The first `words` words of `text` (whitespace-separated)."""
    parts = text.split(maxsplit=words)
    return " ".join(parts[:words])


def embed(texts: list[str], words: int = WORDS) -> np.ndarray:
    """One unit-length row (float32, `DIMENSIONS` wide) per text, from its first `words` words; a text with
    no known word is a row of zeros rather than NaN."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = embedder().embed([lead_words(text, words) for text in texts], norm=False, batch_size=BATCH)
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def blend(tfidf: np.ndarray, dense: np.ndarray, weight: float) -> np.ndarray:
    """Blended probabilities: `weight` of the dense view's plus the rest of TF-IDF's."""
    return ((1.0 - weight) * tfidf + weight * dense).astype(np.float32)
