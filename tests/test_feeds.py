"""Feeds read into entries (RSS, Atom, JSON Feed), identities, and entries into articles."""

from __future__ import annotations

import datetime as dt

import pytest

from threads.errors import ArticleError
from threads.feeds import article_from_entry, canonical_url, parse_feed

from .conftest import ROOT

FEEDS = ROOT / "tests" / "feeds"


def read(name: str):  # type: ignore[no-untyped-def]
    return parse_feed((FEEDS / name).read_bytes(), str(FEEDS / name))


def test_rss_with_full_content() -> None:
    """Title, home, entries newest first; guid wins as id; relative links resolved."""
    feed = read("rss-full.xml")
    assert (feed.title, feed.url, feed.warnings) == (
        "Example Blog",
        "https://blog.example.org/",
        (),
    )
    assert [e.id for e in feed.entries] == [
        "post-2025-seoul",
        "https://blog.example.org/2024/older/",
    ]
    first = feed.entries[0]
    assert first.published == dt.datetime(2025, 5, 1, 0, 0, tzinfo=dt.UTC)
    assert first.has_full_content
    assert first.canonical == "https://blog.example.org/2025/seoul"


def test_entry_becomes_an_article() -> None:
    """Full content is read as HTML; the entry's title, link and date are the article's."""
    article = article_from_entry(read("rss-full.xml").entries[0])
    assert article.title == "Why Seoul Builds Data Centres"
    assert article.url == "https://blog.example.org/2025/seoul/?utm_source=rss"
    assert article.date == dt.date(2025, 5, 1)
    assert [s.heading for s in article.sections] == ["Power", "Next"]


def test_summary_only_entry_uses_the_page_or_the_summary() -> None:
    """Without full content, the fetched page is read; without a page, the summary."""
    entry = read("rss-summary.xml").entries[0]
    assert not entry.has_full_content
    assert article_from_entry(entry).sections[0].sentences[0].text == (
        "Only the first lines of the post are here."
    )
    page = (ROOT / "tests" / "articles" / "saved-page.html").read_text(encoding="utf-8")
    from_page = article_from_entry(entry, page_html=page)
    # The fetched page's own canonical link and title win over the feed's.
    assert from_page.url == "https://blog.example.org/2025/seoul-data-centres/"
    assert from_page.title == "Why Seoul Builds Data Centres"


def test_atom_feed_in_korean() -> None:
    """Atom entries with HTML content; the language comes from the text."""
    entry = read("atom.xml").entries[0]
    assert (entry.id, entry.url) == (
        "tag:ko.example.org,2025:helm-3",
        "https://ko.example.org/helm-3/",
    )
    article = article_from_entry(entry)
    assert article.language == "ko"
    assert len(article.sections[0].sentences) == 2


def test_json_feed() -> None:
    """JSON Feed items, content_html or content_text, newest first."""
    feed = read("feed.json")
    assert feed.title == "JSON Blog"
    assert [e.id for e in feed.entries] == ["2", "1"]
    assert [s.text for s in article_from_entry(feed.entries[0]).sections[0].sentences] == [
        "Plain text content here.",
        "A second paragraph of it.",
    ]


def test_malformed_feed_is_read_with_a_warning() -> None:
    """feedparser's bozo flag becomes a warning; the entries that can be read are used."""
    feed = read("malformed.xml")
    assert len(feed.warnings) == 1
    assert "not well-formed" in feed.warnings[0]
    assert [e.title for e in feed.entries] == ["Still readable"]


@pytest.mark.parametrize("text", ["not a feed at all", '{"json": true}'])
def test_not_a_feed(text: str) -> None:
    """Something that is no feed is one ArticleError naming the source."""
    with pytest.raises(ArticleError, match=r"source\.xml"):
        parse_feed(text, "source.xml")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("http://blog.org/post/", "https://blog.org/post"),
        ("https://www.blog.org/post", "https://blog.org/post/"),
        ("https://blog.org/post?utm_source=x&utm_medium=y", "https://blog.org/post"),
        ("https://blog.org/post#comments", "https://BLOG.org/post"),
        ("https://blog.org/p?b=2&a=1", "https://blog.org/p?a=1&b=2"),
    ],
)
def test_canonical_url_dedupes_spellings(first: str, second: str) -> None:
    """The same post through two feeds or spellings has one canonical URL."""
    assert canonical_url(first) == canonical_url(second)


def test_canonical_url_keeps_different_posts_apart() -> None:
    """Different paths or real query parameters stay different."""
    assert canonical_url("https://blog.org/a") != canonical_url("https://blog.org/b")
    assert canonical_url("https://blog.org/?p=1") != canonical_url("https://blog.org/?p=2")


def test_cut_summary_ends_at_its_last_whole_sentence() -> None:
    """A summary cut off mid-sentence ("Sorting data …") loses the fragment, not a crumb."""
    from dataclasses import replace

    entry = read("rss-summary.xml").entries[0]
    cut = replace(entry, summary_html="<p>The first sentence is whole. Sorting data …</p>")
    assert [s.text for s in article_from_entry(cut).sections[0].sentences] == [
        "The first sentence is whole."
    ]


def test_json_feed_with_a_bom_and_odd_fields() -> None:
    """A BOM before a JSON Feed is fine; a field of the wrong type is ignored, not a crash."""
    import json

    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "home_page_url": 3,
        "items": [
            {
                "id": "1",
                "url": "https://j.org/1",
                "title": "One",
                "content_html": {"x": 1},
                "content_text": "Plain words here. Two sentences.",
            },
        ],
    }
    feed = parse_feed(("\ufeff" + json.dumps(data)).encode(), "feed.json")
    assert (feed.title, feed.url) == ("T", None)
    assert article_from_entry(feed.entries[0]).sections[0].sentences[0].text == "Plain words here."
