"""`classify serve` through Starlette's test client: every endpoint, the records, every error status."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Never

import pytest
from starlette.testclient import TestClient

from classify.model import TopicModel
from classify.model_file import load_model
from classify.server import create_app
from tests.conftest import DIPLOMACY, MIDDLE_EAST, OTHER, SECURITY, Run
from tests.serve_support import feed
from tests.test_digest import EMPTY_FEEDS

if TYPE_CHECKING:
    from click.testing import Result
    from httpx2 import Response

ALL_THREE = " ".join([SECURITY[0], DIPLOMACY[0], MIDDLE_EAST[1]])
ARTICLES = [
    {"id": "all", "title": "Strike and talks", "text": "\n\n".join([SECURITY[0], DIPLOMACY[0], MIDDLE_EAST[1]])},
    {"id": "sport", "text": OTHER[0] + " " + OTHER[1]},
    {"id": "sec", "text": " ".join(SECURITY)},
]


@pytest.fixture(scope="module")
def model(model_path: Path) -> TopicModel:
    return load_model(model_path)


@pytest.fixture(scope="module")
def client(model: TopicModel) -> TestClient:
    return TestClient(create_app(model, max_body=50_000), raise_server_exceptions=False)


def post(client: TestClient, path: str, payload: object) -> Response:
    return client.post(path, json=payload)


def assert_error(response: Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    assert "Traceback" not in body["error"] and "\n" not in body["error"]
    for word in words:
        assert word in body["error"]
    return body


def cli_run(run: Run, tmp_path: Path, *args: str) -> Result:
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    result = run(*args, str(source), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result


def cli_records(run: Run, tmp_path: Path, *args: str) -> list[dict]:
    return json.loads(cli_run(run, tmp_path, *args).stdout)


# --- the page -------------------------------------------------------------------------------------


def test_page_is_self_contained_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page must load nothing from elsewhere"
    assert "<script>" not in page and not re.search(r"\son\w+\s*=", page), "no inline script or event handler"
    assert '<option value="position-centrality" selected>' in page and '<option value="lexrank">' in page
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    for asset, kind in [("/static/app.js", "javascript"), ("/static/app.css", "text/css"), ("/static/icon.svg", "svg")]:
        served = client.get(asset)
        assert served.status_code == 200 and kind in served.headers["content-type"], asset
        assert served.headers["content-security-policy"] == policy


def test_page_script_never_writes_markup() -> None:
    script = (Path(__file__).parent.parent / "classify" / "static" / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script


# --- the API: the CLI's records -------------------------------------------------------------------


def test_tag_returns_the_records_tag_explain_writes(client: TestClient, run: Run, model_path: Path, tmp_path: Path) -> None:
    expected = cli_records(run, tmp_path, "tag", "-m", str(model_path), "--explain")
    response = post(client, "/api/tag", {"articles": ARTICLES})
    assert response.status_code == 200
    assert response.json() == expected
    assert expected[0]["labels"] == ["diplomacy", "middle-east", "security"] and expected[1]["labels"] == []


def test_tag_one_text_returns_one_record(client: TestClient) -> None:
    response = post(client, "/api/tag", {"text": ALL_THREE, "title": "Strike and talks"})
    record = response.json()
    assert list(record) == ["id", "title", "labels", "scores", "reasons"] and record["id"] == "1"
    assert record["labels"] == ["diplomacy", "middle-east", "security"]
    assert set(record["reasons"]) == set(record["labels"]) and all(record["reasons"].values())


@pytest.mark.parametrize("options", [[], ["-n", "1"], ["--ratio", "0.5"], ["--words", "20"], ["--method", "lead"],
                                     ["--method", "luhn", "-n", "2"]])
def test_summarize_returns_the_records_summarize_writes(client: TestClient, run: Run, tmp_path: Path, options: list[str]) -> None:
    """The same records, with the notes the CLI prints on stderr (`ID: note`) in `notes`."""
    result = cli_run(run, tmp_path, "summarize", *options)
    expected = json.loads(result.stdout)
    for line in result.stderr.splitlines():
        article_id, note = line.split(": ", 1)
        record = next(record for record in expected if record["id"] == article_id)
        record.setdefault("notes", []).append(note)
    names = {"-n": "sentences", "--ratio": "ratio", "--words": "words", "--method": "method"}
    payload: dict = {"articles": ARTICLES}
    for flag, value in zip(options[::2], options[1::2], strict=True):
        payload[names[flag]] = value if flag == "--method" else json.loads(value)
    response = post(client, "/api/summarize", payload)
    assert response.status_code == 200
    assert response.json() == expected


def test_a_short_summary_carries_the_note_the_cli_prints(client: TestClient) -> None:
    record = post(client, "/api/summarize", {"text": SECURITY[0], "sentences": 3}).json()
    assert record["summary"] == [SECURITY[0]]
    assert record["notes"] == ["article has 1 sentence, fewer than the 3 asked"]


def test_summarize_one_text(client: TestClient) -> None:
    record = post(client, "/api/summarize", {"text": ARTICLES[0]["text"], "sentences": 1, "method": "lead"}).json()
    assert record == {"id": "1", "summary": [SECURITY[0]], "method": "lead"}


def test_model_describes_topics_thresholds_metrics_data_and_versions(client: TestClient, model: TopicModel) -> None:
    info = client.get("/api/model").json()
    assert info["topics"] == ["diplomacy", "middle-east", "security"]
    assert set(info["thresholds"]) == set(info["topics"]) and all(0 < t < 1 for t in info["thresholds"].values())
    assert "macro_f1" in info["cross_validation"]["metrics"] and info["cross_source"] is None
    assert info["training_data"]["sha256"] == model.meta.training_data.sha256
    assert info["training_data"]["articles"] == 24
    assert {"scikit-learn", "numpy", "classify (server)"} <= set(info["versions"])


# --- errors: JSON, the right status, one line -------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/tag", "/api/summarize"])
def test_wrong_content_type_is_415(client: TestClient, path: str) -> None:
    assert_error(client.post(path, content=b'{"text": "x"}', headers={"content-type": "text/plain"}), 415, "application/json")
    assert_error(client.post(path, data={"text": "x"}), 415)


@pytest.mark.parametrize(("payload", "words"), [
    (b"{not json", ["not valid JSON"]),
    (b'["a list"]', ["JSON object"]),
    (b"{}", ["`text`"]),
    (b'{"text": "   "}', ["`text`"]),
    (b'{"text": 5}', ["`text`"]),
    (b'{"articles": []}', ["non-empty list"]),
    (b'{"articles": "text"}', ["non-empty list"]),
    (b'{"articles": [{"text": "fine"}, {"title": "no text"}]}', ["articles[1]", "`text`"]),
    (b'{"articles": [{"text": "a"}], "text": "b"}', ["not both"]),
    (b'\xff\xfe{', ["not valid JSON"]),
])
def test_bad_input_is_400(client: TestClient, payload: bytes, words: list[str]) -> None:
    for path in ("/api/tag", "/api/summarize"):
        assert_error(client.post(path, content=payload, headers={"content-type": "application/json"}), 400, *words)


@pytest.mark.parametrize(("options", "words"), [
    ({"sentences": "three"}, ["sentences must be a whole number"]),
    ({"sentences": 2.5}, ["whole number"]),
    ({"sentences": True}, ["whole number"]),
    ({"sentences": 0}, ["at least 1"]),
    ({"ratio": 1.5}, ["ratio"]),
    ({"ratio": "20%"}, ["ratio must be a number"]),
    ({"words": -4}, ["words must be at least 1"]),
    ({"sentences": 2, "words": 30}, ["one summary length"]),
    ({"method": "magic"}, ["unknown summary method", "position-centrality"]),
    ({"method": None}, ["unknown summary method"]),
    ({"sentnces": 2}, ["unknown field 'sentnces'"]),
])
def test_bad_summary_parameters_are_422(client: TestClient, options: dict, words: list[str]) -> None:
    assert_error(post(client, "/api/summarize", {"text": ALL_THREE, **options}), 422, *words)


def test_summary_options_are_not_tag_options(client: TestClient) -> None:
    assert_error(post(client, "/api/tag", {"text": ALL_THREE, "sentences": 2}), 422, "unknown field 'sentences'")


def test_too_large_is_413_declared_or_streamed(client: TestClient) -> None:
    big = json.dumps({"text": "word " * 20_000}).encode()
    assert_error(client.post("/api/tag", content=big, headers={"content-type": "application/json"}), 413, "--max-body")

    def stream() -> Iterator[bytes]:  # no Content-Length: the limit holds on the bytes actually sent
        for _ in range(20):
            yield b" " * 5_000

    assert_error(client.post("/api/tag", content=stream(), headers={"content-type": "application/json"}), 413)
    assert post(client, "/api/tag", {"text": "word " * 1_000}).status_code == 200  # under the limit


def test_unknown_path_and_method_are_json(client: TestClient) -> None:
    assert_error(client.get("/api/nothing"), 404)
    assert_error(client.get("/api/tag"), 405)


def test_an_unexpected_failure_is_500_json_without_a_trace(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import classify.tagging

    def broken(*args: Any, **kwargs: Any) -> Never:
        raise RuntimeError("secret internals at /home/someone/file.py line 3")

    monkeypatch.setattr(classify.tagging, "tag_batch", broken)
    body = assert_error(post(client, "/api/tag", {"text": ALL_THREE}), 500, "unexpected RuntimeError")
    assert "secret" not in body["error"]


def test_unknown_host_is_refused(model: TopicModel) -> None:
    local = TestClient(create_app(model, allowed_hosts={"127.0.0.1", "localhost"}), base_url="http://127.0.0.1:8000")
    assert local.get("/api/model").status_code == 200
    assert_error(local.get("/api/model", headers={"host": "attacker.example"}), 400, "Host")
    assert_error(local.get("/", headers={"host": "attacker.example:8000"}), 400)


# --- reading dropped files ----------------------------------------------------------------------------


def upload(client: TestClient, *files: tuple[str, bytes], path: str = "/api/read", **fields: str) -> Response:
    return client.post(path, files=[("files", (name, data)) for name, data in files], data=fields)


def test_read_files_as_the_cli_reads_them(client: TestClient) -> None:
    text = f"title: Border strike\n\n{SECURITY[0]}\n".encode()
    page = f"<html><head><title>Talks</title></head><body><article><h1>Talks</h1><p>{DIPLOMACY[0]} {DIPLOMACY[1]}</p>" \
           f"<p>{DIPLOMACY[2]}</p></article></body></html>".encode()
    records = "".join(json.dumps(a) + "\n" for a in ARTICLES[:2]).encode()
    response = upload(client, ("story.txt", text), ("../../talks.html", page), ("batch.jsonl", records))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["problems"] == []
    articles = data["articles"]
    assert [a["id"] for a in articles] == ["story.txt", "talks.html", "all", "sport"]
    assert articles[0] == {"id": "story.txt", "title": "Border strike", "text": SECURITY[0]}
    assert DIPLOMACY[2] in articles[1]["text"] and "<p>" not in articles[1]["text"]


def test_read_reports_bad_records_and_keeps_the_rest(client: TestClient) -> None:
    records = (json.dumps(ARTICLES[0]) + "\n{broken\n").encode()
    data = upload(client, ("batch.jsonl", records)).json()
    assert [a["id"] for a in data["articles"]] == ["all"]
    assert len(data["problems"]) == 1 and data["problems"][0].startswith("batch.jsonl:2: ")


def test_read_errors(client: TestClient) -> None:
    assert_error(upload(client, ("report.pdf", b"%PDF-1.4")), 415, "report.pdf", ".txt")
    assert_error(upload(client, ("empty.txt", b"  \n")), 400, "empty.txt", "no text")
    assert_error(client.post("/api/read", json={"text": "x"}), 415, "multipart/form-data")
    assert_error(client.post("/api/read", data={"other": "field"}, files=[("other", ("a.txt", b"x"))]), 400, "`files`")
    assert_error(upload(client, ("big.txt", b"x" * 60_000)), 413)


def test_a_feed_becomes_the_digest_report(client: TestClient) -> None:
    response = upload(client, ("wire.rss", feed()), path="/api/digest", sentences="2")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["articles"] == 3 and data["stories"] == 3 and data["problems"] == []
    assert re.fullmatch(r"/digest/[\w-]{20,}", data["report"])
    report = client.get(data["report"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "Strike at the border" in report.text and "Envoys meet" in report.text
    assert "&lt;img src=x onerror=alert(1)&gt; Cup final" in report.text and "<img" not in report.text
    policy = report.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert report.headers["x-frame-options"] == "SAMEORIGIN"


def test_an_empty_feed_is_a_warning_and_skips_nothing(client: TestClient) -> None:
    empty = ("quiet.rss", EMPTY_FEEDS["quiet.rss"].encode())
    warning = ("Warning: quiet.rss: the feed has no entries; nothing was read from it (export or download it again if "
               "it should have some)")
    read = upload(client, empty, ("wire.rss", feed()))
    assert read.status_code == 200 and read.json()["problems"] == [warning]
    response = upload(client, empty, ("wire.rss", feed()), path="/api/digest")
    data = response.json()
    assert data["articles"] == 3 and data["problems"] == [warning]
    assert "could not be read" not in client.get(data["report"]).text


def test_digest_errors(client: TestClient) -> None:
    assert_error(upload(client, ("wire.rss", feed()), path="/api/digest", sentences="none"), 422, "sentences")
    assert_error(upload(client, ("notes.pdf", b"%PDF"), path="/api/digest"), 415, "notes.pdf")
    assert_error(client.get("/digest/not-a-report"), 404, "drop the files again")
