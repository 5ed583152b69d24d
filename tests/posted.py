"""Posted threads put straight into a store (frozen, claimed, each post recorded with the
network's id, finished), for tests of what comes after posting: reading the numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.lifecycle import Lease, Owner, ThreadStatus
from bot.store import Store, ThreadRecord
from bot.store.records import utc
from bot.store.schema import posts_table

CLOSING = "📖 The whole section: https://blog.gonogo.kr/posts/a"


def texts(count: int) -> list[str]:
    """``count`` post texts, the last one the closing post with its link."""
    return [f"post {n}/{count}" for n in range(1, count)] + [CLOSING]


def posted_thread(
    store: Store,
    post_ids: Sequence[str],
    *,
    posted_at: dt.datetime,
    network: str = "x",
    key: str = "a#1",
    account: str = "default",
) -> ThreadRecord:
    """A thread of ``post_ids`` (the network's ids, in order) posted at ``posted_at``,
    queued for then (so the calendar shows it)."""
    record = store.threads.freeze(
        key=key,
        article="a.txt",
        section_index=1,
        section="S",
        content_hash=key,
        posts=[(text, text == CLOSING) for text in texts(len(post_ids))],
        cost_usd=0.0,
        now=posted_at - dt.timedelta(hours=1),
        account=account,
        network=network,
        due_at=posted_at,
    )
    claim = store.queue.claim(record.id, Owner("poster", "host"), posted_at, Lease(60))
    assert claim is not None
    for position, post_id in enumerate(post_ids, start=1):
        claim.sending(position, None, posted_at)
        claim.posted(position, post_id, posted_at)
    assert claim.finish(ThreadStatus.POSTED)
    return store.threads.get(record.id)


def mark_deleted(store: Store, thread_id: int, position: int, at: dt.datetime) -> None:
    """The post taken down (as `threadbot delete` records it)."""
    with store.transaction() as connection:
        connection.execute(
            posts_table.update()
            .where(posts_table.c.thread_id == thread_id)
            .where(posts_table.c.position == position)
            .values(deleting_at=utc(at), deleted_at=utc(at), delete_result="deleted")
        )
