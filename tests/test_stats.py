"""Reading what posted threads did (bot/posting/stats.py, bot/store/metrics.py): requests
counted on the emulators over real HTTP, on SQLite and PostgreSQL — one metrics read per
100 X posts (25 Bluesky, 1 Mastodon), none of a post read already that UTC day, private
metrics asked only where X keeps them, the monthly caps refusing before any request,
paid reads kept when a later one fails, and the daemon's reads at [stats] after."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.errors import BudgetExceededError, CredentialsError, NetworkUnavailableError
from bot.networks import Network, PostMetrics
from bot.networks.bluesky import new_rkey
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.mastodon.client import MastodonClient
from bot.networks.x.client import TweepyXClient
from bot.posting.daemon import Daemon
from bot.posting.publisher import Publisher, PublishLimits
from bot.posting.stats import Collected, StatsCollector, collect
from bot.settings import StatsSettings, load_settings
from bot.store import MetricsRecord, Store, ThreadRecord
from bot.store.metrics import due_offset
from bot.testing.bluesky import APP_PASSWORD, HANDLE, BlueskyEmulator
from bot.testing.fakes import FakeX
from bot.testing.mastodon import ACCESS_TOKEN as MASTODON_TOKEN
from bot.testing.mastodon import MastodonEmulator
from bot.testing.x import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    XEmulator,
)
from threads.options import Prices

from .conftest import write_publish_config
from .posted import mark_deleted, posted_thread, texts

LOOKUP = "GET /2/tweets"
GET_POSTS = "GET app.bsky.feed.getPosts"
STATUS = "GET /api/v1/statuses/:id"
PRICES = Prices()
SETTINGS = StatsSettings()
REAL_NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# 09:00 UTC ten days ago: hours later is the same UTC day, and X still keeps the posts'
# private metrics (the emulator counts their age by the real clock).
BASE = REAL_NOW.replace(hour=9, minute=0, second=0) - dt.timedelta(days=10)
MINUTE, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)


def x_client(emulator: XEmulator) -> TweepyXClient:
    return TweepyXClient(
        api_key=CONSUMER_KEY,
        api_secret=CONSUMER_SECRET,
        access_token=ACCESS_TOKEN,
        access_token_secret=ACCESS_TOKEN_SECRET,
        base_url=emulator.url,
        timeout_seconds=emulator.client_timeout,
    )


def x_threads(
    store: Store, emulator: XEmulator, threads: int, posts: int, posted_at: dt.datetime
) -> list[ThreadRecord]:
    """``threads`` threads of ``posts`` posts each, on the X emulator and in the store."""
    return [
        posted_thread(
            store,
            [emulator.add_post(text).id for text in texts(posts)],
            posted_at=posted_at,
            key=f"post#{number}",
        )
        for number in range(1, threads + 1)
    ]


def ids_asked(emulator: XEmulator) -> list[list[str]]:
    return [query["ids"][0].split(",") for query in emulator.queries(LOOKUP)]


def test_250_x_posts_are_three_reads_and_none_again_that_utc_day(
    store: Store, emulator: XEmulator
) -> None:
    """100 ids a request; each snapshot costs read_usd; the same posts again that UTC day
    cost no request at all; the next UTC day they are read again."""
    threads = x_threads(store, emulator, 25, 10, BASE)
    every = [p.post_id for t in threads for p in t.posts]
    client = x_client(emulator)
    first = collect(store, client, threads, PRICES, SETTINGS, BASE + 2 * HOUR)
    assert emulator.calls[LOOKUP] == 3
    assert [len(ids) for ids in ids_asked(emulator)] == [100, 100, 50]
    assert sorted(i for ids in ids_asked(emulator) for i in ids) == sorted(every)
    assert (first.requests, len(first.read), first.skipped, first.refused) == (3, 250, 0, None)
    assert first.cost_usd == pytest.approx(0.25)
    assert {s.cost_usd for s in first.read} == {0.001}

    # Later the same UTC day (23:59 after 11:00): nothing is asked, nothing is paid.
    again = collect(store, client, threads, PRICES, SETTINGS, BASE + 14 * HOUR + 59 * MINUTE)
    assert emulator.calls[LOOKUP] == 3
    assert again == Collected(skipped=250)

    # The next UTC day: read again, once.
    tomorrow = collect(store, client, threads, PRICES, SETTINGS, BASE + DAY)
    assert emulator.calls[LOOKUP] == 6
    assert (len(tomorrow.read), tomorrow.skipped) == (250, 0)
    assert store.metrics.spent("default", "x", BASE - DAY) == pytest.approx(0.5)


def test_private_metrics_are_asked_only_for_posts_under_30_days(
    store: Store, emulator: XEmulator
) -> None:
    """X keeps non-public metrics (link clicks) 30 days: a young thread is asked for them,
    an old one only for its public ones — one request each, tweet.fields as said."""
    now = REAL_NOW
    young = posted_thread(
        store, [emulator.add_post(t).id for t in texts(4)], posted_at=now - 2 * HOUR, key="y#1"
    )
    old_ids = [emulator.add_post(t).id for t in texts(3)]
    for post_id in old_ids:
        emulator.backdate(post_id, days=31)
    old = posted_thread(store, old_ids, posted_at=now - 31 * DAY, key="o#1")
    emulator.set_metrics(young.posts[-1].post_id or "", impressions=300, link_clicks=12)
    emulator.set_metrics(old_ids[-1], impressions=900, link_clicks=5)
    done = collect(store, x_client(emulator), [young, old], PRICES, SETTINGS, now)
    asked = [(q["tweet.fields"], q["ids"][0].split(",")) for q in emulator.queries(LOOKUP)]
    assert asked == [
        (["public_metrics,non_public_metrics"], [p.post_id for p in young.posts]),
        (["public_metrics"], old_ids),
    ]
    clicks = {(s.thread_id, s.position): (s.impressions, s.link_clicks) for s in done.read}
    assert clicks[young.id, 4] == (300, 12)
    assert clicks[old.id, 3] == (900, None)  # public: impressions, never clicks
    assert done.requests == 2


def test_a_post_x_refuses_privately_is_asked_again_publicly_alone(
    store: Store, emulator: XEmulator
) -> None:
    """The store says 29 days, X counts 31 (clocks, time zones): X refuses those posts'
    private metrics; only they are asked again, publicly — the others, read and paid
    for, are never asked twice."""
    now = REAL_NOW
    young = posted_thread(
        store, [emulator.add_post(t).id for t in texts(3)], posted_at=now - HOUR, key="y#1"
    )
    edge_ids = [emulator.add_post(t).id for t in texts(2)]
    for post_id in edge_ids:
        emulator.backdate(post_id, days=31)
    edge = posted_thread(store, edge_ids, posted_at=now - 29 * DAY, key="e#1")
    done = collect(store, x_client(emulator), [young, edge], PRICES, SETTINGS, now)
    asked = [(q["tweet.fields"], q["ids"][0].split(",")) for q in emulator.queries(LOOKUP)]
    assert asked == [
        (["public_metrics,non_public_metrics"], [p.post_id for p in young.posts] + edge_ids),
        (["public_metrics"], edge_ids),
    ]
    assert sorted(s.post_id for s in done.read) == sorted(
        [p.post_id or "" for p in young.posts] + edge_ids
    )
    assert done.cost_usd == pytest.approx(5 * PRICES.read_usd)


def test_bluesky_30_posts_are_two_reads(store: Store, bluesky: BlueskyEmulator) -> None:
    """getPosts takes 25 URIs: 30 posts of three threads are two requests, free, with no
    impressions; that UTC day, none again."""
    client = BlueskyClient(handle=HANDLE, app_password=APP_PASSWORD, pds_url=bluesky.url)
    threads = [
        posted_thread(
            store,
            [client.create_post(text, None, key=new_rkey()) for text in texts(10)],
            posted_at=BASE,
            network="bluesky",
            key=f"b#{n}",
        )
        for n in range(3)
    ]
    bluesky.set_metrics(threads[0].posts[0].post_id or "", likes=5, reposts=2, quotes=1)
    done = collect(store, client, threads, PRICES, SETTINGS, BASE + HOUR)
    assert bluesky.calls[GET_POSTS] == 2
    assert [len(q["uris"]) for q in bluesky.queries(GET_POSTS)] == [25, 5]
    assert (len(done.read), done.requests, done.cost_usd) == (30, 2, 0.0)
    first = next(s for s in done.read if s.position == 1 and s.thread_id == threads[0].id)
    assert (first.impressions, first.likes, first.reposts, first.quotes) == (None, 5, 2, 1)
    assert collect(store, client, threads, PRICES, SETTINGS, BASE + 5 * HOUR).requests == 0
    assert bluesky.calls[GET_POSTS] == 2
    client.close()


def test_mastodon_reads_each_status_and_never_a_deleted_one(
    store: Store, mastodon: MastodonEmulator
) -> None:
    """One GET per status; a post the store knows is deleted is never asked for; one
    gone from the instance behind the store's back answers 404 and is simply absent."""
    client = MastodonClient(
        instance_url=mastodon.url, access_token=MASTODON_TOKEN, visibility="public"
    )
    ids = [client.create_post(text, None, key=str(n)) for n, text in enumerate(texts(4))]
    thread = posted_thread(store, ids, posted_at=BASE, network="mastodon", key="m#1")
    mark_deleted(store, thread.id, 2, BASE + HOUR)
    assert client.delete_post(ids[2]) is True  # gone, and the store does not know
    mastodon.set_metrics(ids[0], likes=4, reposts=2, replies=1)
    done = collect(store, client, [store.threads.get(thread.id)], PRICES, SETTINGS, BASE + DAY)
    assert [t for route, t in mastodon.requests if route == STATUS] == [
        f"/api/v1/statuses/{ids[n]}" for n in (0, 2, 3)
    ]
    assert [(s.position, s.likes, s.reposts, s.replies, s.quotes) for s in done.read] == [
        (1, 4, 2, 1, None),
        (4, 0, 0, 0, None),
    ]
    assert done.requests == 3
    client.close()


def test_the_monthly_cap_refuses_before_any_request(store: Store, emulator: XEmulator) -> None:
    """Reads beyond [stats] monthly_usd are refused whole threads at a time, in one line
    saying how to raise it; what fits is read. Nothing fits: no request at all."""
    threads = x_threads(store, emulator, 25, 10, BASE)
    tight = StatsSettings(monthly_usd=0.009)
    refused = collect(store, x_client(emulator), threads, PRICES, tight, BASE + HOUR)
    assert emulator.calls[LOOKUP] == 0
    assert refused.read == ()
    assert refused.requests == 0
    assert refused.refused is not None
    assert refused.refused.startswith(
        "reading 250 X post(s) of account default ($0.250) would exceed [stats] "
        "monthly_usd = $0.009 ($0.000 read this month): raise it in the config, or wait until "
    )
    half = collect(
        store, x_client(emulator), threads, PRICES, StatsSettings(monthly_usd=0.05), BASE + HOUR
    )
    assert emulator.calls[LOOKUP] == 1
    assert len(half.read) == 50
    assert {s.thread_id for s in half.read} == {t.id for t in threads[:5]}
    assert half.refused is not None
    assert half.refused.startswith("reading 200 X post(s)")
    # The month's reads so far count: $0.05 of $0.05 leaves nothing for the rest.
    assert collect(
        store, x_client(emulator), threads, PRICES, StatsSettings(monthly_usd=0.05), BASE + 2 * HOUR
    ).refused
    assert emulator.calls[LOOKUP] == 1


def test_reads_count_toward_the_posting_budget(store: Store, emulator: XEmulator) -> None:
    """[budget] monthly_usd holds posts and reads: with $0.005 left after the posts,
    reading ten posts is refused, saying which cap."""
    now = REAL_NOW
    thread = posted_thread(store, [emulator.add_post(t).id for t in texts(10)], posted_at=now)
    posts_cost = 0.20 + 9 * 0.015
    done = collect(
        store, x_client(emulator), [thread], PRICES, SETTINGS, now, budget_usd=posts_cost + 0.005
    )
    assert emulator.calls[LOOKUP] == 0
    assert done.refused is not None
    assert "would exceed [budget] monthly_usd = $0.34 ($0.335 spent" in done.refused


def test_publishing_counts_the_months_reads_against_the_budget(store: Store) -> None:
    """A thread that fits [budget] monthly_usd on its posts alone is refused once the
    month's reads are counted too."""
    thread = posted_thread(store, ["1", "2"], posted_at=REAL_NOW)
    publisher = Publisher(
        store,
        FakeX(),
        PublishLimits(monthly_budget_usd=0.45),
        PRICES,
        account_name="default",
        network="x",
        clock=lambda: REAL_NOW,
    )
    closing = [("Read https://blog.gonogo.kr/posts/a", True)]
    publisher.check_budget(closing)  # $0.215 posted + $0.20: fits in $0.45
    store.metrics.record([MetricsRecord(thread.id, 1, "1", REAL_NOW, 5, 0, 0, 0, 0, None, 0.04)])
    with pytest.raises(BudgetExceededError, match=r"\$0\.255 spent this month on posts and reads"):
        publisher.check_budget(closing)


class FailingSecond:
    """A real client whose second metrics request fails as a 503 would."""

    def __init__(self, client: Network) -> None:
        self.client = client
        self.calls = 0

    def metrics(self, post_ids: Sequence[str], *, private: bool = False) -> list[PostMetrics]:
        self.calls += 1
        if self.calls == 2:
            raise NetworkUnavailableError("X answered 503", status=503)
        return self.client.metrics(post_ids, private=private)


def test_a_failed_request_keeps_the_reads_before_it(store: Store, emulator: XEmulator) -> None:
    """Paid reads are recorded as each request is answered: the 503 on the second costs
    nothing of the first, and reading again that day asks only for the rest."""
    threads = x_threads(store, emulator, 25, 10, BASE)
    failing = FailingSecond(x_client(emulator))
    done = collect(store, failing, threads, PRICES, SETTINGS, BASE + HOUR)  # type: ignore[arg-type]
    assert isinstance(done.error, NetworkUnavailableError)
    assert len(done.read) == 100
    assert sum(len(s) for s in store.metrics.latest(t.id for t in threads).values()) == 100
    rest = collect(store, x_client(emulator), threads, PRICES, SETTINGS, BASE + 2 * HOUR)
    assert (len(rest.read), rest.skipped, rest.requests) == (150, 100, 2)


def test_latest_snapshot_per_post(store: Store) -> None:
    """Snapshots are kept, never overwritten; the newest per post is what is shown."""
    thread = posted_thread(store, ["1", "2"], posted_at=BASE)

    def snapshot(position: int, at: dt.datetime, likes: int) -> MetricsRecord:
        return MetricsRecord(thread.id, position, str(position), at, 10, likes, 0, 0, 0, None, 0.0)

    store.metrics.record([snapshot(1, BASE + HOUR, 1), snapshot(2, BASE + HOUR, 2)])
    store.metrics.record([snapshot(1, BASE + DAY, 5)])
    latest = store.metrics.latest([thread.id])[thread.id]
    assert [(s.position, s.likes, s.read_at) for s in latest] == [
        (1, 5, BASE + DAY),
        (2, 2, BASE + HOUR),
    ]
    assert store.metrics.read_today("x", ["1", "2"], BASE + DAY + HOUR) == {"1"}
    assert store.metrics.read_today("bluesky", ["1", "2"], BASE + DAY) == set()


def test_due_threads_spend_and_posted(store: Store) -> None:
    """The daemon's question, answered by the store: a posted thread is due once per
    offset passed and not read since, only within the horizon; a cancelled one never.
    What reads cost is summed per account (and network), from a given time."""
    thread = posted_thread(store, ["1", "2"], posted_at=BASE)
    other = posted_thread(store, ["3"], posted_at=BASE, key="b#1", account="news")
    cancelled = store.threads.freeze(
        key="c#1",
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="c",
        posts=[("never posted", False)],
        cost_usd=0.0,
        now=BASE,
        account="default",
        network="x",
    )
    offsets, horizon = (HOUR, DAY), 2 * DAY

    def due(at: dt.datetime) -> list[int]:
        return [t.id for t in store.metrics.due(offsets, at, horizon)]

    assert due(BASE + 30 * MINUTE) == []
    assert due(BASE + HOUR) == [thread.id, other.id]
    store.metrics.record(
        [MetricsRecord(thread.id, 1, "1", BASE + HOUR, 5, 0, 0, 0, 0, None, 0.001)]
    )
    assert due(BASE + 2 * HOUR) == [other.id]
    assert due(BASE + DAY) == [thread.id, other.id]
    assert due(BASE + 3 * DAY) == []  # beyond the horizon: only `stats` reads it
    assert store.metrics.due((), BASE + DAY, horizon) == []
    assert store.metrics.spent("default", "x", BASE) == pytest.approx(0.001)
    assert store.metrics.spent("default", None, BASE + 2 * HOUR) == 0.0
    assert store.metrics.spent("news", "x", BASE) == 0.0
    assert [t.id for t in store.metrics.posted("default")] == [thread.id]
    assert [t.id for t in store.metrics.posted()] == [thread.id, other.id]
    assert cancelled.id not in {t.id for t in store.metrics.posted()}
    assert store.metrics.cost_by_thread([thread.id, other.id]) == {thread.id: pytest.approx(0.001)}


def test_due_offsets() -> None:
    """A thread is due at each offset once: the latest offset passed, unless read since."""
    offsets = (HOUR, DAY, 7 * DAY)
    assert due_offset(BASE, None, offsets, BASE + 30 * MINUTE) is None
    assert due_offset(BASE, None, offsets, BASE + HOUR) == HOUR
    assert due_offset(BASE, BASE + HOUR, offsets, BASE + 2 * HOUR) is None
    assert due_offset(BASE, BASE + HOUR, offsets, BASE + 3 * DAY) == DAY
    assert due_offset(BASE, None, offsets, BASE + 8 * DAY) == 7 * DAY
    assert due_offset(BASE, BASE + 7 * DAY, offsets, BASE + 9 * DAY) is None


def test_the_daemon_reads_at_each_after_offset(
    store: Store, emulator: XEmulator, tmp_path: Path
) -> None:
    """The daemon's job with a controlled clock: one request at 1 h, 24 h and 7 d after
    the thread posted, none in between, none once the horizon (twice the last offset)
    has passed; through Daemon.collect_stats as `threadbot run` wires it."""
    (thread,) = x_threads(store, emulator, 1, 4, BASE)
    loaded = load_settings(write_publish_config(tmp_path))
    collector = StatsCollector(store, lambda _account, _network: x_client(emulator), loaded)
    clock = [BASE]
    daemon = Daemon(
        store,
        None,
        dry_run=False,
        grace=HOUR,
        out=io.StringIO(),
        clock=lambda: clock[0],
        stats_collector=collector,
    )
    seen = []
    for at in [
        30 * MINUTE,
        HOUR,
        HOUR + MINUTE,
        2 * HOUR,
        23 * HOUR,
        DAY,
        DAY + HOUR,
        3 * DAY,
        7 * DAY,
        7 * DAY + HOUR,
        8 * DAY,
        15 * DAY,
    ]:
        clock[0] = BASE + at
        daemon.collect_stats()
        seen.append(emulator.calls[LOOKUP])
    assert seen == [0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]
    reads = sorted({s.read_at for s in store.metrics.latest([thread.id])[thread.id]})
    assert reads == [BASE + 7 * DAY]


@pytest.mark.e2e
def test_threadbot_run_reads_a_posted_thread_once(emulator: XEmulator, tmp_path: Path) -> None:
    """A real `threadbot run`: a thread posted two hours ago (its 1h offset passed) is
    read as the daemon starts, in one request, and logged; SIGTERM, exit 0."""
    from bot.settings import database_url

    from .test_daemon import daemon, stop, wait_for
    from .test_runtime import _env

    db = tmp_path / "state.db"
    store = Store(database_url(db))
    posted_at = REAL_NOW - 2 * HOUR
    thread = posted_thread(store, [emulator.add_post(t).id for t in texts(4)], posted_at=posted_at)
    config = write_publish_config(tmp_path)
    with daemon(tmp_path, config, _env(emulator, db)) as running:
        wait_for(lambda: "stats: read 4 posts of 1 threads" in running.text(), what="the read")
        assert stop(running) == 0
    assert emulator.calls[LOOKUP] == 1
    assert len(store.metrics.latest([thread.id])[thread.id]) == 4
    store.engine.dispose()


def test_the_daemon_says_a_lane_problem_once_and_rests_it(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Missing credentials are said once, and the lane is left alone for a while rather
    than tried every minute."""
    posted_thread(store, ["1", "2"], posted_at=BASE)
    asked = []

    def client_for(account: str, network: str) -> Network:
        asked.append((account, network))
        raise CredentialsError("X_API_KEY is not set")

    collector = StatsCollector(store, client_for, load_settings(write_publish_config(tmp_path)))
    with caplog.at_level(logging.WARNING, logger="threadbot.stats"):
        for minutes in (60, 61, 62):
            assert collector(BASE + minutes * MINUTE) == 0
        collector(BASE + 76 * MINUTE)
    assert asked == [("default", "x"), ("default", "x")]
    assert [r.getMessage() for r in caplog.records] == [
        "stats: account default on x: not read: X_API_KEY is not set"
    ]
