"""Reading files, folders, records and stdin into articles."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from classify.articles import Article
from classify.errors import InputError
from classify.inputs import iter_articles, parse_labels


def test_seed_file_headers_give_title_topics_and_body(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("title: Talks resume\ntopics: diplomacy, middle-east\nunknown: security\n\nBody one.\n\nBody two.\n")
    (article,) = iter_articles([str(path)])
    assert article.title == "Talks resume"
    assert article.labels == {"diplomacy", "middle-east"}
    assert article.unknown_labels == {"security"}
    assert article.text == "Body one.\n\nBody two."
    assert article.id == str(path)


def test_plain_text_without_headers_is_one_unlabelled_article(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Note: this line has a colon but is no header.\nSecond line.\n")
    (article,) = iter_articles([str(path)])
    assert article.labels is None
    assert article.text.startswith("Note: this line")


def test_topics_none_means_no_topic(tmp_path: Path) -> None:
    path = tmp_path / "n.txt"
    path.write_text("topics: none\n\nA local bakery won a prize.\n")
    (article,) = iter_articles([str(path)])
    assert article.labels == frozenset()


def test_folder_is_read_recursively_sorted_without_dot_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two")
    (tmp_path / "1.txt").write_text("one")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    assert [a.text for a in iter_articles([str(tmp_path)])] == ["one", "two"]


def test_a_folder_readme_is_no_article_but_a_readme_named_alone_is(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# How to label these seeds\n\nWrite `topics:` first.\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "readme.txt").write_text("notes")
    (tmp_path / "1.txt").write_text("topics: none\n\nA bakery won a prize.\n")
    problems: list[InputError] = []
    articles = list(iter_articles([str(tmp_path)], on_problem=problems.append, require_labels=True))
    assert [a.text for a in articles] == ["A bakery won a prize."] and problems == []
    (alone,) = iter_articles([str(tmp_path / "README.md")])
    assert alone.text.startswith("# How to label")


def test_jsonl_records_keep_ids_labels_and_unknown_labels(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    records = [
        {"id": "x1", "title": "T", "text": "Some text", "labels": ["security"], "unknown_labels": ["diplomacy"]},
        {"text": "No id here"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    first, second = iter_articles([str(path)])
    assert (first.id, first.title, first.labels, first.unknown_labels) == ("x1", "T", {"security"}, {"diplomacy"})
    assert second.id == f"{path}:2" and second.labels is None


def test_csv_records_with_semicolon_separated_labels(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('id,title,text,labels\na,Head,"Body, with comma",security;diplomacy\n', encoding="utf-8")
    (article,) = iter_articles([str(path)])
    assert (article.id, article.title, article.text) == ("a", "Head", "Body, with comma")
    assert article.labels == {"security", "diplomacy"}


def test_stdin_text_and_stdin_jsonl() -> None:
    (article,) = iter_articles(["-"], stdin=io.StringIO("Just a story.\n"))
    assert (article.id, article.text) == ("-", "Just a story.")
    records = iter_articles(["-"], stdin=io.StringIO('{"id": "1", "text": "a"}\n{"id": "2", "text": "b"}\n'))
    assert [a.id for a in records] == ["1", "2"]


def test_missing_path_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        list(iter_articles([str(tmp_path / "nope.txt")]))


def test_labels_accept_lists_and_strings() -> None:
    assert parse_labels(["a", " b "]) == {"a", "b"}
    assert parse_labels("a, b; c") == {"a", "b", "c"}
    assert parse_labels("none") == frozenset()
    with pytest.raises(ValueError):
        parse_labels([1, 2])


@pytest.mark.parametrize("delimiter,suffix", [(",", ".csv"), ("\t", ".tsv")])
def test_an_oversized_quoted_field_skips_its_row_only(tmp_path: Path, delimiter: str, suffix: str) -> None:
    """The csv module stops inside the field; its lines must not come back as records of their own."""
    path = tmp_path / f"big{suffix}"
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(["id", "text"])
        writer.writerow(["a", "Troops met diplomats at the border."])
        writer.writerow(["huge", "\n".join(f'line {i}, with "quotes", {delimiter} and commas' for i in range(400))])
        writer.writerow(["b", "Diplomats signed the treaty."])
        writer.writerow(["c", 'A "quoted" word\nover two lines.'])
    problems: list[InputError] = []
    articles = list(iter_articles([str(path)], on_problem=problems.append, max_article_bytes=2000))
    assert [article.id for article in articles] == ["a", "b", "c"]
    assert articles[2].text == 'A "quoted" word\nover two lines.'
    (problem,) = problems
    assert str(problem).startswith(f"{path}:3: broken CSV (field larger than field limit (2000)); lines 3-402 skipped")


def test_a_folder_nested_1100_deep_is_read_to_the_bottom(tmp_path: Path) -> None:
    top = tmp_path / "deep"
    top.mkdir()
    for level in range(1, 1101):  # Path.mkdir(parents=True) and os.makedirs recurse
        top.joinpath(*["d"] * level).mkdir()
    bottom = top.joinpath(*["d"] * 1100)
    (bottom / "last.txt").write_text("The bottom article.\n")
    (top / "first.txt").write_text("The top article.\n")
    (top / "d" / "loop").symlink_to(top, target_is_directory=True)  # never entered
    try:
        articles = list(iter_articles([str(top)]))
        assert [article.text for article in articles] == ["The bottom article.", "The top article."]
    finally:
        for level in range(1100, 0, -1):  # shutil.rmtree recurses too
            folder = top.joinpath(*["d"] * level)
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()


def test_a_folder_is_read_in_the_order_of_its_sorted_paths(tmp_path: Path) -> None:
    for name in ("b.txt", "a/z.txt", "a.txt", "a/b/c.txt", ".hidden/x.txt", "README.txt", "a-b.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Article {name}.\n")
    expected = [str(p) for p in sorted(tmp_path.rglob("*.txt")) if ".hidden" not in p.parts and p.stem != "README"]
    assert [article.id for article in iter_articles([str(tmp_path)])] == expected


@pytest.mark.parametrize(("summary", "kept"), [([""], ()), (["", "One.", "  "], ("One.",)), ("One.\n\nTwo.", ("One.", "Two."))])
def test_blank_reference_sentences_are_no_reference(summary: list[str] | str, kept: tuple[str, ...]) -> None:
    stream = io.StringIO(json.dumps({"text": "An article.", "summary": summary}) + "\n")
    (article,) = iter_articles(["-"], stdin=stream)
    assert article.summary == kept


@pytest.mark.parametrize("summary", [[None, 5], [["nested"]], 7])
def test_references_that_are_not_sentences_are_reported(summary: object) -> None:
    stream = io.StringIO(json.dumps({"text": "An article.", "summary": summary}) + "\n")
    problems: list[InputError] = []
    assert list(iter_articles(["-"], stdin=stream, on_problem=problems.append)) == []
    assert [str(p) for p in problems] == ["<stdin>:1: `summary` must be a string or a list of sentences (strings)"]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "java\tscript:alert(1)", "file:///etc/passwd", "data:text/html,x",
                                  "//no-scheme.example/a"])
def test_an_article_keeps_only_http_links_whatever_made_it(link: str) -> None:
    assert Article(id="a", text="t", link=link).link == ""
    assert Article(id="a", text="t", link=" https://news.example/a ").link == "https://news.example/a"
