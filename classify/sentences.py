"""Offline sentence and word splitting for news text.

sumy's own ``Tokenizer("english")`` needs NLTK's ``punkt_tab`` download, which users do not have, so
sentences come from nupunkt (its model ships inside the wheel) and words from a regex. See
docs/summarization.md for the measurements behind these choices.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nupunkt import PunktSentenceTokenizer

# nupunkt's model was trained on legal text: its thousands of abbreviations include ordinary words ("ill",
# "free", "south", "ago", "bank") that glue two news sentences together. We keep only the entries that
# cannot be ordinary words (dotted ones such as u.s, a.m, e.g; single letters for initials) plus this
# list of abbreviations seen in news. Measured in docs/summarization.md.
NEWS_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "messrs", "dr", "prof", "rev", "fr", "sr", "jr", "st", "mt", "ft", "gen", "lt",
        "col", "maj", "capt", "cmdr", "adm", "sgt", "cpl", "pvt", "brig", "cdr", "insp", "supt", "det", "gov",
        "sen", "rep", "reps", "sens", "pres", "rt", "hon", "amb", "atty", "sec", "jan", "feb", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "thu", "thur", "thurs", "fri",
        "ala", "ariz", "calif", "colo", "conn", "fla", "ga", "kan", "kans", "ky", "la", "md", "mich", "minn",
        "mont", "neb", "nev", "okla", "pa", "tenn", "tex", "va", "vt", "wis", "wyo", "co", "corp", "inc", "ltd",
        "llc", "plc", "bros", "dept", "univ", "assn", "approx", "vs", "etc", "al", "cf", "no", "nos", "vol",
        "pp"
    }
)
# Left out on purpose because they are ordinary words at the end of news sentences: mar, wed, sat, sun,
# ill, miss, mass, wash, ore, est, fig.

# Two mistakes nupunkt makes on news, repaired after it: a sentence that ends on a clock time ("ended at
# 5 p.m. Officials said") is not split, and a country's initials before a title or institution ("U.S.
# Secretary of State") are taken for a sentence end. Measured in docs/summarization.md.
_INITIALS_AT_END = re.compile(r"\b(?:U\.S|U\.K|U\.N|E\.U)\.$")
TITLES_AFTER_INITIALS = frozenset(
    {
        "Secretary", "Secretary-General", "Senator", "Sen.", "Rep.", "Representative", "Ambassador", "Embassy",
        "President", "Vice", "Army", "Navy", "Air", "Marine", "Marines", "Coast", "Department", "State", "Treasury",
        "Trade", "Attorney", "District", "Supreme", "Court", "Congress", "House", "Senate", "Forces", "Special",
        "Envoy", "Central", "Command", "Defense", "Defence", "Justice", "Homeland", "Customs", "Border", "Capitol",
        "Federal", "Security", "Council", "General", "High", "Commissioner", "Mission", "Foreign", "Home", "Prime",
        "Minister", "Government", "Parliament", "Commission", "Open", "Postal", "Census", "Agency",
    }
)
_CLOCK_THEN_CAPITAL = re.compile(r"(?<=\d)\s?(?:a\.m\.|p\.m\.|A\.M\.|P\.M\.)(?=\s+([A-Z][\w'’-]*)(\.?)((?:\s+\w+){0,2}))")
CLOCK_FOLLOWERS = frozenset(
    {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
        "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        "Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.", "Eastern", "Pacific",
        "Central", "Mountain", "Atlantic", "Greenwich", "local",
    }
)
FRONTED_CLOCK_WORDS = 3
"""A clock time in a sentence's first words ("At 5 a.m. Mr. Smith left") opens it rather than ends one."""

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_TERMINAL = re.compile(r"""[.!?…:;"'”’)\]]\s*$""")


@lru_cache(maxsize=2)
def _tokenizer(prune: bool = True) -> PunktSentenceTokenizer:
    """Load a private copy of nupunkt's model so pruning never leaks into other users of nupunkt."""
    from nupunkt import PunktSentenceTokenizer
    from nupunkt.models import get_default_model_path

    tokenizer = PunktSentenceTokenizer.load(get_default_model_path())
    if prune:
        abbrevs = tokenizer.parameters.abbrev_types
        keep = {a for a in abbrevs if len(a) == 1 or "." in a or a == "..."} | NEWS_ABBREVIATIONS
        abbrevs.clear()
        abbrevs.update(keep)
        tokenizer.clear_decision_cache()
    return tokenizer


def normalize(text: str) -> str:
    """Turn no-break and odd spaces into plain spaces and drop trailing spaces on each line."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(lines)


def split_lines(paragraph: str) -> list[str]:
    """Split on line breaks, but re-join hard-wrapped lines (a line without end punctuation that is
    continued by a lower-case word), since a scraped line is a unit while a wrapped line is not."""
    lines: list[str] = []
    for line in (part.strip() for part in paragraph.split("\n")):
        if not line:
            continue
        if lines and not _TERMINAL.search(lines[-1]) and line[0].islower():
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def paragraph_lines(text: str) -> list[tuple[int, str]]:
    """(paragraph number, line) of every line of a text: paragraphs split on blank lines, hard-wrapped
    lines re-joined (`split_lines`). The one place text is cut into paragraphs: the junk filter judges
    these lines and sentences are split from them."""
    lines: list[tuple[int, str]] = []
    for number, block in enumerate(re.split(r"\n\s*\n", normalize(text))):
        lines.extend((number, line) for line in split_lines(block))
    return lines


def split_paragraphs(text: str) -> list[list[str]]:
    """Split text into paragraphs (blank-line separated) of sentences; lines are split first."""
    paragraphs: dict[int, list[str]] = {}
    for number, line in paragraph_lines(text):
        paragraphs.setdefault(number, []).extend(split_sentences_in_line(line))
    return [sentences for sentences in paragraphs.values() if sentences]


def split_sentences_in_line(line: str) -> list[str]:
    """Split one line (no line breaks) into sentences with nupunkt, then repair its news mistakes."""
    return repair(punkt_sentences(line))


def punkt_sentences(line: str, *, prune: bool = True) -> list[str]:
    """nupunkt's sentences of one line, with the news abbreviation list (`prune`) or as shipped."""
    return [s.strip() for s in _tokenizer(prune).tokenize(line) if s.strip()]


def repair(sentences: list[str]) -> list[str]:
    """Fix the two news mistakes nupunkt makes: initials before a title taken for an end, clock times not."""
    return [part for sentence in _join_initials(sentences) for part in _split_after_clock(sentence)]


def _join_initials(sentences: list[str]) -> list[str]:
    """Re-join "... U.S." + "Secretary of State ...": initials followed by a title or institution."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and _INITIALS_AT_END.search(joined[-1]) and sentence.split(maxsplit=1)[0] in TITLES_AFTER_INITIALS:
            joined[-1] = f"{joined[-1]} {sentence}"
        else:
            joined.append(sentence)
    return joined


def _split_after_clock(sentence: str) -> list[str]:
    """Split "... at 5 p.m. Officials said ..." after the clock time, unless a day, month or time zone
    follows ("5 p.m. New York time", "9 a.m. Monday", "6 p.m. GMT") or the time opens the sentence."""
    parts, start = [], 0
    for match in _CLOCK_THEN_CAPITAL.finditer(sentence):
        following, dot, after = match.groups()
        if (following in CLOCK_FOLLOWERS or following + dot in CLOCK_FOLLOWERS or following.isupper()
                or "time" in after.lower().split()
                or len(sentence[start:match.start()].split()) <= FRONTED_CLOCK_WORDS):
            continue
        parts.append(sentence[start:match.end()].strip())
        start = match.end()
    parts.append(sentence[start:].strip())
    return [part for part in parts if part]


def split_sentences(text: str) -> list[str]:
    """All sentences of a text in order, with line breaks treated as boundaries."""
    return [s for paragraph in split_paragraphs(text) for s in paragraph]


def words(sentence: str) -> list[str]:
    """Alphabetic words: what sumy keeps anyway, and far faster than NLTK's word tokenizer."""
    return _WORD.findall(sentence)


def is_lower_case(text: str) -> bool:
    """True when a text has letters but no capitals (sentence starts cannot be seen)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 20 and not any(c.isupper() for c in letters)


class SentenceTokenizer:
    """The object sumy's parsers and DOM need (``language``, ``to_sentences``, ``to_words``), offline."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
