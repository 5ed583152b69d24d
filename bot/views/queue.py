"""`threadbot queue`: upcoming threads by due time, then recent ones, in local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import IO

from bot.lifecycle import UPCOMING, ThreadStatus
from bot.store import ThreadSummary
from bot.views import Link

RECENT = 20


def when(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def by_account(records: Sequence[ThreadSummary]) -> dict[str, list[ThreadSummary]]:
    """Records grouped by account, the default account first, then by name."""
    groups: dict[str, list[ThreadSummary]] = {}
    for record in sorted(records, key=lambda r: (r.account != "default", r.account)):
        groups.setdefault(record.account, []).append(record)
    return groups


def write_queue(
    records: Sequence[ThreadSummary],
    tz: dt.tzinfo,
    stream: IO[str],
    *,
    links: Mapping[tuple[str, str], Link] | None = None,
) -> None:
    """``records``: the scheduled threads (those with a due time), in any order; with
    more than one account, one block per account. A thread for another network than X
    is marked with it (``[bluesky]``)."""
    groups = by_account(records)
    if len(groups) <= 1:
        _write_one(records, tz, stream, links or {})
        return
    for account, group in groups.items():
        stream.write(f"account {account}:\n")
        _write_one(group, tz, stream, links or {})


def _write_one(
    records: Sequence[ThreadSummary],
    tz: dt.tzinfo,
    stream: IO[str],
    links: Mapping[tuple[str, str], Link],
) -> None:
    upcoming = sorted(
        (r for r in records if r.status in UPCOMING),
        key=lambda r: (r.due_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.id),
    )
    recent = sorted((r for r in records if r.status not in UPCOMING), key=lambda r: r.id)
    lines = ["upcoming:" if upcoming else "upcoming: none"]
    for record in upcoming:
        due = (
            record.not_before
            if record.status == ThreadStatus.DEFERRED and record.not_before
            else record.due_at
        )
        lines.append(f"  {record.id:>4}  {when(due, tz)}  {record.status:<9} {_key(record)}")
    lines.append("recent:" if recent else "recent: none")
    for thread in recent[-RECENT:]:
        first = thread.first_post_id
        link = links.get((thread.account, thread.network))
        url = link(first) if link is not None and first else ""
        line = f"  {thread.id:>4}  {when(thread.due_at, tz)}  {thread.status:<9} {_key(thread)}"
        lines.append(f"{line}  {url}" if url else line)
        if thread.last_error and thread.status in (ThreadStatus.FAILED, ThreadStatus.MISSED):
            lines.append(f"        {thread.last_error}")
    stream.write("\n".join(lines) + "\n")


def _key(record: ThreadSummary) -> str:
    return record.key if record.network == "x" else f"[{record.network}] {record.key}"


def queue_document(
    records: Sequence[ThreadSummary],
    refused: Sequence[object] = (),
    *,
    links: Mapping[tuple[str, str], Link] | None = None,
) -> dict[str, object]:
    """`queue --format json`: upcoming and recent threads (keys are only ever added)."""
    upcoming = sorted(
        (r for r in records if r.status in UPCOMING),
        key=lambda r: (r.due_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.id),
    )
    recent = sorted((r for r in records if r.status not in UPCOMING), key=lambda r: r.id)

    def item(record: ThreadSummary) -> dict[str, object]:
        first = record.first_post_id
        link = (links or {}).get((record.account, record.network))
        return {
            "id": record.id,
            "account": record.account,
            "network": record.network,
            "thread": record.key,
            "due_at": record.due_at.isoformat() if record.due_at else None,
            "status": str(record.status),
            "source": record.article,
            "tweets": record.tweet_count,
            "cost_usd": record.cost_usd,
            "url": link(first) if link is not None and first else None,
            "error": record.last_error,
        }

    return {
        "upcoming": [item(r) for r in upcoming],
        "recent": [item(r) for r in recent[-RECENT:]],
        "refused": [
            {
                "feed": getattr(entry, "feed_url", None),
                "title": getattr(entry, "title", None),
                "url": getattr(entry, "url", None),
                "reason": getattr(entry, "reason", None),
            }
            for entry in refused
        ],
    }
