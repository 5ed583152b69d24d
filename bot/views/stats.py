"""`threadbot stats`: what each posted thread did — impressions, engagements, the closing
post's link clicks and how far followers read — as text and as the JSON document.

The numbers are each post's newest snapshot. **Read-through** is each post's impressions
as a share of the first's (``100% 64% 41% 30%``): where it falls off says whether threads
have the right length. Only X counts impressions (Bluesky and Mastodon say none) and
only X's non-public metrics count link clicks (posts under 30 days old).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from bot.store import MetricsRecord, ThreadRecord
from bot.views import Link


@dataclass(frozen=True)
class Numbers:
    """A thread's numbers from its posts' newest snapshots."""

    # Summed over the posts (None: the network says no impressions).
    impressions: int | None
    # Likes, reposts, replies and quotes of every post.
    engagements: int
    # The closing post's (None: not counted, or not read).
    link_clicks: int | None
    # Post by post, impressions as a share of the first's (None: not known).
    read_through: tuple[float | None, ...] | None
    # The newest read (None: never read).
    read_at: dt.datetime | None


def numbers(post_count: int, snapshots: Sequence[MetricsRecord]) -> Numbers:
    """``snapshots``: the thread's newest per post (any order); ``post_count``: its posts,
    the last one the closing post."""
    by_position = {s.position: s for s in snapshots}
    seen = {s.position: s.impressions for s in snapshots if s.impressions is not None}
    base = seen.get(1)
    read_through = None
    if base:  # no first post's impressions (or none at all): no share of them
        read_through = tuple(
            seen[n] / base if n in seen else None for n in range(1, post_count + 1)
        )
    closing = by_position.get(post_count)
    return Numbers(
        impressions=sum(seen.values()) if seen else None,
        engagements=sum(s.likes + s.reposts + s.replies + (s.quotes or 0) for s in snapshots),
        link_clicks=closing.link_clicks if closing is not None else None,
        read_through=read_through,
        read_at=max((s.read_at for s in snapshots), default=None),
    )


def percents(read_through: Sequence[float | None] | None) -> str:
    """``100% 64% 41% 30%`` (``–`` for a post not known); ``–`` when none is."""
    if read_through is None:
        return "–"
    return " ".join("–" if share is None else f"{round(share * 100)}%" for share in read_through)


@dataclass(frozen=True)
class Reading:
    """What this run read: posts, the requests it took, their cost, and the posts left
    alone because they were read already this UTC day."""

    posts: int
    requests: int
    usd: float
    skipped: int


@dataclass(frozen=True)
class MonthReads:
    """An account's reads this calendar month (UTC) against its [stats] monthly_usd."""

    read_usd: float
    monthly_usd: float


def first_posted(thread: ThreadRecord) -> dt.datetime | None:
    return min((p.posted_at for p in thread.posts if p.posted_at is not None), default=None)


def _when(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    return "-" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def write_stats(
    threads: Sequence[ThreadRecord],
    latest: Mapping[int, Sequence[MetricsRecord]],
    read_usd: Mapping[int, float],
    stream: IO[str],
    *,
    tz: dt.tzinfo,
    labels: Mapping[str, str],
    reading: Reading | None,
    month: Mapping[str, MonthReads],
) -> None:
    """A block per thread (in the order given), then what this run read and each
    account's reads this month. ``labels``: each network's name as people read it."""
    if not threads:
        stream.write("no posted threads: `threadbot status` lists the store's threads\n")
    for thread in threads:
        found = numbers(len(thread.posts), latest.get(thread.id, ()))
        label = labels.get(thread.network, thread.network)
        stream.write(
            f"thread {thread.id} · {thread.key} · {label} · posted "
            f"{_when(first_posted(thread), tz)}\n"
        )
        if found.read_at is None:
            stream.write("  not read yet\n")
            continue
        through = percents(found.read_through)
        if found.impressions is None:
            through += f" ({label} says no impressions)"
        stream.write(
            f"  impressions {_count(found.impressions)} · engagements {found.engagements:,} · "
            f"link clicks {_count(found.link_clicks)} · read-through {through}\n"
        )
        gone = sum(p.deleted_at is not None for p in thread.posts)
        deleted = f" · {gone} post(s) deleted" if gone else ""
        stream.write(
            f"  read {_when(found.read_at, tz)} · reads ${read_usd.get(thread.id, 0.0):.3f}"
            f"{deleted}\n"
        )
    if reading is None:
        stream.write("stored numbers only (--no-read): nothing was read\n")
    else:
        again = f"; {reading.skipped} read already today, not again" if reading.skipped else ""
        stream.write(
            f"read now: {reading.posts} posts in {reading.requests} requests, "
            f"${reading.usd:.3f}{again}\n"
        )
    for account, spent in sorted(month.items()):
        stream.write(
            f"account {account}: reads this month ${spent.read_usd:.3f} of "
            f"${spent.monthly_usd:.2f} ([stats] monthly_usd)\n"
        )


def stats_document(
    threads: Sequence[ThreadRecord],
    latest: Mapping[int, Sequence[MetricsRecord]],
    read_usd: Mapping[int, float],
    *,
    links: Mapping[tuple[str, str], Link],
    reading: Reading | None,
    month: Mapping[str, MonthReads],
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """The ``--format json`` document (README: keys are only ever added)."""

    def iso(moment: dt.datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(dt.UTC).isoformat()

    documents = []
    for thread in threads:
        snapshots = {s.position: s for s in latest.get(thread.id, ())}
        found = numbers(len(thread.posts), list(snapshots.values()))
        link = links.get((thread.account, thread.network))
        posts = []
        for post in thread.posts:
            snapshot = snapshots.get(post.position)
            posts.append(
                {
                    "position": post.position,
                    "post_id": post.post_id,
                    "url": link(post.post_id) if link and post.post_id else None,
                    "deleted": post.deleted_at is not None,
                    "read_at": iso(snapshot.read_at) if snapshot else None,
                    "impressions": snapshot.impressions if snapshot else None,
                    "likes": snapshot.likes if snapshot else None,
                    "reposts": snapshot.reposts if snapshot else None,
                    "replies": snapshot.replies if snapshot else None,
                    "quotes": snapshot.quotes if snapshot else None,
                    "link_clicks": snapshot.link_clicks if snapshot else None,
                }
            )
        documents.append(
            {
                "id": thread.id,
                "thread": thread.key,
                "account": thread.account,
                "network": thread.network,
                "posted_at": iso(first_posted(thread)),
                "read_at": iso(found.read_at),
                "impressions": found.impressions,
                "engagements": found.engagements,
                "link_clicks": found.link_clicks,
                "read_through": (
                    None
                    if found.read_through is None
                    else [None if s is None else round(s, 4) for s in found.read_through]
                ),
                "read_usd": round(read_usd.get(thread.id, 0.0), 6),
                "posts": posts,
            }
        )
    return {
        "threads": documents,
        "read": None
        if reading is None
        else {
            "posts": reading.posts,
            "requests": reading.requests,
            "usd": round(reading.usd, 6),
            "skipped": reading.skipped,
        },
        "month": {
            account: {"read_usd": round(spent.read_usd, 6), "monthly_usd": spent.monthly_usd}
            for account, spent in sorted(month.items())
        },
        "errors": list(errors),
    }
