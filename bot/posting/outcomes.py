"""What an error means for a thread being posted: one decision, for `publish`, `resume`
and the daemon alike.

    5xx, dropped connection, timeout   retry      the request again, after a backoff
    429 whose window resets soon       wait       hold the claim, sleep until the reset
    429 far off, the daily cap         defer      until the reset; every daemon holds off
                                                  the account (its lane) meanwhile
    the budget or the 24 h post cap    defer      until the thread fits
    a dead link, before the first post defer      and check again; after [links]
                                                  recheck_hours, fail with the reason
    Ctrl-C, SIGTERM, a shutdown        release    the claim goes back; the thread stays
                                                  posting and is finished first
    the claim taken over, the store    let go     nothing more can be recorded: record
    gone                                          nothing, send nothing
    anything else (refused, auth,      fail       stopped until the owner acts (resume,
    ambiguous, out of attempts)                   reschedule, cancel)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import (
    BudgetExceededError,
    DailyCapError,
    DeadLinkError,
    LeaseLostError,
    NetworkUnavailableError,
    RateLimitedError,
    StopRequestedError,
    StoreUnavailableError,
)


class Outcome(StrEnum):
    RETRY = "retry"
    WAIT = "wait"
    DEFER = "defer"
    RELEASE = "release"
    LET_GO = "let go"
    FAIL = "fail"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    # DEFER: not before this (None: the network sent no reset; the next poll tries).
    until: dt.datetime | None = None
    # A limit of the network's: recorded for the account, so every daemon holds off.
    blocks_account: bool = False
    # WAIT: how long.
    seconds: float = 0.0


def verdict(error: BaseException, *, now: dt.datetime, max_wait_seconds: float) -> Verdict:
    """What ``error``, met while posting, means for the thread."""
    if isinstance(error, StopRequestedError | KeyboardInterrupt):
        return Verdict(Outcome.RELEASE)
    if isinstance(error, LeaseLostError | StoreUnavailableError):
        return Verdict(Outcome.LET_GO)
    if isinstance(error, BudgetExceededError):
        return Verdict(Outcome.DEFER, until=error.fits_at)
    if isinstance(error, DeadLinkError):
        return Verdict(
            Outcome.FAIL if error.retry_at is None else Outcome.DEFER, until=error.retry_at
        )
    if isinstance(error, RateLimitedError):
        # No reset sent: a short, bounded wait.
        seconds = 60.0 if error.reset_at is None else (error.reset_at - now).total_seconds() + 1
        seconds = max(0.0, seconds)
        if seconds <= max_wait_seconds and not isinstance(error, DailyCapError):
            return Verdict(Outcome.WAIT, seconds=seconds)
        return Verdict(Outcome.DEFER, until=error.reset_at, blocks_account=True)
    if isinstance(error, NetworkUnavailableError):
        return Verdict(Outcome.RETRY)
    return Verdict(Outcome.FAIL)
