"""Measure the junk filter: junk picked into summaries, and real sentences it makes unpickable.

Run from the repo: ``.venv/bin/python bench/junk_filter.py``. Page furniture (written here) is injected
into 100 BBC articles read at run time from ../shared: the pieces the phrase patterns were written from,
and two held-out sets in other words that were never used to tune them (the second written before the
structural rule). "lost" counts BBC reference-summary
sentences (real article sentences) that the filter makes ineligible, over all 2,087 articles, one by one
and with the batch rule (lines recurring across 32 articles at a time).
"""

from __future__ import annotations

import argparse
import json
import random

from _harness import SHARED

from classify.articles import Article
from classify.junk import is_junk_line, line_key, recurring_lines
from classify.sentences import paragraph_lines
from classify.summarize import Length, candidates, summarize, summarize_many

FURNITURE = [
    "Share this with\nFacebookTwitterEmail",
    "Send in e-mailSend in e-mail\nSend in e-mailSend in e-mail",
    "Advertisement",
    "Sign up for our free daily newsletter to get the best stories first.",
    "We use cookies to give you the best experience on our website.",
    "Click the alert icon to follow topics:",
    "By Staff Reporter",
    "Read more: Ten things you need to know about the budget this year.",
    # the appeals classify/junk.py's _APPEALS was written from
    "This article is more than 5 years old.",
    "Have a news tip? Email us at tips@example.com or contact us securely.",
    "Sign up to our morning briefing and get the news delivered to your inbox.",
    "Support our journalism: subscribe today for full access to every story.",
    "Already a subscriber? Log in to continue reading this article.",
]
HELD_OUT = [
    # written before the patterns, in other words, and never used to tune them: how the filter does on
    # furniture it has not seen
    "Note: this story is now over four years old and some details may have changed.",
    "Archived content: published in 2016, this page is no longer updated.",
    "Know something we should look into? Our reporters want to hear from you at newsdesk@example.org.",
    "If you have a story you think we should cover, get in touch with our investigations team.",
    "Want the day's top stories every morning? Join 200,000 readers who get our briefing by email.",
    "Enjoying this article? Sign up to get the weekend edition delivered every Saturday.",
    "Our reporting is paid for by readers; chip in today to keep it free for everyone.",
    "You've read 3 of your 5 free stories this month; subscribe for unlimited access.",
    "Independent journalism needs your support now more than ever, so please give what you can.",
    "Please turn off your ad blocker to keep reading our coverage.",
    "Follow our live coverage on Twitter and Facebook for the latest updates.",
    "This article contains affiliate links, and we may earn a commission if you buy through them.",
]
HELD_OUT_NEW = [
    # a second held-out set, written before the structural rule in classify/junk.py (_ADDRESSES_READER)
    # and not looked at while designing it
    "Heads up: this report first ran in March 2019 and may be out of date.",
    "This page was last reviewed more than two years ago.",
    "Seen something newsworthy? Drop our team a line on WhatsApp and we'll look into it.",
    "Got information about this story? You can reach our reporters confidentially through Signal.",
    "Get our best reporting in your email every weekday morning, free of charge.",
    "Love this kind of story? Our Sunday roundup brings you five more each week.",
    "Become a subscriber for just £1 a week and read without limits.",
    "A gift of any size helps keep our newsroom independent, so please consider donating.",
    "Stay informed wherever you are by installing our free app for iPhone and Android.",
    "Catch up on every headline faster with our app, available now on Google Play.",
    "Keep up with us on Instagram, TikTok and YouTube for more videos like this.",
    "Like our page on Facebook to see our stories in your feed.",
    "By continuing to browse this site you agree to our use of cookies and similar technologies.",
    "We and our partners store data on your device to personalise ads and measure performance.",
    "Related: How the ceasefire talks stalled over the border crossings.",
    "More on this story: Five things we learned from the summit in Geneva.",
    "You may also like: The villages that vanished under the reservoir.",
    "Photograph: Maria Lindqvist for the Courier.",
    "Pictured above: protesters gather outside the parliament building (file image).",
    "Main picture courtesy of the regional fire service.",
    "Listen to our daily podcast wherever you get your podcasts.",
    "Share your views on this story in the comments section below.",
    "Tell us what you think by emailing letters@example.net with your name and town.",
    "This content is available to premium members only, so log in or start your free trial.",
    "Tap the bell to be notified whenever we publish a new story.",
]
METHODS = ("position-centrality", "lead", "lexrank", "luhn", "textrank", "sumbasic")
PAGES = 100


def with_furniture(text: str, rng: random.Random, pieces: list[str]) -> str:
    """Three furniture pieces, one of them first (where LEAD looks), the others between paragraphs."""
    paragraphs = text.split("\n\n")
    chosen = rng.sample(pieces, 3)
    paragraphs.insert(0, chosen[0])
    for piece in chosen[1:]:
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), piece)
    return "\n\n".join(paragraphs)


def picked_furniture(pages: list[str], pieces: list[str], method: str, *, filter_junk: bool, batch: bool) -> int:
    """Summaries (of 3 sentences) that picked a sentence of a furniture piece; `batch`: as `summarize` runs
    them, 32 at a time, so lines recurring across a batch count as furniture too."""
    sentences = {sentence for piece in pieces for sentence in candidates(piece, filter_junk=False).sentences}
    length = Length(sentences=3)
    if batch:
        articles = [Article(id=str(i), text=text) for i, text in enumerate(pages)]
        summaries = [summary for _, summary in summarize_many(articles, length=length, method=method)]
    else:
        summaries = [summarize(text, length=length, method=method, filter_junk=filter_junk) for text in pages]
    return sum(any(s in sentences for s in summary.sentences) for summary in summaries)


def main() -> None:
    rng = random.Random(0)
    bbc = [json.loads(line) for line in (SHARED / "data/bbc-summary/articles.jsonl").open(encoding="utf-8")]
    sample = rng.sample(bbc, PAGES)
    print(f"Lines caught by the filter alone: written-from {sum(map(is_junk_line, FURNITURE[8:]))}/{len(FURNITURE) - 8}, "
          f"held-out {sum(map(is_junk_line, HELD_OUT))}/{len(HELD_OUT)}, "
          f"second held-out {sum(map(is_junk_line, HELD_OUT_NEW))}/{len(HELD_OUT_NEW)}")
    footer = "The Valmora Herald has served readers on the northern coast with local reporting since 1921."
    for name, pieces in (("written-from", FURNITURE), ("held-out", HELD_OUT), ("second held-out", HELD_OUT_NEW)):
        pages = [with_furniture(article["text"], rng, pieces) for article in sample]
        print(f"\n{PAGES} BBC articles with {name} furniture: summaries that picked some")
        print("| method | no filter | filter | filter + batch |")
        print("|---|---|---|---|")
        for method in METHODS:
            counts = [picked_furniture(pages, pieces, method, filter_junk=False, batch=False),
                      picked_furniture(pages, pieces, method, filter_junk=True, batch=False),
                      picked_furniture(pages, pieces, method, filter_junk=True, batch=True)]
            print(f"| {method} | " + " | ".join(f"{count}/{PAGES}" for count in counts) + " |")
    pages = [f"{footer}\n\n{article['text']}" for article in sample]
    print(f"\nA site footer (no listed phrase) first on every page: picked by lead "
          f"{picked_furniture(pages, [footer], 'lead', filter_junk=True, batch=False)}/{PAGES} one by one, "
          f"{picked_furniture(pages, [footer], 'lead', filter_junk=True, batch=True)}/{PAGES} in batches")
    kept = lost = 0
    for article in bbc:
        eligible = set(candidates(article["text"]).sentences)
        everything = set(candidates(article["text"], filter_junk=False).sentences)
        for sentence in article["summary"].split("\n"):
            if sentence in everything:
                kept += sentence in eligible
                lost += sentence not in eligible
    print(f"\nBBC reference sentences made unpickable by the filter: {lost}/{kept + lost} "
          f"({100 * lost / (kept + lost):.1f} %)")
    recurring = 0
    for start in range(0, len(bbc), 32):
        chunk = bbc[start:start + 32]
        furniture = recurring_lines([[line for _, line in paragraph_lines(a["text"])] for a in chunk])
        recurring += sum(line_key(sentence) in furniture for a in chunk for sentence in a["summary"].split("\n"))
    print(f"BBC reference sentences that are whole lines recurring across a batch of 32 (the batch rule drops them): "
          f"{recurring}")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # --help, and no stray arguments
    main()
