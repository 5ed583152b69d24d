"""`threadbot status`: one line per thread (every post with ``detail``), then spend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from bot.lifecycle import PostStatus, ThreadStatus
from bot.settings import DEFAULT_ACCOUNT
from bot.store import PostRecord, ThreadRecord, ThreadSummary
from bot.views import Link
from bot.views.queue import holding, taking_down


@dataclass(frozen=True)
class Spend:
    """Posts and money: this calendar month (UTC) and the last 24 hours."""

    month_posts: int
    month_usd: float
    day_posts: int
    # What reading posts' counts cost this month (`stats`; X bills them), beside the posts.
    month_read_usd: float = 0.0


def post_link(link: Link, post_id: str | None) -> str:
    if not post_id:
        return "-"
    return link(post_id) if link is not None else f"post {post_id}"


def write_status(
    records: Sequence[ThreadSummary | ThreadRecord],
    spend: Mapping[str, Spend],
    stream: IO[str],
    *,
    links: Mapping[tuple[str, str], Link] | None = None,
    detail: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """``records``: summaries for the list, full records (with posts) for ``detail``;
    ``spend`` per account. With more than one account, one block per account, each
    with its own spend."""
    if not records:
        stream.write("no threads in the store: `threadbot publish ARTICLE` posts some\n")
    groups: dict[str, list[ThreadSummary | ThreadRecord]] = {}
    for record in sorted(records, key=lambda r: (r.account != DEFAULT_ACCOUNT, r.account)):
        groups.setdefault(record.account, []).append(record)
    several = len(groups) > 1
    for account, group in groups.items():
        if several:
            stream.write(f"account {account}:\n")
        _write_threads(group, stream, links or {}, detail, now or dt.datetime.now(dt.UTC))
        if several and account in spend:
            _write_spend(spend[account], stream, indent="  ")
    if not several:
        account = next(iter(groups), DEFAULT_ACCOUNT)
        if account in spend:
            _write_spend(spend[account], stream)


def _write_spend(spend: Spend, stream: IO[str], indent: str = "") -> None:
    reads = f", reads ${spend.month_read_usd:.3f}" if spend.month_read_usd else ""
    stream.write(
        f"{indent}this month: {spend.month_posts} posts, ${spend.month_usd:.3f}{reads} · "
        f"last 24 h: {spend.day_posts} posts\n"
    )


def _write_threads(
    records: Sequence[ThreadSummary | ThreadRecord],
    stream: IO[str],
    links: Mapping[tuple[str, str], Link],
    detail: bool,
    now: dt.datetime,
) -> None:
    for record in records:
        live = record.live_count
        link = links.get((record.account, record.network))
        where = "" if record.network == "x" else f"[{record.network}] "
        first = (
            "taken down"
            if record.status == ThreadStatus.DELETED
            else post_link(link, record.first_post_id)
        )
        stream.write(
            f"{record.id:>4}  {record.status:<9} {live}/{record.post_count} live  "
            f"{where}{record.key}  {first}\n"
        )
        if record.status == ThreadStatus.POSTING:
            stream.write(f"      {holding(record, now, dt.UTC)}\n")
        if record.status == ThreadStatus.DELETING:
            stream.write(f"      {taking_down(record, now, dt.UTC)}\n")
        if record.not_before and record.status == ThreadStatus.DEFERRED:
            stream.write(f"      deferred until {record.not_before:%Y-%m-%d %H:%M} UTC\n")
        if record.last_error and record.status != ThreadStatus.POSTED:
            stream.write(f"      error: {record.last_error}\n")
        if detail and isinstance(record, ThreadRecord):
            for post in record.posts:
                stream.write(
                    f"      {post.position:>2}. {_fate(post):<8} attempts {post.attempts}  "
                    f"{post_link(link, post.post_id)}\n"
                )
                if post.last_error and post.status != PostStatus.POSTED:
                    stream.write(f"          {post.last_error}\n")


def _fate(post: PostRecord) -> str:
    """A post's status, or what taking it down came to: ``deleted``, ``gone`` (it was
    gone already), ``deleting`` (its DELETE sent, the answer not recorded)."""
    if post.deleted_at is not None:
        return post.delete_result or "deleted"
    if post.deleting_at is not None:
        return "deleting"
    return str(post.status)
