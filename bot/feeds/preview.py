"""Preview a feed: every entry (newest first) with the threads it would become.

The same build and validation as ``threadbot preview`` (``pipeline.prepare``), per
entry. An entry with only a summary has its post's page fetched and read as HTML,
unless ``fetch_pages`` is off (``--no-fetch``): then the summary is used. Posts
nothing, stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.feeds.articles import entry_article
from bot.web.pages import is_url
from threads.errors import ArticleError, ThreadbotError
from threads.feeds import Feed, FeedEntry, parse_feed
from threads.options import BuildOptions
from threads.pipeline import Prepared, prepare
from threads.templates import TemplateSet


@dataclass(frozen=True)
class EntryPreview:
    entry: FeedEntry
    prepared: Prepared | None
    # Why the entry became no threads (no text, a page that could not be fetched…).
    problem: str | None = None


@dataclass(frozen=True)
class FeedPreview:
    feed: Feed
    source: str
    entries: tuple[EntryPreview, ...]

    @property
    def has_errors(self) -> bool:
        return any(
            item.problem is not None or (item.prepared is not None and not item.prepared.postable)
            for item in self.entries
        )


def read_feed(source: str, *, max_bytes: int) -> Feed:
    """The feed at a URL or in a file (an unreadable one is an ArticleError, exit 2)."""
    if is_url(source):
        from bot.feeds.http import FeedFetchError, fetch_feed

        try:
            response = fetch_feed(source, max_bytes=max_bytes)
        except FeedFetchError as error:
            raise ArticleError(source, str(error).removeprefix(f"{source}: ")) from None
        return parse_feed(response.body or b"", response.url)
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(path, "no such file: check the path to the feed") from None
    except OSError as error:
        raise ArticleError(path, f"cannot read the file ({error.strerror})") from None
    return parse_feed(data, str(path))


def entry_preview(
    entry: FeedEntry,
    options: BuildOptions,
    templates: TemplateSet,
    *,
    fetch_pages: bool,
    config_path: str,
    for_posting: bool = False,
) -> EntryPreview:
    """One entry's threads and findings, or why it has none."""
    try:
        article = entry_article(entry, options, fetch_pages=fetch_pages)
        prepared = prepare(
            article, options, templates, config_path=config_path, for_posting=for_posting
        )
    except ThreadbotError as error:
        return EntryPreview(entry, None, str(error))
    return EntryPreview(entry, prepared)


def preview_feed(
    source: str,
    options: BuildOptions,
    templates: TemplateSet,
    *,
    fetch_pages: bool = True,
    limit: int | None = None,
    config_path: str = "config",
) -> FeedPreview:
    feed = read_feed(source, max_bytes=options.threads.max_article_bytes)
    chosen = feed.entries[:limit] if limit is not None else feed.entries
    return FeedPreview(
        feed=feed,
        source=source,
        entries=tuple(
            entry_preview(
                entry, options, templates, fetch_pages=fetch_pages, config_path=config_path
            )
            for entry in chosen
        ),
    )
