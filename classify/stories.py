"""Group articles that tell the same story: MinHash signatures of word shingles, LSH to find candidates.

Two versions of one story (a wire story republished with a trimmed end and a new headline, two
outlets' edits of one report) share most of their word sequences; articles that merely share a
topic share almost none. Each article gets two MinHash signatures of its `SHINGLE_WORDS`-word runs:
one of its opening `LEAD_WORDS` words, one of the whole text. Two articles are one story when both
agree: openings at least `LEAD_THRESHOLD` alike (estimated Jaccard similarity) and whole texts at
least `BODY_THRESHOLD` alike. The opening alone would join different stories under the same page
header (a site's boilerplate first lines); the whole text alone would join different stories that
end in the same photo gallery captions, and would miss a copy cut to half its length. Measured on a
set with known groups in docs/digest.md (bench/digest_grouping_quality.py).

datasketch computes the signatures; the candidate pairs are those MinHashLSH would propose from the
openings' signatures (its banding for the threshold), found by sorting, without comparing every pair:
grouping grows like n log n, not n² (bench/digest_grouping_speed.py), in memory linear in n.
Signatures are computed where the article is read (in a worker with `--jobs`), so the text need not be kept until the end.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations

import numpy as np

NUM_PERM = 128
SHINGLE_WORDS = 3
LEAD_WORDS = 300
LEAD_THRESHOLD = 0.3
BODY_THRESHOLD = 0.3
SCHEME = "affine32"
SEED = 1
_WORD = re.compile(r"\w+")


def shingles(words: list[str], size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """The runs of `size` words: what two versions of a story share and two stories do not (see `shingle_hashes`)."""
    if len(words) <= size:
        return {tuple(words)}
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                         0xFF51AFD7ED558CCD], dtype=np.uint64)


def shingle_hashes(words: list[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """One 32-bit hash per shingle, in text order (repeats included: MinHash takes the minimum anyway).

    Each word is hashed once (CRC-32: the same in every process, unlike Python's `hash`) and the words of
    a shingle are combined with numpy, instead of joining and hashing a string per shingle, which
    saves much of the signing time. Tested to estimate the same similarities as hashing `shingles()` does.
    """
    hashes = np.fromiter((zlib.crc32(word.encode("utf-8", "surrogatepass")) for word in words), dtype=np.uint64,
                         count=len(words))
    runs = max(len(words) - size + 1, 1)
    combined = np.zeros(runs, dtype=np.uint64)
    for offset in range(min(size, len(words))):
        combined += hashes[offset : offset + runs] * _MULTIPLIERS[offset]  # wraps modulo 2**64, as intended
    return (combined >> np.uint64(32)).astype(np.uint32)


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutations for (NUM_PERM, SEED, SCHEME), made once: making them is slower than signing."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(text: str, *, size: int = SHINGLE_WORDS, lead_words: int = LEAD_WORDS) -> np.ndarray:
    """Two rows of NUM_PERM uint32: the MinHash of the opening's shingles, then of the whole text's.

    One datasketch MinHash takes the opening's shingles, is copied out, then takes the rest, so each
    shingle is permuted once. The same text gives the same signature in any process.
    """
    from datasketch import MinHash

    hashes = shingle_hashes(_WORD.findall(text.lower()) or [""], size)
    lead_count = max(1, min(len(hashes), lead_words - size + 1))
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme=SCHEME, permutations=_permutations())
    minhash.update_batch(hashes[:lead_count])
    lead = minhash.hashvalues.copy()
    if len(hashes) > lead_count:
        minhash.update_batch(hashes[lead_count:])
    return np.stack([lead, minhash.hashvalues])


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash rows: the share of positions where they agree."""
    return float(np.count_nonzero(first == second)) / first.shape[-1]


def bands_for(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) datasketch's MinHashLSH picks for `threshold` (its false positive and negative
    areas weighed equally): two articles become candidates when one band of their signatures is identical."""
    from datasketch import MinHashLSH

    index = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return index.b, index.r


Progress = Callable[[Iterable[int], int], Iterable[int]]
"""Wraps the loop over the bands (items, total): a progress bar."""


def _no_progress(items: Iterable[int], total: int) -> Iterable[int]:
    return items


def buckets(rows: np.ndarray, threshold: float, progress: Progress = _no_progress) -> Iterator[np.ndarray]:
    """Per band, the (sorted) indexes of `rows` that share that band's values, for every group of two or more.

    The candidates of MinHashLSH (tested equal to its queries), found by sorting each band's values
    instead of keeping datasketch's hash tables: those hold a Python set per article and band, where
    this needs a few arrays of `len(rows)` numbers at a time.
    """
    band_count, band_rows = bands_for(threshold)
    for band in progress(range(band_count), band_count):
        values = rows[:, band * band_rows : (band + 1) * band_rows]
        _, inverse = np.unique(values, axis=0, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        ids = inverse.ravel()[order]
        starts = np.flatnonzero(np.diff(ids)) + 1
        for members in np.split(order, starts):
            if len(members) > 1:
                yield members


class DisjointSets:
    """Which of `count` items have been joined, directly or through others (union-find with path halving)."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def root(self, i: int) -> int:
        """The item that stands for `i`'s set."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        """Put `j`'s set into `i`'s."""
        self.parent[self.root(j)] = self.root(i)

    def groups(self) -> list[list[int]]:
        """The sets, each in item order, ordered by their first item."""
        groups: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            groups.setdefault(self.root(i), []).append(i)
        return sorted(groups.values(), key=lambda members: members[0])


def group(signatures: Sequence[np.ndarray] | np.ndarray, lead_threshold: float = LEAD_THRESHOLD,
          body_threshold: float = BODY_THRESHOLD, progress: Progress = _no_progress) -> list[list[int]]:
    """Indexes of `signatures` in groups of one story, each group in input order, groups by their first member.

    LSH on the openings proposes candidates (`buckets`); a candidate pair joins when both similarities
    pass, and groups are the connected pairs. Identical signatures (the same text twice) join at once
    and only the first takes part in the banding, so a thousand copies of one text are one bucket entry.
    """
    stacked = np.asarray(signatures, dtype=np.uint32).reshape(-1, 2, NUM_PERM)
    if len(stacked) == 0:
        return []
    sets = DisjointSets(len(stacked))
    _, first, inverse = np.unique(stacked[:, 1], axis=0, return_index=True, return_inverse=True)
    for i, copy_of in enumerate(first[inverse.ravel()].tolist()):
        if copy_of != i:
            sets.join(copy_of, i)
    kept = np.sort(first)
    leads, bodies = stacked[kept, 0], stacked[kept, 1]
    rejected: set[tuple[int, int]] = set()
    for members in buckets(leads, lead_threshold, progress):
        for a, b in combinations(members.tolist(), 2):
            i, j = int(kept[a]), int(kept[b])
            if (i, j) in rejected or sets.root(i) == sets.root(j):
                continue
            if similarity(leads[a], leads[b]) >= lead_threshold and similarity(bodies[a], bodies[b]) >= body_threshold:
                sets.join(i, j)
            else:
                rejected.add((i, j))
    return sets.groups()
