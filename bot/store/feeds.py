"""Followed feeds and the entries seen in them, in the same store as the threads.

Crash-safe by construction: a poll's entries are recorded and their threads frozen in
one transaction (:meth:`Feeds.record_poll`), so a process killed at any point either
queued a post and remembered it, or neither. ``(feed, entry id)`` is unique: a second
daemon that polled the same feed at the same time fails to insert and rolls back
everything it would have queued. Which feed is polled by whom is claimed with one
conditional UPDATE of its next check time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.errors import StateConflictError
from bot.store.records import (
    EntryRow,
    EntryState,
    FeedRecord,
    KnownEntry,
    RefusedEntry,
    aware,
)
from bot.store.schema import entries_table, feeds_table

if TYPE_CHECKING:
    from bot.store.connector import Store


class Feeds:
    """Followed feeds and the entries seen in them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        url: str,
        *,
        slots: str | None,
        timezone: str | None,
        sections: str,
        backfill: int,
        poll_minutes: float | None,
        now: dt.datetime,
        account: str | None = None,
        networks: str | None = None,
        approve: bool | None = None,
    ) -> FeedRecord:
        with self.store.transaction() as connection:
            exists = connection.execute(
                sa.select(feeds_table.c.id).where(feeds_table.c.url == url)
            ).first()
            if exists is not None:
                raise StateConflictError(
                    f"{url} is already followed: `threadbot feed remove {url}` first to change it"
                )
            connection.execute(
                feeds_table.insert().values(
                    url=url,
                    slots=slots,
                    timezone=timezone,
                    sections=sections,
                    backfill=backfill,
                    poll_minutes=poll_minutes,
                    account=account,
                    networks=networks,
                    approve=approve,
                    added_at=now,
                    failures=0,
                )
            )
        record = self.get(url)
        assert record is not None
        return record

    def remove(self, url: str) -> bool:
        with self.store.transaction() as connection:
            row = connection.execute(
                sa.select(feeds_table.c.id).where(feeds_table.c.url == url)
            ).first()
            if row is None:
                return False
            connection.execute(entries_table.delete().where(entries_table.c.feed_id == row.id))
            connection.execute(feeds_table.delete().where(feeds_table.c.id == row.id))
        return True

    def get(self, url: str) -> FeedRecord | None:
        matches = [feed for feed in self.all() if feed.url == url]
        return matches[0] if matches else None

    def all(self) -> list[FeedRecord]:
        """Every feed with its entry counts, in one query."""
        e = entries_table
        counts = (
            sa.select(
                e.c.feed_id,
                sa.func.count().label("seen"),
                sa.func.sum(sa.case((e.c.state == EntryState.QUEUED, 1), else_=0)).label("queued"),
                sa.func.sum(sa.case((e.c.state == EntryState.REFUSED, 1), else_=0)).label(
                    "refused"
                ),
                sa.func.sum(e.c.edits).label("edits"),
            )
            .group_by(e.c.feed_id)
            .subquery()
        )
        query = (
            sa.select(feeds_table, counts.c.seen, counts.c.queued, counts.c.refused, counts.c.edits)
            .select_from(feeds_table.outerjoin(counts, counts.c.feed_id == feeds_table.c.id))
            .order_by(feeds_table.c.id)
        )
        with self.store.connect() as connection:
            rows = connection.execute(query).all()
        return [FeedRecord.from_row(row) for row in rows]

    def known(self, feed_id: int) -> dict[str, KnownEntry]:
        with self.store.connect() as connection:
            rows = connection.execute(
                sa.select(
                    entries_table.c.entry_key,
                    entries_table.c.content_hash,
                    entries_table.c.state,
                    entries_table.c.published,
                ).where(entries_table.c.feed_id == feed_id)
            ).all()
        return {
            row.entry_key: KnownEntry(
                row.content_hash,
                waiting_until=aware(row.published) if row.state == EntryState.WAITING else None,
            )
            for row in rows
        }

    def queued_entries(self) -> dict[int, list[tuple[str, dt.datetime]]]:
        """Per feed, each queued entry's article (its URL, else its id) and first sight."""
        e = entries_table
        with self.store.connect() as connection:
            rows = connection.execute(
                sa.select(e.c.feed_id, e.c.url, e.c.entry_key, e.c.first_seen_at).where(
                    e.c.state == EntryState.QUEUED
                )
            ).all()
        found: dict[int, list[tuple[str, dt.datetime]]] = {}
        for row in rows:
            seen = aware(row.first_seen_at) or dt.datetime.now(dt.UTC)
            found.setdefault(row.feed_id, []).append((row.url or row.entry_key, seen))
        return found

    def seen_canonical(self, candidates: Collection[str]) -> set[str]:
        """Which of ``candidates`` (canonical URLs) any feed's entry already had."""
        if not candidates:
            return set()
        with self.store.connect() as connection:
            rows = connection.execute(
                sa.select(entries_table.c.canonical_url).where(
                    entries_table.c.canonical_url.in_(sorted(candidates))
                )
            ).all()
        return {row.canonical_url for row in rows}

    def refused(self, limit: int = 50) -> list[RefusedEntry]:
        query = (
            sa.select(feeds_table.c.url.label("feed_url"), entries_table)
            .select_from(entries_table.join(feeds_table))
            .where(entries_table.c.state == EntryState.REFUSED)
            .order_by(entries_table.c.first_seen_at.desc())
            .limit(limit)
        )
        with self.store.connect() as connection:
            rows = connection.execute(query).all()
        return [RefusedEntry.from_row(row) for row in rows]

    def claim_check(self, feed_id: int, now: dt.datetime, until: dt.datetime) -> bool:
        """Take the feed's next check (one conditional UPDATE): only one daemon polls it."""
        with self.store.transaction() as connection:
            result = connection.execute(
                feeds_table.update()
                .where(feeds_table.c.id == feed_id)
                .where(
                    sa.or_(
                        feeds_table.c.next_check_at.is_(None), feeds_table.c.next_check_at <= now
                    )
                )
                .values(next_check_at=until)
            )
        return result.rowcount == 1

    def record_poll(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        next_check: dt.datetime,
        result: str,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        moved_to: str | None = None,
        failed: bool = False,
        new: Sequence[EntryRow] = (),
        edited: Sequence[str] = (),
        now_queued: Sequence[str] = (),
        now_refused: Sequence[tuple[str, str]] = (),
        queue: Callable[[Connection], None] | None = None,
    ) -> None:
        """Everything a poll learnt, and the threads it queues, in one transaction."""
        with self.store.transaction() as connection:
            values: dict[str, object] = {
                "last_checked_at": now,
                "last_result": result,
                "next_check_at": next_check,
            }
            if failed:
                values["failures"] = feeds_table.c.failures + 1
                values["failing_since"] = sa.func.coalesce(feeds_table.c.failing_since, now)
            else:
                values.update(failures=0, failing_since=None)
                values["seeded_at"] = sa.func.coalesce(feeds_table.c.seeded_at, now)
                if title:
                    values["title"] = title
                if etag is not None or last_modified is not None:
                    values.update(etag=etag, last_modified=last_modified)
            if (
                moved_to
                and not connection.execute(
                    sa.select(feeds_table.c.id).where(feeds_table.c.url == moved_to)
                ).first()
            ):
                # Followed at its new address from now on (unless that one is followed too).
                values["url"] = moved_to
            connection.execute(
                feeds_table.update().where(feeds_table.c.id == feed_id).values(**values)
            )
            if new:
                connection.execute(
                    entries_table.insert(),
                    [
                        {
                            "feed_id": feed_id,
                            "entry_key": row.key,
                            "canonical_url": row.canonical_url,
                            "url": row.url,
                            "title": row.title,
                            "published": row.published,
                            "state": row.state,
                            "reason": row.reason,
                            "content_hash": row.content_hash,
                            "edits": 0,
                            "first_seen_at": now,
                        }
                        for row in new
                    ],
                )
            for key in edited:
                connection.execute(
                    entries_table.update()
                    .where(entries_table.c.feed_id == feed_id)
                    .where(entries_table.c.entry_key == key)
                    .values(edits=entries_table.c.edits + 1)
                )
            for key in now_queued:
                connection.execute(
                    entries_table.update()
                    .where(entries_table.c.feed_id == feed_id)
                    .where(entries_table.c.entry_key == key)
                    .where(entries_table.c.state == EntryState.WAITING)
                    .values(state=EntryState.QUEUED)
                )
            for key, reason in now_refused:
                connection.execute(
                    entries_table.update()
                    .where(entries_table.c.feed_id == feed_id)
                    .where(entries_table.c.entry_key == key)
                    .where(entries_table.c.state == EntryState.WAITING)
                    .values(state=EntryState.REFUSED, reason=reason)
                )
            if queue is not None:
                queue(connection)
