"""`classify digest`: feeds and files in, one report of stories out (json, md, html)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

import classify.digest as digest_module
from classify.digest import Item, Member, build_digest
from classify.parallel import Batching
from classify.stories import group, shingles, signature, similarity
from classify.tagging import TaggedArticle
from tests.conftest import Run

CEASEFIRE = [
    "Foreign ministers from Egypt, Qatar and Jordan met in Cairo on Tuesday to press Israel and Hamas "
    "towards a ceasefire in Gaza.",
    "The envoys presented a three-stage plan that would begin with a six-week pause in fighting and the release of hostages.",
    "Diplomats said the talks ran late into the night and that both delegations had agreed to return to the table on Thursday.",
    "The United Nations secretary-general welcomed the negotiations and urged all parties to protect civilians and aid workers.",
    "A senior Egyptian official said the sticking points were the sequencing of prisoner releases and the return of "
    "displaced families.",
    "Israeli officials declined to comment on the details, while a Hamas spokesman said the movement was studying the proposal.",
    "Aid agencies warned that fuel shortages had forced hospitals in the south of the strip to cut services in recent days.",
    "The ministers are expected to brief their counterparts from the Gulf states at a meeting in Riyadh next week.",
]
FLOODS = [
    "Heavy rain flooded the river valley overnight and firefighters rescued dozens of residents from the roofs of their homes.",
    "The weather office issued its highest warning for the region and said more rain would fall through the weekend.",
    "Schools and the main railway line were closed, and the council opened two sports halls as emergency shelters.",
    "Farmers said the water had ruined the harvest in the lower fields for the second year running.",
]
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Evening Wire</title><link>https://wire.example/</link>
<item>
  <title>Ministers press for &lt;b&gt;Gaza&lt;/b&gt; ceasefire</title>
  <link>https://wire.example/ceasefire</link>
  <guid>wire-101</guid>
  <pubDate>Tue, 01 Dec 2026 18:30:00 GMT</pubDate>
  <description>{ceasefire}</description>
</item>
<item>
  <title>Valley flooded</title>
  <link>javascript:alert(1)</link>
  <pubDate>sometime last week</pubDate>
  <description>{floods}</description>
</item>
<item>
  <description>An entry with no title, link, guid or date, only this line of text about nothing in particular.</description>
</item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Morning Post</title>
<entry>
  <id>urn:post:77</id>
  <title type="html">Talks on a truce resume in Cairo</title>
  <link href="https://post.example/truce"/>
  <updated>2026-12-02T07:00:00Z</updated>
  <content type="html">{ceasefire}</content>
</entry>
</feed>
"""


def html_paragraphs(sentences: list[str]) -> str:
    """Entry content as feeds carry it: escaped HTML paragraphs, with a script that must not reach the text."""
    markup = "".join(f"<p>{sentence}</p>" for sentence in sentences) + "<script>steal()</script>"
    return markup.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "wire.rss").write_text(RSS.format(ceasefire=html_paragraphs(CEASEFIRE), floods=html_paragraphs(FLOODS)),
                                     encoding="utf-8")
    trimmed = CEASEFIRE[:6]  # the same wire story, republished with its end cut and a new headline
    (folder / "post.atom").write_text(ATOM.format(ceasefire=html_paragraphs(trimmed)), encoding="utf-8")
    return folder


def digest_json(run: Run, model_path: Path, *inputs: str) -> tuple[dict, object]:
    result = run("digest", *inputs, "-m", str(model_path), "--format", "json")
    return (json.loads(result.stdout) if result.stdout else {}), result


def members(report: dict) -> dict[str, dict]:
    return {member["id"]: member for story in report["stories"] + report["other"] for member in story["members"]}


def test_feed_entries_become_members_with_title_link_and_date(run: Run, model_path: Path, feeds: Path) -> None:
    report, result = digest_json(run, model_path, str(feeds))
    assert result.exit_code == 0, result.stderr
    found = members(report)
    wire = found["wire-101"]
    assert wire == {"id": "wire-101", "title": "Ministers press for Gaza ceasefire", "source": "Evening Wire",
                    "link": "https://wire.example/ceasefire", "date": "2026-12-01T18:30:00Z"}
    assert found["urn:post:77"]["date"] == "2026-12-02T07:00:00Z"
    flood = next(member for member in found.values() if member["title"] == "Valley flooded")
    assert flood["link"] is None, "a javascript: link must never reach the report"
    assert flood["date"] is None, "an unreadable date is left out, not guessed"
    assert flood["id"] == "javascript:alert(1)", "an entry without a guid is known by its link"
    untitled = [member for member in found.values() if member["title"] == ""]
    assert len(untitled) == 1 and untitled[0]["link"] is None and untitled[0]["date"] is None
    assert report["counts"]["articles"] == 4
    assert set(report) == {"stories", "other", "counts"}


def test_entry_html_is_cleaned_to_text(run: Run, model_path: Path, feeds: Path) -> None:
    report, _ = digest_json(run, model_path, str(feeds))
    story = next(story for story in report["stories"] if story["id"] == "wire-101")
    text = " ".join(story["summary"])
    assert CEASEFIRE[0] in text
    assert "<p>" not in text and "steal()" not in text


def test_republished_story_is_one_story_listing_both_outlets(run: Run, model_path: Path, feeds: Path) -> None:
    report, _ = digest_json(run, model_path, str(feeds))
    ceasefire = [story for story in report["stories"] if "urn:post:77" in [m["id"] for m in story["members"]]]
    assert len(ceasefire) == 1
    story = ceasefire[0]
    assert [m["id"] for m in story["members"]] == ["urn:post:77", "wire-101"], "members in input order (folders sorted)"
    assert {m["source"] for m in story["members"]} == {"Evening Wire", "Morning Post"}
    assert story["id"] == "wire-101" and story["title"] == "Ministers press for Gaza ceasefire", "the fuller version leads"
    assert {"diplomacy", "middle-east"} <= set(story["labels"])
    assert set(story) == {"id", "title", "labels", "scores", "reasons", "summary", "members"}
    assert all(story["reasons"][label] for label in story["labels"])
    assert report["counts"]["stories"] + report["counts"]["other"] == 3, "4 articles, 2 of them one story"


def test_broken_feed_is_reported_and_the_rest_still_digested(run: Run, model_path: Path, feeds: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rss"
    broken.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<item><title>cut off', encoding="utf-8")
    report, result = digest_json(run, model_path, str(broken), str(feeds))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"Error: {broken}: the feed is not well-formed XML (line 3")
    assert "download it again or repair it" in lines[0]
    assert report["counts"]["articles"] == 4 and report["counts"]["skipped"] == 1


def test_not_a_feed_says_so(run: Run, model_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "export.xml"
    page.write_text("<?xml version='1.0'?><catalog><book>Not news</book></catalog>", encoding="utf-8")
    _, result = digest_json(run, model_path, str(page))
    assert result.exit_code == 1
    assert f"{page}: not an RSS or Atom feed" in result.stderr


EMPTY_FEEDS = {
    "quiet.rss": '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Quiet Wire</title>'
                 "<link>https://quiet.example/</link></channel></rss>\n",
    "quiet.atom": '<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet Post</title><id>urn:quiet</id></feed>\n',
}


@pytest.mark.parametrize("name", sorted(EMPTY_FEEDS))
def test_an_empty_feed_is_a_warning_not_a_bad_input(run: Run, model_path: Path, feeds: Path, tmp_path: Path, name: str) -> None:
    empty = tmp_path / name
    empty.write_text(EMPTY_FEEDS[name], encoding="utf-8")
    report, result = digest_json(run, model_path, str(empty), str(feeds))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"Warning: {empty}: the feed has no entries; nothing was read from it "
                                          "(export or download it again if it should have some)"]
    assert report["counts"]["articles"] == 4 and report["counts"]["skipped"] == 0


def test_tag_reads_past_an_empty_feed_with_a_warning(run: Run, model_path: Path, feeds: Path, tmp_path: Path) -> None:
    empty = tmp_path / "quiet.rss"
    empty.write_text(EMPTY_FEEDS["quiet.rss"], encoding="utf-8")
    result = run("tag", str(empty), str(feeds), "-m", str(model_path), "-f", "jsonl")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 4
    assert result.stderr.startswith(f"Warning: {empty}: the feed has no entries") and result.stderr.count("\n") == 1


def test_only_empty_feeds_give_an_empty_report_and_exit_0(run: Run, model_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "quiet.atom"
    empty.write_text(EMPTY_FEEDS["quiet.atom"], encoding="utf-8")
    report, result = digest_json(run, model_path, str(empty))
    assert result.exit_code == 0 and "no entries" in result.stderr
    assert report["counts"]["articles"] == 0 and report["stories"] == []


def test_records_carry_outlet_link_and_date(run: Run, model_path: Path, tmp_path: Path) -> None:
    records = tmp_path / "day.jsonl"
    rows = [{"id": "a", "title": "Truce talks", "text": " ".join(CEASEFIRE),
             "meta": {"outlet": "Gazette", "url": "https://gazette.example/a", "date": "2026-12-01"}},
            {"id": "b", "text": " ".join(FLOODS), "source": "Valley Radio", "url": "file:///etc/passwd"}]
    records.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    report, result = digest_json(run, model_path, str(records))
    assert result.exit_code == 0, result.stderr
    assert members(report)["a"] == {"id": "a", "title": "Truce talks", "source": "Gazette", "link": "https://gazette.example/a",
                                    "date": "2026-12-01"}
    assert members(report)["b"]["link"] is None and members(report)["b"]["source"] == "Valley Radio"
    other_ids = [story["id"] for story in report["other"]]
    assert other_ids == ["b"], "the flood story has no topic: it goes to the other list"


def test_markdown_report(run: Run, model_path: Path, feeds: Path) -> None:
    result = run("digest", str(feeds), "-m", str(model_path), "--format", "md")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# News digest\n")
    assert "### Ministers press for Gaza ceasefire" in text
    assert "[Talks on a truce resume in Cairo](https://post.example/truce) · Morning Post" in text
    assert "## Other" in text and "javascript" not in text


def test_html_report_is_one_self_contained_file(run: Run, model_path: Path, feeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("digest", str(feeds), "-m", str(model_path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and " src=" not in page and "@import" not in page and "url(" not in page
    assert 'href="#topic-0"' in page, "a table of contents"
    assert "4 articles in 3 stories" in page


def test_url_without_fetch_is_a_usage_error_saying_how(run: Run, model_path: Path, feeds: Path) -> None:
    result = run("digest", str(feeds), "https://news.example/feed.rss", "-m", str(model_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Error: https://news.example/feed.rss: pass --fetch to download URLs (the only network "
                                     "access classify has); or save the feed or page and pass the file")
    assert result.stdout == ""


def test_markdown_text_cannot_make_links_or_html(run: Run, model_path: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("title: [click](javascript:alert(1)) <img src=x onerror=alert(1)> # not a heading\n\n"
                       + " ".join(CEASEFIRE), encoding="utf-8")
    result = run("digest", str(hostile), "-m", str(model_path), "--format", "md")
    assert result.exit_code == 0, result.stderr
    heading = next(line for line in result.stdout.splitlines() if line.startswith("### "))
    assert heading == r"### \[click\](javascript:alert(1)) \<img src=x onerror=alert(1)\> \# not a heading"


def item(number: int, text: str, labels: list[str]) -> tuple[Item, object]:
    member = Member(id=f"n{number}", title=f"title {number}", source="", link="", date="")
    scores = {"security": 0.9 if "security" in labels else 0.1}
    tags = TaggedArticle(id=member.id, labels=labels, scores=scores, reasons={label: ["term"] for label in labels})
    return Item(member=member, tags=tags, summary=[text[:40]], length=len(text)), signature(text)


def test_grouping_finds_trimmed_and_reheadlined_copies_and_keeps_distinct_stories_apart() -> None:
    base = " ".join(CEASEFIRE)
    texts = [base, " ".join(FLOODS), " ".join(CEASEFIRE[:5]), "UPDATED " + " ".join(CEASEFIRE[1:]), " ".join(FLOODS[:3])]
    assert group([signature(text) for text in texts]) == [[0, 2, 3], [1, 4]]


def test_different_stories_on_one_topic_stay_apart() -> None:
    other = [sentence.replace("Cairo", "Doha").replace("Gaza", "Sudan") for sentence in CEASEFIRE[::-1]]
    shuffled = [CEASEFIRE[i] for i in (3, 0, 6, 1)] + FLOODS
    texts = [" ".join(CEASEFIRE), " ".join(other[:3]), " ".join(shuffled)]
    assert group([signature(text) for text in texts]) == [[0], [1], [2]]


def test_many_copies_of_one_text_are_one_story() -> None:
    report = build_digest([item(i, " ".join(FLOODS), []) for i in range(500)], ["security"])
    assert report.counts == {"articles": 500, "stories": 0, "other": 1, "topics": {"security": 0}, "skipped": 0}
    assert len(report.other[0].members) == 500


def test_stories_order_by_size_then_score() -> None:
    texts = [" ".join(CEASEFIRE), " ".join(FLOODS), " ".join(CEASEFIRE[:6])]
    report = build_digest([item(i, text, ["security"]) for i, text in enumerate(texts)], ["security"])
    assert [len(story.members) for story in report.by_topic["security"]] == [2, 1]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 4 and workers from 3 batches on, so a few dozen articles take the parallel path."""
    monkeypatch.setattr(digest_module, "BATCHING", Batching(size=4, parallel_from=3))


@pytest.mark.usefixtures("small_batches")
def test_jobs_2_gives_the_same_report(run: Run, model_path: Path, many_jsonl: Path, workers_used: list[int]) -> None:
    serial = run("digest", str(many_jsonl), "-m", str(model_path), "--format", "json")
    shared = run("digest", str(many_jsonl), "-m", str(model_path), "--format", "json", "--jobs", "2")
    assert serial.exit_code == 0 and shared.exit_code == 0, serial.stderr + shared.stderr
    assert len(workers_used) == 1 and workers_used[0] > 0, "a worker did some of the batches"
    assert shared.stdout == serial.stdout
    assert json.loads(serial.stdout)["counts"]["articles"] == 90


def test_a_dask_cluster_gives_the_same_report(run: Run, model_path: Path, many_jsonl: Path, dask_scheduler: str) -> None:
    local = run("digest", str(many_jsonl), "-m", str(model_path), "--format", "md")
    remote = run("digest", str(many_jsonl), "-m", str(model_path), "--format", "md", "--scheduler", dask_scheduler)
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout


def exact_jaccard(first: str, second: str) -> float:
    one, two = (shingles(re.findall(r"\w+", text.lower())) for text in (first, second))
    return len(one & two) / len(one | two)


@pytest.mark.parametrize("cut", [2, 4, 6, 8])
def test_signatures_estimate_the_shingles_jaccard_similarity(cut: int) -> None:
    """The numpy shingle hashing stands in for hashing each shingle's string: the estimate must match the exact value."""
    first, second = " ".join(CEASEFIRE + FLOODS), " ".join(CEASEFIRE[:cut] + FLOODS[:2])
    estimate = similarity(signature(first, lead_words=10_000)[1], signature(second, lead_words=10_000)[1])
    assert abs(estimate - exact_jaccard(first, second)) < 0.12  # MinHash's error with 128 permutations: about 0.04


def test_a_shared_photo_gallery_at_the_end_does_not_make_one_story() -> None:
    from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY

    gallery = " ".join(f"Photos: the flood season, picture {n} of many. Residents of district {n * 3} wade past shop "
                       f"number {n * 11}." for n in range(40))
    first = " ".join(CEASEFIRE + SECURITY + DIPLOMACY) + " " + gallery
    second = " ".join(FLOODS + MIDDLE_EAST + OTHER) + " " + gallery
    assert similarity(signature(first)[1], signature(second)[1]) > 0.3, "the whole texts alone look like one story"
    assert group([signature(first), signature(second)]) == [[0], [1]]


def test_a_shared_page_header_does_not_make_one_story() -> None:
    from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY

    header = " ".join(f"Read more about section {n} and topic {n * 7} in our menu." for n in range(18))
    first = header + " " + " ".join(CEASEFIRE + SECURITY + DIPLOMACY)
    second = header + " " + " ".join(FLOODS + MIDDLE_EAST + OTHER)
    assert similarity(signature(first)[0], signature(second)[0]) > 0.3, "the openings alone look like one story"
    assert group([signature(first), signature(second)]) == [[0], [1]]


def test_buckets_propose_the_pairs_datasketch_lsh_proposes() -> None:
    """`buckets` replaces MinHashLSH's hash tables to save memory: the candidate pairs must be the same."""
    from datasketch import LeanMinHash, MinHashLSH

    from classify import stories
    from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY

    sentences = CEASEFIRE + FLOODS + SECURITY + DIPLOMACY + MIDDLE_EAST + OTHER
    texts = [" ".join(sentences[i:i + 6]) for i in range(len(sentences) - 5)]
    texts += [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences) - 3, 3)]  # cut copies: real candidates
    leads = np.stack([signature(text)[0] for text in texts])
    ours = {pair for members in stories.buckets(leads, stories.LEAD_THRESHOLD)
            for pair in itertools.combinations(members.tolist(), 2)}
    index = MinHashLSH(threshold=stories.LEAD_THRESHOLD, num_perm=stories.NUM_PERM)
    theirs = set()
    for i, row in enumerate(leads):
        minhash = LeanMinHash(seed=stories.SEED, hashvalues=row, scheme=stories.SCHEME)
        theirs |= {(j, i) for j in index.query(minhash)}
        index.insert(i, minhash)
    assert len(theirs) > 10
    assert ours == theirs


def test_method_chooses_how_stories_are_summarized_as_summarize_does(run: Run, model_path: Path, tmp_path: Path) -> None:
    records = tmp_path / "day.jsonl"
    rows = [{"id": "a", "title": "Truce talks", "text": " ".join(CEASEFIRE)}, {"id": "b", "text": " ".join(FLOODS)}]
    records.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    chosen = {}
    for method in ("lead", "random", "lexrank"):
        result = run("digest", str(records), "-m", str(model_path), "-f", "json", "--method", method, "-n", "2")
        assert result.exit_code == 0, result.stderr
        report = json.loads(result.stdout)
        chosen[method] = {story["id"]: story["summary"] for story in report["stories"] + report["other"]}
        expected = run("summarize", str(records), "--method", method, "-n", "2", "-f", "jsonl").stdout.splitlines()
        assert chosen[method] == {record["id"]: record["summary"] for record in map(json.loads, expected)}
    assert len({json.dumps(summaries, sort_keys=True) for summaries in chosen.values()}) > 1, "the methods must differ here"
    assert run("digest", str(records), "-m", str(model_path), "--method", "nope").exit_code == 2
