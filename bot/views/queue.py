"""`threadbot queue`: upcoming threads by due time, then recent ones, in local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import IO

from bot.lifecycle import LISTED, UPCOMING, ThreadStatus
from bot.settings import DEFAULT_ACCOUNT
from bot.store import ThreadRecord, ThreadSummary
from bot.views import Link

RECENT = 20


def when(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def holding(record: ThreadSummary | ThreadRecord, now: dt.datetime, tz: dt.tzinfo) -> str:
    """What a ``posting`` thread is doing to its lane: held by whom, since and until
    when — or given back (Ctrl-C, a shutdown) or lapsed, to be finished first."""
    since = f" since {when(record.claimed_at, tz)}" if record.claimed_at else ""
    if record.claimed_by and record.lease_until and record.lease_until > now:
        return (
            f"posting{since} by {record.claimed_by}, claim held until "
            f"{when(record.lease_until, tz)}"
        )
    return (
        f"stopped with {record.live_count}/{record.post_count} live; the next daemon "
        f"finishes it first, or `threadbot resume {record.id}`"
    )


def taking_down(record: ThreadSummary | ThreadRecord, now: dt.datetime, tz: dt.tzinfo) -> str:
    """What a ``deleting`` thread is doing: taken down by whom, until when — or stopped
    (a rate limit, Ctrl-C, a killed process), for `delete` to continue."""
    live = f"{record.live_count}/{record.post_count} live"
    if record.claimed_by and record.lease_until and record.lease_until > now:
        return (
            f"being taken down by {record.claimed_by} ({live}), claim held until "
            f"{when(record.lease_until, tz)}"
        )
    return f"taking down stopped with {live}: `threadbot delete {record.id}` continues"


def lane_holders(records: Sequence[ThreadSummary]) -> dict[tuple[str, str], ThreadSummary]:
    """The ``posting`` thread of each (account, network) lane: the lane's later threads
    wait behind it."""
    return {(r.account, r.network): r for r in records if r.status == ThreadStatus.POSTING}


def by_account(records: Sequence[ThreadSummary]) -> dict[str, list[ThreadSummary]]:
    """Records grouped by account, the default account first, then by name."""
    groups: dict[str, list[ThreadSummary]] = {}
    for record in sorted(records, key=lambda r: (r.account != DEFAULT_ACCOUNT, r.account)):
        groups.setdefault(record.account, []).append(record)
    return groups


def write_queue(
    records: Sequence[ThreadSummary],
    tz: dt.tzinfo,
    stream: IO[str],
    *,
    links: Mapping[tuple[str, str], Link] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """``records``: the scheduled threads (those with a due time) and every thread being
    posted, in any order; with more than one account, one block per account. A thread
    for another network than X is marked with it (``[bluesky]``); a posting thread says
    who holds it and until when, and the threads waiting behind it say so."""
    now = now or dt.datetime.now(dt.UTC)
    groups = by_account(records)
    if len(groups) <= 1:
        _write_one(records, tz, stream, links or {}, now)
        return
    for account, group in groups.items():
        stream.write(f"account {account}:\n")
        _write_one(group, tz, stream, links or {}, now)


def _write_one(
    records: Sequence[ThreadSummary],
    tz: dt.tzinfo,
    stream: IO[str],
    links: Mapping[tuple[str, str], Link],
    now: dt.datetime,
) -> None:
    holders = lane_holders(records)
    upcoming = sorted(
        (r for r in records if r.status in LISTED),
        key=lambda r: (r.due_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.id),
    )
    recent = sorted((r for r in records if r.status not in LISTED), key=lambda r: r.id)
    lines = ["upcoming:" if upcoming else "upcoming: none"]
    for record in upcoming:
        due = (
            record.not_before
            if record.status == ThreadStatus.DEFERRED and record.not_before
            else record.due_at
        )
        lines.append(f"  {record.id:>4}  {when(due, tz)}  {record.status:<9} {_key(record)}")
        holder = holders.get((record.account, record.network))
        if record.status == ThreadStatus.POSTING:
            lines.append(f"        {holding(record, now, tz)}")
        elif record.status == ThreadStatus.PENDING:
            lines.append(
                f"        waits for your yes: `threadbot approve {record.id}` "
                f"(or `threadbot reject {record.id}`)"
            )
        elif holder is not None and due is not None and due <= now:
            lines.append(f"        waiting behind thread {holder.id} ({holding(holder, now, tz)})")
    lines.append("recent:" if recent else "recent: none")
    for thread in recent[-RECENT:]:
        first = _shown_post(thread)
        link = links.get((thread.account, thread.network))
        url = link(first) if link is not None and first else ""
        line = f"  {thread.id:>4}  {when(thread.due_at, tz)}  {thread.status:<9} {_key(thread)}"
        lines.append(f"{line}  {url}" if url else line)
        if thread.status == ThreadStatus.DELETING:
            lines.append(f"        {taking_down(thread, now, tz)}")
        if thread.last_error and thread.status in SAYS_ERROR:
            lines.append(f"        {thread.last_error}")
    stream.write("\n".join(lines) + "\n")


def _held_by(
    record: ThreadSummary, holders: Mapping[tuple[str, str], ThreadSummary], now: dt.datetime
) -> int | None:
    holder = holders.get((record.account, record.network))
    due = record.not_before or record.due_at
    if holder is None or holder.id == record.id or record.status not in UPCOMING:
        return None
    return holder.id if due is not None and due <= now else None


#: Statuses whose last error the queue shows (it is why they stopped).
SAYS_ERROR = frozenset({ThreadStatus.FAILED, ThreadStatus.MISSED, ThreadStatus.DELETING})


def _shown_post(record: ThreadSummary) -> str | None:
    """The post a listing links to: the first, unless the thread was taken down."""
    return None if record.status == ThreadStatus.DELETED else record.first_post_id


def _key(record: ThreadSummary) -> str:
    return record.key if record.network == "x" else f"[{record.network}] {record.key}"


def queue_document(
    records: Sequence[ThreadSummary],
    refused: Sequence[object] = (),
    *,
    links: Mapping[tuple[str, str], Link] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """`queue --format json`: upcoming and recent threads (keys are only ever added);
    ``held_by`` is the thread a due one waits behind, ``hold`` what a posting one is
    doing to its lane."""
    now = now or dt.datetime.now(dt.UTC)
    holders = lane_holders(records)
    upcoming = sorted(
        (r for r in records if r.status in LISTED),
        key=lambda r: (r.due_at or dt.datetime.min.replace(tzinfo=dt.UTC), r.id),
    )
    recent = sorted((r for r in records if r.status not in LISTED), key=lambda r: r.id)

    def item(record: ThreadSummary) -> dict[str, object]:
        first = _shown_post(record)
        link = (links or {}).get((record.account, record.network))
        return {
            "id": record.id,
            "account": record.account,
            "network": record.network,
            "thread": record.key,
            "due_at": record.due_at.isoformat() if record.due_at else None,
            "status": str(record.status),
            "source": record.article,
            "tweets": record.post_count,
            "cost_usd": record.cost_usd,
            "url": link(first) if link is not None and first else None,
            "error": record.last_error,
            "held_by": _held_by(record, holders, now),
            "hold": holding(record, now, dt.UTC) if record.status == ThreadStatus.POSTING else None,
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
