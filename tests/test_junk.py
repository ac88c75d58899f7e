"""Page junk is never a summary candidate; article sentences are (text written for these tests)."""

from __future__ import annotations

import pytest

from classify.junk import is_junk_line, is_junk_sentence, junk_lines

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
