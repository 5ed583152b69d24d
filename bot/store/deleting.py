"""Taking a thread down: the claim for deleting, by lease, and every post's delete mark.

A thread is claimed for deleting as for posting — one conditional UPDATE, by lease —
from ``posted`` or ``failed`` at once, from ``posting`` or ``deleting`` only once nobody
holds it (given back, or its lease run out). The :class:`DeleteClaim` is then the only
way to record what becomes of its posts: ``deleting_at`` committed *before* each DELETE
request (fenced by the claim, so a process that lost it never sends), ``deleted_at``
with the answer (``deleted``, or ``gone``: the network no longer had it) after. A post
left with ``deleting_at`` and no answer is one whose request a killed process may have
sent: whoever claims next asks the network before sending another.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import sqlalchemy as sa

from bot.errors import LeaseLostError
from bot.lifecycle import Lease, Owner, PostStatus, ThreadStatus, sources
from bot.store.queue import UNCLAIMED, HeldClaim, claimed
from bot.store.records import utc
from bot.store.schema import posts_table, threads_table
from bot.store.threads import one

if TYPE_CHECKING:
    from bot.store.connector import Store

#: What a post's DELETE came to: this request took it down, or the network had no such post.
DeleteResult = Literal["deleted", "gone"]
#: Statuses someone may hold by lease: claimed from them only once the lease has lapsed.
LEASED = frozenset({ThreadStatus.POSTING, ThreadStatus.DELETING})


class Deletions:
    """Claims for taking threads down."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def claim(
        self, thread_id: int, owner: Owner, now: dt.datetime, lease: Lease
    ) -> DeleteClaim | None:
        """Take a thread for deleting in one conditional UPDATE; None if its status does
        not allow it or another process holds it (of two racing, one wins)."""
        now_utc = utc(now)
        t = threads_table
        lapsed = sa.or_(
            t.c.claimed_by == owner.id, t.c.lease_until.is_(None), t.c.lease_until <= now_utc
        )
        unheld = [str(s) for s in sources(ThreadStatus.DELETING) - LEASED]
        held = [str(s) for s in sources(ThreadStatus.DELETING) & LEASED]
        condition = sa.and_(
            t.c.id == thread_id,
            sa.or_(t.c.status.in_(unheld), sa.and_(t.c.status.in_(held), lapsed)),
        )
        with self.store.transaction() as connection:
            changed = connection.execute(
                t.update()
                .where(condition)
                .values(
                    status=ThreadStatus.DELETING,
                    last_error=None,
                    not_before=None,
                    **claimed(owner, lease, now),
                )
            ).rowcount
            if changed != 1:
                return None
            return DeleteClaim(self.store, one(connection, thread_id), owner, lease)


class DeleteClaim(HeldClaim):
    """A thread held for deleting (``deleting``); every write is conditional on the claim."""

    held_as = ThreadStatus.DELETING

    def deleting(self, position: int, now: dt.datetime) -> None:
        """Committed before the DELETE request: a crash leaves the mark, and the next
        claimant asks the network before sending again. Fenced by the claim: taken
        over, it raises :class:`LeaseLostError` and nothing is sent."""
        if not self._write(position, deleting_at=utc(now)):
            raise LeaseLostError(
                f"thread {self.thread.id} was taken over by another process (its lease "
                "had expired): this one stops without deleting"
            )

    def deleted(self, position: int, result: DeleteResult, at: dt.datetime) -> None:
        """The post is off the network: taken down now, or found gone."""
        self._write(position, deleted_at=utc(at), delete_result=result)

    def not_deleting(self, position: int) -> None:
        """The network refused the DELETE (a rate limit, credentials): the post is still
        there, nothing to look up before sending again."""
        self._write(position, deleting_at=None)

    def adopted(self, position: int, post_id: str, at: dt.datetime) -> None:
        """A post left ``sending`` by an interrupted publish was found on the network:
        live, to be taken down like the others."""
        self._write(position, status=PostStatus.POSTED, post_id=post_id, posted_at=utc(at))

    def unsent(self, position: int) -> None:
        """A post left ``sending`` is not on the network: it never went out."""
        self._write(position, status=PostStatus.PENDING, last_error="not on the network")

    def finish(self) -> bool:
        """``deleted``, giving the claim up — only once no post of the thread is live or
        of unknown fate; False otherwise, or if the claim was lost."""
        t, p = threads_table, posts_table
        remaining = (
            sa.select(p.c.position)
            .where(p.c.thread_id == t.c.id)
            .where(
                sa.or_(
                    sa.and_(p.c.status == PostStatus.POSTED, p.c.deleted_at.is_(None)),
                    p.c.status == PostStatus.SENDING,
                )
            )
            .exists()
        )
        return self._update_thread(
            ~remaining, status=ThreadStatus.DELETED, last_error=None, **UNCLAIMED
        )

    def release(self, error: str | None = None) -> bool:
        """Give the claim back, unfinished (a rate limit, Ctrl-C, an error): the thread
        stays ``deleting`` with ``error`` said, and `delete` again claims it at once."""
        return self._update_thread(
            last_error=error, claimed_by=None, claim_host=None, lease_until=None
        )
