"""Sentence splitting on hard news cases, offline (text written for these tests)."""

from __future__ import annotations

import pytest

from classify.sentences import SentenceTokenizer, is_lower_case, split_paragraphs, split_sentences, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. Navy sent two ships on Friday. Officials declined to comment.",
         ["The U.S. Navy sent two ships on Friday.", "Officials declined to comment."]),
        ("Gen. Mark Hollis spoke to troops. He left at noon.", ["Gen. Mark Hollis spoke to troops.", "He left at noon."]),
        ("Rioters stormed the building on Jan. 6 last year. Dozens were hurt.",
         ["Rioters stormed the building on Jan. 6 last year.", "Dozens were hurt."]),
        ("Inflation rose 3.5 per cent in May. Prices of bread rose 1.25 points.",
         ["Inflation rose 3.5 per cent in May.", "Prices of bread rose 1.25 points."]),
        ('"We will not back down," the mayor said. "Never." The crowd cheered.',
         ['"We will not back down," the mayor said.', '"Never."', "The crowd cheered."]),
        ("The novel by J. R. Tolkien sold well. Critics loved it.",
         ["The novel by J. R. Tolkien sold well.", "Critics loved it."]),
        ("He was ill. His death was sad.", ["He was ill.", "His death was sad."]),
        ("Entry to the museum is free. Visitors queued all day.", ["Entry to the museum is free.", "Visitors queued all day."]),
        ("The storm moved south. Roads were closed.", ["The storm moved south.", "Roads were closed."]),
        ("She met Mr. Okafor and Dr. Lind at 9 a.m. on Monday.", ["She met Mr. Okafor and Dr. Lind at 9 a.m. on Monday."]),
        ("The hearing closed at 5 p.m. Lawyers said it would reopen.",
         ["The hearing closed at 5 p.m.", "Lawyers said it would reopen."]),
        ("Markets shut at 4 p.m. New York time with gains.", ["Markets shut at 4 p.m. New York time with gains."]),
        ("The vote opens at 7:30 a.m. Friday. Turnout is low.", ["The vote opens at 7:30 a.m. Friday.", "Turnout is low."]),
        ("At 6 a.m. Ms. Ruiz opened the polls.", ["At 6 a.m. Ms. Ruiz opened the polls."]),
        ("He met U.S. Secretary of State Ann Vale in Oslo.", ["He met U.S. Secretary of State Ann Vale in Oslo."]),
        ("The envoy thanked the U.N. Security Council.", ["The envoy thanked the U.N. Security Council."]),
    ],
)
def test_hard_news_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_line_breaks_are_boundaries_and_glued_lines_stay_apart() -> None:
    text = "Share this story\nShare this story\nThe council voted on Tuesday to close the bridge."
    assert split_sentences(text) == ["Share this story", "Share this story", "The council voted on Tuesday to close the bridge."]


def test_hard_wrapped_lines_are_rejoined_and_paragraphs_kept() -> None:
    text = "The council voted on Tuesday to\nclose the old bridge for repairs.\n\nWork starts in June."
    expected = [["The council voted on Tuesday to close the old bridge for repairs."], ["Work starts in June."]]
    assert split_paragraphs(text) == expected


def test_no_break_spaces_and_empty_text() -> None:
    assert split_sentences("Prices rose.\u00a0 Wages fell.") == ["Prices rose.", "Wages fell."]
    assert split_sentences("  \n\n ") == []


def test_sumy_tokenizer_duck_type_needs_no_nltk_data() -> None:
    tokenizer = SentenceTokenizer()
    assert tokenizer.language == "english"
    assert tokenizer.to_sentences("One fact here. Another fact there.") == ("One fact here.", "Another fact there.")
    assert tokenizer.to_words("Iran's 2 drones can't fly.") == ("Iran's", "drones", "can't", "fly")
    assert words("U.S.-led talks") == ["U", "S", "led", "talks"]


def test_lower_case_detection() -> None:
    assert is_lower_case("the minister said on monday that talks would resume next week in geneva.")
    assert not is_lower_case("The minister said on Monday that talks would resume next week.")
