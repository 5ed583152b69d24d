"""The Markdown article format: YAML front matter, ATX headings, paragraphs, lists.

Front matter keys: ``title``, ``url``, ``date`` (YYYY-MM-DD), ``tags``. A single ``#``
heading is the title when front matter has none; ``##`` and deeper headings start
sections. Inline links keep their text (the URL is remembered for reference entries);
code spans, emphasis and images are reduced to their text. Fenced code is skipped.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from threads.blocks import Block, Outline, starts_with_symbol
from threads.errors import ArticleError

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_RECOMMEND_LINE = re.compile(r"^I recommend @")
_FRONT_MATTER_KEYS = frozenset({"title", "url", "date", "tags"})


def parse_markdown(text: str, path: str) -> Outline:
    metadata, body, offset = _front_matter(text, path)
    blocks: list[Block] = []
    paragraph: list[str] = []
    links: list[str] = []
    paragraph_line = 0
    in_fence = False
    title_from_heading: str | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(Block("text", " ".join(paragraph), paragraph_line, tuple(links)))
            paragraph.clear()
            links.clear()

    for index, raw in enumerate(body.splitlines()):
        number = index + 1 + offset
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not stripped:
            flush()
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            level = len(heading.group("level"))
            heading_text, _ = _inline(heading.group("text"))
            if level == 1 and title_from_heading is None and not blocks:
                title_from_heading = heading_text
            blocks.append(Block("heading", heading_text, number))
            continue
        item = _LIST_ITEM.match(raw)
        if item:
            flush()
            item_text, item_links = _inline(item.group("text"))
            blocks.append(Block("item", item_text, number, tuple(item_links)))
            continue
        line_text, line_links = _inline(stripped)
        if line_text.lower().startswith("source:"):
            flush()
            blocks.append(Block("source", line_text, number))
            continue
        if starts_with_symbol(line_text) or _RECOMMEND_LINE.match(line_text):
            # Calls to action stand on their own lines, blank-separated or not.
            flush()
            blocks.append(Block("text", line_text, number, tuple(line_links)))
            continue
        if not paragraph:
            paragraph_line = number
        paragraph.append(line_text)
        links.extend(line_links)
    flush()

    title = metadata.get("title") or title_from_heading
    return Outline(
        path=path,
        source_text=text,
        blocks=blocks,
        title=str(title) if title else None,
        url=str(metadata["url"]) if metadata.get("url") else None,
        date=_date(metadata.get("date"), path),
        tags=_tags(metadata.get("tags"), path),
        drop_title_heading=title_from_heading is not None,
    )


def _front_matter(text: str, path: str) -> tuple[dict[str, object], str, int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    try:
        data = yaml.safe_load(match.group("body")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise ArticleError(path, f"front matter is not valid YAML: {error}", line) from None
    if not isinstance(data, dict):
        raise ArticleError(path, "front matter must be a mapping of keys to values", 2)
    unknown = sorted(set(data) - _FRONT_MATTER_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_FRONT_MATTER_KEYS))
        raise ArticleError(
            path, f"unknown front matter key {unknown[0]!r}: use one of {allowed}", 2
        )
    consumed = match.group(0).count("\n")
    return data, text[match.end() :], consumed


def _tags(value: object, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(tag) for tag in value)
    raise ArticleError(path, "front matter tags must be a list of words", 2)


def _date(value: object, path: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ArticleError(
            path, f"front matter date {value!r} is not a date: write it as YYYY-MM-DD", 2
        ) from None


def _inline(text: str) -> tuple[str, list[str]]:
    """Markdown inline markup reduced to the words a reader sees, plus link targets."""
    links = [match.group("url") for match in _LINK.finditer(text)]
    links += _AUTOLINK.findall(text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE_SPAN.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return text.strip(), links
