"""Records (a JSON object, a CSV row) and labels into `Article`s, whatever format they came in."""

from __future__ import annotations

from typing import Any

from classify.articles import Article
from classify.errors import SURROGATES

NO_TOPICS = {"", "none", "-"}


def parse_labels(value: Any) -> frozenset[str]:
    """Labels from a JSON list or a comma/semicolon-separated string; `none` means no topic."""
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValueError("labels must be a list of topic names or a comma-separated string")
    labels = {clean(item).strip() for item in value}
    return frozenset(label for label in labels if label.lower() not in NO_TOPICS)




def clean(text: str) -> str:
    """JSON may carry lone surrogates (half an emoji); they cannot be written out, so replace them."""
    return SURROGATES.sub("\ufffd", text) if SURROGATES.search(text) else text


def record_to_article(record: Any, default_id: str, require_labels: bool = False) -> Article:
    """The article a record describes; a ValueError says what is wrong with it, for the reader to report."""
    if not isinstance(record, dict):
        raise ValueError("a record must be a JSON object with a `text` field")
    text = record.get("text")
    if isinstance(text, str) and not text.strip():
        raise ValueError("`text` is empty; the record was skipped (give the article text, or leave the record out)")
    if not isinstance(text, str):
        raise ValueError("record has no `text`; every record needs the article text in `text`")
    labels = record.get("labels")
    if require_labels and labels is None:
        raise ValueError('record has no `labels`; give its topics (e.g. "labels": ["security"], or [] for none)')
    summary = record.get("summary")
    if isinstance(summary, str):
        summary = summary.split("\n")
    elif summary is not None and not (isinstance(summary, list) and all(isinstance(s, str) for s in summary)):
        raise ValueError("`summary` must be a string or a list of sentences (strings)")
    if summary is not None:
        summary = [sentence for sentence in summary if sentence.strip()]  # [""] is no reference, not an empty one
    record_id = record.get("id")
    return Article(
        id=default_id if record_id is None or record_id == "" else clean(str(record_id)),
        title=clean(str(record.get("title") or "")),
        text=clean(text),
        labels=None if labels is None else parse_labels(labels),
        unknown_labels=parse_labels(record.get("unknown_labels") or []),
        summary=None if summary is None else tuple(clean(s) for s in summary),
        **_provenance(record),
    )


def _provenance(record: dict[str, Any]) -> dict[str, str]:
    """Outlet, link and date of a record, under the names exports use; an `outlet` (also in `meta`, as in the
    allsides corpus) comes before a `source`, which some corpora use for where the data set came from."""
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    found = {}
    for field, names in (("source", ("outlet", "source")), ("link", ("link", "url")), ("date", ("date", "published"))):
        values = (container.get(name) for name in names for container in (record, meta))
        found[field] = clean(next((value.strip() for value in values if isinstance(value, str) and value.strip()), ""))
    return found
