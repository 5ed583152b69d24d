"""Following a feed: new means new — no re-posts, no floods, edits counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.feeds.entries import EntryAction as Action
from bot.feeds.entries import classify_entries, entry_digest
from bot.store import KnownEntry as Known
from threads.feeds import FeedEntry

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def entry(
    key: str, *, days_ago: float = 1, url: str | None = None, text: str = "<p>x</p>"
) -> FeedEntry:
    return FeedEntry(
        id=key,
        title=f"Post {key}",
        url=url or f"https://blog.org/{key}/",
        published=NOW - dt.timedelta(days=days_ago),
        updated=None,
        content_html=text,
        summary_html=None,
    )


def actions(entries, known=None, seen=(), first_poll=False, backfill=0):  # type: ignore[no-untyped-def]
    return [
        (d.entry.id, d.action)
        for d in classify_entries(
            entries, known or {}, seen, first_poll=first_poll, backfill=backfill, now=NOW
        )
    ]


def test_first_poll_marks_everything_seen() -> None:
    """Adding a feed queues nothing of what it already holds."""
    assert actions([entry("a"), entry("b")], first_poll=True) == [
        ("a", Action.SEEN),
        ("b", Action.SEEN),
    ]


def test_backfill_queues_the_newest_n() -> None:
    """--backfill N queues the N newest, the rest is seen."""
    entries = [entry("a", days_ago=1), entry("b", days_ago=2), entry("c", days_ago=3)]
    assert actions(entries, first_poll=True, backfill=2) == [
        ("a", Action.NEW),
        ("b", Action.NEW),
        ("c", Action.SEEN),
    ]


def test_new_entry_is_new_and_known_entries_stay_put() -> None:
    """An unknown entry is new; a known one with the same text is unchanged."""
    old = entry("a")
    known = {"a": Known(entry_digest(old))}
    assert actions([entry("b"), old], known) == [("b", Action.NEW), ("a", Action.UNCHANGED)]


@pytest.mark.parametrize(
    "change",
    [
        {"published": NOW - dt.timedelta(minutes=1)},  # re-dated to look brand new
        {"title": "A new title"},
        {"content_html": "<p>edited text</p>"},
    ],
)
def test_redated_or_edited_entry_is_never_queued_again(change: dict[str, object]) -> None:
    """Dates never make an entry new again; a changed title or text is an edit."""
    original = entry("a", days_ago=300)
    known = {"a": Known(entry_digest(original))}
    expected = Action.UNCHANGED if "published" in change else Action.EDITED
    assert actions([replace(original, **change)], known) == [("a", expected)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "http://blog.org/a",
        "https://www.blog.org/a/",
        "https://blog.org/a/?utm_source=category-feed",
    ],
)
def test_same_post_through_another_feed_is_a_duplicate(url: str) -> None:
    """An unknown id whose canonical URL was already seen is the same post."""
    assert actions([entry("other-id", url=url)], seen={"https://blog.org/a"}) == [
        ("other-id", Action.DUPLICATE)
    ]


def test_same_post_twice_in_one_poll() -> None:
    """Two entries of one poll pointing at one post: the second is a duplicate."""
    twins = [entry("x", url="https://blog.org/p/"), entry("y", url="http://blog.org/p")]
    assert actions(twins) == [("x", Action.NEW), ("y", Action.DUPLICATE)]


def test_future_entry_waits_until_its_date() -> None:
    """An entry dated in the future waits; once its date has come it is new."""
    future = entry("f", days_ago=-2)
    assert actions([future]) == [("f", Action.WAIT)]
    known = {"f": Known(entry_digest(future), waiting_until=future.published)}
    assert actions([future], known) == [("f", Action.WAIT)]
    arrived = replace(future, published=NOW - dt.timedelta(minutes=5))
    assert actions([arrived], {"f": Known(entry_digest(future), waiting_until=NOW)}) == [
        ("f", Action.NEW)
    ]
