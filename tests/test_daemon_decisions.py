"""The daemon's decisions, in-process: an injected clock, the fake X, a real SQLite file,
no scheduler thread and no sleeps. (tests/test_daemon.py runs the real processes.)"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest

from bot.errors import StopRequestedError
from bot.lifecycle import Lease, Owner, ThreadStatus
from bot.posting.daemon import Daemon
from bot.posting.publisher import Publisher, PublishLimits
from bot.store import Store
from bot.store.queue import Queue
from bot.testing.fakes import FakeX
from threads.options import Prices

from .conftest import NOW, Clock

LEASE = Lease(30)
GRACE = dt.timedelta(minutes=10)


@pytest.fixture
def x() -> FakeX:
    return FakeX(accept_duplicates=True)  # a second attempt would show as a second post


def _daemon(store: Store, x: FakeX, clock: Clock, name: str, *, max_posts: int = 1000) -> Daemon:
    def factory(account: str, network: str, stop: Callable[[], bool]) -> Publisher:
        return Publisher(
            store,
            x,
            PublishLimits(reply_pause_seconds=0, max_posts_per_24h=max_posts),
            Prices(),
            account_name=account,
            network=network,
            clock=clock,
            sleep=clock.sleep,
            stop_requested=stop,
            lease=LEASE,
        )

    return Daemon(
        store,
        factory,
        dry_run=False,
        grace=GRACE,
        poll_seconds=1,
        out=io.StringIO(),
        clock=clock,
        owner=Owner(id=f"{name}-host:1:00", host=f"{name}-host"),
    )


def _queue(store: Store, count: int, due: dt.datetime) -> list[int]:
    return [
        store.threads.freeze(
            key=f"a#{index}",
            article="a.txt",
            section_index=index,
            section="S",
            content_hash=str(index),
            posts=[(f"thread {index} tweet {k} {k}/4", k == 4) for k in range(1, 5)],
            cost_usd=0.245,
            now=NOW - dt.timedelta(hours=1),
            account="default",
            network="x",
            due_at=due,
        ).id
        for index in range(1, count + 1)
    ]


def test_two_daemons_seven_threads_due_at_once(store: Store, x: FakeX, clock: Clock) -> None:
    """Both daemons want the account's next thread; each is claimed once, in order:
    28 POSTs, 0 look-ups."""
    ids = _queue(store, 7, NOW)
    a, b = _daemon(store, x, clock, "a"), _daemon(store, x, clock, "b")
    # Each wants only the account's next thread: its threads go one at a time, in order.
    assert a.sync() == b.sync() == {ids[0]: NOW}
    for thread_id in ids:  # interleaved, as two schedulers firing at the same instant
        a.run_thread(thread_id)
        b.run_thread(thread_id)
    assert x.count("create_post") == 28
    assert x.count("recent_posts") == 0
    assert len({p.text for p in x.posts}) == 28
    assert {t.status for t in store.threads.all()} == {ThreadStatus.POSTED}


def test_a_live_lease_is_left_alone_and_an_expired_one_taken_over(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """A thread another daemon is posting is not run until its lease expires, whatever
    host it is on; then it is reconciled and finished, each tweet once."""
    (thread_id,) = _queue(store, 1, NOW)
    a, b = _daemon(store, x, clock, "a"), _daemon(store, x, clock, "b")
    claimed = a.publisher("default", "x").claim(thread_id)
    assert claimed is not None
    claimed.sending(1, None, clock.now)
    first = x.create_post(claimed.thread.posts[0].text, None)  # a posted post 1, then froze
    assert b.sync() == {}
    b.run_thread(thread_id)  # its stale date job fires anyway
    assert x.count("create_post") == 1
    clock.now += LEASE.duration + dt.timedelta(seconds=1)
    assert b.sync() == {thread_id: clock.now}
    b.run_thread(thread_id)
    record = store.threads.get(thread_id)
    assert record.status == ThreadStatus.POSTED
    assert record.posts[0].post_id == first
    assert x.count("create_post") == 4
    assert x.count("recent_posts") == 1


def test_due_while_down_within_grace_is_posted(store: Store, x: FakeX, clock: Clock) -> None:
    """A thread that fell due while no daemon ran is posted at start if within the grace."""
    (thread_id,) = _queue(store, 1, NOW - GRACE + dt.timedelta(seconds=1))
    daemon = _daemon(store, x, clock, "a")
    assert daemon.sync() == {thread_id: NOW}
    daemon.run_thread(thread_id)
    assert store.threads.get(thread_id).status == ThreadStatus.POSTED


def test_due_while_down_beyond_grace_is_missed(store: Store, x: FakeX, clock: Clock) -> None:
    """Beyond the grace it is marked missed, with how to revive it, and never posted."""
    (thread_id,) = _queue(store, 1, NOW - GRACE - dt.timedelta(seconds=1))
    daemon = _daemon(store, x, clock, "a")
    assert daemon.sync() == {}
    record = store.threads.get(thread_id)
    assert record.status == ThreadStatus.MISSED
    assert f"`threadbot reschedule {thread_id} --at …` revives it" in (record.last_error or "")
    assert x.calls == []


def test_a_partly_live_thread_is_finished_however_late(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """A deferred thread with live tweets is finished even long after its due time."""
    (thread_id,) = _queue(store, 1, NOW - dt.timedelta(days=2))
    gone = store.queue.claim(thread_id, Owner("gone", "h"), NOW, LEASE)
    assert gone is not None
    gone.posted(1, x.create_post("thread 1 tweet 1 1/4", None), NOW)
    assert gone.finish(ThreadStatus.DEFERRED, not_before=NOW)  # deferred by a rate limit
    daemon = _daemon(store, x, clock, "a")
    assert daemon.sync() == {thread_id: NOW}
    daemon.run_thread(thread_id)
    assert store.threads.get(thread_id).status == ThreadStatus.POSTED
    assert x.count("create_post") == 4


def test_over_budget_is_deferred_until_it_fits(store: Store, x: FakeX, clock: Clock) -> None:
    """A thread that would break the 24 h cap is deferred, its lease released."""
    first, second = _queue(store, 2, NOW)
    daemon = _daemon(store, x, clock, "a", max_posts=6)
    daemon.run_thread(first)
    daemon.run_thread(second)
    record = store.threads.get(second)
    assert (record.status, record.claimed_by) == (ThreadStatus.DEFERRED, None)
    assert record.not_before == NOW + dt.timedelta(hours=24)
    assert x.count("create_post") == 4


def test_shutdown_between_tweets_gives_the_claim_back(store: Store, x: FakeX, clock: Clock) -> None:
    """A stop requested mid-thread leaves it posting with its claim given back: the next
    daemon takes it at once (no lease to wait out) and finishes it, each tweet once."""
    (thread_id,) = _queue(store, 1, NOW)
    daemon = _daemon(store, x, clock, "a")
    original = x.create_post

    def stop_after_first(
        text: str, reply_to: str | None, media_ids: object = (), *, key: str | None = None
    ) -> str:
        daemon.stopping.set()
        return original(text, reply_to)

    x.create_post = stop_after_first  # type: ignore[assignment,method-assign]
    daemon.run_thread(thread_id)
    record = store.threads.get(thread_id)
    assert (record.status, record.live_count, record.claimed_by, record.lease_until) == (
        ThreadStatus.POSTING,
        1,
        None,
        None,
    )
    x.create_post = original  # type: ignore[method-assign]
    successor = _daemon(store, x, clock, "b")
    assert successor.sync() == {thread_id: clock.now}
    successor.run_thread(thread_id)
    record = store.threads.get(thread_id)
    assert (record.status, record.live_count) == (ThreadStatus.POSTED, 4)
    assert x.count("create_post") == 4


def test_a_stale_job_never_revives_a_failed_thread(store: Store, x: FakeX, clock: Clock) -> None:
    """A due job that fires after another daemon stopped the thread as failed does nothing."""
    (thread_id,) = _queue(store, 1, NOW)
    other = store.queue.claim(thread_id, Owner("other", "h"), NOW, LEASE)
    assert other is not None
    assert other.finish(ThreadStatus.FAILED, error="401")
    _daemon(store, x, clock, "a").run_thread(thread_id)
    assert store.threads.get(thread_id).status == ThreadStatus.FAILED
    assert x.calls == []


def test_a_dry_run_prints_each_of_an_accounts_threads_in_turn(store: Store, clock: Clock) -> None:
    """Only an account's next thread is run at a time; in a dry run (nothing changes)
    the next one is the next not yet printed, so all three print, in order."""
    ids = _queue(store, 3, NOW)
    out = io.StringIO()
    daemon = Daemon(store, None, dry_run=True, grace=GRACE, poll_seconds=1, out=out, clock=clock)
    printed = []
    for _ in range(4):
        for thread_id in daemon.sync():
            daemon.run_thread(thread_id)
            printed.append(thread_id)
    assert printed == ids
    assert [out.getvalue().count(f"── thread {i} ") for i in ids] == [1, 1, 1]
    assert {t.status for t in store.threads.all()} == {ThreadStatus.SCHEDULED}


def test_accounts_post_side_by_side_but_each_in_order(store: Store, x: FakeX, clock: Clock) -> None:
    """Two accounts with two threads each: a poll wants one thread per account, the
    earliest; the second of each only once the first is done."""

    def queued(account: str, number: int) -> int:
        return store.threads.freeze(
            key=f"{account}#{number}", article="a.txt", section_index=number, section="S",
            content_hash=f"{account}{number}", posts=[(f"{account} {number}", False)],
            cost_usd=0.015, now=NOW, due_at=NOW + dt.timedelta(seconds=number), account=account,
            network="x",
        ).id  # fmt: skip

    a1, b1, a2, b2 = queued("a", 1), queued("b", 1), queued("a", 2), queued("b", 2)
    clock.now = NOW + dt.timedelta(seconds=5)
    daemon = _daemon(store, x, clock, "d")
    assert set(daemon.sync()) == {a1, b1}
    daemon.run_thread(a1)
    assert set(daemon.sync()) == {a2, b1}
    for thread_id in (b1, a2):
        daemon.run_thread(thread_id)
    assert set(daemon.sync()) == {b2}


class RecordingScheduler:
    """What the daemon asks of APScheduler when a thread ends: a poll now."""

    running = True

    def __init__(self) -> None:
        self.polls = 0

    def get_jobs(self) -> list[object]:
        return []

    def add_job(self, *args: object, **kwargs: object) -> None:
        pass

    def modify_job(self, job_id: str, **kwargs: object) -> None:
        if job_id == "sync":
            self.polls += 1


def _published_by_hand(store: Store, x: FakeX, clock: Clock, *, stop_after: int) -> int:
    """`threadbot publish` of one thread, stopped by Ctrl-C after ``stop_after`` posts:
    no due time, `posting`, its claim given back."""
    thread = store.threads.freeze(
        key="hand#1",
        article="hand.txt",
        section_index=1,
        section="S",
        content_hash="hand",
        posts=[(f"by hand tweet {k} {k}/4", k == 4) for k in range(1, 5)],
        cost_usd=0.245,
        now=NOW - dt.timedelta(hours=1),
        account="default",
        network="x",
    )
    stop = {"posted": 0}
    original = x.create_post

    def counted(
        text: str, reply_to: str | None, media_ids: object = (), *, key: object = None
    ) -> str:
        stop["posted"] += 1
        return original(text, reply_to)

    x.create_post = counted  # type: ignore[method-assign,assignment]
    by_hand = Publisher(
        store,
        x,
        PublishLimits(reply_pause_seconds=0),
        Prices(),
        account_name="default",
        network="x",
        clock=clock,
        sleep=clock.sleep,
        stop_requested=lambda: stop["posted"] >= stop_after,
        lease=LEASE,
    )
    with pytest.raises(StopRequestedError, match=f"{stop_after} of 4 tweets live"):
        by_hand.publish(thread.id)
    x.create_post = original  # type: ignore[method-assign]
    return thread.id


def test_a_thread_stopped_by_hand_is_finished_first_then_the_lane_moves_on(
    store: Store, x: FakeX, clock: Clock
) -> None:
    """Ctrl-C on `publish` after 2 of 4 posts: the daemon finishes that thread at once
    (it has no due time, and no lease to wait out), then the account's scheduled one:
    both whole, in order, each post once."""
    hand = _published_by_hand(store, x, clock, stop_after=2)
    (scheduled,) = _queue(store, 1, NOW)
    daemon = _daemon(store, x, clock, "a")
    assert daemon.sync() == {hand: NOW}
    daemon.run_thread(hand)
    assert daemon.sync() == {scheduled: NOW}
    daemon.run_thread(scheduled)
    assert [store.threads.get(t).status for t in (hand, scheduled)] == [ThreadStatus.POSTED] * 2
    assert [p.text.split(" tweet")[0] for p in x.posts] == ["by hand"] * 4 + ["thread 1"] * 4
    assert x.count("create_post") == 8
    assert x.count("recent_posts") == 0


def test_a_lane_held_by_a_live_claim_waits_quietly(
    store: Store, x: FakeX, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process posts the account's thread now: the due thread behind it is not
    started; a claim that fails never triggers another poll (no spinning), and why it
    waits is logged once, not per poll."""
    holder = store.threads.freeze(
        key="held#1",
        article="h.txt",
        section_index=1,
        section="S",
        content_hash="held",
        posts=[("held 1/1", False)],
        cost_usd=0.015,
        now=NOW,
        account="default",
        network="x",
    )
    assert store.queue.claim(holder.id, Owner("other:9:ff", "other"), NOW, Lease(300))
    (waiting,) = _queue(store, 1, NOW)
    daemon = _daemon(store, x, clock, "a")
    scheduler = RecordingScheduler()
    daemon._scheduler = scheduler
    caplog.set_level("INFO", logger="threadbot.daemon")
    for _ in range(5):
        daemon.sync()
        daemon.run_thread(waiting)  # a stale job firing anyway
        clock.now += dt.timedelta(seconds=1)
    assert x.calls == []
    assert scheduler.polls == 0
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting:")]
    assert len(waits) == 1
    assert f"thread {waiting} (account default on x) is behind thread {holder.id}" in waits[0]
    assert "claimed by other:9:ff until" in waits[0]


class HandingScheduler(RecordingScheduler):
    """APScheduler with every due job handed to a worker at once (it leaves the job
    store then): what the daemon asked to run, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[int] = []

    def add_job(self, *args: object, **kwargs: object) -> None:
        thread_id, _, _ = kwargs["args"]  # type: ignore[misc]
        self.runs.append(thread_id)


def test_a_run_waiting_for_a_worker_is_not_handed_again_nor_claims_a_taken_lane(
    store: Store, x: FakeX, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more lanes due than workers, runs wait for a worker: polls meanwhile hand
    none of them out twice (each would be skipped, and cost a poll's work), and a run
    whose lane another daemon took meanwhile ends without trying to claim it; the
    lane's next thread is handed out once that one is done."""
    first, second = _queue(store, 2, NOW)
    a, b = _daemon(store, x, clock, "a"), _daemon(store, x, clock, "b")
    scheduler = HandingScheduler()
    a._scheduler = scheduler
    claims: list[int] = []
    claim = Queue.claim

    def counted(self: Queue, thread_id: int, *args: object, **kwargs: object) -> object:
        claims.append(thread_id)
        return claim(self, thread_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Queue, "claim", counted)
    for _ in range(3):
        a.sync()
        clock.now += dt.timedelta(seconds=1)
    assert scheduler.runs == [first]
    held = b.publisher("default", "x").claim(first, due_only=True)  # b takes the lane
    assert held is not None
    a.sync()
    a.run_thread(first)  # its worker comes free: the lane is b's now
    assert claims == [first]  # b's claim only
    assert x.calls == []
    b.publisher("default", "x").publish(claim=held)
    a.sync()
    assert scheduler.runs == [first, second]
    a.run_thread(second)
    assert claims == [first, second]
    assert [store.threads.get(t).status for t in (first, second)] == [ThreadStatus.POSTED] * 2
    assert x.count("create_post") == 8


class TimingScheduler(RecordingScheduler):
    """When the daemon asks APScheduler to run each thread."""

    def __init__(self) -> None:
        super().__init__()
        self.dates: dict[int, dt.datetime] = {}

    def add_job(self, *args: object, **kwargs: object) -> None:
        thread_id, _, _ = kwargs["args"]  # type: ignore[misc]
        self.dates[thread_id] = kwargs["run_date"]  # type: ignore[assignment]


def test_daemons_try_lanes_due_at_once_each_in_an_order_of_its_own(
    store: Store, clock: Clock
) -> None:
    """Twenty accounts' threads due at the same time: each daemon runs them within a
    millisecond of it, in an order of its own (so daemons side by side seldom try to
    claim the same thread at once), the same at every poll."""
    ids = [
        store.threads.freeze(
            key=f"lane{n}#1", article="a.txt", section_index=1, section="S",
            content_hash=f"lane{n}", posts=[(f"lane {n}", False)], cost_usd=0.015,
            now=NOW, due_at=NOW, account=f"acct{n}", network="x",
        ).id
        for n in range(20)
    ]  # fmt: skip
    orders = []
    for name in ("a", "b"):
        daemon = _daemon(store, FakeX(), clock, name)
        daemon._scheduler = scheduler = TimingScheduler()
        daemon.sync()
        due_here = NOW - daemon._offset  # the due time on this machine's clock
        assert set(scheduler.dates) == set(ids)
        assert all(
            dt.timedelta(0) <= at - due_here < dt.timedelta(milliseconds=1)
            for at in scheduler.dates.values()
        )
        orders.append(sorted(ids, key=scheduler.dates.__getitem__))
        # Its turns are its own, whenever asked (a job already added is kept as it is).
        again = _daemon(store, FakeX(), clock, name)
        assert {t: again._turn(t) for t in ids} == {
            t: at - due_here for t, at in scheduler.dates.items()
        }
    assert orders[0] != orders[1]
