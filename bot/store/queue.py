"""The queue: what is due, claims by lease, and every change of a thread's status.

A claim is a :class:`Claim`: the lease its holder has on one thread, and the only way to
record what becomes of the thread's posts (``sending`` before each request, fenced by
the claim; ``posted`` with the network's id after it) and to let the thread go
(``finish`` to a status lifecycle allows, or ``release`` for the next claimant). Nobody
passes an owner around: whoever holds the Claim is the owner.

The daemon's claims (``due_only``) keep the queue's rules in the claim's one UPDATE: the
thread is due; no other thread of its lane (account and network) is ``posting`` (a
lane's threads never overlap; one left by a stopped or dead poster is finished first);
none of the lane is due before it; the lane is not blocked by a rate limit. On
PostgreSQL the thread's row and then its account's are locked ``FOR UPDATE SKIP LOCKED``
first, so two daemons never wait on each other and never both pass the lane's checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.errors import LeaseLostError
from bot.lifecycle import CLAIMABLE, WAITING, Lease, Owner, PostStatus, ThreadStatus, sources
from bot.store.records import QueuedThread, ThreadRecord, utc
from bot.store.schema import accounts_table, media_table, posts_table, threads_table
from bot.store.threads import one

if TYPE_CHECKING:
    from bot.store.connector import Store


class Queue:
    """What is due, who may post it, and status changes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def due(self, *statuses: ThreadStatus, due_by: dt.datetime | None = None) -> list[QueuedThread]:
        """Queued threads by due time, without their posts, in one query (a daemon reads
        this every poll), and every ``posting`` one (a thread published by hand has no
        due time but holds its lane). With ``due_by``, only those due by then: a poll's
        cost follows what is due, not the queue's length."""
        t = threads_table
        # The thread's posts by its primary key, counted if posted: with the status in
        # the WHERE clause, PostgreSQL may walk every posted post of the store through
        # ix_posts_status_posted_at for each due thread (while statistics say few are).
        live = (
            sa.select(sa.func.count(sa.case((posts_table.c.status == PostStatus.POSTED, 1))))
            .where(posts_table.c.thread_id == t.c.id)
            .scalar_subquery()
        )
        query = (
            sa.select(
                t.c.id,
                t.c.key,
                t.c.status,
                t.c.due_at,
                t.c.not_before,
                t.c.claimed_by,
                t.c.lease_until,
                live.label("live_count"),
                t.c.account,
                t.c.network,
                t.c.claimed_at,
            )
            .where(t.c.status.in_([str(s) for s in statuses]))
            .where(sa.or_(t.c.due_at.is_not(None), t.c.status == ThreadStatus.POSTING))
            .order_by(t.c.due_at, t.c.id)
        )
        if due_by is not None:
            # Written so each branch can use ix_threads_status_due_at (a COALESCE over
            # not_before cannot).
            by = utc(due_by)
            query = query.where(
                sa.or_(
                    t.c.status == ThreadStatus.POSTING,
                    sa.and_(t.c.status == ThreadStatus.SCHEDULED, t.c.due_at <= by),
                    sa.and_(t.c.status == ThreadStatus.DEFERRED, _effective_due(t) <= by),
                )
            )
        with self.store.connect() as connection:
            return [QueuedThread.from_row(row) for row in connection.execute(query)]

    def lanes(self) -> tuple[int, set[tuple[str, str]]]:
        """How many threads are queued or posting, and their (account, network) lanes
        (two small queries, whatever the queue's length)."""
        upcoming = [str(s) for s in (*WAITING, ThreadStatus.POSTING)]
        t = threads_table
        with self.store.connect() as connection:
            count = connection.execute(
                sa.select(sa.func.count()).where(t.c.status.in_(upcoming))
            ).scalar_one()
            lanes = connection.execute(
                sa.select(t.c.account, t.c.network).where(t.c.status.in_(upcoming)).distinct()
            ).all()
        return int(count), {(row.account, row.network) for row in lanes}

    def claim(
        self,
        thread_id: int,
        owner: Owner,
        now: dt.datetime,
        lease: Lease,
        from_statuses: Iterable[ThreadStatus] = CLAIMABLE,
        *,
        due_only: bool = False,
    ) -> Claim | None:
        """Take a thread for posting in one transaction; None if another process has it.

        Claimable: a thread in ``from_statuses``, or a ``posting`` one whose claim was
        given back, has expired, or is ``owner``'s. Of two processes racing, exactly one
        changes the row. ``due_only`` (a daemon's claims) adds the queue's rules (see the
        module docstring). The record comes back read after the claim: what
        crash-safety needs to know.
        """
        now_utc = utc(now)
        t = threads_table
        posting = sa.and_(
            t.c.status == ThreadStatus.POSTING,
            sa.or_(
                t.c.claimed_by == owner.id, t.c.lease_until.is_(None), t.c.lease_until <= now_utc
            ),
        )
        waiting: sa.ColumnElement[bool] = t.c.status.in_([str(s) for s in from_statuses])
        if due_only:
            waiting = sa.and_(waiting, _effective_due(t) <= now_utc)
        condition = sa.and_(t.c.id == thread_id, sa.or_(waiting, posting))
        if due_only:
            condition = sa.and_(condition, *_lane_rules(now_utc))
        with self.store.transaction() as connection:
            row = connection.execute(
                sa.select(t.c.id, t.c.account, t.c.network)
                .where(t.c.id == thread_id)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None  # gone, or being claimed by another daemon right now
            if due_only and self.store.shared:
                held = connection.execute(
                    sa.select(accounts_table.c.name)
                    .where(accounts_table.c.name == row.account)
                    .where(accounts_table.c.network == row.network)
                    .with_for_update(skip_locked=True)
                ).first()
                if held is None:
                    return None  # another daemon is claiming for this account
            changed = connection.execute(
                t.update()
                .where(condition)
                .values(status=ThreadStatus.POSTING, **claimed(owner, lease, now))
            ).rowcount
            if changed != 1:
                return None
            return Claim(self.store, one(connection, thread_id), owner, lease)

    def transition(
        self,
        thread_id: int,
        target: ThreadStatus,
        *,
        error: str | None = None,
        not_before: dt.datetime | None = None,
        lapsed_by: dt.datetime | None = None,
    ) -> bool:
        """Move a thread nobody holds to ``target`` if lifecycle allows it from its
        current status (a daemon marking a thread missed, the owner cancelling). A
        ``posting`` thread is moved only with ``lapsed_by``: its claim given back, or
        expired by then (a holder moves its own with :meth:`Claim.finish`)."""
        t = threads_table
        condition: sa.ColumnElement[bool] = sa.and_(
            t.c.status.in_([str(s) for s in sources(target)]),
            t.c.status != ThreadStatus.POSTING,
        )
        if lapsed_by is not None and ThreadStatus.POSTING in sources(target):
            lapsed = sa.or_(
                t.c.claimed_by.is_(None),
                t.c.lease_until.is_(None),
                t.c.lease_until <= utc(lapsed_by),
            )
            condition = sa.or_(condition, sa.and_(t.c.status == ThreadStatus.POSTING, lapsed))
        with self.store.transaction() as connection:
            return _move(connection, thread_id, condition, target, error, not_before)

    def decide(self, thread_id: int, *, approved: bool, due_at: dt.datetime | None) -> bool:
        """The owner's yes (queued at ``due_at``) or no (cancelled) for a thread waiting
        for approval; False when it is not ``pending`` (any more)."""
        values: dict[str, Any] = (
            {"status": ThreadStatus.SCHEDULED, "due_at": utc(due_at), "last_error": None}
            if approved
            else {"status": ThreadStatus.CANCELLED, "last_error": "rejected by the owner"}
        )
        with self.store.transaction() as connection:
            changed = connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .where(threads_table.c.status == ThreadStatus.PENDING)
                .values(**values)
            ).rowcount
        return bool(changed == 1)

    def reschedule(self, thread_id: int, due_at: dt.datetime) -> bool:
        """A new due time; revives missed, failed and cancelled threads (never a live one,
        nor one waiting for approval: only the owner's yes queues that)."""
        allowed = [
            str(s)
            for s in sources(ThreadStatus.SCHEDULED)
            if s not in (ThreadStatus.POSTING, ThreadStatus.PENDING)
        ]
        with self.store.transaction() as connection:
            changed = connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .where(threads_table.c.status.in_(allowed))
                .values(
                    status=ThreadStatus.SCHEDULED,
                    due_at=utc(due_at),
                    not_before=None,
                    last_error=None,
                    **UNCLAIMED,
                )
            ).rowcount
        return bool(changed == 1)


class HeldClaim:
    """One thread held by lease in ``held_as``, and the writes its holder may make: each
    is conditional on the claim (``claimed_by`` the holder's, the thread still
    ``held_as``), so a holder whose lease ran out and was taken over changes nothing."""

    held_as: ClassVar[ThreadStatus]

    def __init__(self, store: Store, thread: ThreadRecord, owner: Owner, lease: Lease) -> None:
        self.store = store
        self.thread = thread
        self.owner = owner
        self.lease = lease

    @property
    def thread_id(self) -> int:
        return self.thread.id

    def _mine(self) -> sa.ColumnElement[bool]:
        t = threads_table
        return sa.and_(t.c.status == self.held_as, t.c.claimed_by == self.owner.id)

    def _write(self, position: int, **values: Any) -> bool:
        """Update one of the thread's posts; False if the claim is no longer held."""
        t, p = threads_table, posts_table
        held = sa.select(t.c.id).where(t.c.id == self.thread.id).where(self._mine()).exists()
        with self.store.transaction() as connection:
            changed = connection.execute(
                p.update()
                .where(p.c.thread_id == self.thread.id)
                .where(p.c.position == position)
                .where(held)
                .values(**values)
            ).rowcount
        return bool(changed == 1)

    def _update_thread(self, *conditions: sa.ColumnElement[bool], **values: Any) -> bool:
        """Update the held thread (where ``conditions`` hold too); False if the claim is
        no longer held."""
        t = threads_table
        with self.store.transaction() as connection:
            changed = connection.execute(
                t.update()
                .where(t.c.id == self.thread.id)
                .where(self._mine(), *conditions)
                .values(**values)
            ).rowcount
        return bool(changed == 1)

    def renew(self, now: dt.datetime) -> bool:
        """The heartbeat: extend the lease; False if the claim is no longer held."""
        return self._update_thread(lease_until=utc(self.lease.until(now)))


class Claim(HeldClaim):
    """A thread held for posting (``posting``): at ``sending``, a holder whose claim was
    taken over raises :class:`LeaseLostError` before any request goes out."""

    held_as = ThreadStatus.POSTING

    def sending(self, position: int, post_key: str | None, now: dt.datetime) -> None:
        """Committed before the request, so a crash leaves a trace to reconcile, with the
        post's idempotency key; its first ``sending`` keeps its time (whatever is found
        for it later must be newer). One UPDATE, fenced by the claim: taken over, it
        raises :class:`LeaseLostError` and changes nothing."""
        values: dict[str, Any] = {
            "status": PostStatus.SENDING,
            "attempts": posts_table.c.attempts + 1,
            "last_error": None,
            "sending_at": sa.func.coalesce(posts_table.c.sending_at, utc(now)),
        }
        if post_key is not None:
            values["post_key"] = post_key  # in the same commit as `sending`
        if not self._write(position, **values):
            raise LeaseLostError(
                f"thread {self.thread.id} was taken over by another process (its lease "
                "had expired): this one stops without sending"
            )

    def posted(self, position: int, post_id: str, at: dt.datetime) -> None:
        self._write(
            position, status=PostStatus.POSTED, post_id=post_id, posted_at=utc(at), last_error=None
        )

    def unsent(self, position: int, error: str | None = None) -> None:
        """Back to pending: the request provably made no post."""
        self._write(position, status=PostStatus.PENDING, last_error=error)

    def failed(self, position: int, error: str) -> None:
        self._write(position, status=PostStatus.FAILED, last_error=error)

    def uploaded(self, position: int, media_id: str, at: dt.datetime) -> None:
        """Committed right after the network accepts the upload, so a retry reuses it."""
        with self.store.transaction() as connection:
            connection.execute(
                media_table.update()
                .where(media_table.c.thread_id == self.thread.id)
                .where(media_table.c.position == position)
                .values(media_id=media_id, uploaded_at=utc(at))
            )

    def finish(
        self,
        target: ThreadStatus,
        *,
        error: str | None = None,
        not_before: dt.datetime | None = None,
    ) -> bool:
        """Leave ``posting`` for ``target`` (posted, failed, deferred…), giving the
        claim up; False if it was no longer held."""
        with self.store.transaction() as connection:
            return _move(connection, self.thread.id, self._mine(), target, error, not_before)

    def release(self) -> bool:
        """Give the claim back without finishing (Ctrl-C, a daemon's shutdown): the
        thread stays ``posting``, holding its lane, for the next claimant to finish at
        once — `resume`, or any daemon before the lane's later threads."""
        return self._update_thread(claimed_by=None, claim_host=None, lease_until=None)


# What a thread holds while claimed (see claimed), cleared when the claim ends.
UNCLAIMED = {"claimed_by": None, "claim_host": None, "lease_until": None, "claimed_at": None}


def claimed(owner: Owner, lease: Lease, now: dt.datetime) -> dict[str, Any]:
    """The columns a claim writes: who holds the thread, from where, since and until when."""
    return {
        "claimed_by": owner.id,
        "claim_host": owner.host,
        "lease_until": utc(lease.until(now)),
        "claimed_at": utc(now),
    }


def _move(
    connection: Connection,
    thread_id: int,
    condition: sa.ColumnElement[bool],
    target: ThreadStatus,
    error: str | None,
    not_before: dt.datetime | None,
) -> bool:
    values: dict[str, Any] = {"status": target, "last_error": error, "not_before": utc(not_before)}
    if target != ThreadStatus.POSTING:
        values.update(UNCLAIMED)
    changed = connection.execute(
        threads_table.update()
        .where(threads_table.c.id == thread_id)
        .where(condition)
        .values(**values)
    ).rowcount
    return bool(changed == 1)


def _effective_due(table: Any) -> sa.ColumnElement[Any]:
    """When a queued thread may go: its deferral if any, else its slot."""
    return sa.func.coalesce(table.c.not_before, table.c.due_at)


def _lane_rules(now: dt.datetime | None) -> list[sa.ColumnElement[bool]]:
    """A daemon's claim conditions beyond the thread's own status (the module docstring)."""
    t = threads_table
    other = threads_table.alias("other")
    earlier = sa.or_(
        other.c.due_at < t.c.due_at,
        sa.and_(other.c.due_at == t.c.due_at, other.c.id < t.c.id),
    )
    # Two EXISTS, each on the full (account, network, status, due_at) index prefix.
    posting = (
        sa.select(other.c.id)
        .where(other.c.account == t.c.account)
        .where(other.c.network == t.c.network)
        .where(other.c.status == ThreadStatus.POSTING)  # being posted, or left by a
        .where(other.c.id != t.c.id)  # stopped or dead poster: it is finished first
    )
    due_before = (
        sa.select(other.c.id)
        .where(other.c.account == t.c.account)
        .where(other.c.network == t.c.network)
        .where(other.c.status.in_([str(s) for s in WAITING]))
        .where(other.c.due_at <= t.c.due_at)
        .where(other.c.id != t.c.id)
        .where(earlier)
        .where(_effective_due(other) <= now)
    )
    blocked = (
        sa.select(accounts_table.c.name)
        .where(accounts_table.c.name == t.c.account)
        .where(accounts_table.c.network == t.c.network)
        .where(accounts_table.c.blocked_until > now)
    )
    return [~posting.exists(), ~due_before.exists(), ~blocked.exists()]
