"""Freezing prepared threads into the store, by the one rule in :mod:`bot.lifecycle`.

``publish`` and ``schedule`` both go through :func:`freeze_or_continue`: a thread whose
stored version has the same texts (and charts) is continued, never frozen twice; a live
one is refused with its URL. Charts are drawn once, here, so every retry uploads the
same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.lifecycle import ThreadStatus, Version, freeze_or_continue
from bot.posting.publisher import thread_digest
from bot.store import Store, ThreadRecord
from threads.building import Thread
from threads.pipeline import Prepared

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def thread_hash(thread: Thread) -> str:
    """What makes two versions of a thread the same: its texts and its charts."""
    parts = [tweet.text for tweet in thread.tweets]
    parts += [tweet.chart.alt_text for tweet in thread.tweets if tweet.chart is not None]
    return thread_digest(parts)


def frozen_media(thread: Thread) -> dict[int, tuple[bytes, str]]:
    """Each chart drawn once, at freeze time, so every retry uploads the same bytes."""
    media: dict[int, tuple[bytes, str]] = {}
    for position, tweet in enumerate(thread.tweets, start=1):
        if tweet.chart is not None:
            from bot.charts import render_png

            media[position] = (render_png(tweet.chart), tweet.chart.alt_text)
    return media


def freeze_thread(
    store: Store,
    prepared: Prepared,
    thread: Thread,
    now: dt.datetime,
    *,
    account: str,
    network: str,
    due_at: dt.datetime | None = None,
    connection: Connection | None = None,
    pending: bool = False,
) -> ThreadRecord:
    """Store ``thread`` exactly as built: texts, charts, cost, and a due time if queued
    (inside ``connection``'s transaction when given); ``pending``: held for approval."""
    return store.threads.freeze(
        key=thread.id,
        article=prepared.article.path,
        section_index=thread.section_index,
        section=thread.section,
        content_hash=thread_hash(thread),
        posts=[(t.text, t.has_url) for t in thread.tweets],
        cost_usd=thread.cost_usd,
        now=now,
        due_at=due_at,
        media=frozen_media(thread),
        connection=connection,
        account=account,
        network=network,
        pending=pending,
    )


def versions(records: list[ThreadRecord], url: Callable[[str], str] | None) -> list[Version]:
    return [
        Version(
            id=r.id,
            status=r.status,
            content_hash=r.content_hash,
            live_count=r.live_count,
            post_count=len(r.posts),
            first_url=(
                url(r.first_post_id)
                if url is not None and r.first_post_id and r.status == ThreadStatus.POSTED
                else None
            ),
            edited_from=r.edited_from,
        )
        for r in records
    ]


def existing_version(
    store: Store,
    thread: Thread,
    *,
    scheduling: bool,
    account: str,
    network: str,
    url: Callable[[str], str] | None = None,
) -> ThreadRecord | None:
    """The account's stored version of ``thread`` to continue, or None to freeze a new
    one (another account posting the same article is another thread)."""
    records = [
        r
        for r in store.threads.versions(thread.id)
        if r.account == account and r.network == network
    ]
    chosen = freeze_or_continue(
        thread.id, thread_hash(thread), versions(records, url), scheduling=scheduling
    )
    if chosen is None:
        return None
    return next(r for r in records if r.id == chosen.id)
