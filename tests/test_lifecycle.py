"""Thread state rules: named sets, transitions, guards, the freeze-or-continue rule, leases."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import AlreadyPublishedError, StateConflictError
from bot.lifecycle import (
    CLAIMABLE,
    FINISHED,
    LIVE,
    TRANSITIONS,
    WAITING,
    Lease,
    Owner,
    ThreadStatus,
    Version,
    allowed,
    check_cancel,
    check_reschedule,
    claimable,
    freeze_or_continue,
    sources,
    takeover_due,
)

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
S = ThreadStatus


def test_named_sets() -> None:
    """Waiting, live and finished are disjoint where they must be; every status has rules."""
    assert {S.SCHEDULED, S.DEFERRED} == WAITING
    assert not WAITING & LIVE
    assert S.POSTED in LIVE & FINISHED
    assert set(TRANSITIONS) == set(ThreadStatus)
    assert TRANSITIONS[S.POSTED] == {S.DELETING}  # only taking it down
    assert not TRANSITIONS[S.DELETED]
    assert not CLAIMABLE & {S.PENDING, S.DELETING, S.DELETED}  # approval, taking down
    assert not CLAIMABLE & {S.POSTING, S.POSTED, S.CANCELLED, S.MISSED}


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        (S.SCHEDULED, S.POSTING, True),
        (S.POSTING, S.POSTED, True),
        (S.POSTING, S.CANCELLED, True),  # once nobody holds it (check_cancel)
        (S.POSTED, S.SCHEDULED, False),
        (S.MISSED, S.SCHEDULED, True),
        (S.FAILED, S.POSTING, True),
        (S.CANCELLED, S.POSTING, False),
    ],
)
def test_transitions(current: ThreadStatus, target: ThreadStatus, ok: bool) -> None:
    assert allowed(current, target) is ok
    assert (current in sources(target)) is ok


@pytest.mark.parametrize("status", [S.POSTING, S.POSTED])
def test_live_threads_are_neither_cancelled_nor_rescheduled(status: ThreadStatus) -> None:
    with pytest.raises(StateConflictError, match="thread 3 is posted: it cannot be cancelled"):
        check_cancel(3, S.POSTED)
    with pytest.raises(StateConflictError, match="being posted now: stop that process"):
        check_cancel(3, S.POSTING, held=True)
    with pytest.raises(StateConflictError, match="it cannot be rescheduled"):
        check_reschedule(3, status)


def test_a_thread_its_poster_left_may_be_cancelled() -> None:
    """Stopped by Ctrl-C or killed, a thread keeps its lane until finished — or until the
    owner cancels it (its live posts stay)."""
    check_cancel(3, S.POSTING, held=False)


@pytest.mark.parametrize("status", [S.SCHEDULED, S.DEFERRED, S.FAILED, S.MISSED, S.CANCELLED])
def test_others_may_be_cancelled_and_rescheduled(status: ThreadStatus) -> None:
    check_cancel(3, status)
    check_reschedule(3, status)


def _version(status: ThreadStatus, digest: str = "h", live: int = 0, id: int = 1) -> Version:
    return Version(id, status, digest, live, 4, "https://x.com/a/status/1")


@pytest.mark.parametrize("scheduling", [False, True])
def test_one_rule_for_publish_and_schedule(scheduling: bool) -> None:
    """Same text continues (failed included), set-aside versions are skipped, a live one is
    refused — for publish and schedule alike."""
    failed = _version(S.FAILED, live=2)
    assert freeze_or_continue("k", "h", [failed], scheduling=scheduling) == failed
    assert freeze_or_continue("k", "h", [_version(S.CANCELLED)], scheduling=scheduling) is None
    assert freeze_or_continue("k", "h", [], scheduling=scheduling) is None
    with pytest.raises(AlreadyPublishedError, match="already live as thread 1"):
        freeze_or_continue("k", "h", [_version(S.POSTED, live=4)], scheduling=scheduling)
    with pytest.raises(StateConflictError, match="finish it with `threadbot resume 1` first"):
        freeze_or_continue("k", "new", [_version(S.FAILED, live=1)], scheduling=scheduling)


def test_scheduling_queues_new_text_beside_an_unstarted_version() -> None:
    queued = _version(S.SCHEDULED)
    assert freeze_or_continue("k", "new", [queued], scheduling=True) is None
    with pytest.raises(StateConflictError):
        freeze_or_continue("k", "new", [queued], scheduling=False)


def test_lease_rules() -> None:
    """A posting thread is claimable only by its owner or after its lease expired."""
    lease = Lease(30)
    until = lease.until(NOW)
    assert lease.heartbeat_seconds == 10
    assert claimable(S.SCHEDULED, None, None, "me", NOW)
    assert not claimable(S.POSTING, "other", until, "me", NOW)
    assert claimable(S.POSTING, "me", until, "me", NOW)
    assert claimable(S.POSTING, "other", until, "me", until)
    assert not claimable(S.POSTED, None, None, "me", NOW)
    assert not takeover_due("other", until, "me", NOW)
    assert takeover_due("other", until, "me", until + dt.timedelta(seconds=1))
    assert not takeover_due("me", None, "me", NOW)


def test_owner_ids_are_unique_per_process_object() -> None:
    first, second = Owner.this_process(), Owner.this_process()
    assert first.host == second.host
    assert first.id != second.id
