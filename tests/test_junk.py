"""Page junk is never a summary candidate; article sentences are (text written for these tests)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.junk import _signs_up, is_junk_line, is_junk_sentence, junk_lines, repeats_itself
from classify.summarize import Length, summarize
from tests.conftest import DIPLOMACY, MIDDLE_EAST, SECURITY

ARTICLE = [
    "Harbour Workers Strike Over Pay",
    "Send in e-mailSend in e-mail",
    "Send in e-mailSend in e-mail",
    "Dock workers gather outside the port gates in Valmora, March 3, 2021.",
    "Dock workers gather outside the port gates in Valmora, March 3, 2021.Credit: Reuters",
    "Hundreds of dock workers walked out on Wednesday after talks over pay collapsed, the union said.",
    "The port authority said ships would be diverted to nearby harbours until the dispute ends.",
    "Click the alert icon to follow topics:",
]


def test_seed_like_page_keeps_only_article_lines() -> None:
    junk = junk_lines(ARTICLE)
    assert sorted(set(range(len(ARTICLE))) - junk) == [5, 6]


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "FacebookTwitterEmail",
        "Share Share",
        "Sign up for our free daily newsletter to get the news first.",
        "We use cookies to improve your experience on our site.",
        "By Anna Kowalski",
        "Scroll down for video.",
        "Photo: Anna Kowalski/AFP",
        "Read more: The ten best beaches in the region this summer.",
        "Reporting by Anna Kowalski; Editing by Tom Reed.",
    ],
)
def test_furniture_lines_are_junk(line: str) -> None:
    assert is_junk_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "The court ruled that the copyright claim against the band had no merit.",
        "Analysts said the newsletter's founder had warned readers about the fall in March.",
        "He said he did not subscribe to the view that the talks had failed.",
        "Shares in the firm rose 4% after the results were published on Monday.",
        '"It is a great honour," the director said after receiving the award.',
    ],
)
def test_article_sentences_are_kept(line: str) -> None:
    assert not is_junk_line(line)
    assert not is_junk_sentence(line)


def test_short_sentences_are_not_candidates() -> None:
    assert is_junk_sentence("He said.")


def test_closing_quotes_apart_from_the_stop_still_end_a_sentence() -> None:
    assert not is_junk_line("the coach said the team would win the cup again next season . ' \"")


# --- linear time: the same answers as the backtracking regexes they replace ------------------------

_OLD_SELF_REPEAT = re.compile(r"^(.{2,}?)\s*\1$", re.IGNORECASE)
_OLD_SIGN_UP = re.compile(r"sign up (?:for|to) (?:our|the|a|free)\b.*\b(?:newsletters?|alerts?|e-?mails?|updates)\b",
                          re.IGNORECASE)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="abAB \t\n.", max_size=14))
def test_repeats_itself_agrees_with_the_regex_it_replaces(text: str) -> None:
    text = text.strip()
    assert repeats_itself(text) == bool(_OLD_SELF_REPEAT.match(text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["sign up for our", "Sign up to the", "daily", "newsletter", "e-mails", "news",
                                 "x", ".", "free", "alerts"]), max_size=8))
def test_newsletter_check_agrees_with_the_regex_it_replaces(words: list[str]) -> None:
    sentence = " ".join(words)
    assert _signs_up(sentence) == bool(_OLD_SIGN_UP.search(sentence))


@pytest.mark.parametrize(("line", "repeated"), [
    ("Send in e-mailSend in e-mail", True), ("Share Share", True), ("FacebookFacebook", True),
    ("share   SHARE", True), ("aa", False), ("Talks resumed. Talks resumed.", True),
    ("The talks resumed on Monday after a week.", False),
])
def test_repeats_itself_examples(line: str, repeated: bool) -> None:
    assert repeats_itself(line) == repeated


def test_a_200_kb_line_of_repeated_words_is_judged_without_backtracking() -> None:
    # the regex took seconds on this line and minutes inside `summarize`; the answers stay the same
    words = ["the", "minister", "said", "talks", "would", "continue", "next", "week", "in", "the", "capital"]
    line = " ".join(words[i % len(words)] for i in range(35_000)) + "."
    assert len(line) > 200_000
    assert not repeats_itself(line)
    assert repeats_itself(line[:-1] + " " + line[:-1])
    assert is_junk_sentence("Sign up for our " + "free " * 40_000 + "newsletter")
    assert not is_junk_sentence("Sign up for our " + "free " * 40_000 + "course.")


def test_lines_that_extend_each_other_are_found_through_an_index() -> None:
    # every line extends the one before by a short tail: each used to rescan the whole page
    lines = ["Harbour workers went on strike over pay in Valmora today." + " Again." * i for i in range(400)]
    assert not any(is_junk_line(line) for line in lines)
    assert junk_lines(lines) == set(range(400))
    assert junk_lines([*lines[:1], "An unrelated line that ends like a sentence too."]) == set()


# --- furniture told by its shape, in words none of the phrase patterns list -------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Curious about the harbour? Stay up to date by adding our channel on your favourite messenger.",
        "Members get the crossword early, so unlock it by upgrading your plan.",
        "Please consider a small monthly gift to the Valmora Gazette.",
        "Download the Gazette reader for tablets and phones.",
        "Follow the Gazette on Mastodon for live pictures from the quay.",
        "By continuing you consent to our partners storing identifiers on this device.",
        "Elsewhere on the site: Ten ferries that changed the coast.",
        "Top picture courtesy of the harbour museum archive.",
        "This piece first appeared in our spring print edition in 2009.",
    ],
)
def test_furniture_of_unlisted_wording_is_junk_by_its_shape(line: str) -> None:
    assert is_junk_line(line)


@pytest.mark.parametrize(
    "line",
    [
        # talks to the reader or of "our" readers, but reports someone: article text
        '"You can follow the talks on our website," the port authority told reporters on Monday.',
        "The union said members could download the new contract from its website before the vote.",
        "If you own a boat in Valmora, the new harbour fee will rise by 4% next year, the council said.",
        # long enough to be article text even when it addresses the reader
        "Anyone who has waited for a ferry in winter knows the feeling, and if you join the queue at six in the"
        " morning you will still find that the first boat has been cancelled because of the storms.",
        # a verb that orders nothing
        "Support for the strike has grown among dock workers since the talks collapsed in March.",
        "Download sales of the band's album overtook its sales on disc for the first time this year.",
    ],
)
def test_article_lines_that_resemble_furniture_are_kept(line: str) -> None:
    assert not is_junk_line(line)


@pytest.mark.parametrize("method", ["lexrank", "sumbasic", "lead"])
def test_no_method_picks_furniture_worded_unlike_the_phrase_list(method: str) -> None:
    appeal = "Enjoy stories like this? Tap here to get every Gazette update on your phone."
    text = "\n\n".join([
        appeal,
        "Dock workers in Valmora walked out on Wednesday after talks over pay collapsed, the union said.",
        "The port authority said ships would be diverted to nearby harbours until the dispute ends.",
        "Ferry operators warned that the strike could disrupt island services for several weeks.",
        appeal.replace("Gazette", "harbour"),
        "Talks between the union and the port authority are due to resume on Monday, officials said.",
    ])
    summary = summarize(text, length=Length(sentences=3), method=method)
    assert len(summary.sentences) == 3
    assert not any("Tap here" in sentence or "Enjoy" in sentence for sentence in summary.sentences)


FURNITURE = [
    "This article is more than 5 years old.",
    "Have a news tip? Email us at tips@example.com or contact us securely.",
    "Sign up to our morning briefing and get the news delivered to your inbox.",
    "Support our journalism: subscribe today for full access to every story.",
    "Already a subscriber? Log in to continue reading this article.",
]


@pytest.mark.parametrize("method", ["position-centrality", "lead", "lexrank", "lsa", "luhn", "textrank", "kl", "sumbasic",
                                    "reduction", "edmundson", "random"])
def test_no_method_picks_page_furniture(method: str) -> None:
    from classify.summarize import METHODS, Length, summarize

    assert method in METHODS
    paragraphs = [FURNITURE[0], SECURITY[0], FURNITURE[1], DIPLOMACY[0], FURNITURE[2], MIDDLE_EAST[0],
                  FURNITURE[3], SECURITY[1], FURNITURE[4], DIPLOMACY[1]]
    summary = summarize("\n\n".join(paragraphs), length=Length(sentences=5), method=method)
    assert len(summary.sentences) == 5
    assert not set(summary.sentences) & set(FURNITURE)
