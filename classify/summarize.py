"""Extractive summaries: every sumy method by name, LEAD, and a news-aware method of our own.

All methods rank the same candidates: the article's sentences, split offline (classify.sentences), minus
page junk (classify.junk). A method returns a ranking, so one run serves a sentence count, a ratio or a
word budget. sumy is imported only when one of its methods is asked for: it pulls in NLTK, which takes
longer to import than a LEAD summary takes to make.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from classify.articles import Article
from classify.errors import UsageError
from classify.junk import is_junk_sentence, junk_lines, recurring_lines
from classify.parallel import IN_THIS_PROCESS, Batching, Runner
from classify.sentences import SentenceTokenizer, is_lower_case, paragraph_lines, split_sentences_in_line
from classify.sentences import words as word_tokens


@dataclass(frozen=True)
class Length:
    """How long a summary should be: a sentence count, a share of the article's sentences, or a word budget."""

    sentences: int | None = None
    ratio: float | None = None
    words: int | None = None

    def __post_init__(self) -> None:
        given = [name for name in ("sentences", "ratio", "words") if getattr(self, name) is not None]
        if len(given) != 1:
            raise UsageError(f"give one summary length (sentences, ratio or words), not {len(given)}: {given}")
        if self.sentences is not None and self.sentences < 1:
            raise UsageError(f"sentences must be at least 1, not {self.sentences}")
        if self.ratio is not None and not 0 < self.ratio <= 1:
            raise UsageError(f"ratio must be above 0 and at most 1 (e.g. 0.2 for 20 %), not {self.ratio}")
        if self.words is not None and self.words < 1:
            raise UsageError(f"words must be at least 1, not {self.words}")

    @classmethod
    def asked(cls, sentences: int | None = None, ratio: float | None = None, words: int | None = None, *,
              names: tuple[str, str, str] = ("sentences", "ratio", "words")) -> Length:
        """The one length a caller asked for, `DEFAULT_LENGTH` when none; asking for several is a usage error
        naming them as the caller calls them (`names`: the CLI's flags, the API's fields)."""
        given = [name for name, value in zip(names, (sentences, ratio, words), strict=True) if value is not None]
        if len(given) > 1:
            raise UsageError(f"give one summary length, not {' and '.join(given)}")
        if not given:
            return DEFAULT_LENGTH
        return cls(sentences=sentences, ratio=ratio, words=words)

    def __str__(self) -> str:
        if self.sentences is not None:
            return f"{self.sentences} sentences"
        return f"{self.ratio:.0%} of the sentences" if self.ratio is not None else f"{self.words} words"


DEFAULT_SENTENCES = 3
DEFAULT_LENGTH = Length(sentences=DEFAULT_SENTENCES)


@dataclass
class Summary:
    """Sentences in document order as plain strings, the method that chose them, warnings for people, and
    the title of the article summarized (for its record)."""

    sentences: list[str]
    method: str
    notes: list[str] = field(default_factory=list)
    title: str = ""


def summary_record(article_id: str, summary: Summary) -> dict[str, object]:
    """The machine-readable record of a summary: `id`, `title` (when the article has one), `summary` (list
    of sentences), `method`."""
    record: dict[str, object] = {"id": article_id}
    if summary.title:
        record["title"] = summary.title
    record.update(summary=summary.sentences, method=summary.method)
    return record


@dataclass(frozen=True)
class Candidates:
    """Sentences that may be picked, with the paragraph each comes from (sumy's Edmundson uses it)."""

    sentences: list[str]
    paragraphs: list[int]


Ranker = Callable[[Candidates, str, int], list[int]]
"""(candidates, title, seed) -> candidate indexes, best first (every index once). `seed` is for methods
that draw at random, so a run can be repeated."""


def candidates(text: str, *, filter_junk: bool = True, furniture: frozenset[str] = frozenset()) -> Candidates:
    """Split text into paragraphs, lines and sentences, leaving out page junk and the lines whose key
    (`junk.line_key`) is in `furniture` (the lines that recur across a batch, see `summarize_batch`)."""
    lines = paragraph_lines(text)
    junk = junk_lines([line for _, line in lines], furniture) if filter_junk else set()
    sentences: list[str] = []
    paragraphs: list[int] = []
    for i, (paragraph, line) in enumerate(lines):
        if i in junk:
            continue
        for sentence in split_sentences_in_line(line):
            if any(c.isalnum() for c in sentence) and not (filter_junk and is_junk_sentence(sentence)):
                sentences.append(sentence)
                paragraphs.append(paragraph)
    return Candidates(sentences, paragraphs)


# --- sumy methods ------------------------------------------------------------------------------------

_SUMY_CLASSES = {
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
    "reduction": ("sumy.summarizers.reduction", "ReductionSummarizer"),
    "edmundson": ("sumy.summarizers.edmundson", "EdmundsonSummarizer"),
}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """sumy's English stop words, read from its wheel without importing sumy.utils (requests, pycountry)."""
    text = (resources.files("sumy") / "data" / "stopwords" / "english.txt").read_text(encoding="utf-8")
    return frozenset(word.strip().lower() for word in text.splitlines() if word.strip())


def _sumy_ranker(name: str) -> Ranker:
    """Wrap one sumy summarizer; its own sentence-count hook hands us the complete ranking."""

    def rank(cands: Candidates, title: str, seed: int = 0) -> list[int]:
        import importlib

        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
        from sumy.nlp.stemmers import Stemmer

        module, cls = _SUMY_CLASSES[name]
        summarizer: Any = getattr(importlib.import_module(module), cls)(Stemmer("english"))
        summarizer.stop_words = stop_words()
        tokenizer = SentenceTokenizer()
        objects = [Sentence(s, tokenizer) for s in cands.sentences]
        groups: dict[int, list[Any]] = {}
        if name == "edmundson":
            _setup_edmundson(summarizer, cands, title)
            if title:
                groups[-1] = [Sentence(title, tokenizer, is_heading=True)]
        for paragraph, sentence in zip(cands.paragraphs, objects, strict=True):
            groups.setdefault(paragraph, []).append(sentence)
        document = ObjectDocumentModel([Paragraph(group) for group in groups.values()])
        ranked: list[Any] = []

        def keep_ranking(infos: list[Any]) -> list[Any]:
            ranked.extend(info.sentence for info in infos)
            return infos

        with warnings.catch_warnings():  # LexRank's 0/0 and LSA's "too few words" would reach users' stderr
            warnings.simplefilter("ignore")
            summarizer(document, keep_ranking)
        position = {id(sentence): i for i, sentence in enumerate(objects)}
        return [position[id(sentence)] for sentence in ranked]

    return rank


def _setup_edmundson(summarizer: Any, cands: Candidates, title: str) -> None:
    """Edmundson needs bonus, stigma and null words (sumy #55): title words are the bonus words, the
    first sentence stands in for a missing title, stigma words are hedges, null words the stop words."""
    bonus = {w.lower() for w in word_tokens(title or cands.sentences[0])} - stop_words()
    summarizer.bonus_words = bonus or {"news"}
    summarizer.stigma_words = {"allegedly", "reportedly", "rumour", "rumor", "perhaps", "hardly"}
    summarizer.null_words = stop_words()


# --- our methods ---------------------------------------------------------------------------------------


def lead_ranker(cands: Candidates, title: str, seed: int = 0) -> list[int]:
    """The first sentences: on news the story comes first (LEAD-3 beats every sumy method on CNN/DM)."""
    return list(range(len(cands.sentences)))


def random_ranker(cands: Candidates, title: str, seed: int = 0) -> list[int]:
    """A baseline: sentences in an order drawn from `seed` and the article itself, so a run repeats exactly
    (in any process, in any order) and different articles of the same length get different draws.

    sumy's RandomSummarizer draws from the global generator, which gave a different summary on every run.
    """
    import random

    order = list(range(len(cands.sentences)))
    random.Random(f"{seed}\n" + "\n".join(cands.sentences)).shuffle(order)
    return order


POSITION_EXPONENT = 1.25  # tuned on cnndm-dev and BBC: docs/summarization.md
SIMILARITY_THRESHOLD = 0.1
SHORT_SENTENCE_WORDS = 10  # sentences with fewer words score SHORT_SENTENCE_FACTOR times less
SHORT_SENTENCE_FACTOR = 0.5
TITLE_WEIGHT = 1.0  # score × (1 + TITLE_WEIGHT × share of the title's content words in the sentence)
REDUNDANCY_CAP = 0.5  # a sentence this similar (tf-idf cosine) to a better one goes to the end of the ranking
REDUNDANCY_CHECKS = 500  # past this many kept sentences the rest keep their score order: no summary is longer
CENTRALITY_BLOCK_ROWS = 512
MAX_RANKED = 2000
"""Sentences a method ranks at most, the first ones. Centrality, LexRank and TextRank compare every pair of
sentences, so an article of 40,000 one-word sentences took minutes; a news summary comes from the opening."""


def position_centrality_ranker(cands: Candidates, title: str, seed: int = 0) -> list[int]:
    """LexRank-style centrality times a position prior (i + 1) ** -POSITION_EXPONENT, then redundancy removal.

    On news the opening carries the story, so the prior keeps it; centrality demotes lead sentences that
    are off the topic (teasers, scene-setting) in favour of ones the rest of the article echoes. Short
    sentences are halved (fragments, bare quotes, "How would you describe your style?"), sentences sharing
    words with the title gain, and a sentence that repeats one ranked above it (news pages repeat their
    lead and their bullet points) moves to the end. Sparse tf-idf and one matrix product: linear-algebra
    speed, not sumy's pure-Python double loop.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    stops = stop_words()
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    lengths: list[int] = []
    for row, sentence in enumerate(cands.sentences):
        tokens = word_tokens(sentence)
        lengths.append(len(tokens))
        for token in tokens:
            token = token.lower()
            if token not in stops:
                rows.append(row)
                columns.append(vocabulary.setdefault(token, len(vocabulary)))
    n = len(cands.sentences)
    counts = csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n, max(len(vocabulary), 1)))
    counts.sum_duplicates()
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    vectors = counts.multiply(np.log((n + 1) / (document_frequency + 1)) + 1).tocsr()
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    vectors = csr_matrix(vectors.multiply(1 / norms[:, None]))
    centrality = _centrality(vectors) + 1.0
    scores = centrality / centrality.max() * (np.arange(n) + 1.0) ** -POSITION_EXPONENT
    scores *= np.where(np.array(lengths) < SHORT_SENTENCE_WORDS, SHORT_SENTENCE_FACTOR, 1.0)
    title_words = {word.lower() for word in word_tokens(title)} - stops
    if title_words:
        title_columns = [vocabulary[word] for word in title_words if word in vocabulary]
        if title_columns:
            shared = np.asarray((counts[:, title_columns] > 0).sum(axis=1)).ravel()
            scores *= 1.0 + TITLE_WEIGHT * shared / len(title_words)
    order = sorted(range(n), key=lambda i: (-scores[i], i))
    kept: list[int] = []
    repeats: list[int] = []
    closest = np.zeros(n)  # each sentence's highest similarity to a kept one
    for position, i in enumerate(order):
        if len(kept) >= REDUNDANCY_CHECKS:
            return kept + order[position:] + repeats
        if closest[i] > REDUNDANCY_CAP:
            repeats.append(i)
        else:
            kept.append(i)
            np.maximum(closest, (vectors[i] @ vectors.T).toarray().ravel(), out=closest)
    return kept + repeats


def _centrality(vectors: Any) -> Any:
    """Per sentence: how many others it resembles (cosine > SIMILARITY_THRESHOLD) plus the sum of those cosines.

    Computed a block of rows at a time on sparse products, so memory grows with the text, not with the
    square of its sentence count (a dense matrix of a 20,000-sentence page would take 3 GB).
    """
    import numpy as np

    n = vectors.shape[0]
    centrality = np.zeros(n)
    for start in range(0, n, CENTRALITY_BLOCK_ROWS):
        block = (vectors[start : start + CENTRALITY_BLOCK_ROWS] @ vectors.T).tocsr()
        block.setdiag(0.0)
        block.eliminate_zeros()
        above = np.asarray((block > SIMILARITY_THRESHOLD).sum(axis=1)).ravel()
        centrality[start : start + block.shape[0]] = above + np.asarray(block.sum(axis=1)).ravel()
    return centrality


METHODS: dict[str, Ranker] = {
    "lead": lead_ranker,
    "position-centrality": position_centrality_ranker,
    **{name: _sumy_ranker(name) for name in _SUMY_CLASSES},
    "random": random_ranker,
}
DEFAULT_METHOD = "position-centrality"


# --- the entry point -------------------------------------------------------------------------------------


def summarize(
    text: str, *, title: str = "", length: Length, method: str = DEFAULT_METHOD, filter_junk: bool = True,
    seed: int = 0, furniture: frozenset[str] = frozenset(),
) -> Summary:
    """Pick sentences of ``text`` with ``method``; never an empty summary without a note saying why.

    ``seed`` fixes the draw of methods that pick at random (``random``); the others ignore it.
    ``furniture``: keys of lines to skip as well, found across a batch (`summarize_batch`)."""
    if method not in METHODS:
        raise UsageError(f"unknown summary method {method!r}; choose one of: {', '.join(METHODS)}")
    notes: list[str] = []
    if is_lower_case(text):
        notes.append("text is all lower case: sentence boundaries may be missed")
    cands = candidates(text, filter_junk=filter_junk, furniture=furniture)
    if not cands.sentences and filter_junk:
        cands = candidates(text, filter_junk=False)
        if cands.sentences:
            notes.append("every line looked like page junk (short, repeated or unpunctuated): used them anyway")
    if not cands.sentences:
        notes.append("no sentences found")
        return Summary([], method, notes, title)
    if len(cands.sentences) > MAX_RANKED:
        notes.append(f"article has {len(cands.sentences)} sentences: only the first {MAX_RANKED} were ranked")
        cands = Candidates(cands.sentences[:MAX_RANKED], cands.paragraphs[:MAX_RANKED])
    ranking = METHODS[method](cands, title, seed)
    if not ranking:
        notes.append(f"method {method!r} picked nothing: used the lead sentences instead")
        ranking = lead_ranker(cands, title)
    chosen = _select(ranking, cands.sentences, length, notes)
    return Summary([cands.sentences[i] for i in sorted(chosen)], method, notes, title)


def _select(ranking: list[int], sentences: list[str], length: Length, notes: list[str]) -> list[int]:
    """Take ranked sentences up to the asked length and say when the article is too short for it."""
    total = len(sentences)
    if length.words is not None:
        chosen, used = [], 0
        for i in ranking:
            size = len(sentences[i].split())
            if used + size <= length.words:
                chosen.append(i)
                used += size
        if not chosen:
            best = ranking[0]
            notes.append(f"the best sentence has {len(sentences[best].split())} words, more than the "
                         f"{length.words} asked: kept it whole")
            chosen = [best]
        return chosen
    if length.ratio is not None:
        return ranking[: max(1, math.floor(length.ratio * total + 0.5))]
    count = length.sentences or 1
    if count > total:
        noun = "sentence" if total == 1 else "sentences"
        notes.append(f"article has {total} {noun}, fewer than the {count} asked")
    return ranking[:count]


BATCHING = Batching(size=32, parallel_from=24)
"""Small units of work, so two processes finish together; an input of fewer than `parallel_from` of them is
summarized in this process, as it takes about as long as starting a worker does."""
WARM_UP_TEXT = "Workers start here. They load what every method needs before the first batch arrives."


def summarize_many(
    articles: Iterable[Article], *, length: Length, method: str = DEFAULT_METHOD, seed: int = 0,
    runner: Runner = IN_THIS_PROCESS, batching: Batching = BATCHING,
) -> Iterator[tuple[str, Summary]]:
    """(id, summary) for a stream of articles, lazily and in input order; the summaries are the same
    however `runner` spreads the batches."""
    return runner.map(summarize_batch, articles, batching, shared=(length, method, seed), prepare=warm_up)


def warm_up(length: Length, method: str, seed: int = 0) -> None:
    """Summarize a two-sentence text: imports and loads (sentence model, sumy) what `method` uses."""
    summarize(WARM_UP_TEXT, length=length, method=method, seed=seed)


def summarize_batch(articles: list[Article], length: Length, method: str, seed: int = 0) -> list[tuple[str, Summary]]:
    """(id, summary) for a chunk of articles: the unit of work `Runner.map` sends to a worker.

    Lines that recur verbatim across many of the chunk's articles are furniture for all of them. Chunks
    are cut the same way however they run, so the summaries are too.
    """
    furniture = recurring_lines([[line for _, line in paragraph_lines(a.text)] for a in articles])
    return [(a.id, summarize(a.text, title=a.title, length=length, method=method, seed=seed, furniture=furniture))
            for a in articles]
