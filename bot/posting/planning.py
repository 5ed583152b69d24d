"""When threads go out: parse times and durations, plan series and slots, decide misses.

Pure functions of their arguments (``now`` is always passed in), so DST transitions and
grace decisions are tested with fixed clocks. Times are zone-aware throughout: a local
time that does not exist (clocks spring forward) is refused, an ambiguous one (clocks
fall back) means its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ScheduleError

_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {name!r}: use an IANA name such as Asia/Seoul or UTC"
        ) from None


def parse_duration(text: str) -> dt.timedelta:
    """``1d``, ``12h``, ``90m``, ``1w``, ``1d12h`` …"""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not parts or _DURATION.sub("", cleaned).strip():
        raise ScheduleError(f"{text!r} is not a duration: write e.g. 1d, 12h, 90m, 1w or 1d12h")
    delta = dt.timedelta()
    for amount, unit in parts:
        delta += dt.timedelta(**{_UNITS[unit]: int(amount)})
    if delta <= dt.timedelta(0):
        raise ScheduleError(f"{text!r} must be longer than zero")
    return delta


def localize(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Attach ``tz``: refuse a wall time skipped by DST; take the first of a repeated one."""
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(dt.UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != naive:
        raise ScheduleError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it for "
            "daylight saving time): pick another time"
        )
    return aware


def parse_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` in ``tz`` (or ISO 8601 with an offset, which wins)."""
    cleaned = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed
    for fmt in _FORMATS:
        try:
            return localize(dt.datetime.strptime(cleaned, fmt), tz)
        except ValueError:
            continue
    raise ScheduleError(f"{text!r} is not a date and time: write it as YYYY-MM-DD HH:MM")


def every(start: dt.datetime, interval: dt.timedelta, count: int) -> list[dt.datetime]:
    """``count`` times from ``start``: whole days keep the local wall time across DST."""
    tz = start.tzinfo
    times = []
    whole_days = interval % dt.timedelta(days=1) == dt.timedelta(0)
    for index in range(count):
        if whole_days and isinstance(tz, ZoneInfo):
            wall = start.replace(tzinfo=None) + interval * index
            times.append(_nearest_valid(wall, tz))
        else:
            times.append((start.astimezone(dt.UTC) + interval * index).astimezone(tz))
    return times


def _nearest_valid(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    # A daily series that lands in a DST gap posts at the first valid minute after it.
    for minutes in range(181):
        try:
            return localize(wall + dt.timedelta(minutes=minutes), tz)
        except ScheduleError:
            continue
    raise ScheduleError(f"no valid local time near {wall} in {tz.key}")


@dataclass(frozen=True)
class SlotSpec:
    days: frozenset[int]  # 0 = Monday
    times: tuple[dt.time, ...]


def parse_slots(text: str) -> list[SlotSpec]:
    """``Mon-Fri 09:00,18:00; Sat 10:00`` (also ``daily 12:00``, ``Mon,Wed 08:30``)."""
    specs = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days_text, _, times_text = part.partition(" ")
        try:
            days = _parse_days(days_text.lower())
            times = tuple(
                dt.time.fromisoformat(t.strip()) for t in times_text.split(",") if t.strip()
            )
        except ValueError:
            times = ()
            days = frozenset()
        if not days or not times:
            raise ScheduleError(
                f"{part!r} is not a slot: write days and times, e.g. 'Mon-Fri 09:00,18:00'"
            )
        specs.append(SlotSpec(days, times))
    if not specs:
        raise ScheduleError("--slots is empty: write e.g. 'Mon-Fri 09:00,18:00'")
    return specs


def _parse_days(text: str) -> frozenset[int]:
    if text in ("daily", "every", "*"):
        return frozenset(range(7))
    days: set[int] = set()
    for item in text.split(","):
        first, _, last = item.partition("-")
        start = _DAYS.index(first[:3])
        end = _DAYS.index(last[:3]) if last else start
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        days.update(span)
    return frozenset(days)


def next_slots(
    specs: list[SlotSpec],
    tz: ZoneInfo,
    after: dt.datetime,
    count: int,
    taken: Iterable[dt.datetime] = (),
) -> list[dt.datetime]:
    """The next ``count`` free slot times strictly after ``after``, skipping ``taken``."""
    used = {moment.astimezone(dt.UTC) for moment in taken}
    found: list[dt.datetime] = []
    day = after.astimezone(tz).date()
    for _ in range(366 * 2):
        for spec in specs:
            if day.weekday() not in spec.days:
                continue
            for slot in sorted(spec.times):
                try:
                    moment = localize(dt.datetime.combine(day, slot), tz)
                except ScheduleError:
                    continue  # a slot inside a DST gap does not happen that day
                if moment > after and moment.astimezone(dt.UTC) not in used and moment not in found:
                    found.append(moment)
        found.sort()
        if len(found) >= count:
            return found[:count]
        day += dt.timedelta(days=1)
    raise ScheduleError("no free slots in the next two years: add slots or cancel threads")


class DueAction(StrEnum):
    """What the daemon does with a scheduled thread at a poll."""

    WAIT = "wait"  # not due yet
    POST = "post"
    MISSED = "missed"  # fell due while no daemon ran, beyond the grace


def due_action(
    due_at: dt.datetime, now: dt.datetime, grace: dt.timedelta, *, started: bool
) -> DueAction:
    """What the daemon does with a scheduled thread at ``now``.

    A thread already partly live is always finished; one that fell due more than
    ``grace`` ago (the daemon was down) is missed, never posted late without notice.
    """
    if due_at > now:
        return DueAction.WAIT
    if started or now - due_at <= grace:
        return DueAction.POST
    return DueAction.MISSED
