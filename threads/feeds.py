"""Blog feeds (RSS 2.0, Atom, JSON Feed) read into entries, and entries into articles.

RSS and Atom go through feedparser, which also copes with malformed XML (its "bozo"
flag becomes a warning; what can be read is used). JSON Feed is plain JSON that
feedparser does not read, so its few fields are mapped here from :mod:`json`.

An entry is identified by its guid/id, else its link, else its title: the identity
never depends on dates, so a re-dated entry is the same entry. :func:`canonical_url`
is the second key for "the same post through two feeds": scheme, ``www.``, a trailing
slash, ``utm_*`` parameters and the fragment do not make a different post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from threads.article import Article
from threads.assembly import assemble
from threads.errors import ArticleError
from threads.outline import Outline
from threads.readers import read


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str | None
    published: dt.datetime | None
    updated: dt.datetime | None
    content_html: str | None
    summary_html: str | None

    @property
    def has_full_content(self) -> bool:
        return bool(self.content_html and self.content_html.strip())

    @property
    def canonical(self) -> str | None:
        return canonical_url(self.url) if self.url else None


@dataclass(frozen=True)
class Feed:
    title: str
    url: str | None
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...] = ()


def parse_feed(data: bytes | str, source: str) -> Feed:
    """The feed in ``data`` (fetched from, or read at, ``source``); newest entries first."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _json_feed(text, source)
    import feedparser  # ~60 ms; only feed commands need it

    parsed = feedparser.parse(data if isinstance(data, bytes) else text.encode("utf-8"))
    if not parsed.entries and not parsed.feed:
        reason = str(parsed.get("bozo_exception", "no RSS, Atom or JSON Feed found"))
        raise ArticleError(source, f"is not a feed ({reason}): give the feed's URL or file")
    base = parsed.feed.get("link") or source
    warnings: tuple[str, ...] = ()
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        warnings = (f"the feed is not well-formed ({problem}); what could be read is used",)
    entries = [
        FeedEntry(
            id=_identity(
                entry.get("id"), link := _absolute(entry.get("link"), base), entry.get("title")
            ),
            title=_title(entry.get("title")),
            url=link,
            published=_time(entry.get("published_parsed")),
            # Only a real updated date: feedparser's get() falls back to the published one.
            updated=_time(dict.get(entry, "updated_parsed")),
            content_html=_first_content(entry.get("content")),
            summary_html=entry.get("summary"),
        )
        for entry in parsed.entries
    ]
    return Feed(
        title=" ".join(str(parsed.feed.get("title") or source).split()),
        url=parsed.feed.get("link"),
        entries=tuple(_newest_first(entries)),
        warnings=warnings,
    )


def _json_feed(text: str, source: str) -> Feed:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except ValueError as error:
        raise ArticleError(source, f"is not valid JSON ({error}): check the feed") from None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise ArticleError(source, "is JSON but not a JSON Feed (no jsonfeed.org version)")
    home = data.get("home_page_url")
    base = home if isinstance(home, str) and home else source
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = _absolute(item.get("url") or item.get("external_url"), base)
        entries.append(
            FeedEntry(
                id=_identity(item.get("id"), link, item.get("title")),
                title=_title(item.get("title")),
                url=link,
                published=_iso(item.get("date_published")),
                updated=_iso(item.get("date_modified")),
                content_html=_string(item.get("content_html"))
                or _text_as_html(item.get("content_text")),
                summary_html=_string(item.get("summary")),
            )
        )
    return Feed(
        title=_title(data.get("title")) if data.get("title") else source,
        url=home if isinstance(home, str) else None,
        entries=tuple(_newest_first(entries)),
    )


def article_from_entry(
    entry: FeedEntry, *, page_html: str | None = None, language: str | None = None
) -> Article:
    """The article an entry is: its full content, else the fetched page, else its summary.

    The entry's title, link and date are the article's (the page's own canonical link
    and title win when the page was fetched)."""
    if entry.has_full_content:
        html = entry.content_html or ""
    elif page_html is not None:
        html = page_html
    else:
        html = entry.summary_html or ""
    name = entry.url or entry.id
    if not html.strip():
        raise ArticleError(name, "the feed entry has no text: nothing to make threads from")
    outline = read(html, name, "html")
    if not entry.has_full_content and page_html is None:
        _drop_cut_sentence(outline)
    meta = outline.meta
    if page_html is None or not meta.title:
        meta.title = entry.title
    if page_html is None or not meta.url:
        meta.url = entry.url
    if entry.published is not None:
        meta.date = entry.published.date()
    # The title is posted too (as the first section's heading): its figures are the
    # article's own.
    outline.source_text = f"{entry.title}\n{outline.source_text}"
    return assemble(outline, language=language)


_CUT = re.compile(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
_SENTENCE_END = re.compile(r"[.!?。！？][\"”’)]*(?=\s)")


def _drop_cut_sentence(outline: Outline) -> None:
    """A summary cut off mid-sentence ("Sorting data …") ends at its last whole sentence."""
    for index in range(len(outline.blocks) - 1, -1, -1):
        block = outline.blocks[index]
        if block.kind not in ("text", "item"):
            continue
        if _CUT.search(block.text):
            ends = list(_SENTENCE_END.finditer(block.text))
            if ends:
                outline.blocks[index] = replace(block, text=block.text[: ends[-1].end()])
            else:
                del outline.blocks[index]
        return


def canonical_url(url: str) -> str:
    """One spelling per post: https, no www., no trailing slash, no utm_*, no fragment."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.startswith("utm_")
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def _string(value: object) -> str | None:
    """A JSON Feed text field, or None when it holds something else."""
    return value if isinstance(value, str) else None


def _title(value: object) -> str:
    """One line; entities a feed escaped twice ("Q&amp;amp;A") decoded once more."""
    import html

    title = " ".join(str(value or "").split())
    if re.search(r"&(?:[a-z]+|#\d+);", title):
        title = html.unescape(title)
    return title or "(untitled)"


def _identity(given: object, link: str | None, title: object) -> str:
    if isinstance(given, str) and given.strip():
        return given.strip()
    if link:
        return link
    digest = hashlib.sha256(str(title or "").encode()).hexdigest()[:16]
    return f"untitled:{digest}"


def _absolute(link: object, base: str) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    return urljoin(base, link.strip())


def _first_content(contents: object) -> str | None:
    if not isinstance(contents, list):
        return None
    for content in contents:
        value = content.get("value") if isinstance(content, dict) else None
        if value and str(value).strip():
            return str(value)
    return None


def _time(value: object) -> dt.datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    import time

    if not isinstance(value, time.struct_time):
        return None
    try:
        return dt.datetime(*value[:6], tzinfo=dt.UTC)
    except ValueError:
        return None


def _iso(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _text_as_html(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    import html

    return "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in text.split("\n\n"))


def _newest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """By date, newest first; undated entries keep their feed order after dated ones."""
    dated = sorted(
        (e for e in entries if (e.published or e.updated)),
        key=lambda e: e.published or e.updated or dt.datetime.min.replace(tzinfo=dt.UTC),
        reverse=True,
    )
    return dated + [e for e in entries if not (e.published or e.updated)]
