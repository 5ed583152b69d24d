"""What the store hands out: plain, frozen records, each made from its row in one place
(``from_row``). Times come back aware, in UTC (SQLite hands back naive ones)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.lifecycle import PostStatus, ThreadStatus
from bot.settings import DEFAULT_ACCOUNT


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite keeps them naive)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def _when(value: dt.datetime | None) -> dt.datetime:
    found = aware(value)
    assert found is not None, "a NOT NULL time"
    return found


@dataclass(frozen=True)
class PostRecord:
    """One post of a thread: its text as frozen, and its fate on the network."""

    thread_id: int
    position: int
    text: str
    has_url: bool
    status: PostStatus
    post_id: str | None
    posted_at: dt.datetime | None
    attempts: int
    last_error: str | None
    has_media: bool = False
    post_key: str | None = None
    # When its first request went out (store clock): a post found later must be newer.
    sending_at: dt.datetime | None = None
    # Taking it down: the DELETE committed (fate unknown until answered), then answered.
    deleting_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    delete_result: str | None = None  # "deleted", or "gone": the network had no such post

    @property
    def is_live(self) -> bool:
        """On the network as far as the store knows (posted, not taken down)."""
        return self.status == PostStatus.POSTED and self.deleted_at is None

    @classmethod
    def from_row(cls, row: Any, prefix: str = "") -> PostRecord:
        """From a ``posts`` row, or from a joined row whose columns carry ``prefix``."""
        data = row._mapping

        def get(name: str) -> Any:
            return data[prefix + name]

        return cls(
            thread_id=get("thread_id"),
            position=get("position"),
            text=get("text"),
            has_url=bool(get("has_url")),
            status=PostStatus(get("status")),
            post_id=get("post_id"),
            posted_at=aware(get("posted_at")),
            attempts=get("attempts"),
            last_error=get("last_error"),
            has_media=data.get(prefix + "has_media") is not None,
            post_key=get("post_key"),
            sending_at=aware(get("sending_at")),
            deleting_at=aware(data.get(prefix + "deleting_at")),
            deleted_at=aware(data.get(prefix + "deleted_at")),
            delete_result=data.get(prefix + "delete_result"),
        )


@dataclass(frozen=True)
class ThreadRecord:
    """A frozen thread with its posts: what is posted, and how far it got."""

    id: int
    key: str
    article: str
    section_index: int
    section: str
    content_hash: str
    status: ThreadStatus
    created_at: dt.datetime
    due_at: dt.datetime | None
    not_before: dt.datetime | None
    last_error: str | None
    cost_usd: float
    posts: tuple[PostRecord, ...]
    account: str
    network: str
    claimed_by: str | None = None
    claim_host: str | None = None
    lease_until: dt.datetime | None = None
    claimed_at: dt.datetime | None = None
    # The article's content hash an owner's edit replaced (None: as built), and when.
    edited_from: str | None = None
    edited_at: dt.datetime | None = None
    link_failing_since: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: Any, posts: tuple[PostRecord, ...]) -> ThreadRecord:
        data = row._mapping
        return cls(
            id=row.id,
            key=row.key,
            article=row.article,
            section_index=row.section_index,
            section=row.section,
            content_hash=row.content_hash,
            status=ThreadStatus(row.status),
            created_at=_when(row.created_at),
            due_at=aware(row.due_at),
            not_before=aware(row.not_before),
            last_error=row.last_error,
            cost_usd=row.cost_usd,
            posts=posts,
            account=row.account,
            network=row.network,
            claimed_by=row.claimed_by,
            claim_host=row.claim_host,
            lease_until=aware(row.lease_until),
            claimed_at=aware(row.claimed_at),
            edited_from=data.get("edited_from"),
            edited_at=aware(data.get("edited_at")),
            link_failing_since=aware(data.get("link_failing_since")),
        )

    @property
    def live_count(self) -> int:
        """Posts on the network as far as the store knows (taken-down ones are not)."""
        return sum(post.is_live for post in self.posts)

    @property
    def first_post_id(self) -> str | None:
        return self.posts[0].post_id if self.posts else None

    @property
    def post_count(self) -> int:
        return len(self.posts)


@dataclass(frozen=True)
class ThreadSummary:
    """A thread as listings show it (`status`, `queue`): no posts, their counts."""

    id: int
    key: str
    # The article file or, for a followed feed, the post's URL.
    article: str
    status: ThreadStatus
    due_at: dt.datetime | None
    not_before: dt.datetime | None
    last_error: str | None
    cost_usd: float
    live_count: int
    post_count: int
    first_post_id: str | None
    # The first post's text, as the queue calendar shows it.
    first_text: str
    account: str
    network: str
    # Who holds a `posting` thread, since and until when (None: released or lapsed).
    claimed_by: str | None = None
    claimed_at: dt.datetime | None = None
    lease_until: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> ThreadSummary:
        return cls(
            id=row.id,
            key=row.key,
            article=row.article,
            status=ThreadStatus(row.status),
            due_at=aware(row.due_at),
            not_before=aware(row.not_before),
            last_error=row.last_error,
            cost_usd=row.cost_usd,
            live_count=row.live_count,
            post_count=row.post_count,
            first_post_id=row.first_post_id,
            first_text=row.first_text or "",
            account=row.account,
            network=row.network,
            claimed_by=row.claimed_by,
            claimed_at=aware(row.claimed_at),
            lease_until=aware(row.lease_until),
        )


@dataclass(frozen=True)
class QueuedThread:
    """What a daemon's poll needs to know of a queued thread, without its posts."""

    id: int
    key: str
    status: ThreadStatus
    due_at: dt.datetime | None
    not_before: dt.datetime | None
    claimed_by: str | None
    lease_until: dt.datetime | None
    live_count: int
    account: str
    network: str
    claimed_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> QueuedThread:
        return cls(
            id=row.id,
            key=row.key,
            status=ThreadStatus(row.status),
            due_at=aware(row.due_at),
            not_before=aware(row.not_before),
            claimed_by=row.claimed_by,
            lease_until=aware(row.lease_until),
            live_count=row.live_count,
            account=row.account,
            network=row.network,
            claimed_at=aware(row.claimed_at),
        )


@dataclass(frozen=True)
class MediaRecord:
    png: bytes
    alt_text: str
    media_id: str | None
    uploaded_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Any) -> MediaRecord:
        return cls(row.png, row.alt_text, row.media_id, aware(row.uploaded_at))


@dataclass(frozen=True)
class PostedPost:
    """A post that went out: what budgets and spend are counted from."""

    posted_at: dt.datetime
    has_url: bool
    network: str

    @classmethod
    def from_row(cls, row: Any) -> PostedPost:
        return cls(_when(row.posted_at), bool(row.has_url), row.network)


@dataclass(frozen=True)
class AccountState:
    """What all daemons share about an account on a network: a rate limit or cap seen
    by any of them, and where its posts are seen."""

    name: str
    blocked_until: dt.datetime | None = None
    blocked_reason: str | None = None
    username: str | None = None
    home_url: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> AccountState:
        return cls(
            row.name, aware(row.blocked_until), row.blocked_reason, row.username, row.home_url
        )


@dataclass(frozen=True)
class DaemonRecord:
    """A daemon as `threadbot daemons` lists it; times are the database's."""

    id: str
    host: str
    pid: int
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    stopped_at: dt.datetime | None
    max_threads: int
    version: str
    threads_in_hand: int

    @classmethod
    def from_row(cls, row: Any) -> DaemonRecord:
        return cls(
            id=row.id,
            host=row.host,
            pid=row.pid,
            started_at=_when(row.started_at),
            heartbeat_at=_when(row.heartbeat_at),
            stopped_at=aware(row.stopped_at),
            max_threads=row.max_threads,
            version=row.version,
            threads_in_hand=row.in_hand,
        )


@dataclass(frozen=True)
class MetricsRecord:
    """One read of one post's numbers (a snapshot: reads are kept, never overwritten)."""

    thread_id: int
    position: int
    post_id: str
    read_at: dt.datetime
    impressions: int | None
    likes: int
    reposts: int
    replies: int
    quotes: int | None
    link_clicks: int | None
    cost_usd: float

    @classmethod
    def from_row(cls, row: Any) -> MetricsRecord:
        return cls(
            thread_id=row.thread_id,
            position=row.position,
            post_id=row.post_id,
            read_at=_when(row.read_at),
            impressions=row.impressions,
            likes=row.likes,
            reposts=row.reposts,
            replies=row.replies,
            quotes=row.quotes,
            link_clicks=row.link_clicks,
            cost_usd=row.cost_usd,
        )


@dataclass(frozen=True)
class LinkCheckRecord:
    """A link's last live check, cached (the blog and about links: once a day)."""

    url: str
    checked_at: dt.datetime
    ok: bool
    status: int | None
    reason: str
    card_warning: str | None

    @classmethod
    def from_row(cls, row: Any) -> LinkCheckRecord:
        return cls(
            row.url, _when(row.checked_at), bool(row.ok), row.status, row.reason, row.card_warning
        )


class EntryState(StrEnum):
    """What became of a feed's entry."""

    SEEN = "seen"  # there when the feed was added: remembered, never queued
    QUEUED = "queued"  # its threads were queued
    REFUSED = "refused"  # validation refused it (the reason is kept)
    WAITING = "waiting"  # dated in the future: queued when its date comes
    DUPLICATE = "duplicate"  # the same post came through another feed or URL


@dataclass(frozen=True)
class KnownEntry:
    """What the store remembers of an entry, to tell an edit from a new post."""

    content_hash: str
    waiting_until: dt.datetime | None = None


@dataclass(frozen=True)
class FeedRecord:
    id: int
    url: str
    title: str | None
    slots: str | None
    timezone: str | None
    sections: str
    backfill: int
    poll_minutes: float | None
    etag: str | None
    last_modified: str | None
    added_at: dt.datetime
    last_checked_at: dt.datetime | None
    last_result: str | None
    next_check_at: dt.datetime | None
    failures: int
    failing_since: dt.datetime | None
    # When the first successful poll marked what the feed held as seen (None: not yet).
    seeded_at: dt.datetime | None
    # Counts over the feed's entries.
    seen: int = 0
    queued: int = 0
    refused: int = 0
    edits: int = 0
    # Whose threads the feed's posts become (None: the default account).
    account: str | None = None
    # Comma-separated networks (None: the account's, from the config).
    networks: str | None = None
    # Its threads wait for the owner's approval (None: [feeds] approve decides).
    approve: bool | None = None

    @classmethod
    def from_row(cls, row: Any) -> FeedRecord:
        data = row._mapping
        return cls(
            id=data["id"],
            url=data["url"],
            title=data["title"],
            slots=data["slots"],
            timezone=data["timezone"],
            sections=data["sections"],
            backfill=data["backfill"],
            poll_minutes=data["poll_minutes"],
            etag=data["etag"],
            last_modified=data["last_modified"],
            added_at=_when(data["added_at"]),
            last_checked_at=aware(data["last_checked_at"]),
            last_result=data["last_result"],
            next_check_at=aware(data["next_check_at"]),
            failures=data["failures"],
            failing_since=aware(data["failing_since"]),
            seeded_at=aware(data["seeded_at"]),
            seen=int(data["seen"] or 0),
            queued=int(data["queued"] or 0),
            refused=int(data["refused"] or 0),
            edits=int(data["edits"] or 0),
            account=data["account"],
            networks=data["networks"],
            approve=data.get("approve"),
        )


@dataclass(frozen=True)
class EntryRow:
    """One entry to record: a new one (with its state) or an edit of a known one."""

    key: str
    canonical_url: str | None
    url: str | None
    title: str
    published: dt.datetime | None
    state: EntryState
    content_hash: str
    reason: str | None = None


@dataclass(frozen=True)
class RefusedEntry:
    feed_url: str
    title: str
    url: str | None
    reason: str | None
    seen_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> RefusedEntry:
        return cls(row.feed_url, row.title, row.url, row.reason, _when(row.first_seen_at))


__all__ = [
    "DEFAULT_ACCOUNT",
    "AccountState",
    "DaemonRecord",
    "EntryRow",
    "EntryState",
    "FeedRecord",
    "KnownEntry",
    "LinkCheckRecord",
    "MediaRecord",
    "MetricsRecord",
    "PostRecord",
    "PostedPost",
    "QueuedThread",
    "RefusedEntry",
    "ThreadRecord",
    "ThreadSummary",
    "aware",
    "utc",
]
