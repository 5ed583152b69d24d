"""Scheduling maths with fixed clocks: durations, local times, DST, slots, grace."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ScheduleError
from bot.posting.planning import (
    due_action,
    every,
    next_slots,
    parse_datetime,
    parse_duration,
    parse_slots,
    zone,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SEOUL = ZoneInfo("Asia/Seoul")
UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d", dt.timedelta(days=1)),
        ("12h", dt.timedelta(hours=12)),
        ("90m", dt.timedelta(minutes=90)),
        ("1w", dt.timedelta(weeks=1)),
        ("1d12h", dt.timedelta(days=1, hours=12)),
        (" 45s ", dt.timedelta(seconds=45)),
    ],
)
def test_parse_duration(text: str, expected: dt.timedelta) -> None:
    """Durations combine w/d/h/m/s units."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "1", "day", "1x", "0d", "1d-2h"])
def test_bad_durations(text: str) -> None:
    """Anything else says how to write one."""
    with pytest.raises(ScheduleError, match=r"duration|longer than zero"):
        parse_duration(text)


def test_parse_datetime_in_zone_and_with_offset() -> None:
    """A plain time is read in the zone; an explicit offset wins."""
    assert parse_datetime("2026-12-01 09:00", SEOUL) == dt.datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert parse_datetime("2026-12-01T09:00:00+00:00", SEOUL) == dt.datetime(
        2026, 12, 1, 9, 0, tzinfo=UTC
    )
    with pytest.raises(ScheduleError, match="write it as YYYY-MM-DD HH:MM"):
        parse_datetime("tomorrow at nine", SEOUL)


def test_nonexistent_local_time_is_refused() -> None:
    """02:30 on the US spring-forward day does not exist."""
    with pytest.raises(ScheduleError, match="does not exist in America/New_York"):
        parse_datetime("2026-03-08 02:30", NEW_YORK)


def test_ambiguous_local_time_is_the_first() -> None:
    """01:30 on the UK fall-back day happens twice: the first (BST) is meant."""
    # (compared in UTC: Python never calls an ambiguous local time equal to another zone's)
    assert parse_datetime("2026-10-25 01:30", LONDON).astimezone(UTC) == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_daily_series_keeps_local_time_across_spring_forward() -> None:
    """Every day at 09:00 New York stays 09:00 local; UTC moves from 14:00 to 13:00."""
    times = every(parse_datetime("2026-03-07 09:00", NEW_YORK), dt.timedelta(days=1), 3)
    assert [t.astimezone(NEW_YORK).strftime("%d %H:%M") for t in times] == [
        "07 09:00",
        "08 09:00",
        "09 09:00",
    ]
    assert [t.astimezone(UTC).hour for t in times] == [14, 13, 13]


def test_daily_series_keeps_local_time_across_fall_back() -> None:
    """Every day at 09:00 London across the October change: UTC 08:00 then 09:00."""
    times = every(parse_datetime("2026-10-24 09:00", LONDON), dt.timedelta(days=1), 3)
    assert [t.astimezone(UTC).strftime("%d %H:%M") for t in times] == [
        "24 08:00",
        "25 09:00",
        "26 09:00",
    ]


def test_daily_series_in_a_gap_moves_to_the_first_valid_minute() -> None:
    """A daily 02:30 series lands at 03:00 on the day 02:30 does not exist."""
    times = every(parse_datetime("2026-03-07 02:30", NEW_YORK), dt.timedelta(days=1), 3)
    assert [t.astimezone(NEW_YORK).strftime("%d %H:%M") for t in times] == [
        "07 02:30",
        "08 03:00",
        "09 02:30",
    ]


def test_hourly_series_is_absolute_time() -> None:
    """Sub-day intervals are elapsed time: 12 h apart in UTC even across a DST change."""
    times = every(parse_datetime("2026-03-07 21:00", NEW_YORK), dt.timedelta(hours=12), 3)
    in_utc = [t.astimezone(UTC) for t in times]
    assert [b - a for a, b in itertools.pairwise(in_utc)] == [dt.timedelta(hours=12)] * 2
    assert [t.astimezone(NEW_YORK).strftime("%d %H:%M") for t in times] == [
        "07 21:00",
        "08 10:00",
        "08 22:00",
    ]


def test_next_free_slots_skip_taken_and_weekends() -> None:
    """Mon-Fri 09:00,18:00 from Friday 17:00 Seoul, with Monday 09:00 taken."""
    after = parse_datetime("2026-12-04 17:00", SEOUL)  # a Friday
    taken = [parse_datetime("2026-12-07 09:00", SEOUL)]
    slots = next_slots(parse_slots("Mon-Fri 09:00,18:00"), SEOUL, after, 3, taken)
    assert [s.astimezone(SEOUL).strftime("%a %d %H:%M") for s in slots] == [
        "Fri 04 18:00",
        "Mon 07 18:00",
        "Tue 08 09:00",
    ]


def test_slot_in_a_dst_gap_is_skipped_that_day() -> None:
    """A daily 02:30 slot does not happen on the spring-forward day."""
    after = parse_datetime("2026-03-07 03:00", NEW_YORK)
    slots = next_slots(parse_slots("daily 02:30"), NEW_YORK, after, 2)
    assert [s.astimezone(NEW_YORK).strftime("%d %H:%M") for s in slots] == ["09 02:30", "10 02:30"]


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("Mon-Fri 09:00", {0, 1, 2, 3, 4}),
        ("Sat,Sun 10:00", {5, 6}),
        ("Fri-Mon 08:00", {4, 5, 6, 0}),
        ("daily 12:00", set(range(7))),
    ],
)
def test_parse_slots(spec: str, days: set[int]) -> None:
    """Day ranges, lists, wrap-around and daily."""
    assert set(parse_slots(spec)[0].days) == days


@pytest.mark.parametrize("spec", ["", "Mon-Fri", "Someday 09:00", "Mon 25:00", "09:00"])
def test_bad_slots(spec: str) -> None:
    """Unusable slot specs say what to write."""
    with pytest.raises(ScheduleError):
        parse_slots(spec)


def test_unknown_zone() -> None:
    """A zone that is not IANA says so."""
    with pytest.raises(ScheduleError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")


NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("due", "started", "expected"),
    [
        (NOW + dt.timedelta(seconds=1), False, "wait"),
        (NOW, False, "post"),
        (NOW - dt.timedelta(minutes=59), False, "post"),
        (NOW - HOUR, False, "post"),
        (NOW - HOUR - dt.timedelta(seconds=1), False, "missed"),
        (NOW - dt.timedelta(days=3), True, "post"),
    ],
)
def test_grace_and_missed(due: dt.datetime, started: bool, expected: str) -> None:
    """Late within grace posts; later is missed; a partly live thread is always finished."""
    assert due_action(due, NOW, HOUR, started=started) == expected
