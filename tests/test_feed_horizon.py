"""A followed blog never floods its queue: `feed add` promotes each new post once (its
digest) by default, and `feed list` says how far ahead a feed's queue reaches."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.cli.feeds import add
from bot.posting.planning import next_slots, parse_slots
from bot.store import FeedRecord
from bot.views.feeds import horizons

from .conftest import CONFIG

SEOUL = ZoneInfo("Asia/Seoul")


def _default_sections() -> str:
    option = next(p for p in add.params if p.name == "sections")
    return str(option.default)


def _threads_per_post(sections: str, post_sections: int) -> int:
    if sections in ("digest", "first"):
        return 1
    return post_sections if sections == "all" else min(int(sections), post_sections)


def _longest_reach(sections: str, weeks: int = 8) -> float:
    """A blog posting 3 posts a week (Mon, Wed, Fri at noon) of 8 sections each, followed
    into the shipped [feeds] slots: the farthest its queue reaches, in days, on the clock
    of each new post."""
    import tomllib

    slots = parse_slots(tomllib.loads(CONFIG.read_text("utf-8"))["feeds"]["slots"])
    taken: list[dt.datetime] = []
    start = dt.datetime(2026, 3, 2, 12, 0, tzinfo=SEOUL)  # a Monday
    longest = 0.0
    for week in range(weeks):
        for day in (0, 2, 4):
            now = start + dt.timedelta(weeks=week, days=day)
            taken = [moment for moment in taken if moment > now]  # posted by now
            count = _threads_per_post(sections, 8)
            taken += next_slots(slots, SEOUL, now, count, taken)
            longest = max(longest, (max(taken) - now).total_seconds() / 86400)
    return longest


def test_the_default_never_queues_more_than_a_week_ahead() -> None:
    """With the defaults (sections = digest, daily 09:00) the queue never reaches past a
    week over 8 weeks; every section of every post would reach months ahead."""
    assert _default_sections() == "digest"
    assert _longest_reach(_default_sections()) <= 7
    assert _longest_reach("all") > 30


def _feed(feed_id: int) -> FeedRecord:
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    return FeedRecord(
        id=feed_id,
        url=f"https://blog{feed_id}.example.org/feed.xml",
        title=None,
        slots=None,
        timezone=None,
        sections="digest",
        backfill=0,
        poll_minutes=None,
        etag=None,
        last_modified=None,
        added_at=now,
        last_checked_at=None,
        last_result=None,
        next_check_at=None,
        failures=0,
        failing_since=None,
        seeded_at=now,
    )


def test_horizon_says_how_far_ahead_and_whether_it_grows() -> None:
    now = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    queued = {
        1: [("https://blog1/a", now - 10 * day), ("https://blog1/b", now - day)],
        2: [("https://blog2/a", now - 10 * day)],
    }
    threads = [
        ("https://blog1/a", now - 6 * day),  # a week ago it reached 1 day ahead
        ("https://blog1/b", now + 12 * day),  # now 12 days ahead: growing
        ("https://blog2/a", now + 1 * day),
    ]
    reach = horizons([_feed(1), _feed(2)], queued, threads, now)
    assert round(reach[1].days) == 12
    assert reach[1].growing
    assert round(reach[2].days) == 1
    assert not reach[2].growing
