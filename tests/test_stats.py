"""Reading what posted threads did (bot/posting/stats.py, bot/store/metrics.py): requests
counted on the emulators over real HTTP, on SQLite and PostgreSQL — one metrics read per
100 X posts (25 Bluesky, 1 Mastodon), none of a post read already that UTC day, private
metrics asked only where X keeps them, the monthly caps refusing before any request,
paid reads kept when a later one fails, and the daemon's reads at [stats] after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.settings import StatsSettings
from bot.store import MetricsRecord, Store
from bot.store.metrics import due_offset
from threads.options import Prices

from .posted import posted_thread

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


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store(db_url)
    yield store
    store.engine.dispose()


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
