"""Threads as frozen and read back: freezing, one thread or every version of one, and the
listings `status` and `queue` show — each one query."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.errors import ThreadNotFoundError
from bot.lifecycle import EDITABLE, LISTED, PostStatus, ThreadStatus
from bot.store.accounts import ensure_account
from bot.store.records import (
    MediaRecord,
    PostRecord,
    ThreadRecord,
    ThreadSummary,
    aware,
    utc,
)
from bot.store.schema import media_table, posts_table, thread_edits_table, threads_table

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
        pending: bool = False,
    ) -> ThreadRecord:
        """Store a thread's exact texts (and images, by post position); from now on these,
        not the article, get posted. With ``connection``, inside that transaction (a feed
        poll records its entries and queues their threads in one); ``pending``: it waits
        for the owner's approval, its due time a reserved slot."""
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
                    pending=pending,
                )
        ensure_account(connection, account, network)
        inserted = connection.execute(
            threads_table.insert().values(
                key=key,
                article=article,
                section_index=section_index,
                section=section,
                content_hash=content_hash,
                status=(
                    ThreadStatus.PENDING
                    if pending
                    else ThreadStatus.SCHEDULED
                    if due_at
                    else ThreadStatus.READY
                ),
                created_at=utc(now),
                due_at=utc(due_at),
                cost_usd=cost_usd,
                account=account,
                network=network,
            )
        ).inserted_primary_key
        assert inserted is not None  # an INSERT always has one
        thread_id = int(inserted[0])
        _insert_pending_posts(connection, thread_id, posts)
        if media:
            connection.execute(
                media_table.insert(),
                [
                    {"thread_id": thread_id, "position": position, "png": png, "alt_text": alt}
                    for position, (png, alt) in media.items()
                ],
            )
        return one(connection, thread_id)

    def replace_posts(
        self,
        thread_id: int,
        *,
        expected_hash: str,
        posts: Sequence[tuple[str, bool]],
        content_hash: str,
        cost_usd: float,
        chart_moves: dict[int, int | None],
        now: dt.datetime,
    ) -> bool:
        """The owner's edit: ``posts`` replace the thread's, its charts move as
        ``chart_moves`` says (old position -> new, or dropped), and both versions' texts
        are kept in ``thread_edits``. Only while nothing was sent and the thread is still
        the one edited (``expected_hash``): False otherwise, and nothing changes."""
        t = threads_table
        with self.store.transaction() as connection:
            sent = connection.execute(
                sa.select(sa.func.count())
                .select_from(posts_table)
                .where(posts_table.c.thread_id == thread_id)
                .where(posts_table.c.status != PostStatus.PENDING)
            ).scalar_one()
            old_texts = [
                row.text
                for row in connection.execute(
                    sa.select(posts_table.c.text)
                    .where(posts_table.c.thread_id == thread_id)
                    .order_by(posts_table.c.position)
                )
            ]
            changed = connection.execute(
                t.update()
                .where(t.c.id == thread_id)
                .where(t.c.content_hash == expected_hash)
                .where(t.c.status.in_([str(s) for s in EDITABLE]))
                .where(sa.literal(sent) == 0)
                .values(
                    content_hash=content_hash,
                    edited_from=sa.func.coalesce(t.c.edited_from, t.c.content_hash),
                    edited_at=utc(now),
                    cost_usd=cost_usd,
                )
            ).rowcount
            if changed != 1:
                return False
            e = thread_edits_table
            latest = connection.execute(
                sa.select(sa.func.max(e.c.version)).where(e.c.thread_id == thread_id)
            ).scalar()
            if latest is None:  # the first edit keeps the texts as frozen, as version 1
                latest = 1
                _insert_version(connection, thread_id, 1, old_texts, expected_hash, now)
            texts = [text for text, _ in posts]
            _insert_version(connection, thread_id, latest + 1, texts, content_hash, now)
            connection.execute(posts_table.delete().where(posts_table.c.thread_id == thread_id))
            _insert_pending_posts(connection, thread_id, posts)
            media = connection.execute(
                sa.select(media_table).where(media_table.c.thread_id == thread_id)
            ).all()
            connection.execute(media_table.delete().where(media_table.c.thread_id == thread_id))
            moved = [
                {"thread_id": thread_id, "position": chart_moves[row.position], "png": row.png,
                 "alt_text": row.alt_text}
                for row in media
                if chart_moves.get(row.position) is not None
            ]  # fmt: skip
            if moved:
                connection.execute(media_table.insert(), moved)
        return True

    def edits(self, thread_id: int) -> list[tuple[int, list[str], dt.datetime | None]]:
        """Each kept version of an edited thread: (version, texts, when), oldest first."""
        e = thread_edits_table
        with self.store.connect() as connection:
            rows = connection.execute(
                sa.select(e.c.version, e.c.texts, e.c.created_at)
                .where(e.c.thread_id == thread_id)
                .order_by(e.c.version)
            ).all()
        return [(row.version, json.loads(row.texts), aware(row.created_at)) for row in rows]

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
            # Queued threads, those waiting for approval, and every thread being posted
            # or about to be (a hand-published one holds its account's lane too).
            query = query.where(
                sa.or_(t.c.due_at.is_not(None), t.c.status.in_([str(s) for s in LISTED]))
            )
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


def _insert_pending_posts(
    connection: Connection, thread_id: int, posts: Sequence[tuple[str, bool]]
) -> None:
    """The thread's posts, each (text, has_url), numbered from 1 and not yet sent."""
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


def _insert_version(
    connection: Connection,
    thread_id: int,
    version: int,
    texts: list[str],
    content_hash: str,
    now: dt.datetime,
) -> None:
    """One kept version of an edited thread's texts."""
    connection.execute(
        thread_edits_table.insert().values(
            thread_id=thread_id,
            version=version,
            texts=json.dumps(texts, ensure_ascii=False),
            content_hash=content_hash,
            created_at=utc(now),
        )
    )
