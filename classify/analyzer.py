"""Text to terms exactly as scikit-learn's word analyzer does it, without importing scikit-learn.

`TfidfVectorizer(analyzer="word")` lower-cases, strips accents, finds tokens with its token
pattern, drops stop words and joins neighbouring tokens into n-grams. Tagging one article
needs only that, and importing scikit-learn to get it costs several times more than the whole
rest of the run. Every step here gives what scikit-learn's step gives (tests/test_lean.py and
bench/lean_exactness.py check it on written and real text); the accent stripping is also
faster, since most news is not pure ASCII (curly quotes) and scikit-learn's version tests each
character in Python.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

FIRST_COMBINING = 0x300
"""No code point below U+0300 is a combining mark (tests/test_lean.py checks it against this Python)."""


def strip_accents_unicode(text: str) -> str:
    """scikit-learn's `strip_accents_unicode`: NFKD, then drop combining marks.

    The marks are found with numpy over the text's code points, asking `unicodedata` only about
    the distinct ones that could be marks, instead of once per character.
    """
    if text.isascii():
        return text
    normalized = unicodedata.normalize("NFKD", text)
    codes = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    marks = [code for code in set(codes[codes >= FIRST_COMBINING].tolist()) if unicodedata.combining(chr(code))]
    if not marks:
        return normalized
    return codes[~np.isin(codes, marks)].tobytes().decode("utf-32-le", "surrogatepass")


def strip_accents_ascii(text: str) -> str:
    """scikit-learn's `strip_accents_ascii`: NFKD, then drop everything that is not ASCII."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


ACCENT_STRIPPERS = {None: None, "unicode": strip_accents_unicode, "ascii": strip_accents_ascii}


@dataclass(frozen=True)
class Analyzer:
    """A word analyzer's settings, and the analysis itself (`terms`)."""

    lowercase: bool = True
    strip_accents: str | None = None
    ngram_range: tuple[int, int] = (1, 1)
    stop_words: frozenset[str] = frozenset()

    def tokens(self, text: str) -> list[str]:
        """The text's words, in order, with the stop words taken out: what its n-grams are made of."""
        if self.lowercase:
            text = text.lower()
        strip = ACCENT_STRIPPERS[self.strip_accents]
        if strip is not None:
            text = strip(text)
        tokens = TOKENS.findall(text)
        if self.stop_words:
            stop = self.stop_words
            tokens = [token for token in tokens if token not in stop]
        return tokens

    def terms(self, text: str) -> list[str]:
        """The text's terms, one per occurrence (order aside, what scikit-learn's analyzer returns)."""
        return ngrams(self.tokens(text), *self.ngram_range)


TOKENS = re.compile(r"\w\w+")
r"""What scikit-learn's default token pattern `(?u)\b\w\w+\b` finds, faster: a greedy run of word characters
starting where the last one ended always starts and ends on a word boundary, so the two `\b` only cost time (a
test checks the two agree on any text). It is the only pattern: a model file names none, since a pattern from a
file could backtrack for hours on one crafted article."""


def ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """All `low`- to `high`-grams of `tokens`, joined by single spaces (scikit-learn's `_word_ngrams`)."""
    result = tokens if low == 1 else []
    if high == 1:
        return result
    result = list(result)
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        if n == 2:
            result += [f"{a} {b}" for a, b in pairwise(tokens)]
        else:
            result += map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
    return result

