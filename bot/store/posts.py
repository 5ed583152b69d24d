"""What went out: posts by time (budgets, caps and spend are counted from the store, so
every daemon sees the same) and which network ids the store already holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bot.lifecycle import PostStatus
from bot.store.records import PostedPost, utc
from bot.store.schema import posts_table, threads_table

if TYPE_CHECKING:
    from bot.store.connector import Store


class Posts:
    """Queries over every thread's posts."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def since(
        self, since: dt.datetime, account: str | None = None, network: str | None = None
    ) -> list[PostedPost]:
        """Every post that went out since ``since`` (by ``account``, on ``network``, if
        given), oldest first."""
        p, t = posts_table, threads_table
        query = (
            sa.select(p.c.posted_at, p.c.has_url, t.c.network)
            .join(t, t.c.id == p.c.thread_id)
            .where(p.c.status == PostStatus.POSTED)
            .where(p.c.posted_at >= utc(since))
            .order_by(p.c.posted_at)
        )
        if account is not None:
            query = query.where(t.c.account == account)
        if network is not None:
            query = query.where(t.c.network == network)
        with self.store.connect() as connection:
            return [PostedPost.from_row(row) for row in connection.execute(query)]

    def recorded_elsewhere(
        self, network: str, post_ids: Sequence[str], thread_id: int, position: int
    ) -> set[str]:
        """Which of ``post_ids`` (on ``network``) the store already holds for another
        post than (thread_id, position): such a post is never adopted for this one."""
        if not post_ids:
            return set()
        p, t = posts_table, threads_table
        query = (
            sa.select(p.c.post_id)
            .join(t, t.c.id == p.c.thread_id)
            .where(t.c.network == network)
            .where(p.c.post_id.in_(list(post_ids)))
            .where(sa.or_(p.c.thread_id != thread_id, p.c.position != position))
        )
        with self.store.connect() as connection:
            return {str(row.post_id) for row in connection.execute(query)}
