"""Following feeds: one poll from HTTP to queued threads, on a real SQLite store and a
local HTTP server whose feed changes between polls."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.feeds.polling import FeedSettings, poll_due, poll_feed
from bot.settings import load_settings
from bot.store import Store
from bot.store.schema import entries_table, feeds_table, threads_table

from .conftest import write_publish_config
from .http_server import LocalServer, Reply, Request, serve

NOW = dt.datetime(2025, 6, 10, 8, 0, tzinfo=dt.UTC)  # a Tuesday; posts are dated June 1-9


def item(
    key: str,
    day: int,
    *,
    link: str | None = None,
    text: str | None = None,
    title: str | None = None,
) -> str:
    body = text or (
        f"<h2>Part {key}</h2><p>Post {key} has real prose in it. It says two things about {key}.</p>"
    )
    return (
        f"<item><title>{title or 'Post ' + key}</title><link>{link or f'https://blog.gonogo.kr/posts/{key}/'}</link>"
        f"<guid>{key}</guid><pubDate>{day:02d} Jun 2025 06:00:00 +0000</pubDate>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>GONOGO</title><link>https://blog.gonogo.kr/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


class Feed:
    """A feed served with an ETag of its content, so an unchanged feed answers 304."""

    def __init__(self, *items: str) -> None:
        self.body = rss(*items)

    def __call__(self, request: Request) -> Reply:
        etag = f'"{hash(self.body)}"'
        if request.headers.get("if-none-match") == etag:
            return Reply(304)
        return Reply(200, self.body, {"ETag": etag, "Content-Type": "application/rss+xml"})


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve() as local:
        yield local


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.fixture
def settings(tmp_path: Path) -> FeedSettings:
    loaded = load_settings(write_publish_config(tmp_path))
    return dataclasses.replace(
        FeedSettings.from_settings(loaded),
        options=loaded.build_options,
        poll_minutes=15,
        default_slots="daily 09:00",
        default_timezone="UTC",
    )


def follow(store: Store, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
    options = {
        "slots": None,
        "timezone": None,
        "sections": "all",
        "backfill": 0,
        "poll_minutes": None,
    }
    options.update(kwargs)
    return store.feeds.add(url, now=NOW, **options)  # type: ignore[arg-type]


def poll(store: Store, settings: FeedSettings, url: str, now: dt.datetime = NOW, **kwargs: object):  # type: ignore[no-untyped-def]
    record = store.feeds.get(url)
    assert record is not None
    return poll_feed(store, record, settings, now, **kwargs)  # type: ignore[arg-type]


def queued_threads(store: Store) -> list[tuple[str, str, dt.datetime]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                threads_table.c.key, threads_table.c.article, threads_table.c.due_at
            ).order_by(threads_table.c.id)
        ).all()
    return [(r.key, r.article, r.due_at.replace(tzinfo=dt.UTC)) for r in rows]


def test_added_feed_floods_nothing_then_queues_a_new_post(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """What a feed holds when added is seen, not queued; a post added later is queued
    into the next free slots, each section a thread."""
    feed = Feed(item("a", 1), item("b", 2))
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    first = poll(store, settings, url)
    assert (first.seen, first.queued) == (2, [])
    assert queued_threads(store) == []

    feed.body = rss(item("c", 3), item("a", 1), item("b", 2))
    second = poll(store, settings, url, NOW + dt.timedelta(minutes=20))
    assert [entry.id for entry, _ in second.queued] == ["c"]
    assert queued_threads(store) == [
        ("c#1", "https://blog.gonogo.kr/posts/c/", dt.datetime(2025, 6, 10, 9, 0, tzinfo=dt.UTC))
    ]
    record = store.feeds.get(url)
    assert record is not None
    assert (record.seen, record.queued, record.refused) == (3, 1, 0)


def test_unchanged_feed_costs_a_304_and_no_parse(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """The second poll of an unchanged feed sends its ETag back and gets 304."""
    server.routes["/feed.xml"] = Feed(item("a", 1))
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    report = poll(store, settings, url, NOW + dt.timedelta(minutes=20))
    assert report.result == "not modified"
    assert server.requests[-1].headers["if-none-match"].startswith('"')
    assert server.count("/feed.xml") == 2


def test_redated_and_edited_posts_are_never_queued_again(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A queued post re-dated to today, or edited, stays queued once; edits are counted."""
    feed = Feed()
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("a", 1))
    poll(store, settings, url, NOW + dt.timedelta(minutes=20))
    feed.body = rss(
        item(
            "a",
            2,
            text="<p>Edited text of the post a. It changed a lot since.</p>",
            title="Post a (updated)",
        )
    )
    report = poll(store, settings, url, NOW + dt.timedelta(minutes=40))
    assert report.queued == []
    assert [e.id for e in report.edited] == ["a"]
    assert len(queued_threads(store)) == 1
    record = store.feeds.get(url)
    assert record is not None
    assert record.edits == 1


def test_same_post_through_two_feeds_is_queued_once(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A category feed and the main feed, http vs https, utm_*: one post, queued once."""
    main, category = Feed(), Feed()
    server.routes.update({"/feed.xml": main, "/tag/korea.xml": category})
    for path in ("/feed.xml", "/tag/korea.xml"):
        follow(store, server.url + path)
        poll(store, settings, server.url + path)
    main.body = rss(item("p", 3))
    category.body = rss(
        item("cat-guid", 3, link="http://www.blog.gonogo.kr/posts/p?utm_source=tag")
    )
    poll(store, settings, server.url + "/feed.xml", NOW + dt.timedelta(minutes=20))
    report = poll(store, settings, server.url + "/tag/korea.xml", NOW + dt.timedelta(minutes=20))
    assert [e.id for e in report.duplicates] == ["cat-guid"]
    assert [key for key, _, _ in queued_threads(store)] == ["p#1"]


def test_backfill_and_sections(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """--backfill 1 queues the newest post only; --sections first queues one thread."""
    two_sections = "<h2>One</h2><p>First part has prose. Two sentences.</p><h2>Two</h2><p>Second part has prose. Two sentences too.</p>"
    server.routes["/feed.xml"] = Feed(
        item("new", 2, text=two_sections), item("old", 1, text=two_sections)
    )
    url = server.url + "/feed.xml"
    follow(store, url, backfill=1, sections="first", slots="Mon-Fri 12:00")
    report = poll(store, settings, url)
    assert [e.id for e, _ in report.queued] == ["new"]
    assert report.seen == 1
    assert queued_threads(store) == [
        (
            "new#1",
            "https://blog.gonogo.kr/posts/new/",
            dt.datetime(2025, 6, 10, 12, 0, tzinfo=dt.UTC),
        )
    ]


def test_invalid_post_is_refused_with_its_reason(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """An entry with validation errors is not queued; the reason is kept."""
    feed = Feed()
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("x", 3, text="<p>" + "x" * 300 + "</p>"))
    report = poll(store, settings, url, NOW + dt.timedelta(minutes=20))
    assert [e.id for e, _ in report.refused] == ["x"]
    assert "unsplittable-word" in report.refused[0][1]
    refused = store.feeds.refused()
    assert [(r.title, "unsplittable-word" in (r.reason or "")) for r in refused] == [
        ("Post x", True)
    ]
    assert queued_threads(store) == []


def test_summary_only_entry_fetches_the_post_page(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """An entry with only a summary has its page fetched and read as HTML."""
    page = (
        b'<html><head><link rel="canonical" href="https://blog.gonogo.kr/posts/s/"></head>'
        b"<body><article><h2>Full</h2><p>The whole post is on the page. It is long enough.</p>"
        b"</article></body></html>"
    )
    feed = Feed()
    server.routes.update(
        {"/feed.xml": feed, "/posts/s/": Reply(200, page, {"Content-Type": "text/html"})}
    )
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss().replace(
        b"</channel>",
        f"<item><title>S</title><link>{server.url}/posts/s/</link><guid>s</guid>"
        f"<pubDate>09 Jun 2025 06:00:00 +0000</pubDate><description>Only a teaser.</description></item></channel>".encode(),
    )
    report = poll(store, settings, url, NOW + dt.timedelta(days=1))
    assert [e.id for e, _ in report.queued] == ["s"]
    assert server.count("/posts/s/") == 1


def test_future_post_waits_for_its_date(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """An entry dated in the future is left until its date, then queued once."""
    feed = Feed()
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("f", 20))
    waiting = poll(store, settings, url, NOW + dt.timedelta(minutes=20))
    assert ([e.id for e in waiting.waiting], waiting.queued) == (["f"], [])
    later = poll(store, settings, url, dt.datetime(2025, 6, 20, 7, 0, tzinfo=dt.UTC))
    assert [e.id for e, _ in later.queued] == ["f"]
    again = poll(store, settings, url, dt.datetime(2025, 6, 20, 8, 0, tzinfo=dt.UTC))
    assert again.queued == []
    assert len(queued_threads(store)) == 1


def test_rate_limited_feed_backs_off_past_retry_after(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A 429 with Retry-After: the next check is no sooner; failures are counted."""
    server.routes["/feed.xml"] = Reply(429, headers={"Retry-After": "7200"})
    url = server.url + "/feed.xml"
    follow(store, url)
    report = poll(store, settings, url)
    assert report.failed
    record = store.feeds.get(url)
    assert record is not None
    assert record.next_check_at is not None
    assert record.next_check_at >= NOW + dt.timedelta(hours=2)
    assert (record.failures, record.failing_since) == (1, NOW)


def test_two_pollers_one_poll(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """poll_due claims each feed's check: a second process finds nothing due."""
    server.routes["/feed.xml"] = Feed(item("a", 1))
    follow(store, server.url + "/feed.xml")
    assert len(poll_due(store, settings, NOW)) == 1
    assert poll_due(store, settings, NOW) == []
    assert server.count("/feed.xml") == 1


def test_a_poll_commits_entries_and_threads_together(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """If queueing fails midway, no entry is remembered: the next poll queues it again."""
    feed = Feed()
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("k", 3))

    import bot.feeds.polling

    original = bot.feeds.polling.freeze_thread

    def crash(*args: object, **kwargs: object) -> object:
        raise RuntimeError("killed while queueing")

    bot.feeds.polling.freeze_thread = crash  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            poll(store, settings, url, NOW + dt.timedelta(minutes=20))
    finally:
        bot.feeds.polling.freeze_thread = original
    with store.engine.connect() as connection:
        keys = [r.entry_key for r in connection.execute(sa.select(entries_table.c.entry_key))]
    assert "k" not in keys
    report = poll(store, settings, url, NOW + dt.timedelta(minutes=40))
    assert [e.id for e, _ in report.queued] == ["k"]
    assert len(queued_threads(store)) == 1


def test_a_failed_first_poll_does_not_flood_later(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """The first *successful* poll marks what the feed holds as seen, however many
    failed before it."""
    server.routes["/feed.xml"] = Reply(500, b"oops")
    url = server.url + "/feed.xml"
    follow(store, url)
    assert poll(store, settings, url).failed
    server.routes["/feed.xml"] = Feed(item("a", 1), item("b", 2))
    report = poll(store, settings, url, NOW + dt.timedelta(hours=1))
    assert (report.seen, report.queued) == (2, [])
    assert queued_threads(store) == []


def test_an_entry_listed_twice_in_one_poll(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A feed repeating an item (one guid twice) queues it once and keeps working."""
    feed = Feed(item("a", 1))
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("n", 5), item("n", 5, link="https://blog.gonogo.kr/p?id=5"), item("a", 1))
    report = poll(store, settings, url, NOW + dt.timedelta(hours=1))
    assert [e.id for e, _ in report.queued] == ["n"]
    feed.body = rss(item("m", 6), item("n", 5), item("n", 5), item("a", 1))
    later = poll(store, settings, url, NOW + dt.timedelta(hours=2))
    assert [e.id for e, _ in later.queued] == ["m"]
    assert [key for key, _, _ in queued_threads(store)] == ["n#1", "m#1"]


def test_a_post_already_live_is_never_queued_again(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """The same post reached under another spelling, once it is live, is refused with
    why, not posted a second time (the freeze-or-continue rule of `schedule`)."""
    feed = Feed()
    server.routes.update({"/feed.xml": feed, "/cat.xml": Feed()})
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("n", 5))
    poll(store, settings, url, NOW + dt.timedelta(hours=1))
    with store.engine.begin() as connection:
        connection.execute(threads_table.update().values(status="posted"))
    server.routes["/cat.xml"] = Feed(
        item("other-guid", 5, link="https://blog.gonogo.kr/posts/n/index.html")
    )
    follow(store, server.url + "/cat.xml", backfill=1)
    report = poll(store, settings, server.url + "/cat.xml", NOW + dt.timedelta(hours=2))
    assert report.queued == []
    assert [(e.id, reason.startswith("already posted")) for e, reason in report.refused] == [
        ("other-guid", True)
    ]
    assert [key for key, _, _ in queued_threads(store)] == ["n#1"]


def test_a_redirect_onto_a_followed_url_keeps_both_working(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A permanent redirect to an address that is followed already is not taken over."""
    server.routes.update(
        {"/feed.xml": Feed(item("a", 1)), "/old.xml": Reply(301, headers={"Location": "/feed.xml"})}
    )
    follow(store, server.url + "/feed.xml")
    follow(store, server.url + "/old.xml")
    poll(store, settings, server.url + "/feed.xml")
    for hours in (1, 2):
        report = poll(store, settings, server.url + "/old.xml", NOW + dt.timedelta(hours=hours))
        assert not report.failed
    assert sorted(f.url for f in store.feeds.all()) == [
        server.url + "/feed.xml",
        server.url + "/old.xml",
    ]


def test_a_waiting_entry_refused_at_its_date_is_refused_once(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A future post that turns out invalid when its date comes is recorded refused, and
    the feed goes back to conditional GETs."""
    feed = Feed()
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("z", 20, text="<p>" + "z" * 300 + "</p>"))
    poll(store, settings, url, NOW + dt.timedelta(hours=1))
    first = poll(store, settings, url, dt.datetime(2025, 6, 21, tzinfo=dt.UTC))
    assert [e.id for e, _ in first.refused] == ["z"]
    again = poll(store, settings, url, dt.datetime(2025, 6, 22, tzinfo=dt.UTC))
    assert again.result == "not modified"
    record = store.feeds.get(url)
    assert record is not None
    assert record.refused == 1


def test_a_post_already_queued_by_hand_is_not_queued_twice(server, store, settings) -> None:  # type: ignore[no-untyped-def]
    """A post whose thread `schedule` queued already is remembered, not queued again."""
    feed = Feed()
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url)
    poll(store, settings, url)
    feed.body = rss(item("n", 5))
    first = poll(store, settings, url, NOW + dt.timedelta(hours=1))
    with store.engine.begin() as connection:  # as if the feed's record of it were lost
        connection.execute(entries_table.delete().where(entries_table.c.entry_key == "n"))
        connection.execute(feeds_table.update().values(etag=None, last_modified=None))
    again = poll(store, settings, url, NOW + dt.timedelta(hours=2))
    assert [e.id for e, _ in first.queued] == ["n"]
    assert (again.queued, again.refused) == ([], [])
    assert [key for key, _, _ in queued_threads(store)] == ["n#1"]


def test_a_feed_on_several_networks_queues_each_section_on_each_at_its_slot(  # type: ignore[no-untyped-def]
    server, store, settings
) -> None:
    """`feed add --networks x,bluesky`: a new post's section becomes a thread on each
    network, split by that network's rules, at the same slot (staggered if configured)."""
    from threads.networks import rule_for

    feed = Feed(item("a", 1))
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    follow(store, url, networks="x,bluesky")
    poll(store, settings, url)
    feed.body = rss(item("c", 3), item("a", 1))
    staggered = dataclasses.replace(settings, stagger=dt.timedelta(minutes=5))
    report = poll(store, staggered, url, NOW + dt.timedelta(minutes=20))
    assert [entry.id for entry, _ in report.queued] == ["c"]
    threads = store.threads.all()
    assert [(t.key, t.network) for t in threads] == [("c#1", "x"), ("c#1", "bluesky")]
    x_thread, bluesky_thread = threads
    assert bluesky_thread.due_at == (x_thread.due_at or NOW) + dt.timedelta(minutes=5)
    assert bluesky_thread.cost_usd == 0.0
    assert all(rule_for("bluesky").fits(t.text) for t in bluesky_thread.posts)
