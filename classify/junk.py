"""Page junk: which lines and sentences of scraped text may be picked for a summary.

Scraped articles keep share buttons, doubled captions with credit lines, headlines, newsletter and cookie
lines. Summarizers love them (repeated words look central), so they are excluded as *candidates* only; the
text itself is left alone because tagging uses all of it. docs/summarization.md says what each rule is
for and what it costs, measured by bench/junk_filter.py on furniture it was and was not written from.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

MIN_LINE_WORDS = 6
MIN_SENTENCE_WORDS = 4

# A real article line ends like a sentence; headlines, captions without a full stop and buttons do not.
# Closing quotes may stand apart from the stop (". '\"" in CNN/DailyMail's tokenized text).
_ENDS_LIKE_SENTENCE = re.compile(r"""[.!?…](?:\s*["'”’)\]])*\s*$""")
# Buttons glued to each other by the scraper: "FacebookTwitterEmail", "e-mailSend" (a capital right after).
_GLUED = re.compile(r"(?i:facebook|twitter|whatsapp|e-?mail|share|print|linkedin|pinterest|reddit|comments?)"
                    r"(?=[A-Z])")
_CREDIT = re.compile(
    r"\b(?:credit|photo(?:graph)?|image|picture|illustration)s?\s*(?::|by\b)\s*[^.!?]{1,60}$"
    r"|(?:getty images|afp|reuters|ap photo|shutterstock|pa media|epa)\W*$|^(?:©|copyright\b)",
    re.IGNORECASE,
)
_PHRASES = re.compile(
    r"click (?:the|here)|follow (?:topics|us\b)|(?:our|free|daily|weekly) newsletter|newsletter sign"
    r"|subscribe (?:now|today|here)|(?:uses?|accept|allow) (?:all )?cookies|cookie (?:policy|settings|preferences)"
    r"|terms of (?:use|service)|all rights reserved|^advertisement\b|^(?:read|see) (?:more|also)\b|^related\b"
    r"|scroll down for|(?:reporting|editing|writing) by\b|contributed (?:reporting )?to this report"
    r"|(?:download|get) (?:our|the) app|share (?:this|on)\b|^(?:by|from) [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}$"
    r"|^updated\b|^published\b|\bcomments? \(\d+\)|^\W*$",
    re.IGNORECASE,
)
# What a page wraps around an article and every summarizer used to pick, whatever the site's wording:
# its age, a tip line, a newsletter, a subscription or donation plea. Alternations of fixed words only,
# so matching stays linear in the line.
_APPEALS = re.compile(
    r"\b(?:article|story|page|piece) (?:is|was (?:published|written)) (?:more than|over) (?:\d+|an?|one|two|three|four"
    r"|five|six|seven|eight|nine|ten) (?:years?|months?)\b"
    r"|\b(?:have|got) a (?:news )?tip\b|\bsend (?:us )?(?:your )?(?:news )?tips\b|\btips@|\bsecuredrop\b"
    r"|\bcontact (?:us|the newsroom|our newsroom) (?:at|securely|on)\b"
    r"|\b(?:straight |directly )?(?:to|in) your inbox\b"
    r"|\bsupport (?:our|independent|quality) journalism\b"
    r"|\balready a subscriber\b|\blog ?in to (?:continue|keep) reading\b"
    r"|\bbecome a (?:subscriber|supporter)\b|\bbecome a member (?:today|now)\b"
    r"|\breaders like you\b|\bfree (?:articles|stories) (?:left|remaining)\b",
    re.IGNORECASE,
)
# The structure of furniture in words no list foresees (see `is_furniture_by_shape`): a line that talks to
# the reader, or speaks for the site as "we"/"our", and asks them to act; the page speaking of itself; a
# label before a teaser or a credit. Article lines report someone (a reporting verb or a quotation), which
# such lines never do, so those keep a line. Alternations of fixed words and bounded repeats only.
_READER = re.compile(r"\b(?:you|your|yours|you'(?:re|ve|ll|d))\b", re.IGNORECASE)
_SITE = re.compile(r"\b(?:we|us|our|we'(?:re|ve|ll|d))\b", re.IGNORECASE)
_CALL_TO_ACTION = re.compile(
    r"\b(?:subscrib\w*|sign(?:ing)? up|follow|download|install|donat\w*|join|tap|click|e-?mail us|contact"
    r"|register|log ?in|chip in|get in touch|reach us|keep up|stay (?:up to date|informed|in touch)|upgrade|unlock"
    r"|turn off|disable|read more|don't miss|free trial|delivered|agree|accept|consent|by continuing|paid for)\b",
    re.IGNORECASE,
)
_SITE_ACTION = re.compile(
    r"\b(?:subscri\w+|sign(?:ing)? up|newsletters?|download|install|donat\w*|app|podcasts?|inbox|cookies"
    r"|follow us|tell us|contact us|email us|join us|support us|free trial|ad ?blocker|readers|journalism"
    r"|newsroom|reporters|briefing|partners|commission|affiliate)\b",
    re.IGNORECASE,
)
# An order to the reader: the verb first, then what it is about ("Follow us", "Download the app").
_IMPERATIVE_START = re.compile(
    r"^\W*(?:subscribe|sign up|follow|download|install|share|donate|support|join|tap|click|e-?mail|contact"
    r"|get|try|listen|watch|register|log ?in|become|keep up|stay|like|tell|send|visit|turn off|disable"
    r"|upgrade|unlock|catch up|don't miss|find out|read)"
    r"\s+(?:us|our|the|this|these|now|today|here|more|up|free|every|all)\b|^\W*please\b",
    re.IGNORECASE,
)
# The page speaking of itself: its age, its status, how it was paid for.
_SELF = re.compile(r"\bthis (?:article|story|page|piece|post|content|site|website)\b", re.IGNORECASE)
# "Related: ...", "More on this story: ...", "Photograph: ...": a label of a few words, a colon, a title.
_LABEL = re.compile(r"^\W*(?:[A-Za-z][\w'-]*\s+){0,4}[A-Za-z][\w'-]*\s*:\s+[A-Z0-9]")
_CREDITED = re.compile(
    r"^\W*(?:main )?(?:pictured|courtesy of)\b|\b(?:photo|image|picture)\w* (?:courtesy of|by|supplied by)\b",
    re.IGNORECASE,
)
_REPORTS = re.compile(
    r"\b(?:said|says|say|told|tells|announced|added|according|reported|stated|claimed|warned|explained|insisted"
    r"|argued|urged|called|wrote|asked|replied|suggest\w*|believes?|thinks?)\b|[\"“”«»]|'\s|\s'",
    re.IGNORECASE,
)
MAX_FURNITURE_WORDS = 25
"""Longer lines are article text even when they talk to the reader."""

RECURRING_SHARE = 0.2
"""A line found verbatim in at least this share of a batch's articles (and in 3 or more) is furniture."""
RECURRING_MIN_ARTICLES = 3

# "Sign up for our daily briefing e-mails": checked from the first "sign up" only (see `_signs_up`).
_SIGN_UP = re.compile(r"sign up (?:for|to) (?:our|the|a|free)\b", re.IGNORECASE)
_SIGN_UP_FOR = re.compile(r"\b(?:newsletters?|alerts?|e-?mails?|updates)\b", re.IGNORECASE)


def line_key(line: str) -> str:
    """A line as compared with others: case and spacing do not count."""
    return " ".join(line.lower().split())


def recurring_lines(articles: Sequence[Sequence[str]]) -> frozenset[str]:
    """Keys of lines that recur verbatim across many of a batch's articles (given as their lines).

    A site's footer, a standard appeal or a disclaimer is the same line on every page of a scrape, in
    words no list of phrases foresees; one article cannot show it, a batch can.
    """
    if len(articles) < RECURRING_MIN_ARTICLES:
        return frozenset()
    counts: Counter[str] = Counter()
    for lines in dict.fromkeys(map(tuple, articles)):  # the same article twice is a duplicate, not furniture
        counts.update({line_key(line) for line in lines})
    needed = max(RECURRING_MIN_ARTICLES, math.ceil(RECURRING_SHARE * len(articles)))
    return frozenset(key for key, count in counts.items() if count >= needed)


def junk_lines(lines: Sequence[str], furniture: frozenset[str] = frozenset()) -> set[int]:
    """Indexes of lines that must not be summarised, judged against the whole page and the `furniture` keys
    (`recurring_lines` of the page's batch).

    A line seen twice is a caption or a button bar, so every copy goes; a line that another line extends
    with a short tail is a caption with its credit glued on ("...2020.Credit: AFP"), so both go.
    """
    keys = [line_key(line) for line in lines]
    where: defaultdict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        where[key].append(i)
    junk = {i for indexes in where.values() if len(indexes) > 1 for i in indexes}
    junk.update(i for i, key in enumerate(keys) if key in furniture)
    for i, key in enumerate(keys):
        for cut in range(max(20, len(key) - 60), len(key)):
            if key[:cut] in where:
                junk.add(i)
                junk.update(where[key[:cut]])
    for i, line in enumerate(lines):
        if is_junk_line(line):
            junk.add(i)
    return junk


def is_junk_line(line: str) -> bool:
    """Page furniture that can be told from the line alone."""
    text = line.strip()
    return (
        len(text.split()) < MIN_LINE_WORDS
        or not _ENDS_LIKE_SENTENCE.search(text)
        or repeats_itself(text)
        or bool(_GLUED.search(text) or _CREDIT.search(text))
        or is_junk_sentence(text)
        or is_furniture_by_shape(text)
    )


def is_junk_sentence(sentence: str) -> bool:
    """Sentences inside article lines that still are furniture ("Click the alert icon to follow topics:")."""
    text = sentence.strip()
    return (len(sentence.split()) < MIN_SENTENCE_WORDS or bool(_PHRASES.search(text) or _APPEALS.search(text))
            or _signs_up(text))


def is_furniture_by_shape(text: str) -> bool:
    """Furniture told by its shape, whatever its words: a short line that addresses the reader and asks them
    to act, speaks for the site about subscribing or following, opens with an order, or is a label before a
    teaser or a credit; and that reports nobody (no reporting verb, no quotation), as article sentences do.
    """
    if len(text.split()) > MAX_FURNITURE_WORDS or _REPORTS.search(text):
        return False
    acts = _CALL_TO_ACTION.search(text) is not None
    return bool(
        (acts and _READER.search(text))
        or (_SITE.search(text) and _SITE_ACTION.search(text))
        or _IMPERATIVE_START.search(text)
        or _LABEL.search(text)
        or _CREDITED.search(text)
        or _SELF.search(text)
    )


def repeats_itself(text: str) -> bool:
    """Whether stripped `text` is one piece said twice, maybe with spaces between: "Send in e-mailSend in e-mail",
    "Share Share", "FacebookFacebook" (case-insensitive; pieces of 2 characters or more without a line break).

    The regex `^(.{2,}?)\\s*\\1$` says the same but backtracks: a 200 KB line took minutes. In linear time:
    the second copy ends the text, so a piece of length k is `text[-k:]`; the gap between the copies is
    whitespace around the middle, and as `text` is stripped the first copy must end where that gap
    starts. So only two lengths can work: half the text (no gap), or the text up to the middle gap.
    """
    folded = text.lower()
    size = len(folded)
    middle = size // 2
    gap_start = middle
    while gap_start > 0 and folded[gap_start - 1].isspace():
        gap_start -= 1
    for length in {middle if size % 2 == 0 else 0, gap_start}:
        gap = folded[length:size - length]
        piece = folded[:length]
        if length >= 2 and (not gap or gap.isspace()) and "\n" not in piece and piece == folded[size - length:]:
            return True
    return False


def _signs_up(text: str) -> bool:
    """A newsletter line. The first "sign up for our" has the longest tail, so if no "newsletter" follows it,
    none follows a later one: one scan instead of the regex `.*` that went back over the line from each."""
    start = _SIGN_UP.search(text)
    return start is not None and _SIGN_UP_FOR.search(text, start.end()) is not None
