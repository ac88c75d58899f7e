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

datasketch computes the signatures and its MinHashLSH index proposes the candidate pairs from the
openings' signatures without comparing every pair: grouping grows with the number of articles, not
its square (bench/digest_grouping_speed.py). Signatures are computed where the article is read (in a
worker with `--jobs`), so the text need not be kept until the end.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Callable, Iterable, Sequence

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
    a shingle are combined with numpy, instead of joining and hashing a string per shingle: a third of
    the signing time. Tested to estimate the same similarities as hashing `shingles()` does.
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


def group(signatures: Sequence[np.ndarray], lead_threshold: float = LEAD_THRESHOLD,
          body_threshold: float = BODY_THRESHOLD,
          progress: Callable[[Iterable[np.ndarray]], Iterable[np.ndarray]] = iter) -> list[list[int]]:
    """Indexes of `signatures` in groups of one story, each group in input order, groups by their first member.

    LSH on the openings proposes candidates (the banding datasketch tunes for `lead_threshold`); a
    candidate joins when both similarities pass, and groups are the connected pairs. Identical
    signatures (the same text twice) join at once and only the first goes into the index, so a
    thousand copies of one text cost a thousand look-ups, not a million comparisons. `progress` wraps the
    pass over the signatures (a progress bar).
    """
    from datasketch import LeanMinHash, MinHashLSH

    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = MinHashLSH(threshold=lead_threshold, num_perm=NUM_PERM)
    first_with: dict[bytes, int] = {}
    for i, (lead, body) in enumerate(progress(signatures)):
        key = body.tobytes()
        if key in first_with:
            parent[root(i)] = root(first_with[key])
            continue
        first_with[key] = i
        minhash = LeanMinHash(seed=SEED, hashvalues=lead, scheme=SCHEME)
        for j in index.query(minhash):
            other = signatures[j]
            if (root(i) != root(j) and similarity(lead, other[0]) >= lead_threshold
                    and similarity(body, other[1]) >= body_threshold):
                parent[root(i)] = root(j)
        index.insert(i, minhash, check_duplication=False)
    groups: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda members: members[0])
