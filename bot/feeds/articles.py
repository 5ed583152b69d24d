"""A feed entry as an article: what polling queues and what a feed preview shows are
built from the same article."""

from __future__ import annotations

from bot.web.pages import fetch_page
from threads.article import Article
from threads.feeds import FeedEntry, article_from_entry
from threads.options import BuildOptions


def entry_article(entry: FeedEntry, options: BuildOptions, *, fetch_pages: bool) -> Article:
    """The entry as an article: its full content, else its page (fetched), else its
    summary. Raises ThreadbotError when neither can be read."""
    page = None
    if not entry.has_full_content and fetch_pages and entry.url:
        page = fetch_page(entry.url, max_bytes=options.threads.max_article_bytes).text
    return article_from_entry(entry, page_html=page, language=options.sentence_language)
