"""Search for a better default summary method, tuned on one half of the data and checked on the other.

Run from the repo: ``PYTHONPATH=. .venv/bin/python bench/summary_tuning.py [--final]``.

Protocol (docs/summarization.md): tune on the first 250 cnndm-dev articles and the first 1,000 BBC
articles; report every variant on the held-out rest (cnndm 250-499, BBC 1000-2086) too, and pick only a
variant that also wins there. Sentences are split once per article with ``classify.summarize.candidates``
(what ``summarize()`` ranks), and ROUGE is scored with the same ``rouge-score`` settings as
``classify.summary_evaluation`` (memoised per picked sentence set: many variants pick the same sentences).
``--final`` re-scores the shipped methods through ``evaluate_summaries`` itself on both halves and the
full sets.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from _harness import SHARED
from rouge_score import rouge_scorer
from scipy.sparse import csr_matrix

from classify.inputs import iter_articles
from classify.sentences import words as word_tokens
from classify.summarize import Length, candidates, stop_words
from classify.summary_evaluation import evaluate_summaries

SETS = {"cnndm": (SHARED / "data/cnndm-dev/articles.jsonl", 250),
        "bbc": (SHARED / "data/bbc-summary/articles.jsonl", 1000)}
COUNT = 3


@dataclass
class Doc:
    sentences: list[str]
    title: str
    reference: str
    tokens: list[list[str]]  # lower-case non-stop words per sentence
    tfidf: np.ndarray  # cosine similarity of tf-idf vectors, zero diagonal
    overlap: np.ndarray  # word-overlap similarity (TextRank's: shared / (log|a| + log|b|)), zero diagonal
    lengths: np.ndarray  # words per sentence


def _vectors(tokens: list[list[str]], idf: bool) -> csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for row, toks in enumerate(tokens):
        for token in toks:
            rows.append(row)
            columns.append(vocabulary.setdefault(token, len(vocabulary)))
    n = len(tokens)
    counts = csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n, max(len(vocabulary), 1)))
    counts.sum_duplicates()
    if idf:
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        counts = csr_matrix(counts.multiply(np.log((n + 1) / (df + 1)) + 1))
    return counts


def prepare(text: str, title: str, reference: str) -> Doc:
    sentences = candidates(text).sentences or candidates(text, filter_junk=False).sentences  # as summarize()
    stops = stop_words()
    tokens = [[t.lower() for t in word_tokens(s) if t.lower() not in stops] for s in sentences]
    vectors = _vectors(tokens, idf=True)
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    unit = csr_matrix(vectors.multiply(1 / norms[:, None]))
    tfidf = (unit @ unit.T).toarray()
    np.fill_diagonal(tfidf, 0.0)
    binary = _vectors([sorted(set(t)) for t in tokens], idf=False)
    shared = (binary @ binary.T).toarray()
    sizes = np.array([max(len(set(t)), 1) for t in tokens], dtype=float)
    logs = np.log(sizes + 1)
    overlap = shared / (logs[:, None] + logs[None, :])
    np.fill_diagonal(overlap, 0.0)
    lengths = np.array([len(word_tokens(s)) for s in sentences], dtype=float)
    return Doc(sentences, title, reference, tokens, tfidf, overlap, lengths)


def load(name: str) -> list[Doc]:
    path, _ = SETS[name]
    return [prepare(a.text, a.title, "\n".join(a.summary or ())) for a in iter_articles([str(path)])]


# --- variants: Doc -> ranking (indexes, best first) -------------------------------------------------

Variant = Callable[[Doc], list[int]]


def by_score(scores: np.ndarray) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def degree(sim: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """The shipped centrality: neighbours above the threshold plus the sum of similarities, plus one."""
    return (sim > threshold).sum(axis=1) + sim.sum(axis=1) + 1.0


def product(exponent: float = 1.25, sim: str = "tfidf", threshold: float = 0.1) -> Variant:
    def rank(d: Doc) -> list[int]:
        s = d.tfidf if sim == "tfidf" else d.overlap
        c = degree(s, threshold)
        return by_score(c / c.max() * (np.arange(len(c)) + 1.0) ** -exponent)
    return rank


def pacsum_centrality(sim: np.ndarray, lam1: float, lam2: float, beta: float) -> np.ndarray:
    """Zheng & Lapata 2019: edges to later sentences weigh lam2, to earlier ones lam1, after subtracting a
    threshold min + beta * (max - min) of the document's similarities."""
    n = len(sim)
    if n < 2:
        return np.ones(n)
    off = sim[~np.eye(n, dtype=bool)]
    lo, hi = off.min(), off.max()
    e = np.maximum(sim - (lo + beta * (hi - lo)), 0.0)
    np.fill_diagonal(e, 0.0)
    forward = np.triu(e, 1).sum(axis=1)  # to later sentences
    backward = np.tril(e, -1).sum(axis=1)  # to earlier sentences
    return lam1 * backward + lam2 * forward


def pacsum(lam1: float, lam2: float, beta: float, sim: str = "tfidf") -> Variant:
    def rank(d: Doc) -> list[int]:
        return by_score(pacsum_centrality(d.tfidf if sim == "tfidf" else d.overlap, lam1, lam2, beta))
    return rank


def pacsum_pos(lam1: float, beta: float, exponent: float, sim: str = "tfidf") -> Variant:
    """PacSum's directed centrality (shifted to be positive) times the position prior."""
    def rank(d: Doc) -> list[int]:
        c = pacsum_centrality(d.tfidf if sim == "tfidf" else d.overlap, lam1, 1.0, beta)
        c = c - c.min() + 1e-3 + (np.ptp(c) if len(c) else 0) * 0.5
        return by_score(c / c.max() * (np.arange(len(c)) + 1.0) ** -exponent)
    return rank


def additive(weight: float, exponent: float = 1.0, sim: str = "tfidf") -> Variant:
    """Softer prior: position prior plus weight × centrality normalised to [0, 1]."""
    def rank(d: Doc) -> list[int]:
        s = d.tfidf if sim == "tfidf" else d.overlap
        c = degree(s)
        c = (c - c.min()) / (np.ptp(c) or 1.0)
        return by_score((np.arange(len(c)) + 1.0) ** -exponent + weight * c)
    return rank


def adjusted(base: Variant | None = None, *, exponent: float = 1.25, short: int = 0, short_factor: float = 1.0,
             quote_factor: float = 1.0, title_weight: float = 0.0, length_power: float = 0.0,
             first: bool = False) -> Variant:
    """The shipped product with multiplicative adjustments: short-sentence and bare-quote penalties, a title
    bonus, a length prior, and the first sentence forced to the top."""
    def rank(d: Doc) -> list[int]:
        c = degree(d.tfidf)
        scores = c / c.max() * (np.arange(len(c)) + 1.0) ** -exponent
        if short:
            scores = scores * np.where(d.lengths < short, short_factor, 1.0)
        if quote_factor != 1.0:
            scores = scores * np.array([quote_factor if bare_quote(s) else 1.0 for s in d.sentences])
        if title_weight and d.title:
            title = {t.lower() for t in word_tokens(d.title)} - stop_words()
            if title:
                share = np.array([len(title & set(t)) / len(title) for t in d.tokens])
                scores = scores * (1.0 + title_weight * share)
        if length_power:
            scores = scores * np.minimum(d.lengths / 20.0, 1.5) ** length_power
        order = by_score(scores)
        if first and order and order[0] != 0:
            order.remove(0)
            order.insert(0, 0)
        return order
    return rank


_QUOTE_START = re.compile(r"""^\s*['"“‘]""")
_SAID = re.compile(r"\b(said|says|told|added|according|explained|stated|asked|insisted|claimed)\b", re.I)


def bare_quote(sentence: str) -> bool:
    """A sentence that opens with a quotation mark and names no speaker."""
    return bool(_QUOTE_START.match(sentence)) and not _SAID.search(sentence)


def mmr(base_exponent: float = 1.25, redundancy: float = 0.5, cap: float = 0.0) -> Variant:
    """The shipped scores, then greedy picks penalised by similarity to sentences already picked
    (maximal marginal relevance) — or skipped when above ``cap``."""
    def rank(d: Doc) -> list[int]:
        c = degree(d.tfidf)
        scores = c / c.max() * (np.arange(len(c)) + 1.0) ** -base_exponent
        scores = scores / scores.max()
        left = list(range(len(scores)))
        chosen: list[int] = []
        while left:
            if chosen:
                worst = d.tfidf[np.ix_(left, chosen)].max(axis=1)
                penalised = scores[left] - redundancy * worst
                value = np.where(worst > cap, -1.0 + scores[left], scores[left]) if cap else penalised
            else:
                value = scores[left]
            best = left[int(np.argmax(value))]
            chosen.append(best)
            left.remove(best)
        return chosen
    return rank


def combo(exponent: float = 1.25, sim: str = "tfidf", threshold: float = 0.1, short: int = 0,
          short_factor: float = 0.5, title_weight: float = 0.0, cap: float = 0.0) -> Variant:
    """Round two: the shipped product with the adjustments that held up in round one, together."""
    def rank(d: Doc) -> list[int]:
        s = d.tfidf if sim == "tfidf" else d.overlap
        c = degree(s, threshold)
        scores = c / c.max() * (np.arange(len(c)) + 1.0) ** -exponent
        if short:
            scores = scores * np.where(d.lengths < short, short_factor, 1.0)
        if title_weight and d.title:
            title = {t.lower() for t in word_tokens(d.title)} - stop_words()
            if title:
                scores = scores * (1.0 + title_weight * np.array([len(title & set(t)) / len(title) for t in d.tokens]))
        order = by_score(scores)
        if not cap:
            return order
        kept: list[int] = []
        dropped: list[int] = []
        for i in order:
            (dropped if kept and d.tfidf[i, kept].max() > cap else kept).append(i)
        return kept + dropped
    return rank


def round_two() -> dict[str, Variant]:
    v: dict[str, Variant] = {"lead": lead, "shipped (product, p=1.25)": product()}
    for cap in (0.4, 0.5, 0.6, 0.7, 0.8):
        v[f"cap {cap}"] = combo(cap=cap)
    for cap, p in itertools.product((0.5, 0.7), (1.0, 1.5)):
        v[f"cap {cap} p={p}"] = combo(p, cap=cap)
    v["cap 0.5 + short<10 x0.5"] = combo(cap=0.5, short=10)
    v["cap 0.5 + title 1.0"] = combo(cap=0.5, title_weight=1.0)
    v["cap 0.5 + short<10 + title 1.0"] = combo(cap=0.5, short=10, title_weight=1.0)
    v["cap 0.7 + short<10 + title 1.0"] = combo(cap=0.7, short=10, title_weight=1.0)
    v["cap 0.5 + overlap sim"] = combo(sim="overlap", threshold=0.3, cap=0.5)
    v["cap 0.5 + overlap sim + short<10 + title 1.0"] = combo(sim="overlap", threshold=0.3, cap=0.5, short=10,
                                                          title_weight=1.0)
    return v


def lead(d: Doc) -> list[int]:
    return list(range(len(d.sentences)))


# --- scoring ----------------------------------------------------------------------------------------

SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
_MEMO: dict[tuple[str, int, tuple[int, ...]], tuple[float, float, float]] = {}


def score(name: str, docs: list[Doc], variant: Variant, indexes: range) -> np.ndarray:
    """Per-article (R-1, R-2, R-Lsum) F1 × 100."""
    out = np.zeros((len(indexes), 3))
    for row, k in enumerate(indexes):
        d = docs[k]
        picks = tuple(sorted(variant(d)[:COUNT])) if d.sentences else ()
        key = (name, k, picks)
        if key not in _MEMO:
            s = SCORER.score(d.reference, "\n".join(d.sentences[i] for i in picks))
            _MEMO[key] = (s["rouge1"].fmeasure * 100, s["rouge2"].fmeasure * 100, s["rougeLsum"].fmeasure * 100)
        out[row] = _MEMO[key]
    return out


def variants() -> dict[str, Variant]:
    v: dict[str, Variant] = {"lead": lead, "shipped (product, p=1.25)": product()}
    for p in (1.0, 1.5):
        v[f"product p={p}"] = product(p)
    v["product p=1.25, word overlap"] = product(1.25, "overlap", 0.3)
    for lam1, beta in itertools.product((-2.0, -1.0, 0.0), (0.0, 0.3, 0.6)):
        v[f"pacsum lam1={lam1} beta={beta}"] = pacsum(lam1, 1.0, beta)
    for lam1, beta, p in itertools.product((-1.0, -0.5, 0.0), (0.0, 0.3), (0.5, 1.0, 1.25)):
        v[f"pacsum x pos lam1={lam1} beta={beta} p={p}"] = pacsum_pos(lam1, beta, p)
    for w, p in itertools.product((0.1, 0.2, 0.4), (1.0, 2.0)):
        v[f"additive w={w} p={p}"] = additive(w, p)
    for short, f in ((8, 0.5), (10, 0.5), (12, 0.7)):
        v[f"short<{short} x{f}"] = adjusted(short=short, short_factor=f)
    for f in (0.5, 0.8):
        v[f"bare quote x{f}"] = adjusted(quote_factor=f)
    for w in (0.5, 1.0):
        v[f"title bonus {w}"] = adjusted(title_weight=w)
    for lp in (0.25, 0.5, 1.0):
        v[f"length prior ^{lp}"] = adjusted(length_power=lp)
    v["first sentence always"] = adjusted(first=True)
    for r in (0.2, 0.5):
        v[f"mmr lambda={r}"] = mmr(redundancy=r)
    v["mmr skip sim>0.5"] = mmr(cap=0.5)
    return v


def fmt(a: np.ndarray) -> str:
    m = a.mean(axis=0)
    return f"{m[0]:.2f} / {m[1]:.2f} / {m[2]:.2f}"


def tune(selected: dict[str, Variant] | None = None) -> None:
    data = {name: load(name) for name in SETS}
    halves = {name: (range(0, SETS[name][1]), range(SETS[name][1], len(docs))) for name, docs in data.items()}
    cache: dict[tuple[str, str, int], np.ndarray] = {}
    print("| variant | cnndm tune | cnndm held-out | bbc tune | bbc held-out |\n|---|---|---|---|---|")
    for label, variant in (selected or variants()).items():
        cells = []
        for name in SETS:
            for h, indexes in enumerate(halves[name]):
                cache[(label, name, h)] = score(name, data[name], variant, indexes)
                base = cache.get(("lead", name, h))
                delta = "" if base is None else f" ({(cache[(label, name, h)] - base).mean(axis=0)[0]:+.2f})"
                cells.append(fmt(cache[(label, name, h)]) + delta)
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


def paired_bootstrap(a: np.ndarray, b: np.ndarray, rounds: int = 2000) -> tuple[float, float]:
    """95 % interval of the mean R-1 difference a - b over articles (fixed seed: deterministic)."""
    rng = np.random.default_rng(0)
    diff = a[:, 0] - b[:, 0]
    means = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(rounds)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


CHOSEN = combo(cap=0.5, short=10, title_weight=1.0)  # what position-centrality now does


def significance() -> None:
    """Paired bootstrap of R-1 over the full sets: the chosen variant against LEAD and the old default."""
    for name in SETS:
        docs = load(name)
        every = range(len(docs))
        new, old, base = (score(name, docs, v, every) for v in (CHOSEN, product(), lead))
        for label, other in (("lead", base), ("old default", old)):
            low, high = paired_bootstrap(new, other)
            print(f"{name}: chosen - {label}: R-1 {(new - other).mean(axis=0)[0]:+.2f}, 95 % [{low:+.2f}, {high:+.2f}]")


def final(methods: list[str]) -> None:
    """The shipped methods through evaluate_summaries itself: both halves and the full sets."""
    for name, (path, cut) in SETS.items():
        articles = list(iter_articles([str(path)]))
        for label, part in (("tune", articles[:cut]), ("held-out", articles[cut:]), ("full", articles)):
            rows = evaluate_summaries(part, methods, Length(sentences=COUNT))
            for row in rows:
                print(f"{name:6} {label:8} {row['method']:22} {row['rouge1']:.2f} / {row['rouge2']:.2f} / "
                      f"{row['rougeLsum']:.2f}  ({row['articles']} articles, {row['articles_per_second']:.0f} articles/s)",
                      flush=True)


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--final", action="store_true", help="re-score the shipped methods on both halves and the full sets")
    arguments.add_argument("--round-two", action="store_true", help="the second round of variants")
    options = arguments.parse_args()
    if options.final:
        significance()
        final(["position-centrality", "lead"])
    elif options.round_two:
        tune(round_two())
    else:
        tune()
