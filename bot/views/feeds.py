"""Feed views: `feed preview` (text, JSON) and `feed list` (text, JSON), from plain data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from bot.feeds.preview import FeedPreview
from bot.store import FeedRecord
from bot.views.preview_json import to_json_document

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Horizon:
    """How many days ahead a feed's queued threads reach, now and a week ago."""

    days: float
    week_ago: float

    @property
    def growing(self) -> bool:
        # A day more than a week ago: the feed queues faster than its slots post.
        return self.days > self.week_ago + 1


def horizons(
    feeds: Sequence[FeedRecord],
    queued: Mapping[int, Sequence[tuple[str, dt.datetime]]],
    threads: Iterable[tuple[str, dt.datetime | None]],
    now: dt.datetime,
) -> dict[int, Horizon]:
    """Each feed's horizon from its queued entries (article, first seen) and every
    stored thread's (article, due time)."""
    due: dict[str, list[dt.datetime]] = {}
    for article, due_at in threads:
        if due_at is not None:
            due.setdefault(article, []).append(due_at)

    def reach(entries: Sequence[tuple[str, dt.datetime]], at: dt.datetime) -> float:
        ahead = [
            moment
            for article, seen in entries
            if seen <= at
            for moment in due.get(article, [])
            if moment > at
        ]
        return max(((max(ahead) - at).total_seconds() / 86400), 0.0) if ahead else 0.0

    return {
        feed.id: Horizon(
            reach(queued.get(feed.id, []), now), reach(queued.get(feed.id, []), now - WEEK)
        )
        for feed in feeds
    }


def feed_preview_document(preview: FeedPreview) -> dict[str, Any]:
    """The documented JSON document of `feed preview` (keys are only ever added)."""
    entries = []
    for item in preview.entries:
        document = to_json_document(item.prepared) if item.prepared is not None else None
        findings = document["findings"] if document else []
        if item.problem is not None:
            findings = [
                {
                    "severity": "error",
                    "code": "entry-unreadable",
                    "message": item.problem,
                    "where": item.entry.url or item.entry.id,
                }
            ]
        entries.append(
            {
                "id": item.entry.id,
                "title": item.entry.title,
                "url": item.entry.url,
                "published": item.entry.published.isoformat() if item.entry.published else None,
                "threads": document["threads"] if document else [],
                "findings": findings,
            }
        )
    return {
        "feed": {
            "title": preview.feed.title,
            "url": preview.feed.url,
            "entries": len(preview.feed.entries),
            "warnings": list(preview.feed.warnings),
        },
        "entries": entries,
    }


def write_feed_preview(preview: FeedPreview, stream: IO[str]) -> None:
    """Each entry with its threads, tweet by tweet, and its findings."""
    feed = preview.feed
    lines = [f"{feed.title} — {feed.url or preview.source} · {len(feed.entries)} entries"]
    lines += [f"warning: {warning}" for warning in feed.warnings]
    for item in preview.entries:
        entry = item.entry
        published = entry.published.strftime("%Y-%m-%d") if entry.published else "undated"
        lines.append("")
        lines.append(f"■ {entry.title} ({published}) {entry.url or entry.id}")
        if item.problem is not None:
            lines.append(f"  no threads: {item.problem}")
            continue
        assert item.prepared is not None
        for thread in item.prepared.threads:
            lines.append(
                f"  {thread.id} · {thread.section} · {len(thread.tweets)} tweets"
                f" · ${thread.cost_usd:.3f}"
            )
            for number, tweet in enumerate(thread.tweets, 1):
                text = tweet.text.replace("\n", "\n      ")
                lines.append(f"    {number:>2}. {text}")
        for finding in item.prepared.findings:
            if finding.code != "link-placeholder":
                lines.append(f"  {finding.severity} {finding.code}: {finding.message}")
    errors = sum(
        1
        for item in preview.entries
        if item.problem or (item.prepared and not item.prepared.postable)
    )
    lines.append("")
    lines.append(
        f"{len(preview.entries)} entries · {errors} with errors"
        " · preview only: nothing was posted or stored"
    )
    stream.write("\n".join(lines) + "\n")


def _when(moment: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if moment else None


def feed_list_document(
    feeds: Sequence[FeedRecord], reach: Mapping[int, Horizon] | None = None
) -> dict[str, Any]:
    reach = reach or {}
    return {
        "feeds": [
            {
                "queue_days_ahead": round(reach[feed.id].days, 1) if feed.id in reach else None,
                "queue_growing": reach[feed.id].growing if feed.id in reach else None,
                "url": feed.url,
                "title": feed.title,
                "slots": feed.slots,
                "timezone": feed.timezone,
                "sections": feed.sections,
                "last_checked": feed.last_checked_at.isoformat() if feed.last_checked_at else None,
                "last_result": feed.last_result,
                "next_check": feed.next_check_at.isoformat() if feed.next_check_at else None,
                "failing_since": feed.failing_since.isoformat() if feed.failing_since else None,
                "entries": {
                    "seen": feed.seen,
                    "queued": feed.queued,
                    "refused": feed.refused,
                    "edited": feed.edits,
                },
            }
            for feed in feeds
        ]
    }


def write_feed_list(
    feeds: Sequence[FeedRecord],
    tz: dt.tzinfo,
    stream: IO[str],
    now: dt.datetime,
    reach: Mapping[int, Horizon] | None = None,
) -> None:
    if not feeds:
        stream.write("no feeds followed: `threadbot feed add URL` follows one\n")
        return
    lines = []
    for feed in feeds:
        lines.append(f"{feed.url}  {feed.title or ''}".rstrip())
        lines.append(
            f"  checked {_when(feed.last_checked_at, tz) or 'never'}: {feed.last_result or '-'}"
            f" · next {_when(feed.next_check_at, tz) or 'at the next run'}"
        )
        lines.append(
            f"  entries: {feed.seen} seen, {feed.queued} queued, {feed.refused} refused,"
            f" {feed.edits} edits"
            f" · slots {feed.slots or '[feeds] slots'} · sections {feed.sections}"
        )
        if reach and feed.id in reach:
            horizon = reach[feed.id]
            lines.append(
                f"  queue reaches {horizon.days:.1f} days ahead"
                + (
                    f" — up from {horizon.week_ago:.1f} a week ago: new posts come faster "
                    "than its slots post them (fewer --sections, or more --slots)"
                    if horizon.growing
                    else ""
                )
            )
        if feed.failing_since is not None:
            hours = (now - feed.failing_since).total_seconds() / 3600
            lines.append(f"  failing for {hours:.0f} h ({feed.failures} attempts): check the URL")
    stream.write("\n".join(lines) + "\n")
