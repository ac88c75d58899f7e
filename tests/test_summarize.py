"""Summary methods, lengths and edge cases, through the library (text written for these tests)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from classify.errors import UsageError
from classify.summarize import DEFAULT_METHOD, MAX_RANKED, METHODS, Length, Summary, candidates, summarize

STORY = """Valmora Port Strike Spreads

Share this article
Share this article

Dock workers in the city of Valmora walked out on Wednesday after pay talks with the port authority collapsed.

The strike halted container traffic at the port, which handles most of the region's imports of grain and fuel.

Union leader Marta Ruiz said workers had not had a pay rise in four years while port profits doubled.

The port authority said it had offered a rise of three per cent and called the strike irresponsible.

Shipping companies began diverting vessels to harbours further along the coast on Thursday morning.

Grain traders warned that bread prices could rise if the port stayed closed for more than a week.

The regional government offered to mediate and invited both sides to talks on Friday.

Click the alert icon to follow topics:
"""
ARTICLE_SENTENCES = candidates(STORY).sentences


def test_candidates_skip_the_junk() -> None:
    assert len(ARTICLE_SENTENCES) == 7
    assert not any("Share" in s or "Click" in s or s.endswith("Spreads") for s in ARTICLE_SENTENCES)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_gives_article_sentences_in_order(method: str) -> None:
    summary = summarize(STORY, title="Valmora port strike spreads", length=Length(sentences=3), method=method)
    assert isinstance(summary, Summary) and summary.method == method
    assert len(summary.sentences) == 3 and all(type(s) is str for s in summary.sentences)
    positions = [ARTICLE_SENTENCES.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    assert summary.notes == []


def test_default_starts_with_the_lead_on_news() -> None:
    summary = summarize(STORY, length=Length(sentences=2))
    assert summary.method == DEFAULT_METHOD
    assert summary.sentences[0] == ARTICLE_SENTENCES[0]


def test_default_skips_a_sentence_that_repeats_a_better_one() -> None:
    # News pages repeat their lead (Daily Mail bullet points): the copy must not take a summary slot.
    repeat = "Dock workers in Valmora walked out on Wednesday after pay talks with the port authority collapsed."
    text = STORY.replace("The strike halted", repeat + " The strike halted")
    summary = summarize(text, length=Length(sentences=3))
    assert summary.sentences[0] == ARTICLE_SENTENCES[0] and repeat not in summary.sentences
    ranking = METHODS[DEFAULT_METHOD](candidates(text), "")
    assert ranking[-1] == candidates(text).sentences.index(repeat)  # last, but still ranked


def test_default_prefers_sentences_that_share_the_title_words() -> None:
    cands = candidates(STORY)
    shipping = next(i for i, s in enumerate(ARTICLE_SENTENCES) if s.startswith("Shipping companies"))
    plain = METHODS[DEFAULT_METHOD](cands, "").index(shipping)
    titled = METHODS[DEFAULT_METHOD](cands, "Shipping companies divert vessels from Valmora").index(shipping)
    assert titled < plain


def test_default_demotes_short_sentences() -> None:
    text = ("The regional government offered to mediate in the strike at the port of Valmora on Friday. "
            "Talks with the union failed again. "
            "Grain traders warned that bread prices could rise if the port stayed closed.")
    assert summarize(text, length=Length(sentences=2)).sentences == [
        "The regional government offered to mediate in the strike at the port of Valmora on Friday.",
        "Grain traders warned that bread prices could rise if the port stayed closed."]


def test_edmundson_without_title_uses_the_first_sentence() -> None:
    assert len(summarize(STORY, length=Length(sentences=2), method="edmundson").sentences) == 2


def test_lengths_count_ratio_and_words() -> None:
    assert len(summarize(STORY, length=Length(ratio=0.3), method="lead").sentences) == 2
    assert len(summarize(STORY, length=Length(ratio=0.01), method="lead").sentences) == 1
    budget = summarize(STORY, length=Length(words=40), method="lead")
    assert sum(len(s.split()) for s in budget.sentences) <= 40 and len(budget.sentences) == 2
    tiny = summarize(STORY, length=Length(words=3), method="lead")
    assert tiny.sentences == ARTICLE_SENTENCES[:1] and "more than the 3 asked" in tiny.notes[0]


@pytest.mark.parametrize("kwargs", [{}, {"sentences": 2, "ratio": 0.5}, {"sentences": 0}, {"ratio": 1.5}, {"words": 0}])
def test_bad_lengths_are_usage_errors(kwargs: dict[str, float]) -> None:
    with pytest.raises(UsageError):
        Length(**kwargs)  # type: ignore[arg-type]


def test_unknown_method_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="lexrank"):
        summarize(STORY, length=Length(sentences=1), method="bogus")


def test_empty_text_says_so() -> None:
    summary = summarize("  \n\n", length=Length(sentences=3))
    assert summary.sentences == [] and summary.notes == ["no sentences found"]


def test_one_sentence_article_and_short_article() -> None:
    one = summarize("The mayor resigned on Monday after a vote of no confidence.", length=Length(sentences=3))
    assert one.sentences == ["The mayor resigned on Monday after a vote of no confidence."]
    assert one.notes == ["article has 1 sentence, fewer than the 3 asked"]


def test_text_that_is_all_junk_falls_back_to_its_lines() -> None:
    summary = summarize("Breaking news\nMore soon", length=Length(sentences=1))
    assert summary.sentences == ["Breaking news"] and "page junk" in summary.notes[0]


def test_lower_case_text_is_flagged() -> None:
    text = "the minister resigned on monday after a long row. his party said an election would follow soon."
    summary = summarize(text, length=Length(sentences=1), method="lead")
    assert summary.sentences == ["the minister resigned on monday after a long row."]
    assert "lower case" in summary.notes[0]


def test_empty_sumy_result_falls_back_to_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(METHODS, "lexrank", lambda cands, title, seed: [])
    summary = summarize(STORY, length=Length(sentences=1), method="lexrank")
    assert summary.sentences == ARTICLE_SENTENCES[:1] and "used the lead" in summary.notes[0]


def test_default_method_does_not_import_sumy_or_nltk() -> None:
    code = ("import sys; from classify.summarize import Length, summarize; "
            "summarize('One fact is here today. Another fact is there today.', length=Length(sentences=1)); "
            "print(sorted(m for m in sys.modules if m.startswith(('sumy.summarizers', 'nltk'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_evaluate_summaries_scores_each_method() -> None:
    from classify.articles import Article
    from classify.summary_evaluation import evaluate_summaries

    articles = [Article(id="a", text=STORY, summary=tuple(ARTICLE_SENTENCES[:2])), Article(id="b", text=STORY)]
    rows = evaluate_summaries(articles, ["lead", "lexrank"], Length(sentences=2))
    assert [row["method"] for row in rows] == ["lead", "lexrank"]
    assert rows[0]["rouge1"] == rows[0]["rouge2"] == rows[0]["rougeLsum"] == 100.0
    assert rows[0]["articles"] == 1 and rows[0]["skipped"] == 1 and rows[0]["articles_per_second"] > 0


def test_html_main_text_has_blank_line_paragraphs_and_no_navigation() -> None:
    from classify.inputs.html import extract_article

    paragraphs = "".join(f"<p>{s}</p>" for s in ARTICLE_SENTENCES)
    page = (f"<html><head><title>Port strike</title></head><body><nav>Home | World | Sport</nav>"
            f"<article><h1>Port strike</h1>{paragraphs}</article><footer>About us</footer></body></html>")
    title, body = extract_article(page)
    assert title == "Port strike"
    assert body.split("\n\n") == ARTICLE_SENTENCES


def test_an_article_of_thousands_of_sentences_ranks_the_first_ones_and_says_so() -> None:
    # every method compares pairs of sentences; 40,000 one-word sentences took minutes
    text = " ".join(f"Word{i}." for i in range(3 * MAX_RANKED))
    summary = summarize(text, length=Length(sentences=3))
    assert len(summary.sentences) == 3
    assert f"article has {3 * MAX_RANKED} sentences: only the first {MAX_RANKED} were ranked" in summary.notes
    assert all(int(sentence[4:-1]) < MAX_RANKED for sentence in summary.sentences)
