"""Render a `Digest` (classify.digest) as one self-contained HTML page, Markdown, or JSON.

Everything from an article is untrusted: HTML goes through Jinja2 with autoescaping, links are
kept only when they are http(s), and the page carries a Content-Security-Policy that allows no
script and only its own stylesheet (by hash), so even a mistake in escaping could not run code or
restyle the page. No external script, font or image: the file opens the same on an air-gapped machine.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from classify.digest import Digest, Story
from classify.links import http_link

TITLE = "News digest"


def render(report: Digest, fmt: str) -> str:
    """The report as text in `fmt` (html, md or json)."""
    return {"html": render_html, "md": render_markdown, "json": render_json}[fmt](report)


def render_json(report: Digest) -> str:
    """{"stories": [...], "other": [...], "counts": {...}}, for machines."""
    return json.dumps(report.record(), ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class Section:
    """One topic of the page: stories filed under it, and those tagged with it but filed under a better topic."""

    name: str
    anchor: str
    filed: list[Story]
    also: list[Story]

    @property
    def count(self) -> int:
        return len(self.filed) + len(self.also)


def sections(report: Digest) -> list[Section]:
    """Each story is shown in full once, under its best-scoring topic, and linked from its other topics'
    sections: a reader of one section sees every story of that topic, and the report does not repeat itself."""
    return [Section(name=topic, anchor=f"topic-{number}",
                    filed=[story for story in stories if story.topic == topic],
                    also=[story for story in stories if story.topic != topic])
            for number, (topic, stories) in enumerate(report.by_topic.items())]


@cache
def _template() -> tuple[Any, str, str]:
    """The page template, its stylesheet, and the stylesheet's hash for the page's content security policy."""
    import jinja2

    folder = resources.files("classify") / "templates"
    environment = jinja2.Environment(autoescape=True, trim_blocks=False, undefined=jinja2.StrictUndefined)
    css = (folder / "digest.css").read_text(encoding="utf-8")
    style_hash = "sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return environment.from_string((folder / "digest.html").read_text(encoding="utf-8")), css, style_hash


def render_html(report: Digest) -> str:
    """One HTML file for people: table of contents with counts, topics, stories, the untagged ones last."""
    template, css, style_hash = _template()
    everything = report.stories + report.other
    anchors = {story.id: f"story-{number}" for number, story in enumerate(everything)}
    return template.render(title=TITLE, css=css, style_hash=style_hash, counts=report.counts, summary=counts_line(report.counts),
                           sections=sections(report), other=report.other, anchors=anchors)


def counts_line(counts: dict[str, Any]) -> str:
    """The report's first line: articles, stories, and inputs that could not be read."""
    stories = counts["stories"] + counts["other"]
    line = (f"{plural(counts['articles'], 'article')} in {plural(stories, 'story', 'stories')}: {counts['stories']} with "
            f"topics, {counts['other']} other")
    if counts["skipped"]:
        line += f"; {plural(counts['skipped'], 'input')} could not be read (see the messages of the run)"
    return line + "."


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


# --- Markdown -----------------------------------------------------------------------------------------

URL_SAFE = ":/?#@!$&'*+,;=%-._~"
"""Characters a URL keeps as they are in a Markdown link; brackets, spaces and quotes are percent-encoded."""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|!~{}])")
_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")


def md_text(text: str) -> str:
    """Article text as literal Markdown on one line: no heading, link, HTML tag or emphasis can come from it."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _LINE_START.sub(r"\\\1", text)


def md_link(label: str, url: str) -> str:
    """`[label](url)` for an http(s) URL (with brackets, spaces and quotes percent-encoded), else the label alone."""
    url = http_link(url)
    if not url:
        return md_text(label)
    return f"[{md_text(label)}]({quote(url, safe=URL_SAFE)})"


def render_markdown(report: Digest) -> str:
    """Markdown for notes and tickets: the same sections as the HTML page."""
    counts = report.counts
    lines = [f"# {TITLE}", "", counts_line(counts), ""]
    all_sections = sections(report)
    lines += [f"- {md_text(section.name)} ({section.count})" for section in all_sections]
    lines += [f"- Other ({counts['other']})", ""]
    for section in all_sections:
        lines += [f"## {md_text(section.name)} ({section.count})", ""]
        for story in section.filed:
            lines += _md_story(story)
        if section.also:
            lines.append("Also tagged " + md_text(section.name) + ": " + "; ".join(
                f"{md_text(story.title)} (under {md_text(story.topic or '')})" for story in section.also))
            lines.append("")
    lines += ["## Other", ""]
    for story in report.other:
        where = f" · {md_text(', '.join(story.sources))}" if story.sources else ""
        lines.append(f"- {md_link(story.title, story.members[0].link)}{where}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_story(story: Story) -> list[str]:
    meta = " · ".join(part for part in (story.date, ", ".join(story.sources),
                                        f"{len(story.members)} articles" if len(story.members) > 1 else "") if part)
    lines = [f"### {md_text(story.title)}", ""]
    if meta:
        lines += [md_text(meta), ""]
    lines.append("Tags: " + ", ".join(f"{md_text(label)} {story.scores[label]:.2f}" for label in story.labels))
    lines.append("")
    lines += [f"> {md_text(sentence)}" for sentence in story.summary]
    if story.summary:
        lines.append("")
    lines += [f"- why {md_text(label)}: {md_text(', '.join(terms)) or 'overall wording'}"
              for label, terms in story.reasons.items()]
    lines.append("")
    if len(story.members) > 1:
        for member in story.members:
            extra = "".join(f" · {md_text(part)}" for part in (member.source, member.date) if part)
            lines.append(f"- {md_link(member.title or member.id, member.link)}{extra}")
        lines.append("")
    return lines
