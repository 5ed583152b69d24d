"""Deleter decisions, with the in-repo FakeX, a real store (SQLite and PostgreSQL) and an
injected clock: last to first, one DELETE per post, a post whose DELETE may have gone
out looked up before another is sent, and every error leaving a thread `delete` resumes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.errors import (
    AmbiguousPostError,
    NetworkAuthError,
    NetworkUnavailableError,
    PublishError,
    RateLimitedError,
    StateConflictError,
    StopRequestedError,
    ThreadBusyError,
)
from bot.lifecycle import Lease, Owner, PostStatus, ThreadStatus, check_delete
from bot.posting.deleting import Deleter, to_take_down
from bot.posting.publisher import Publisher, PublishLimits
from bot.store import PostRecord, Store, ThreadRecord
from bot.testing.fakes import FakeX
from threads.options import Prices

from .conftest import NOW, Clock

TEXTS = [(f"post {n} of 4", False) for n in range(1, 5)]
LEASE = Lease(60)
DEAD = Owner("dead:1:aa", "elsewhere")


@pytest.fixture
def x() -> FakeX:
    return FakeX(accept_duplicates=True)


def _publisher(store: Store, x: FakeX, clock: Clock) -> Publisher:
    return Publisher(
        store,
        x,
        PublishLimits(reply_pause_seconds=0, max_attempts=3),
        Prices(),
        account_name="default",
        network="x",
        clock=clock,
        sleep=clock.sleep,
        lease=LEASE,
    )


def _frozen(store: Store, name: str = "a") -> ThreadRecord:
    """A 4-post thread ``name#1`` of ``name.txt``, queued and not yet posted."""
    return store.threads.freeze(
        key=f"{name}#1",
        article=f"{name}.txt",
        section_index=1,
        section="S",
        content_hash="h",
        posts=TEXTS,
        cost_usd=0.0,
        now=NOW,
        account="default",
        network="x",
    )


def _posted(store: Store, x: FakeX, clock: Clock) -> ThreadRecord:
    """A 4-post thread, live on the fake; the fake's calls start afresh."""
    thread = _frozen(store)
    record = _publisher(store, x, clock).publish(thread.id)
    x.calls.clear()
    return record


def _deleter(store: Store, x: FakeX, clock: Clock) -> Deleter:
    return Deleter(_publisher(store, x, clock))


def _deleted_ids(x: FakeX, record: ThreadRecord) -> list[str]:
    """Post ids of ``record`` no longer on the fake."""
    there = {post.id for post in x.posts}
    return [p.post_id for p in record.posts if p.post_id and p.post_id not in there]


def _killed_while_deleting(store: Store, thread_id: int, position: int) -> None:
    """What a `delete` killed mid-request leaves: its claim, since expired, and the
    post marked `deleting` with no answer."""
    dead = store.deletions.claim(thread_id, DEAD, NOW - LEASE.duration * 2, LEASE)
    assert dead is not None
    dead.deleting(position, NOW - LEASE.duration * 2)


def test_every_post_goes_last_first_with_one_delete_each(
    store: Store, x: FakeX, clock: Clock
) -> None:
    record = _posted(store, x, clock)
    order: list[int] = []
    done = _deleter(store, x, clock).delete(record.id, lambda post, _r: order.append(post.position))
    assert order == [4, 3, 2, 1]
    assert x.calls == ["delete_post"] * 4
    assert x.posts == []
    assert done.status == ThreadStatus.DELETED
    assert [p.delete_result for p in done.posts] == ["deleted"] * 4
    assert all(p.deleting_at is not None and p.deleted_at is not None for p in done.posts)
    assert (done.claimed_by, done.live_count) == (None, 0)


def test_a_post_already_gone_is_one_request_recorded_gone(
    store: Store, x: FakeX, clock: Clock
) -> None:
    record = _posted(store, x, clock)
    x.posts = [p for p in x.posts if p.id != record.posts[1].post_id]  # removed by hand
    results: dict[int, str] = {}
    done = _deleter(store, x, clock).delete(
        record.id, lambda post, result: results.update({post.position: result})
    )
    assert x.count("delete_post") == 4
    assert results == {4: "deleted", 3: "deleted", 2: "gone", 1: "deleted"}
    assert [p.delete_result for p in done.posts] == ["deleted", "gone", "deleted", "deleted"]


def test_a_delete_that_landed_before_the_kill_is_looked_up_not_sent_again(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """Killed after post 3's DELETE reached the network: the next `delete` asks whether
    post 3 is still there (one read), records it, and sends only posts 2 and 1's."""
    record = _posted(store, x, clock)
    earlier = NOW - LEASE.duration * 2
    dead = store.deletions.claim(record.id, DEAD, earlier, LEASE)
    assert dead is not None
    dead.deleting(4, earlier)
    x.delete_post(record.posts[3].post_id or "")
    dead.deleted(4, "deleted", earlier)
    dead.deleting(3, earlier)
    x.delete_post(record.posts[2].post_id or "")  # landed; the answer never came back
    x.calls.clear()
    done = _deleter(store, x, clock).delete(record.id)
    assert x.calls == ["metrics", "delete_post", "delete_post"]
    assert done.status == ThreadStatus.DELETED
    assert [p.delete_result for p in done.posts] == ["deleted"] * 4
    assert x.posts == []


def test_a_delete_killed_before_it_went_out_is_sent_once_after_the_look_up(
    store: Store, x: FakeX, clock: Clock
) -> None:
    record = _posted(store, x, clock)
    _killed_while_deleting(store, record.id, 4)  # marked; the request never left
    done = _deleter(store, x, clock).delete(record.id)
    assert x.calls == ["metrics", *["delete_post"] * 4]
    assert [p.delete_result for p in done.posts] == ["deleted"] * 4


def test_a_lost_answer_is_looked_up_never_resent(store: Store, x: FakeX, clock: Clock) -> None:
    """The connection drops after the network deleted post 4: looked up, recorded."""
    record = _posted(store, x, clock)
    x.fail_next(NetworkUnavailableError("dropped"), after_accept=True, call="delete_post")
    done = _deleter(store, x, clock).delete(record.id)
    assert x.calls == ["delete_post", "metrics", "delete_post", "delete_post", "delete_post"]
    assert done.status == ThreadStatus.DELETED


def test_a_server_error_before_deleting_is_retried_after_the_look_up(
    store: Store, x: FakeX, clock: Clock
) -> None:
    record = _posted(store, x, clock)
    x.fail_next(NetworkUnavailableError("503"), call="delete_post")
    done = _deleter(store, x, clock).delete(record.id)
    assert x.calls == ["delete_post", "metrics", *["delete_post"] * 4]
    assert len(clock.slept) == 1  # one backoff
    assert _deleted_ids(x, done) == [p.post_id for p in record.posts]


def test_a_look_up_that_never_answers_leaves_the_mark_and_sends_nothing(
    store: Store, x: FakeX, clock: Clock
) -> None:
    record = _posted(store, x, clock)
    x.fail_next(NetworkUnavailableError("dropped"), after_accept=True, call="delete_post")
    for _ in range(3):
        x.fail_next(NetworkUnavailableError("503"), call="metrics")
    with pytest.raises(PublishError, match="delete 1` looks again"):
        _deleter(store, x, clock).delete(record.id)
    left = store.threads.get(record.id)
    assert (left.status, left.claimed_by) == (ThreadStatus.DELETING, None)
    assert left.posts[3].deleting_at is not None
    assert left.posts[3].deleted_at is None
    assert x.count("delete_post") == 1
    x.calls.clear()
    done = _deleter(store, x, clock).delete(record.id)  # post 4 is gone: looked up
    assert x.calls == ["metrics", "delete_post", "delete_post", "delete_post"]
    assert done.status == ThreadStatus.DELETED


def test_a_rate_limit_stops_and_delete_again_continues(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """A 429 on post 3's DELETE: stopped with one line, the thread stays `deleting`,
    and `delete` again sends the rest (no look-up: the 429 deleted nothing)."""
    record = _posted(store, x, clock)
    x.delete_post(record.posts[0].post_id or "")  # post 1 was removed by hand
    x.calls.clear()
    reset = NOW + dt.timedelta(minutes=20)

    def then_limited(post: PostRecord, _result: str) -> None:
        if post.position == 4:
            x.fail_next(RateLimitedError("Mastodon rate limit reached", reset), call="delete_post")

    deleter = _deleter(store, x, clock)
    with pytest.raises(RateLimitedError) as raised:
        deleter.delete(record.id, then_limited)
    assert str(raised.value) == (
        "Mastodon rate limit reached: 1 of 4 posts taken down; "
        "`threadbot delete 1` again continues after 09:20 UTC"
    )
    left = store.threads.get(record.id)
    assert (left.status, left.claimed_by, left.live_count) == (ThreadStatus.DELETING, None, 3)
    assert left.last_error == "Mastodon rate limit reached"
    assert left.posts[2].deleting_at is None  # refused: nothing to look up
    x.calls.clear()
    done = deleter.delete(record.id)
    assert x.calls == ["delete_post"] * 3
    assert [p.delete_result for p in done.posts] == ["gone", "deleted", "deleted", "deleted"]
    assert done.status == ThreadStatus.DELETED


def test_an_auth_error_stops_with_the_networks_message(
    store: Store, x: FakeX, clock: Clock
) -> None:
    record = _posted(store, x, clock)
    x.fail_next(NetworkAuthError("401 Unauthorized: regenerate the token"), call="delete_post")
    with pytest.raises(NetworkAuthError, match=r"^401 Unauthorized: regenerate the token$"):
        _deleter(store, x, clock).delete(record.id)
    left = store.threads.get(record.id)
    assert (left.status, left.live_count, left.claimed_by) == (ThreadStatus.DELETING, 4, None)
    assert left.posts[3].deleting_at is None


def test_a_stop_gives_the_claim_back_between_posts(store: Store, x: FakeX, clock: Clock) -> None:
    record = _posted(store, x, clock)
    deleter = _deleter(store, x, clock)
    deleted: list[int] = []

    def on_deleted(post: object, _result: str) -> None:
        deleted.append(1)
        deleter.publisher.stop_requested = lambda: len(deleted) >= 2

    with pytest.raises(
        StopRequestedError,
        match=r"^interrupted: 2 of 4 posts taken down; threadbot delete 1 continues$",
    ):
        deleter.delete(record.id, on_deleted)
    left = store.threads.get(record.id)
    assert (left.status, left.claimed_by, left.live_count) == (ThreadStatus.DELETING, None, 2)
    deleter.publisher.stop_requested = lambda: False
    assert deleter.delete(record.id).status == ThreadStatus.DELETED
    assert x.count("delete_post") == 4


def test_another_deleters_lease_is_waited_out_once(store: Store, x: FakeX, clock: Clock) -> None:
    record = _posted(store, x, clock)
    assert store.deletions.claim(record.id, DEAD, NOW, LEASE) is not None
    with pytest.raises(ThreadBusyError, match="is being deleted now by dead:1:aa"):
        _deleter(store, x, clock).delete(record.id, wait_for_lease=False)
    done = _deleter(store, x, clock).delete(record.id)  # waits the 60 s out
    assert clock.slept == [pytest.approx(60.05)]
    assert done.status == ThreadStatus.DELETED


def test_a_thread_being_posted_is_refused(store: Store, x: FakeX, clock: Clock) -> None:
    record = _posted(store, x, clock)
    other = _frozen(store, "b")
    assert store.queue.claim(other.id, DEAD, NOW, LEASE) is not None
    with pytest.raises(ThreadBusyError, match="is being posted now by dead:1:aa"):
        _deleter(store, x, clock).delete(other.id)
    assert x.calls == []
    assert record.status == ThreadStatus.POSTED


def test_a_post_an_interrupted_publish_left_sending_is_found_and_taken_down(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """Publish killed while post 3 was sent (it reached the network; its id never
    recorded): delete looks it up by identity and takes it down with posts 2 and 1."""
    thread = _frozen(store)
    poster = store.queue.claim(thread.id, DEAD, NOW - LEASE.duration * 2, LEASE)
    assert poster is not None
    parent = None
    for position in (1, 2):
        poster.sending(position, None, NOW - LEASE.duration * 2)
        parent = x.create_post(TEXTS[position - 1][0], parent)
        poster.posted(position, parent, NOW)
    poster.sending(3, None, NOW - LEASE.duration * 2)
    x.create_post(TEXTS[2][0], parent)
    x.calls.clear()
    assert [p.position for p in to_take_down(store.threads.get(thread.id))] == [3, 2, 1]
    done = _deleter(store, x, clock).delete(thread.id)
    assert x.calls == ["me", "recent_posts", *["delete_post"] * 3]
    assert x.posts == []
    assert [p.status for p in done.posts] == ["posted", "posted", "posted", "pending"]
    assert done.status == ThreadStatus.DELETED


def test_a_post_left_sending_that_never_went_out_is_marked_unsent(
    store: Store, x: FakeX, clock: Clock
) -> None:
    thread = _frozen(store)
    poster = store.queue.claim(thread.id, DEAD, NOW - LEASE.duration * 2, LEASE)
    assert poster is not None
    poster.sending(1, None, NOW - LEASE.duration * 2)
    poster.posted(1, x.create_post(TEXTS[0][0], None), NOW)
    poster.sending(2, None, NOW - LEASE.duration * 2)
    x.calls.clear()
    done = _deleter(store, x, clock).delete(thread.id)
    assert x.calls == ["me", "recent_posts", "delete_post"]
    assert [p.status for p in done.posts][:2] == [PostStatus.POSTED, PostStatus.PENDING]
    assert done.status == ThreadStatus.DELETED


def test_several_candidates_for_a_post_left_sending_stop_the_delete(
    store: Store, x: FakeX, clock: Clock
) -> None:
    thread = _frozen(store)
    poster = store.queue.claim(thread.id, DEAD, NOW - LEASE.duration * 2, LEASE)
    assert poster is not None
    poster.sending(1, None, NOW - LEASE.duration * 2)
    x.create_post(TEXTS[0][0], None)
    x.create_post(TEXTS[0][0], None)
    with pytest.raises(AmbiguousPostError, match="then `threadbot delete 1`"):
        _deleter(store, x, clock).delete(thread.id)
    assert x.count("delete_post") == 0
    assert store.threads.get(thread.id).status == ThreadStatus.DELETING


@pytest.mark.parametrize(
    ("status", "live", "message"),
    [
        (
            "scheduled",
            0,
            "thread 7 is scheduled: nothing of it is on the network: `threadbot cancel 7` instead",
        ),
        ("pending", 0, "`threadbot cancel 7` instead"),
        ("cancelled", 0, "thread 7 is cancelled: nothing of it is on the network"),
        ("cancelled", 2, "thread 7 is cancelled with 2 posts live"),
        (
            "failed",
            0,
            "thread 7 is failed with nothing on the network: `threadbot cancel 7` instead",
        ),
        ("deleted", 0, "thread 7 is deleted already"),
    ],
)
def test_threads_with_nothing_to_take_down_are_refused(
    status: str, live: int, message: str
) -> None:
    with pytest.raises(StateConflictError, match=re.escape(message)):
        check_delete(7, ThreadStatus(status), live=live)


def test_what_may_go_is_checked_by_status() -> None:
    check_delete(7, ThreadStatus.POSTED, live=3)
    check_delete(7, ThreadStatus.DELETING, live=0)  # killed after its last post: finished
    with pytest.raises(StateConflictError, match="being posted now"):
        check_delete(7, ThreadStatus.POSTING, live=1, held=True)
