"""Queueing threads for the daemon: plan their times, freeze them with a due time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.errors import ScheduleError
from bot.lifecycle import UPCOMING, WAITING, ThreadStatus
from bot.posting.freezing import existing_version, freeze_thread
from bot.posting.planning import every, next_slots, parse_datetime, parse_duration, parse_slots
from bot.store import Store, ThreadRecord
from threads.pipeline import Prepared


@dataclass(frozen=True)
class When:
    """Exactly one of: at; start + every; slots."""

    at: str | None = None
    start: str | None = None
    every: str | None = None
    slots: str | None = None


def plan(
    when: When,
    count: int,
    tz: ZoneInfo,
    now: dt.datetime,
    store: Store,
    *,
    allow_past: bool,
    account: str,
) -> list[dt.datetime]:
    """``count`` due times for ``when``; past ones refused unless ``allow_past`` (then now).
    Free slots are the account's: other accounts' threads do not take them."""
    chosen = [
        when.at is not None,
        when.start is not None or when.every is not None,
        when.slots is not None,
    ]
    if sum(chosen) != 1:
        raise ScheduleError(
            "say when: give one of --at DATETIME, --start DATETIME --every DURATION, "
            "or --slots SPEC"
        )
    if when.at is not None:
        times = [parse_datetime(when.at, tz)] * count
    elif when.slots is not None:
        taken = [
            t.due_at
            for t in store.queue.due(*UPCOMING, ThreadStatus.PENDING)
            if t.due_at is not None and t.account == account
        ]
        times = next_slots(parse_slots(when.slots), tz, now, count, taken)
    else:
        if when.start is None or when.every is None:
            raise ScheduleError("--start and --every go together: give both")
        times = every(parse_datetime(when.start, tz), parse_duration(when.every), count)
    past = [t for t in times if t < now]
    if past and not allow_past:
        raise ScheduleError(
            f"{past[0].astimezone(tz):%Y-%m-%d %H:%M %Z} is in the past: pick a later time, "
            "or pass --now to post past-due threads as soon as the daemon runs"
        )
    # Stored and compared in UTC (an ambiguous local time never equals another zone's).
    return [max(t, now).astimezone(dt.UTC) for t in times]


def queue_threads(
    prepared: Prepared,
    times: list[dt.datetime],
    store: Store,
    now: dt.datetime,
    *,
    account: str,
    network: str,
    pending: bool = False,
) -> list[tuple[ThreadRecord, bool]]:
    """Freeze each thread with its due time (``pending``: held for approval); (record,
    False) for one queued already.

    The rule is lifecycle's, as for ``publish``: a stored version with the same texts
    is continued — left as it is when queued, waiting for approval or posting, given
    this due time when it stopped (failed, ready) — and never frozen a second time.
    """
    queued = []
    for thread, due in zip(prepared.threads, times, strict=True):
        record = existing_version(store, thread, scheduling=True, account=account, network=network)
        if record is None:
            frozen = freeze_thread(
                store,
                prepared,
                thread,
                now,
                account=account,
                network=network,
                due_at=due,
                pending=pending,
            )
            queued.append((frozen, True))
        elif record.status in WAITING or record.status in (
            ThreadStatus.POSTING,
            ThreadStatus.PENDING,  # scheduling again never approves it
        ):
            queued.append((record, False))
        else:
            store.queue.reschedule(record.id, due)
            queued.append((store.threads.get(record.id), True))
    return queued
