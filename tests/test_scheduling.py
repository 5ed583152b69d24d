"""Queueing: plan() choices and errors, freezing with due times, the queue commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.errors import ScheduleError
from bot.posting.scheduling import When, plan
from bot.store import Store

from .conftest import EXAMPLE, write_publish_config

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (When(), "say when"),
        (When(at="2026-12-02 09:00", slots="daily 09:00"), "say when"),
        (When(start="2026-12-02 09:00"), "--start and --every go together"),
        (When(at="2026-11-30 09:00"), "2026-11-30 09:00 KST is in the past"),
    ],
)
def test_plan_errors(store: Store, when: When, message: str) -> None:
    """One way to say when, and not in the past."""
    with pytest.raises(ScheduleError, match=message):
        plan(when, 2, SEOUL, NOW, store, allow_past=False, account="default")


def test_plan_modes(store: Store) -> None:
    """--at, --start/--every and --slots give due times in UTC; --now lifts past ones to now."""
    assert (
        plan(When(at="2026-12-02 09:00"), 2, SEOUL, NOW, store, allow_past=False, account="default")
        == [dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)] * 2
    )
    series = plan(
        When(start="2026-12-02 09:00", every="1d"),
        3,
        SEOUL,
        NOW,
        store,
        allow_past=False,
        account="default",
    )
    assert [t.day for t in series] == [2, 3, 4]
    slots = plan(
        When(slots="Mon-Fri 09:00"), 2, SEOUL, NOW, store, allow_past=False, account="default"
    )
    assert [t.astimezone(SEOUL).strftime("%a %H:%M") for t in slots] == [
        "Wed 09:00",
        "Thu 09:00",
    ]  # now is Tue 09:00 KST: strictly after
    assert plan(
        When(at="2026-11-30 09:00"), 1, SEOUL, NOW, store, allow_past=True, account="default"
    ) == [NOW]


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        [*args, "--config", str(write_publish_config(tmp_path)), "--db", str(tmp_path / "s.db")],
    )
    return result.exit_code, result.stdout, result.stderr


def test_schedule_a_week_then_queue_cancel_reschedule(tmp_path: Path) -> None:
    """Seven daily threads are queued with local and UTC times; cancel and reschedule work."""
    code, out, err = _run(
        tmp_path,
        "schedule",
        str(EXAMPLE),
        "--start",
        "2030-12-01 09:00",
        "--every",
        "1d",
        "--tz",
        "Asia/Seoul",
    )
    # The test config recommends the example's account, which the example article names.
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        lines[0]
        == "thread   1  kpop-asean-plus-three#1          2030-12-01 09:00 KST  (2030-12-01 00:00 UTC)  $0.245"
    )
    assert lines[6].startswith("thread   7  kpop-asean-plus-three#7          2030-12-07 09:00 KST")
    assert lines[7] == "7 threads queued, $1.715; `threadbot run` posts them"
    again = _run(tmp_path, "schedule", str(EXAMPLE), "--section", "1", "--at", "2030-12-09 09:00")
    assert again[1].splitlines()[0].endswith("(already queued)")
    assert _run(tmp_path, "cancel", "2")[1] == "thread 2 cancelled\n"
    assert (
        _run(tmp_path, "reschedule", "3", "--at", "2030-12-20 18:30", "--tz", "UTC")[1]
        == "thread 3 due 2030-12-20 18:30 UTC (2030-12-20 18:30 UTC)\n"
    )
    queue = _run(tmp_path, "queue", "--tz", "UTC")[1].splitlines()
    assert queue[0] == "upcoming:"
    assert queue[1] == "     1  2030-12-01 00:00 UTC  scheduled kpop-asean-plus-three#1"
    assert "     2  2030-12-02 00:00 UTC  cancelled kpop-asean-plus-three#2" in queue
    upcoming = queue[1 : queue.index("recent:")]
    assert upcoming[-1] == "     3  2030-12-20 18:30 UTC  scheduled kpop-asean-plus-three#3"
    assert len(upcoming) == 6


def test_schedule_refuses_past_and_invalid(tmp_path: Path) -> None:
    """Past times and times skipped by DST exit 2, saying what to do."""
    code, _, err = _run(
        tmp_path, "schedule", str(EXAMPLE), "--at", "2020-01-01 09:00", "--tz", "UTC"
    )
    assert code == 2
    assert (
        err
        == "error: 2020-01-01 09:00 UTC is in the past: pick a later time, or pass --now to post past-due threads as soon as the daemon runs\n"
    )
    code, _, err = _run(
        tmp_path,
        "schedule",
        str(EXAMPLE),
        "--section",
        "1",
        "--at",
        "2030-03-10 02:30",
        "--tz",
        "America/New_York",
    )
    assert (code, err) == (
        2,
        "error: 2030-03-10 02:30 does not exist in America/New_York (the clocks skip it for daylight saving time): pick another time\n",
    )
