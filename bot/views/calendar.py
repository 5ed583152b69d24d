"""`queue --html`: the queue as a calendar page, a week per row, in the owner's zone.

Every queued and recently posted thread at its slot — its first post, length, cost,
status and the post it came from; a posted one with its latest numbers (impressions,
engagements, link clicks, read-through: ``bot.views.stats``) — and the feed entries
refused, with why. One self-contained file (no scripts, no network), readable at phone
and desktop widths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from bot.lifecycle import ThreadStatus
from bot.store import RefusedEntry, ThreadSummary
from bot.views import Link
from bot.views.stats import Numbers, percents

# How many weeks back the calendar starts at most (recent posts), and how many ahead.
WEEKS_BACK = 2
WEEKS_AHEAD = 8


def calendar_weeks(
    records: Sequence[ThreadSummary], tz: dt.tzinfo, today: dt.date
) -> list[list[tuple[dt.date, list[ThreadSummary]]]]:
    """Weeks (Monday first) from the earliest shown thread to the latest, each day with its
    threads by time; bounded to WEEKS_BACK before and WEEKS_AHEAD after this week."""
    by_day: dict[dt.date, list[ThreadSummary]] = {}
    for record in records:
        moment = (
            record.not_before
            if record.status == ThreadStatus.DEFERRED and record.not_before
            else record.due_at
        )
        if moment is not None:
            by_day.setdefault(moment.astimezone(tz).date(), []).append(record)
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=WEEKS_BACK)
    last = this_monday + dt.timedelta(weeks=WEEKS_AHEAD, days=6)
    days = [d for d in by_day if first <= d <= last]
    start = min([*days, this_monday])
    start -= dt.timedelta(days=start.weekday())
    end = max([*days, this_monday + dt.timedelta(days=6)])
    weeks = []
    monday = start
    while monday <= end:
        week = []
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            threads = sorted(
                by_day.get(day, []),
                key=lambda r: (r.due_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.id),
            )
            week.append((day, threads))
        weeks.append(week)
        monday += dt.timedelta(weeks=1)
    return weeks


def write_calendar(
    path: Path,
    records: Sequence[ThreadSummary],
    refused: Sequence[RefusedEntry],
    tz: dt.tzinfo,
    now: dt.datetime,
    *,
    links: Mapping[tuple[str, str], Link] | None = None,
    stats: Mapping[int, Numbers] | None = None,
) -> None:
    """The page; ``links`` makes a post's URL per (account, network) lane; ``stats``
    holds posted threads' latest numbers by thread id (read by `stats` or the daemon)."""
    import jinja2

    source = resources.files("bot.views").joinpath("calendar.html.j2").read_text(encoding="utf-8")
    from bot.networks.registry import network

    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["network_label"] = lambda name: network(name).label
    environment.filters["count"] = lambda value: "–" if value is None else f"{value:,}"
    environment.filters["percents"] = percents
    template = environment.from_string(source)
    today = now.astimezone(tz).date()
    html = template.render(
        weeks=calendar_weeks(records, tz, today),
        today=today,
        tz=tz,
        refused=refused,
        link=lambda record: (links or {}).get((record.account, record.network)),
        numbers=lambda record: (stats or {}).get(record.id),
        zone_name=str(tz),
        now=now.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
        time_of=lambda record: (
            (
                record.not_before
                if record.status == ThreadStatus.DEFERRED and record.not_before
                else record.due_at
            )
            .astimezone(tz)
            .strftime("%H:%M")
        ),
    )
    path.write_text(html, encoding="utf-8")
