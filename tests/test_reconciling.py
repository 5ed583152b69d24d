"""A lost answer is reconciled by identity, never by look — on a timeline that is not empty.

Each test posts a first thread, then loses the answer to one post of a second thread
(the connection drops before or after the network stored it, or the process dies with
the post `sending`) while the account's timeline holds look-alikes: the first thread's
closing, which differs only in its ``utm_content``; a post by hand that differs only in
a link; the same text under another parent, or from before the request went out. A
found post is adopted only if it is this one: its parent, its text with every link by
target, not recorded for another post, newer than the `sending` record.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import AmbiguousPostError, NetworkUnavailableError
from bot.lifecycle import Lease, Owner, PostStatus, ThreadStatus
from bot.posting.publisher import Publisher, PublishLimits
from bot.store import Claim, Store, ThreadRecord
from bot.testing.fakes import FakeX
from threads.options import Prices

from .conftest import NOW, Clock

LEASE = Lease(60)
ARTICLE = "https://blog.gonogo.kr/posts/kpop?utm_source=x&utm_medium=social&utm_content="


def thread_texts(section: int) -> list[tuple[str, bool]]:
    """A section's thread whose closing differs from every other section's only in
    ``utm_content``, as threadbot's closings do."""
    return [
        (f"🧵 Section {section} opens here 1/3", False),
        (f"The point of section {section}, in the author's words. 2/3", False),
        (f"📖 Read the full article: {ARTICLE}section-{section} 3/3", True),
    ]


@pytest.fixture
def x(clock: Clock) -> FakeX:
    # Repeated texts are accepted: a second attempt shows as a second post.
    return FakeX(accept_duplicates=True, clock=clock)


def publisher(store: Store, x: FakeX, clock: Clock) -> Publisher:
    return Publisher(
        store,
        x,
        PublishLimits(reply_pause_seconds=1),
        Prices(),
        account_name="default",
        network="x",
        clock=clock,
        sleep=clock.sleep,
        lease=LEASE,
    )


def freeze(store: Store, section: int) -> ThreadRecord:
    return store.threads.freeze(
        key=f"kpop#{section}",
        article="kpop.md",
        section_index=section,
        section=f"Section {section}",
        content_hash=f"h{section}",
        posts=thread_texts(section),
        cost_usd=0.23,
        now=NOW,
        account="default",
        network="x",
    )


def dead_claim(store: Store, thread: ThreadRecord, clock: Clock) -> Claim:
    """What a poster that dies holds: a claim on the thread, never renewed."""
    claim = store.queue.claim(thread.id, Owner("dead:1:aa", "elsewhere"), clock.now, LEASE)
    assert claim is not None
    return claim


def assert_exactly_once(store: Store, x: FakeX, *threads: ThreadRecord) -> None:
    """Every post once, every chain intact, the store's ids the network's."""
    stored = [store.threads.get(thread.id) for thread in threads]
    assert [t.status for t in stored] == [ThreadStatus.POSTED] * len(threads)
    ids = [tweet.post_id for record in stored for tweet in record.posts]
    assert ids == [post.id for post in x.posts]
    assert [post.text for post in x.posts] == [tweet.text for r in stored for tweet in r.posts]
    for record in stored:
        chain = [tweet.post_id for tweet in record.posts]
        parents = {post.id: post.reply_to for post in x.posts}
        assert [parents[post_id] for post_id in chain] == [None, *chain[:-1]]


POSITIONS = [1, 2, 3]


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("accepted", [False, True], ids=["dropped-before", "dropped-after"])
def test_a_dropped_connection_never_adopts_another_threads_post(
    store: Store, x: FakeX, clock: Clock, position: int, accepted: bool
) -> None:
    """Thread 1 live; thread 2's post n loses its answer. Dropped before the network
    stored it, it is sent again (its look-alike, thread 1's post, is not taken); dropped
    after, the look-up adopts thread 2's own post: one request per post either way."""
    first, second = freeze(store, 1), freeze(store, 4)
    publisher(store, x, clock).publish(first.id)
    original = x.create_post
    calls = {"n": 0}

    def flaky(
        text: str, reply_to: str | None, media_ids: object = (), *, key: object = None
    ) -> str:
        calls["n"] += 1
        if calls["n"] != position:
            return original(text, reply_to)
        if accepted:
            original(text, reply_to)
        else:
            x.calls.append("create_post")
        raise NetworkUnavailableError("the connection dropped")

    x.create_post = flaky  # type: ignore[method-assign,assignment]
    publisher(store, x, clock).publish(second.id)
    assert_exactly_once(store, x, first, second)
    assert x.count("create_post") == 6 + (not accepted)
    assert x.count("recent_posts") == 1


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("accepted", [False, True], ids=["never-sent", "sent"])
def test_a_crash_with_a_post_sending_never_adopts_another_threads_post(
    store: Store, x: FakeX, clock: Clock, position: int, accepted: bool
) -> None:
    """The poster dies with thread 2's post n `sending` (the request may or may not have
    reached the network); its successor reconciles it by identity, each post once."""
    first, second = freeze(store, 1), freeze(store, 4)
    publisher(store, x, clock).publish(first.id)
    dead = dead_claim(store, second, clock)
    parent = None
    for tweet in second.posts[: position - 1]:
        dead.sending(tweet.position, None, clock.now)
        parent = x.create_post(tweet.text, parent)
        dead.posted(tweet.position, parent, clock.now)
    tweet = second.posts[position - 1]
    dead.sending(tweet.position, None, clock.now)
    if accepted:
        x.create_post(tweet.text, parent)
    clock.now += LEASE.duration
    publisher(store, x, clock).publish(second.id)
    assert_exactly_once(store, x, first, second)
    assert x.count("recent_posts") == 1


def _lose_closing(store: Store, x: FakeX, clock: Clock) -> ThreadRecord:
    """Thread 2's first two posts live, its closing `sending` with no answer: what a
    crash leaves. Returns thread 2."""
    second = freeze(store, 4)
    dead = dead_claim(store, second, clock)
    parent = None
    for tweet in second.posts[:2]:
        dead.sending(tweet.position, None, clock.now)
        parent = x.create_post(tweet.text, parent)
        dead.posted(tweet.position, parent, clock.now)
    closing = second.posts[2]
    dead.sending(3, None, clock.now)
    assert closing.status == PostStatus.PENDING
    return second


def test_a_post_that_differs_only_in_a_link_is_not_adopted(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """A reply by hand under the right parent, after the request, unrecorded — but its
    link's ``utm_content`` differs: links are compared by target, never masked."""
    second = _lose_closing(store, x, clock)
    parent = store.threads.get(second.id).posts[1].post_id
    x.create_post(second.posts[2].text.replace("section-4", "section-1"), parent)
    clock.now += LEASE.duration
    record = publisher(store, x, clock).publish(second.id)
    assert record.posts[2].post_id == x.posts[-1].id
    assert x.posts[-1].text == second.posts[2].text
    assert x.count("create_post") == 4


def test_the_same_text_under_another_parent_is_not_adopted(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """The same closing, unrecorded and newer, but not a reply to thread 2's post 2."""
    second = _lose_closing(store, x, clock)
    x.create_post(second.posts[2].text, None)
    clock.now += LEASE.duration
    record = publisher(store, x, clock).publish(second.id)
    assert record.posts[2].post_id == x.posts[-1].id
    assert x.posts[-1].reply_to == record.posts[1].post_id
    assert x.count("create_post") == 4


def test_the_same_post_from_before_the_request_is_not_adopted(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """The right parent and text, unrecorded — but created before the `sending` record
    (beyond the clocks' tolerance): not the post this request made."""
    second = freeze(store, 4)
    dead = dead_claim(store, second, clock)
    parent = None
    for tweet in second.posts[:2]:
        dead.sending(tweet.position, None, clock.now)
        parent = x.create_post(tweet.text, parent)
        dead.posted(tweet.position, parent, clock.now)
    x.create_post(second.posts[2].text, parent)  # by hand, ten minutes early
    clock.now += dt.timedelta(minutes=10)
    dead.sending(3, None, clock.now)
    clock.now += LEASE.duration
    record = publisher(store, x, clock).publish(second.id)
    assert record.posts[2].post_id == x.posts[-1].id
    assert x.count("create_post") == 4


def test_a_post_recorded_for_another_tweet_is_not_adopted(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """Two threads with an identical closing (a repeated call to action) under the same
    text rules: the one recorded for thread 1 is never adopted for thread 2."""
    texts = [("🧵 A 1/2", False), ("Subscribe: https://blog.gonogo.kr/subscribe 2/2", True)]
    first = store.threads.freeze(
        key="a#1",
        article="a",
        section_index=1,
        section="A",
        content_hash="a",
        posts=texts,
        cost_usd=0.2,
        now=NOW,
        account="default",
        network="x",
    )
    publisher(store, x, clock).publish(first.id)
    # Thread 2 replies under thread 1's opening by the same text rules: the only thing
    # that tells the posts apart is the store.
    second = store.threads.freeze(
        key="b#1",
        article="b",
        section_index=1,
        section="B",
        content_hash="b",
        posts=[texts[1]],
        cost_usd=0.2,
        now=NOW,
        account="default",
        network="x",
    )
    dead_claim(store, second, clock).sending(1, None, NOW)
    # Make thread 1's closing look like thread 2's lost post: first, same text, newer.
    x.posts[1].reply_to = None
    clock.now += LEASE.duration
    record = publisher(store, x, clock).publish(second.id)
    assert record.posts[0].post_id != store.threads.get(first.id).posts[1].post_id
    assert x.count("create_post") == 3


def test_two_candidates_stop_the_thread_and_nothing_is_sent(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """Two unrecorded posts that each could be the lost one: the thread stops with an
    error naming both, the post stays `sending`; once the owner deleted one, resume
    adopts the other — and nothing was ever sent twice."""
    second = _lose_closing(store, x, clock)
    parent = store.threads.get(second.id).posts[1].post_id
    one = x.create_post(second.posts[2].text, parent)
    other = x.create_post(second.posts[2].text, parent)
    clock.now += LEASE.duration
    with pytest.raises(
        AmbiguousPostError, match=f"2 posts on the network match it \\({other}, {one}\\)"
    ):
        publisher(store, x, clock).publish(second.id)
    stored = store.threads.get(second.id)
    assert (stored.status, stored.posts[2].status) == (ThreadStatus.FAILED, PostStatus.SENDING)
    assert f"threadbot resume {second.id}" in (stored.last_error or "")
    assert x.count("create_post") == 4
    x.delete_post(other)
    record = publisher(store, x, clock).publish(second.id)
    assert record.posts[2].post_id == one
    assert x.count("create_post") == 4
