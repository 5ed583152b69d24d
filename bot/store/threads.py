"""Threads as frozen and read back: freezing, one thread or every version of one, and the
listings `status` and `queue` show — each one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.errors import ThreadNotFoundError
from bot.lifecycle import PostStatus, ThreadStatus
from bot.store.accounts import ensure_account
from bot.store.records import MediaRecord, PostRecord, ThreadRecord, ThreadSummary, utc
from bot.store.schema import media_table, posts_table, threads_table

if TYPE_CHECKING:
    from bot.store.connector import Store


class Threads:
    """Freezing threads and reading them back."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def freeze(
        self,
        *,
        key: str,
        article: str,
        section_index: int,
        section: str,
        content_hash: str,
        posts: Sequence[tuple[str, bool]],
        cost_usd: float,
        now: dt.datetime,
        account: str,
        network: str,
        due_at: dt.datetime | None = None,
        media: dict[int, tuple[bytes, str]] | None = None,
        connection: Connection | None = None,
    ) -> ThreadRecord:
        """Store a thread's exact texts (and images, by post position); from now on these,
        not the article, get posted. With ``connection``, inside that transaction (a feed
        poll records its entries and queues their threads in one)."""
        if connection is None:
            with self.store.transaction() as own:
                return self.freeze(
                    key=key,
                    article=article,
                    section_index=section_index,
                    section=section,
                    content_hash=content_hash,
                    posts=posts,
                    cost_usd=cost_usd,
                    now=now,
                    account=account,
                    network=network,
                    due_at=due_at,
                    media=media,
                    connection=own,
                )
        ensure_account(connection, account, network)
        inserted = connection.execute(
            threads_table.insert().values(
                key=key,
                article=article,
                section_index=section_index,
                section=section,
                content_hash=content_hash,
                status=ThreadStatus.SCHEDULED if due_at else ThreadStatus.READY,
                created_at=utc(now),
                due_at=utc(due_at),
                cost_usd=cost_usd,
                account=account,
                network=network,
            )
        ).inserted_primary_key
        assert inserted is not None  # an INSERT always has one
        thread_id = int(inserted[0])
        connection.execute(
            posts_table.insert(),
            [
                {
                    "thread_id": thread_id,
                    "position": position,
                    "text": text,
                    "has_url": has_url,
                    "status": PostStatus.PENDING,
                    "attempts": 0,
                }
                for position, (text, has_url) in enumerate(posts, start=1)
            ],
        )
        if media:
            connection.execute(
                media_table.insert(),
                [
                    {"thread_id": thread_id, "position": position, "png": png, "alt_text": alt}
                    for position, (png, alt) in media.items()
                ],
            )
        return one(connection, thread_id)

    def get(self, thread_id: int) -> ThreadRecord:
        with self.store.connect() as connection:
            return one(connection, thread_id)

    def versions(self, key: str) -> list[ThreadRecord]:
        """Every stored version of thread ``key``, oldest first (one query)."""
        with self.store.connect() as connection:
            return records(connection, threads_table.c.key == key)

    def all(self, *, scheduled_only: bool = False) -> list[ThreadRecord]:
        """Every thread with its posts, by id, in one query."""
        condition = threads_table.c.due_at.is_not(None) if scheduled_only else sa.true()
        with self.store.connect() as connection:
            return records(connection, condition)

    def media(self, thread_id: int, position: int) -> MediaRecord | None:
        with self.store.connect() as connection:
            row = connection.execute(
                sa.select(media_table)
                .where(media_table.c.thread_id == thread_id)
                .where(media_table.c.position == position)
            ).first()
        return None if row is None else MediaRecord.from_row(row)

    def summaries(self, *, scheduled_only: bool = False) -> list[ThreadSummary]:
        """Every thread (or every queued one, and every one being posted) by id, with its
        post counts and first post, in one query: what `status` and `queue` list."""
        counted = posts_table.alias("counted")

        def of_thread(*columns: Any) -> Any:
            return sa.select(*columns).where(counted.c.thread_id == threads_table.c.id)

        live = (
            of_thread(sa.func.count())
            .where(counted.c.status == PostStatus.POSTED)
            .where(counted.c.deleted_at.is_(None))
        )
        total = of_thread(sa.func.count())
        first = of_thread(counted.c.post_id).where(counted.c.position == 1)
        first_text = of_thread(counted.c.text).where(counted.c.position == 1)
        t = threads_table
        query = sa.select(
            t.c.id,
            t.c.key,
            t.c.article,
            t.c.status,
            t.c.due_at,
            t.c.not_before,
            t.c.last_error,
            t.c.cost_usd,
            live.scalar_subquery().label("live_count"),
            total.scalar_subquery().label("post_count"),
            first.scalar_subquery().label("first_post_id"),
            first_text.scalar_subquery().label("first_text"),
            t.c.account,
            t.c.network,
            t.c.claimed_by,
            t.c.claimed_at,
            t.c.lease_until,
        ).order_by(t.c.id)
        if scheduled_only:
            # Queued threads, and every thread being posted (a hand-published one holds
            # its account's lane too: the queue says so).
            query = query.where(sa.or_(t.c.due_at.is_not(None), t.c.status == ThreadStatus.POSTING))
        with self.store.connect() as connection:
            return [ThreadSummary.from_row(row) for row in connection.execute(query)]


def one(connection: Connection, thread_id: int) -> ThreadRecord:
    found = records(connection, threads_table.c.id == thread_id)
    if not found:
        raise ThreadNotFoundError(
            f"no thread {thread_id} in the store: `threadbot status` lists them"
        )
    return found[0]


def records(connection: Connection, condition: Any) -> list[ThreadRecord]:
    """Threads matching ``condition`` with their posts: one query, grouped here."""
    columns = [c.label(f"p_{c.name}") for c in posts_table.c]
    query = (
        sa.select(threads_table, *columns, media_table.c.position.label("p_has_media"))
        .select_from(
            threads_table.outerjoin(
                posts_table, posts_table.c.thread_id == threads_table.c.id
            ).outerjoin(
                media_table,
                sa.and_(
                    media_table.c.thread_id == posts_table.c.thread_id,
                    media_table.c.position == posts_table.c.position,
                ),
            )
        )
        .where(condition)
        .order_by(threads_table.c.id, posts_table.c.position)
    )
    found: list[ThreadRecord] = []
    current: Any = None
    posts: list[PostRecord] = []
    for row in connection.execute(query):
        if current is None or row.id != current.id:
            if current is not None:
                found.append(ThreadRecord.from_row(current, tuple(posts)))
            current, posts = row, []
        if row.p_position is not None:
            posts.append(PostRecord.from_row(row, prefix="p_"))
    if current is not None:
        found.append(ThreadRecord.from_row(current, tuple(posts)))
    return found
