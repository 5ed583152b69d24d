"""What posted threads did: snapshots of their posts' counts, one row per read, never
overwritten — and what the reading needs to know first: which posts were read already
this UTC day (X bills a read once a day; threadbot reads a post at most once a day), what
reads cost this month, and which threads the daemon should read now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa

from bot.lifecycle import PostStatus, ThreadStatus
from bot.store.records import MetricsRecord, ThreadRecord, aware, utc
from bot.store.schema import metrics_table, posts_table, threads_table
from bot.store.threads import records

if TYPE_CHECKING:
    from bot.store.connector import Store

T = TypeVar("T")
# Ids per IN (...) list: well inside every backend's limit on bound parameters.
_CHUNK = 500


def day_start(now: dt.datetime) -> dt.datetime:
    """Midnight UTC of ``now``'s UTC day: X's billing day for reads."""
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: dt.datetime) -> dt.datetime:
    """The first of ``now``'s calendar month, UTC: where monthly spend is counted from."""
    return day_start(now).replace(day=1)


def due_offset(
    posted_at: dt.datetime,
    last_read: dt.datetime | None,
    offsets: Sequence[dt.timedelta],
    now: dt.datetime,
) -> dt.timedelta | None:
    """The offset a thread is due to be read for: the latest of ``offsets`` already
    passed since ``posted_at``, unless a read since then has it (None: not due)."""
    passed = [offset for offset in offsets if posted_at + offset <= now]
    if not passed:
        return None
    latest = max(passed)
    if last_read is not None and last_read >= posted_at + latest:
        return None
    return latest


class Metrics:
    """Snapshots of posts' counts, and the questions reading them asks first."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, snapshots: Sequence[MetricsRecord]) -> None:
        """Keep one read's snapshots, committed at once: a read that was paid for is
        never lost to a later failure."""
        if not snapshots:
            return
        with self.store.transaction() as connection:
            connection.execute(
                metrics_table.insert(),
                [
                    {
                        "thread_id": s.thread_id,
                        "position": s.position,
                        "post_id": s.post_id,
                        "read_at": utc(s.read_at),
                        "impressions": s.impressions,
                        "likes": s.likes,
                        "reposts": s.reposts,
                        "replies": s.replies,
                        "quotes": s.quotes,
                        "link_clicks": s.link_clicks,
                        "cost_usd": s.cost_usd,
                    }
                    for s in snapshots
                ],
            )

    def latest(self, thread_ids: Iterable[int]) -> dict[int, list[MetricsRecord]]:
        """Each post's newest snapshot, by thread (posts never read are absent), in
        position order."""
        m = metrics_table
        found: dict[int, list[MetricsRecord]] = {}
        for chunk in _chunks(sorted(set(thread_ids))):
            newest = (
                sa.select(sa.func.max(m.c.id))
                .where(m.c.thread_id.in_(chunk))
                .group_by(m.c.thread_id, m.c.position)
            )
            query = sa.select(m).where(m.c.id.in_(newest)).order_by(m.c.thread_id, m.c.position)
            with self.store.connect() as connection:
                for row in connection.execute(query):
                    found.setdefault(row.thread_id, []).append(MetricsRecord.from_row(row))
        return found

    def read_today(self, network: str, post_ids: Iterable[str], now: dt.datetime) -> set[str]:
        """Which of ``post_ids`` (on ``network``) were read since midnight UTC of
        ``now``'s day: they are not read again before the next."""
        m, t = metrics_table, threads_table
        read: set[str] = set()
        for chunk in _chunks(sorted(set(post_ids))):
            query = (
                sa.select(m.c.post_id)
                .join(t, t.c.id == m.c.thread_id)
                .where(m.c.post_id.in_(chunk))
                .where(m.c.read_at >= utc(day_start(now)))
                .where(t.c.network == network)
                .distinct()
            )
            with self.store.connect() as connection:
                read |= {str(row.post_id) for row in connection.execute(query)}
        return read

    def spent(self, account: str, network: str | None, since: dt.datetime) -> float:
        """What ``account``'s reads (on ``network``; None: on every one) cost since
        ``since``."""
        m, t = metrics_table, threads_table
        query = (
            sa.select(sa.func.coalesce(sa.func.sum(m.c.cost_usd), 0.0))
            .join(t, t.c.id == m.c.thread_id)
            .where(t.c.account == account)
            .where(m.c.read_at >= utc(since))
        )
        if network is not None:
            query = query.where(t.c.network == network)
        with self.store.connect() as connection:
            return float(connection.execute(query).scalar_one())

    def cost_by_thread(self, thread_ids: Iterable[int]) -> dict[int, float]:
        """What reading each thread's posts has cost so far (threads never read: absent)."""
        m = metrics_table
        found: dict[int, float] = {}
        for chunk in _chunks(sorted(set(thread_ids))):
            query = (
                sa.select(m.c.thread_id, sa.func.sum(m.c.cost_usd).label("cost"))
                .where(m.c.thread_id.in_(chunk))
                .group_by(m.c.thread_id)
            )
            with self.store.connect() as connection:
                found.update({row.thread_id: float(row.cost) for row in connection.execute(query)})
        return found

    def posted(self, account: str | None = None, network: str | None = None) -> list[ThreadRecord]:
        """Every posted thread (of ``account``, on ``network``), with its posts: what
        `threadbot stats` shows."""
        t = threads_table
        condition = t.c.status == ThreadStatus.POSTED
        if account is not None:
            condition = sa.and_(condition, t.c.account == account)
        if network is not None:
            condition = sa.and_(condition, t.c.network == network)
        with self.store.connect() as connection:
            return records(connection, condition)

    def due(
        self, offsets: Sequence[dt.timedelta], now: dt.datetime, horizon: dt.timedelta
    ) -> list[ThreadRecord]:
        """Posted threads to read now: one of ``offsets`` after their first post went out
        has passed and no read since has it (:func:`due_offset`). Only threads posted
        within ``horizon`` are looked at (found through the posts' (status, posted_at)
        index), so a poll costs what was posted lately, not the store's history."""
        if not offsets:
            return []
        p, t, m = posts_table, threads_table, metrics_table
        first = posts_table.alias("first")
        recent = (
            sa.select(p.c.thread_id)
            .where(p.c.status == PostStatus.POSTED)
            .where(p.c.posted_at >= utc(now - horizon))
        )
        posted_at = (
            sa.select(sa.func.min(first.c.posted_at))
            .where(first.c.thread_id == t.c.id)
            .where(first.c.status == PostStatus.POSTED)
            .scalar_subquery()
        )
        last_read = sa.select(sa.func.max(m.c.read_at)).where(m.c.thread_id == t.c.id)
        query = (
            sa.select(
                t.c.id,
                posted_at.label("posted_at"),
                last_read.scalar_subquery().label("last_read"),
            )
            .where(t.c.id.in_(recent))
            .where(t.c.status == ThreadStatus.POSTED)
        )
        with self.store.connect() as connection:
            wanted: list[int] = []
            for row in connection.execute(query):
                first_posted = aware(row.posted_at)
                if first_posted is None:
                    continue
                if due_offset(first_posted, aware(row.last_read), offsets, now) is not None:
                    wanted.append(row.id)
            return [
                record
                for chunk in _chunks(wanted)
                for record in records(connection, t.c.id.in_(chunk))
            ]


def _chunks(values: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])
