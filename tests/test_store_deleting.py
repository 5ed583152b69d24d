"""The store's moves for taking a thread down, on SQLite and PostgreSQL: the claim by
lease, the delete marks fenced by it, and `deleted` only once nothing is live."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import LeaseLostError
from bot.lifecycle import Lease, Owner, PostStatus, ThreadStatus
from bot.store import DeleteClaim, Store

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = Lease(30)
ME, OTHER = Owner("me", "h"), Owner("other", "h")


def _posted(store: Store, live: int = 3, total: int = 3) -> int:
    """A thread of ``total`` posts whose first ``live`` went out; posted if all did."""
    thread_id = store.threads.freeze(
        key="a#1",
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        posts=[(f"post {n}", False) for n in range(1, total + 1)],
        cost_usd=0.0,
        now=NOW,
        account="default",
        network="x",
    ).id
    claim = store.queue.claim(thread_id, ME, NOW, LEASE)
    assert claim is not None
    for position in range(1, live + 1):
        claim.sending(position, None, NOW)
        claim.posted(position, f"10{position}", NOW)
    claim.finish(ThreadStatus.POSTED if live == total else ThreadStatus.FAILED)
    return thread_id


def _claim(store: Store, thread_id: int, owner: Owner = ME, now: dt.datetime = NOW) -> DeleteClaim:
    claim = store.deletions.claim(thread_id, owner, now, LEASE)
    assert claim is not None
    return claim


def test_a_posted_thread_is_claimed_then_deleted_once_no_post_is_live(store: Store) -> None:
    """Each post: `deleting_at` before the request, `deleted_at` and the result after;
    the thread finishes `deleted` only when the last live post is down."""
    thread_id = _posted(store)
    claim = _claim(store, thread_id)
    record = store.threads.get(thread_id)
    assert (record.status, record.claimed_by, record.lease_until) == (
        ThreadStatus.DELETING,
        "me",
        NOW + LEASE.duration,
    )
    claim.deleting(3, NOW)
    after_mark = store.threads.get(thread_id).posts[2]
    assert (after_mark.deleting_at, after_mark.deleted_at, after_mark.is_live) == (NOW, None, True)
    claim.deleted(3, "deleted", NOW)
    claim.deleting(2, NOW)
    claim.deleted(2, "gone", NOW)
    assert claim.finish() is False  # post 1 is still live
    assert store.threads.get(thread_id).live_count == 1
    claim.deleting(1, NOW)
    claim.deleted(1, "deleted", NOW)
    assert claim.finish() is True
    done = store.threads.get(thread_id)
    assert done.status == ThreadStatus.DELETED
    assert (done.claimed_by, done.lease_until, done.live_count) == (None, None, 0)
    assert [(p.status, p.delete_result) for p in done.posts] == [
        (PostStatus.POSTED, "deleted"),
        (PostStatus.POSTED, "gone"),
        (PostStatus.POSTED, "deleted"),
    ]
    (summary,) = store.threads.summaries()
    assert (summary.status, summary.live_count, summary.post_count) == ("deleted", 0, 3)


def test_a_held_thread_is_refused_until_its_lease_lapses(store: Store) -> None:
    """Another process's live lease refuses the claim; a lapsed or given-back one does not."""
    thread_id = _posted(store)
    first = _claim(store, thread_id, OTHER)
    assert store.deletions.claim(thread_id, ME, NOW + dt.timedelta(seconds=10), LEASE) is None
    later = NOW + LEASE.duration + dt.timedelta(seconds=1)
    taken = _claim(store, thread_id, ME, later)
    assert taken.thread.claimed_by == "me"
    # The first holder lost it: nothing it marks lands, and it never sends.
    with pytest.raises(LeaseLostError):
        first.deleting(3, later)
    assert store.threads.get(thread_id).posts[2].deleting_at is None
    assert first.renew(later) is False
    assert first.finish() is False
    assert taken.release("rate limited") is True
    released = store.threads.get(thread_id)
    assert (released.status, released.claimed_by, released.last_error) == (
        ThreadStatus.DELETING,
        None,
        "rate limited",
    )
    assert _claim(store, thread_id, OTHER, later).thread.claimed_by == "other"
    # Nobody posts a thread being taken down, whatever its lease (a daemon, `resume`).
    assert store.queue.claim(thread_id, ME, later + LEASE.duration * 2, LEASE) is None


def test_a_thread_being_posted_is_claimed_only_once_its_poster_let_go(store: Store) -> None:
    """`posting` with a live lease: refused; given back (Ctrl-C): claimed at once."""
    thread_id = _posted(store, live=1)
    poster = store.queue.claim(thread_id, OTHER, NOW, LEASE)
    assert poster is not None
    assert store.deletions.claim(thread_id, ME, NOW, LEASE) is None
    poster.release()
    claim = _claim(store, thread_id)
    assert claim.thread.status == ThreadStatus.DELETING
    with pytest.raises(LeaseLostError):  # the poster cannot send any more
        poster.sending(2, None, NOW)


@pytest.mark.parametrize(
    "status", [ThreadStatus.READY, ThreadStatus.SCHEDULED, ThreadStatus.CANCELLED]
)
def test_nothing_live_by_status_is_never_claimed(store: Store, status: ThreadStatus) -> None:
    thread_id = store.threads.freeze(
        key="a#1",
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        posts=[("one", False)],
        cost_usd=0.0,
        now=NOW,
        account="default",
        network="x",
        due_at=NOW if status == ThreadStatus.SCHEDULED else None,
    ).id
    if status == ThreadStatus.CANCELLED:
        assert store.queue.transition(thread_id, ThreadStatus.CANCELLED)
    assert store.deletions.claim(thread_id, ME, NOW, LEASE) is None
    assert store.threads.get(thread_id).status == status


def test_a_refused_delete_clears_its_mark_and_a_sending_post_blocks_the_finish(
    store: Store,
) -> None:
    """A DELETE the network refused leaves no mark to look up; a post whose posting fate
    is unknown keeps the thread from `deleted` until it is adopted or found unsent."""
    thread_id = _posted(store, live=1, total=3)
    poster = store.queue.claim(thread_id, OTHER, NOW, LEASE)
    assert poster is not None
    poster.sending(2, None, NOW)
    poster.release()
    claim = _claim(store, thread_id)
    claim.deleting(1, NOW)
    claim.not_deleting(1)
    assert store.threads.get(thread_id).posts[0].deleting_at is None
    claim.deleting(1, NOW)
    claim.deleted(1, "deleted", NOW)
    assert claim.finish() is False  # post 2 may be on the network
    claim.adopted(2, "777", NOW)
    assert store.threads.get(thread_id).posts[1].is_live
    claim.deleted(2, "deleted", NOW)
    assert claim.finish() is True


def test_a_sending_post_found_unsent_lets_the_thread_finish(store: Store) -> None:
    thread_id = _posted(store, live=1, total=2)
    poster = store.queue.claim(thread_id, OTHER, NOW, LEASE)
    assert poster is not None
    poster.sending(2, None, NOW)
    poster.release()
    claim = _claim(store, thread_id)
    claim.unsent(2)
    claim.deleting(1, NOW)
    claim.deleted(1, "deleted", NOW)
    assert claim.finish() is True
    assert [p.status for p in store.threads.get(thread_id).posts] == ["posted", "pending"]
