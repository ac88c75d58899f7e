"""A model's terms and the column of each, found without a Python dict over the whole vocabulary.

A model trained on a few thousand articles has half a million terms; building a term -> column
dict of them takes longer than everything else in tagging one article. So the model file also
stores a hash index: the CRC-32 of every term, sorted, with the column each belongs to. Finding
the columns of an article's terms is then a binary search per term, confirmed against the terms'
text (CRC-32 collides: different terms can share a hash). Batches of many articles, where
building a table pays for itself, use an `NgramIndex` (below) instead; scikit-learn, for models
from before this, gets the plain dict.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from itertools import chain, repeat
from typing import Any

import numpy as np

NEWLINE = 10
SPACE = 32


def term_hashes(terms: Iterable[str]) -> np.ndarray:
    """CRC-32 of each term's UTF-8 bytes."""
    return np.fromiter((zlib.crc32(term.encode("utf-8")) for term in terms), dtype=np.uint32)


def occurrences(documents: list[list[str]], columns: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of every occurrence of a term of `columns` in the documents (lists of terms)."""
    get = columns.get
    found: list[int] = []
    lengths = []
    for document in documents:
        row = [column for column in map(get, document) if column is not None]
        found += row
        lengths.append(len(row))
    return np.repeat(np.arange(len(documents), dtype=np.int64), lengths), np.asarray(found, dtype=np.int64)


def hash_index(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """What the model file stores for `Vocabulary`: sorted hashes and the column of each."""
    hashes = term_hashes(terms)
    order = np.argsort(hashes, kind="stable").astype(np.uint32)
    return hashes[order], order


class Vocabulary:
    """Terms in column order, as one UTF-8 text of lines, with the hash index over it."""

    def __init__(self, text: bytes, hashes: np.ndarray, columns: np.ndarray) -> None:
        self.text = text
        self.hashes = hashes
        self.columns = columns
        self._bounds: tuple[np.ndarray, np.ndarray] | None = None
        self._dict: dict[str, int] | None = None
        self._terms: list[str] | None = None
        self._batch: NgramIndex | dict[str, int] | None = None

    @classmethod
    def from_terms(cls, terms: list[str]) -> Vocabulary:
        return cls("\n".join(terms).encode("utf-8"), *hash_index(terms))

    def __len__(self) -> int:
        return len(self.columns)

    def __getstate__(self) -> dict[str, Any]:
        """Workers get the text and index, not the lookup tables (cheaper to rebuild than to send)."""
        return {"text": self.text, "hashes": self.hashes, "columns": self.columns}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["text"], state["hashes"], state["columns"])  # type: ignore[misc]

    @property
    def ready_for_batches(self) -> bool:
        return self._batch is not None

    def for_batches(self, longest: int) -> NgramIndex | dict[str, int]:
        """The n-gram index (built on first use), or the dict where n-gram keys would not fit 64 bits."""
        if self._batch is None:
            try:
                self._batch = NgramIndex(self.text, self._line_bounds()[1], longest)
            except OverflowError:
                self._batch = self.as_dict()
        return self._batch

    def terms(self) -> list[str]:
        """Every term, in column order (a list of them all: for saving, comparing, scikit-learn)."""
        if self._terms is None:
            self._terms = self.text.decode("utf-8").split("\n")
        return self._terms

    def as_dict(self) -> dict[str, int]:
        """Term -> column for every term, built on first use."""
        if self._dict is None:
            self._dict = dict(zip(self.terms(), range(len(self)), strict=True))
        return self._dict

    def term(self, column: int) -> str:
        """The term of one column."""
        if self._terms is not None:
            return self._terms[column]
        starts, ends = self._line_bounds()
        return self.text[starts[column]:ends[column]].decode("utf-8")

    def lookup(self, terms: Iterable[str]) -> dict[str, int]:
        """Term -> column for those of `terms` in the vocabulary: the dict if built, else the hash index."""
        if self._dict is not None:
            vocabulary = self._dict
            return {term: vocabulary[term] for term in terms if term in vocabulary}
        keys = [term.encode("utf-8") for term in terms]
        if not keys:
            return {}
        wanted = np.fromiter(map(zlib.crc32, keys), dtype=np.uint32, count=len(keys))
        hashes, text = self.hashes, self.text
        positions = np.minimum(np.searchsorted(hashes, wanted), len(hashes) - 1)
        hit = hashes[positions] == wanted
        columns = self.columns[positions].astype(np.int64)
        starts, ends = self._line_bounds()
        found = {}
        for key, first, column, start, end in zip(keys, np.where(hit, positions, -1).tolist(), columns.tolist(),
                                                  starts[columns].tolist(), ends[columns].tolist(), strict=True):
            if first < 0:
                continue
            if text[start:end] == key:
                found[key.decode("utf-8")] = column
            elif (other := self._collided(key, first)) is not None:
                found[key.decode("utf-8")] = other
        return found

    def _collided(self, key: bytes, position: int) -> int | None:
        """The column of `key` among the terms after `position` that share its hash (a CRC-32 collision)."""
        starts, ends = self._line_bounds()
        value = self.hashes[position]
        position += 1
        while position < len(self.hashes) and self.hashes[position] == value:
            column = int(self.columns[position])
            if self.text[starts[column]:ends[column]] == key:
                return column
            position += 1
        return None

    def _line_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each term's bytes start and end in `text`."""
        if self._bounds is None:
            newlines = np.flatnonzero(np.frombuffer(self.text, dtype=np.uint8) == NEWLINE)
            self._bounds = (np.concatenate(([0], newlines + 1)), np.concatenate((newlines, [len(self.text)])))
        return self._bounds

    def count_terms(self) -> int:
        """How many lines (terms) `text` holds, whatever the index says."""
        return len(self._line_bounds()[0])

    def first_unsorted_term(self) -> int | None:
        """The line number (from 1) of the first term not greater than the one before it, or None when the
        terms are sorted and unique."""
        return first_unsorted(self.text, *self._line_bounds())

    def check(self) -> str | None:
        """What is wrong with the terms or their index, if anything: the terms must be sorted and unique
        (training writes them so; a repeated term would leave one of its columns unreachable, and the
        index is built on that order), the index sorted and giving every column once."""
        count = len(self.columns)
        if len(self.hashes) != count or self.count_terms() != count:
            return "its term index does not match its terms"
        if (line := self.first_unsorted_term()) is not None:
            return f"its terms are not sorted and unique (terms.txt line {line})"
        if count > 1 and not (np.all(self.hashes[1:] >= self.hashes[:-1])
                              and np.array_equal(np.bincount(self.columns, minlength=count), np.ones(count, np.int64))):
            return "its term index is out of order or misses terms"
        return None


KEEP_BYTES = np.array([0] + [((1 << 8 * n) - 1) << 8 * (8 - n) for n in range(1, 9)], dtype=np.uint64)
"""KEEP_BYTES[n]: the mask keeping the first n bytes of a big-endian 8-byte key (the rest read as zero)."""


def first_unsorted(text: bytes, starts: np.ndarray, ends: np.ndarray) -> int | None:
    """The line number (from 1) of the first term in `text` that is not greater than the one before it, or None.

    Python sorts str by code point, and UTF-8 keeps that order byte for byte, so the bytes are compared
    as they are: 8 at a time, read as one big-endian integer (bytes past a term's end as zero), for
    every neighbouring pair at once, going on to the next 8 only for the pairs still tied. A tie that
    reaches the end of the shorter term is settled by length: a prefix sorts first, equal is a repeat.
    Tested equal to Python's comparison of the terms (tests/test_model_files.py).
    """
    data = np.frombuffer(text + bytes(8), dtype=np.uint8)
    windows = np.ndarray((len(text) + 1,), dtype="<u8", buffer=data, strides=(1,))  # the 8 bytes from each offset

    def keys(at: np.ndarray, left: np.ndarray) -> np.ndarray:
        return windows[at].byteswap() & KEEP_BYTES[np.clip(left, 0, 8)]

    lengths = ends - starts
    pairs = np.arange(len(starts) - 1)  # pair i: term i and term i + 1
    first, second = starts[:-1], starts[1:]
    left_first, left_second = lengths[:-1], lengths[1:]
    wrong = []
    while len(pairs):
        before, after = keys(first, left_first), keys(second, left_second)
        tied = before == after
        ended = tied & (np.minimum(left_first, left_second) <= 8)
        bad = (before > after) | (ended & (left_first >= left_second))
        if bad.any():
            wrong.append(int(pairs[np.argmax(bad)]))
        going = np.flatnonzero(tied & ~ended)
        pairs, first, second = pairs[going], first[going] + 8, second[going] + 8
        left_first, left_second = left_first[going] - 8, left_second[going] - 8
    return min(wrong) + 2 if wrong else None


class NgramIndex:
    """Term -> column for batches, with each n-gram looked up as the numbers of its words.

    A dict of every term makes each lookup a cache miss in a table of half a million strings, and
    most lookups are of n-grams built as new strings only to be looked up. Here each word of the
    vocabulary has a number (a dict of tens of thousands of words), a unigram's column is an array
    entry, and an n-gram's is found by a vectorized binary search over its words' numbers combined
    into one integer. Terms are exactly the words they are made of joined by single spaces (tokens
    never contain spaces), so this finds the same terms a dict would.
    """

    def __init__(self, text: bytes, line_ends: np.ndarray, longest: int) -> None:
        """Index the terms of `text` (one a line, `line_ends` the offset of each line's end) of up to
        `longest` words. Built with a few passes over the whole text, not a Python loop per term."""
        spaces = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == SPACE)
        lengths = np.bincount(np.searchsorted(line_ends, spaces), minlength=len(line_ends)) + 1  # words per term
        flat = text.decode("utf-8").replace("\n", " ").split(" ")  # every term's words, one after another
        unique = dict.fromkeys(flat)
        self.words = dict(zip(unique, range(len(unique)), strict=True))
        self.width = max(len(self.words), 1)
        if self.width ** longest >= 2**62:
            raise OverflowError("n-gram keys would not fit 64 bits")
        ids = np.fromiter(map(self.words.__getitem__, flat), dtype=np.int64, count=len(flat))
        first = np.cumsum(lengths) - lengths  # where each term's words start in `flat`
        self.unigrams = np.full(self.width, -1, dtype=np.int64)
        single = np.flatnonzero(lengths == 1)
        self.unigrams[ids[first[single]]] = single
        self.keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in range(2, longest + 1):
            columns = np.flatnonzero(lengths == n)
            if len(columns):
                key = ids[first[columns]]
                for j in range(1, n):
                    key = key * self.width + ids[first[columns] + j]
                order = np.argsort(key, kind="stable")
                self.keys[n] = (key[order], columns[order])

    def occurrences(self, documents: list[list[str]], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
        """(document, column) of every occurrence of a vocabulary term among the documents' `low`- to `high`-grams
        (each document a list of tokens, stop words already out)."""
        lengths = np.array([len(document) + 1 for document in documents], dtype=np.int64)
        tokens = chain.from_iterable(chain(document, (None,)) for document in documents)  # None: no n-gram spans two
        ids = np.fromiter(map(self.words.get, tokens, repeat(-1)), dtype=np.int64, count=int(lengths.sum()))
        document_of = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
        known = ids >= 0
        rows, columns = [], []
        if low == 1:
            found = np.full(len(ids), -1, dtype=np.int64)
            found[known] = self.unigrams[ids[known]]
            hit = found >= 0
            rows.append(document_of[hit])
            columns.append(found[hit])
        for n in range(max(low, 2), high + 1):
            if n not in self.keys or len(ids) < n:
                continue
            keys, key_columns = self.keys[n]
            count = len(ids) - n + 1
            key, valid = ids[:count].copy(), known[:count].copy()
            for j in range(1, n):
                key = key * self.width + ids[j:j + count]
                valid &= known[j:j + count]
            starts = np.flatnonzero(valid)
            key = key[starts]
            order = np.argsort(key)  # sorted queries: the binary searches walk the table in order, cache-friendly
            positions = np.empty(len(key), dtype=np.int64)
            positions[order] = np.minimum(np.searchsorted(keys, key[order]), len(keys) - 1)
            hit = keys[positions] == key
            rows.append(document_of[starts[hit]])
            columns.append(key_columns[positions[hit]])
        if not rows:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)
