"""Group articles that tell the same story: MinHash signatures of word shingles, LSH to find candidates.

Two versions of one story (a wire story republished with a trimmed end and a new headline, two
outlets' edits of one report) share most of their word sequences; articles that merely share a
topic share almost none. The Jaccard similarity of their sets of word `SHINGLE_WORDS`-grams
separates the two (docs/digest.md has the measured precision and recall at `THRESHOLD`).

datasketch's MinHash turns each text into `NUM_PERM` numbers whose agreement estimates that
Jaccard similarity, and its MinHashLSH index finds the pairs likely above `THRESHOLD` without
comparing every pair: grouping grows with the number of articles, not its square (bench/digest_grouping.py).
Signatures are computed where the article is read (in a worker with `--jobs`), so the text itself
need not be kept until the end.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

NUM_PERM = 128
SHINGLE_WORDS = 3
THRESHOLD = 0.5
"""Estimated Jaccard similarity of shingle sets from which two articles are one story (chosen in docs/digest.md)."""
SCHEME = "affine32"
SEED = 1
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The text's runs of `size` words, lower-cased: what two versions of a story share and two stories do not."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def signature(text: str, *, size: int = SHINGLE_WORDS) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32) of the text's shingles; the same text gives the same signature anywhere.

    CRC-32 hashes the shingles: it is deterministic across processes (Python's `hash` is not) and three
    times faster than datasketch's default SHA-1, with MinHash's own mixing on top.
    """
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, scheme=SCHEME)
    minhash.update_batch(list(shingles(text, size)))
    return minhash.hashvalues


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures: the share of positions where they agree."""
    return float(np.count_nonzero(first == second)) / len(first)


def group(signatures: Sequence[np.ndarray], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indexes of `signatures` in groups of one story, each group in input order, groups by their first member.

    LSH proposes candidates (the banding datasketch tunes for `threshold`); a candidate joins when its
    estimated similarity to the article passes `threshold`, and groups are the connected pairs.
    Identical signatures (the same text twice) join at once and only the first goes into the index,
    so a thousand copies of one text cost a thousand look-ups, not a million comparisons.
    """
    from datasketch import LeanMinHash, MinHashLSH

    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    first_with: dict[bytes, int] = {}
    for i, values in enumerate(signatures):
        key = values.tobytes()
        if key in first_with:
            parent[root(i)] = root(first_with[key])
            continue
        first_with[key] = i
        minhash = LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)
        for j in index.query(minhash):
            if root(i) != root(j) and similarity(values, signatures[j]) >= threshold:
                parent[root(i)] = root(j)
        index.insert(i, minhash, check_duplication=False)
    groups: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda members: members[0])
