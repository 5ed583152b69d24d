"""Thread state in one place: the statuses, the moves between them, and who may post.

The store executes these decisions (each as one conditional UPDATE); it does not make
them. Everything that changes a thread's status — the publisher, the daemon, the CLI —
asks here first.

Thread statuses::

    pending ── approve ──> scheduled              (queued for the owner's yes: never
       └────── reject ───> cancelled               claimed, never posted before it)
    ready ────────────────┐                       (frozen by `publish`, posted at once;
                          │                        reschedule queues it)
    scheduled ─┬─ claim ──┼─> posting ─┬─> posted
    deferred  ─┘          │      │     ├─> failed     (resume or reschedule revives it)
    failed ───── claim ───┘      │     ├─> deferred   (budget, rate limit, a dead link)
                                 │     └─> cancelled  (by the owner, once nobody holds it)
                                 └── released: Ctrl-C, a daemon's shutdown, a lease run
                                     out — still posting, holding its lane, finished
                                     by the next claimant (resume, or any daemon first)
    scheduled, deferred ──> missed     (fell due while no daemon ran, beyond the grace)
    anything not live ────> cancelled  (kept; reschedule revives it)
    posted, failed, posting (unheld) ── delete ──> deleting ──> deleted
                                     (taken down post by post; a killed delete resumes)

Claiming is by **lease**: a claim writes the owner (host:pid:nonce), its host and
``lease_until``; the owner renews the lease while it posts (a heartbeat). A thread in
``posting`` is taken over only when its lease has expired — on any host, with no pid
checks — and then reconciled (posts left ``sending`` are looked up) before anything
is sent. Every ``sending`` mark is fenced by the lease, so a process that lost its
lease cannot send.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import AlreadyPublishedError, StateConflictError


class ThreadStatus(StrEnum):
    PENDING = "pending"  # waits for the owner's approval
    READY = "ready"  # frozen by `publish`, posted at once
    SCHEDULED = "scheduled"
    DEFERRED = "deferred"
    POSTING = "posting"
    POSTED = "posted"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"
    DELETING = "deleting"  # being taken down: claimed like posting, by lease
    DELETED = "deleted"


class PostStatus(StrEnum):
    """A post's fate: decided before its request, known after it."""

    PENDING = "pending"
    SENDING = "sending"  # committed before the request: its fate is unknown until looked up
    POSTED = "posted"
    FAILED = "failed"


#: Queued for the daemon: it posts them when they fall due.
WAITING = frozenset({ThreadStatus.SCHEDULED, ThreadStatus.DEFERRED})
#: Tweets may be on the network: never cancelled, rescheduled or frozen again.
LIVE = frozenset({ThreadStatus.POSTING, ThreadStatus.POSTED})
#: Nothing more happens unless someone revives them (reschedule, resume).
FINISHED = frozenset(
    {
        ThreadStatus.POSTED,
        ThreadStatus.FAILED,
        ThreadStatus.MISSED,
        ThreadStatus.CANCELLED,
        ThreadStatus.DELETED,
    }
)
#: What `queue` lists as upcoming, and what the daemon reads every poll.
UPCOMING = WAITING | {ThreadStatus.POSTING}
#: What `queue` shows besides: threads waiting for a yes, and threads being published.
LISTED = UPCOMING | {ThreadStatus.PENDING, ThreadStatus.READY}
#: Some posts may be on the network: `delete` takes them down.
DELETABLE = frozenset(
    {ThreadStatus.POSTED, ThreadStatus.FAILED, ThreadStatus.POSTING, ThreadStatus.DELETING}
)
#: The owner may edit its posts (`threadbot edit`) while none has been sent.
EDITABLE = frozenset(
    {
        ThreadStatus.PENDING,
        ThreadStatus.READY,
        ThreadStatus.SCHEDULED,
        ThreadStatus.DEFERRED,
        ThreadStatus.FAILED,
        ThreadStatus.MISSED,
        ThreadStatus.CANCELLED,
    }
)
#: An earlier version of a thread in these does not block freezing a new one.
SET_ASIDE = frozenset({ThreadStatus.CANCELLED, ThreadStatus.MISSED, ThreadStatus.DELETED})
#: May be claimed for posting without a lease check (nobody is posting them).
CLAIMABLE = frozenset(
    {ThreadStatus.READY, ThreadStatus.SCHEDULED, ThreadStatus.DEFERRED, ThreadStatus.FAILED}
)

TRANSITIONS: dict[ThreadStatus, frozenset[ThreadStatus]] = {
    ThreadStatus.PENDING: frozenset({ThreadStatus.SCHEDULED, ThreadStatus.CANCELLED}),
    ThreadStatus.READY: frozenset(
        {ThreadStatus.POSTING, ThreadStatus.CANCELLED, ThreadStatus.SCHEDULED}
    ),
    ThreadStatus.SCHEDULED: frozenset(
        {
            ThreadStatus.POSTING,
            ThreadStatus.MISSED,
            ThreadStatus.CANCELLED,
            ThreadStatus.SCHEDULED,
        }
    ),
    ThreadStatus.DEFERRED: frozenset(
        {
            ThreadStatus.POSTING,
            ThreadStatus.MISSED,
            ThreadStatus.CANCELLED,
            ThreadStatus.SCHEDULED,
        }
    ),
    ThreadStatus.POSTING: frozenset(
        {
            ThreadStatus.POSTING,  # a takeover after the lease expired
            ThreadStatus.POSTED,
            ThreadStatus.FAILED,
            ThreadStatus.DEFERRED,
            ThreadStatus.SCHEDULED,
            ThreadStatus.CANCELLED,  # only once its claim lapsed (check_cancel)
            ThreadStatus.DELETING,  # likewise: its posts so far are taken down
        }
    ),
    ThreadStatus.POSTED: frozenset({ThreadStatus.DELETING}),
    ThreadStatus.FAILED: frozenset(
        {
            ThreadStatus.POSTING,
            ThreadStatus.SCHEDULED,
            ThreadStatus.CANCELLED,
            ThreadStatus.DELETING,
        }
    ),
    # A takeover after the deleter's lease ran out; deleted once no post is left.
    ThreadStatus.DELETING: frozenset({ThreadStatus.DELETING, ThreadStatus.DELETED}),
    ThreadStatus.DELETED: frozenset(),
    ThreadStatus.MISSED: frozenset({ThreadStatus.SCHEDULED, ThreadStatus.CANCELLED}),
    ThreadStatus.CANCELLED: frozenset({ThreadStatus.SCHEDULED, ThreadStatus.CANCELLED}),
}


def sources(target: ThreadStatus) -> frozenset[ThreadStatus]:
    """The statuses a thread may move to ``target`` from (the store's WHERE clause)."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def allowed(current: ThreadStatus, target: ThreadStatus) -> bool:
    return target in TRANSITIONS[current]


# -- guards the CLI asks before it changes a thread ------------------------------------


def check_cancel(thread_id: int, status: ThreadStatus, *, held: bool = False) -> None:
    """``held``: a ``posting`` thread whose claim is live — its poster is at work; a
    thread left by a stopped or dead poster may be cancelled (its live posts stay)."""
    if not allowed(status, ThreadStatus.CANCELLED):
        raise StateConflictError(f"thread {thread_id} is {status}: it cannot be cancelled")
    if status == ThreadStatus.POSTING and held:
        raise StateConflictError(
            f"thread {thread_id} is being posted now: stop that process (Ctrl-C), then cancel"
        )


def check_edit(thread_id: int, status: ThreadStatus, sent: int) -> None:
    """An edit changes what will be posted: never once a post may be on the network."""
    if status not in EDITABLE or sent:
        already = f", {sent} of its posts sent" if sent else ""
        raise StateConflictError(
            f"thread {thread_id} is {status}{already}: only a thread none of whose posts "
            "was sent can be edited (`threadbot delete` takes a posted one down)"
        )


def check_reschedule(thread_id: int, status: ThreadStatus) -> None:
    if not allowed(status, ThreadStatus.SCHEDULED) or status == ThreadStatus.POSTING:
        raise StateConflictError(f"thread {thread_id} is {status}: it cannot be rescheduled")


def check_delete(thread_id: int, status: ThreadStatus, *, live: int, held: bool = False) -> None:
    """``live``: posts that are (or may be) on the network; ``held``: a ``posting``
    thread whose poster is at work. Nothing live: there is nothing to take down."""
    if status == ThreadStatus.DELETED:
        raise StateConflictError(f"thread {thread_id} is deleted already: nothing of it is live")
    if status not in DELETABLE:
        if live:
            raise StateConflictError(
                f"thread {thread_id} is {status} with {live} posts live: threadbot takes "
                "down posted, failed or stopped threads only; delete those posts on the network"
            )
        instead = "" if status in SET_ASIDE else f": `threadbot cancel {thread_id}` instead"
        raise StateConflictError(
            f"thread {thread_id} is {status}: nothing of it is on the network{instead}"
        )
    if status == ThreadStatus.POSTING and held:
        raise StateConflictError(
            f"thread {thread_id} is being posted now: stop that process (Ctrl-C), then delete"
        )
    if not live and status != ThreadStatus.DELETING:
        raise StateConflictError(
            f"thread {thread_id} is {status} with nothing on the network: "
            f"`threadbot cancel {thread_id}` instead"
        )


# -- freeze or continue: one rule for publish, resume and schedule -------------------------


@dataclass(frozen=True)
class Version:
    """What the rule needs to know of a stored version of a thread."""

    id: int
    status: ThreadStatus
    content_hash: str
    live_count: int
    post_count: int
    first_url: str | None
    # The article's hash an owner's edit replaced: the same article continues the edit.
    edited_from: str | None = None


def freeze_or_continue(
    key: str, digest: str, versions: list[Version], *, scheduling: bool
) -> Version | None:
    """The stored version to continue for thread ``key`` with content ``digest``, or None
    to freeze a new one. Refuses a thread already live, and an unfinished earlier version
    with other text (it must be finished first).

    Cancelled and missed versions are set aside; any other version with the same text —
    ``failed`` included, since some of its posts may be live — is continued, by
    ``publish`` and ``schedule`` alike. Scheduling may queue a new text beside a version
    that has nothing live yet.
    """
    for version in versions:
        if version.status == ThreadStatus.POSTED:
            where = version.first_url or f"thread {version.id}"
            if scheduling:
                raise AlreadyPublishedError(
                    f"{key} is already live as thread {version.id}: nothing was scheduled"
                )
            raise AlreadyPublishedError(f"{key} is already live as thread {version.id}: {where}")
        if version.status in SET_ASIDE:
            continue
        if version.status == ThreadStatus.DELETING:
            raise StateConflictError(
                f"{key} is being taken down (thread {version.id}): finish with "
                f"`threadbot delete {version.id}` first"
            )
        if digest in (version.content_hash, version.edited_from):
            return version
        if scheduling and version.live_count == 0:
            continue  # an unstarted queued version: the new text is queued beside it
        raise StateConflictError(
            f"{key} has an unfinished earlier version (thread {version.id}, "
            f"{version.live_count} of {version.post_count} posts live) with other text: "
            f"finish it with `threadbot resume {version.id}` first"
        )
    return None


# -- claiming by lease ----------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Who claims: ``host:pid:nonce`` (the nonce survives pid reuse), and the host."""

    id: str
    host: str

    @classmethod
    def this_process(cls) -> Owner:
        host = socket.gethostname()
        return cls(id=f"{host}:{os.getpid()}:{secrets.token_hex(3)}", host=host)


@dataclass(frozen=True)
class Lease:
    """How long a claim holds without renewal, and how often the owner renews it."""

    seconds: float = 60.0

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.seconds)

    @property
    def heartbeat_seconds(self) -> float:
        return max(0.05, self.seconds / 3)

    def until(self, now: dt.datetime) -> dt.datetime:
        return now + self.duration


def claimable(
    status: ThreadStatus,
    claimed_by: str | None,
    lease_until: dt.datetime | None,
    owner: str,
    now: dt.datetime,
) -> bool:
    """Whether ``owner`` may claim the thread at ``now`` (what the store's UPDATE checks)."""
    if status in CLAIMABLE:
        return True
    if status != ThreadStatus.POSTING:
        return False
    return claimed_by == owner or lease_until is None or lease_until <= now


def lease_expired(lease_until: dt.datetime | None, now: dt.datetime) -> bool:
    """A ``posting`` thread nobody holds any more: whoever claims it next finishes it
    (a daemon's own, too, when it lost it to the store going away)."""
    return lease_until is None or lease_until <= now


def takeover_due(
    claimed_by: str | None, lease_until: dt.datetime | None, owner: str, now: dt.datetime
) -> bool:
    """A ``posting`` thread ``owner`` should take over now: someone else's expired lease."""
    return claimed_by != owner and lease_expired(lease_until, now)


def status_of(value: str) -> ThreadStatus:
    return ThreadStatus(value)
