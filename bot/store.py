"""The state store: frozen threads and the fate of each tweet (SQLAlchemy Core).

SQLite by default (WAL, a busy timeout, short transactions); PostgreSQL 15+ (psycopg 3)
when several daemons on several machines share one queue. The SQL is portable Core; the
one backend difference is row locking: on PostgreSQL a claim first takes the thread's
row and its account's row with ``FOR UPDATE SKIP LOCKED`` (a daemon never waits on a row
another daemon is claiming), on SQLite the single writer lock does the same. The schema
is built by the same named Alembic migrations (``bot/migrations``) on both. Every state
change is its own committed transaction, so a process killed at any point leaves a
store that says exactly which tweets are live.

Time for leases and due checks comes from :meth:`Store.clock`: the database's clock on
PostgreSQL, so daemons whose machine clocks disagree still agree on when a lease ends.

The store executes the decisions of :mod:`bot.lifecycle` — each status change is one
UPDATE whose WHERE clause holds the statuses it may come from — and decides nothing.

Tweet states: ``pending`` → ``sending`` (committed *before* the request, fenced by the
thread's lease) → ``posted`` (with the network's id), or ``failed``. A tweet found in
``sending`` after a crash may or may not be live; the publisher reconciles it against
the account's recent posts before any retry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import LeaseLostError, StoreError, StoreUnavailableError, ThreadNotFoundError
from bot.lifecycle import CLAIMABLE, WAITING, ThreadStatus, TweetStatus, sources

# The Alembic revisions in bot/migrations/versions, oldest first (a test checks).
REVISIONS = (
    "0001_initial",
    "0002_media",
    "0003_claim_lease",
    "0004_feeds",
    "0005_accounts",
    "0006_identity",
)
DEFAULT_ACCOUNT = "default"
# How the store treats a schema older than HEAD (see Store.__init__).
SchemaPolicy = Literal["auto", "upgrade", "exact"]
HEAD = REVISIONS[-1]
# What the meta table's schema_version said before Alembic: 1 and 2 map onto these.
_LEGACY = {1: "0001_initial", 2: "0002_media"}

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

threads_table = sa.Table(
    "threads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(300), nullable=False, index=True),
    sa.Column("article", sa.Text, nullable=False),
    sa.Column("section_index", sa.Integer, nullable=False),
    sa.Column("section", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
    sa.Column("claimed_by", sa.String(100), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("cost_usd", sa.Float, nullable=False),
    sa.Column("claim_host", sa.String(255), nullable=True),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("account", sa.String(64), nullable=False, server_default=DEFAULT_ACCOUNT),
    sa.Column("network", sa.String(16), nullable=False, server_default="x"),
    # When the current claim was taken: a lane held by this thread says since when.
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_threads_status_due_at", "status", "due_at"),
    sa.Index("ix_threads_account_status_due_at", "account", "network", "status", "due_at"),
)

accounts_table = sa.Table(
    "accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("network", sa.String(16), primary_key=True, server_default="x"),
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("blocked_reason", sa.Text, nullable=True),
    sa.Column("username", sa.String(64), nullable=True),
    # Where the account's posts are seen (a Mastodon instance): links in listings.
    sa.Column("home_url", sa.Text, nullable=True),
)

daemons_table = sa.Table(
    "daemons",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("max_threads", sa.Integer, nullable=False),
    sa.Column("version", sa.String(32), nullable=False),
)

tweets_table = sa.Table(
    "tweets",
    metadata,
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("has_url", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # The network's post id (X's number, Bluesky's at:// URI, Mastodon's id).
    sa.Column("x_id", sa.Text, nullable=True),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    # Decided and committed before the first request: Bluesky's record key or
    # Mastodon's Idempotency-Key, so a retry can never make a second post.
    sa.Column("post_key", sa.String(64), nullable=True),
    # The first `sending` of this post: a post found for a lost answer must be newer.
    sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_tweets_status_posted_at", "status", "posted_at"),
)

media_table = sa.Table(
    "media",
    metadata,
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("png", sa.LargeBinary, nullable=False),
    sa.Column("alt_text", sa.Text, nullable=False),
    sa.Column("x_media_id", sa.Text, nullable=True),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class MediaRecord:
    png: bytes
    alt_text: str
    x_media_id: str | None
    uploaded_at: dt.datetime | None


@dataclass(frozen=True)
class TweetRecord:
    thread_id: int
    position: int
    text: str
    has_url: bool
    status: TweetStatus
    x_id: str | None
    posted_at: dt.datetime | None
    attempts: int
    last_error: str | None
    has_media: bool = False
    post_key: str | None = None
    # When its first request went out (store clock): a post found later must be newer.
    sending_at: dt.datetime | None = None


@dataclass(frozen=True)
class ScheduleRow:
    """What the daemon needs to know of a queued thread, without its tweets."""

    id: int
    key: str
    status: ThreadStatus
    due_at: dt.datetime | None
    not_before: dt.datetime | None
    claimed_by: str | None
    lease_until: dt.datetime | None
    live_count: int
    account: str = DEFAULT_ACCOUNT
    network: str = "x"
    claimed_at: dt.datetime | None = None


@dataclass(frozen=True)
class ThreadRecord:
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
    tweets: tuple[TweetRecord, ...]
    claimed_by: str | None = None
    claim_host: str | None = None
    lease_until: dt.datetime | None = None
    account: str = DEFAULT_ACCOUNT
    network: str = "x"
    claimed_at: dt.datetime | None = None

    @property
    def live_count(self) -> int:
        return sum(tweet.status == TweetStatus.POSTED for tweet in self.tweets)

    @property
    def first_post_id(self) -> str | None:
        return self.tweets[0].x_id if self.tweets else None

    @property
    def tweet_count(self) -> int:
        return len(self.tweets)


@dataclass(frozen=True)
class ThreadSummary:
    """A thread as listings show it (`status`, `queue`): no tweets, their counts."""

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
    tweet_count: int
    first_post_id: str | None
    # The first tweet's text, as the queue calendar shows it.
    first_text: str = ""
    account: str = DEFAULT_ACCOUNT
    network: str = "x"
    # Who holds a `posting` thread, since and until when (None: released or lapsed).
    claimed_by: str | None = None
    claimed_at: dt.datetime | None = None
    lease_until: dt.datetime | None = None


@dataclass(frozen=True)
class AccountState:
    """What all daemons share about an account: a rate limit or cap seen by any of them."""

    name: str
    blocked_until: dt.datetime | None
    blocked_reason: str | None
    username: str | None
    home_url: str | None = None


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


@dataclass(frozen=True)
class PostedTweet:
    posted_at: dt.datetime
    has_url: bool
    network: str = "x"


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def database_url(path_or_url: str | Path) -> str:
    """A SQLite path as a URL; ``postgres://`` and ``postgresql://`` (as hosting providers
    write them) mean psycopg 3, the driver threadbot installs."""
    text = str(path_or_url)
    for plain in ("postgres://", "postgresql://"):
        if text.startswith(plain):
            return "postgresql+psycopg://" + text.removeprefix(plain)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


class Store:
    """Threads and tweets, one committed transaction per change.

    ``schema`` says what to do with a store whose schema is older than this threadbot's:
    ``auto`` (commands) upgrades an embedded SQLite store and refuses a shared database
    (another daemon may still run the old version: `threadbot db upgrade` is a decision);
    ``upgrade`` (`threadbot db upgrade`) upgrades any; ``exact`` (the daemon) refuses any
    schema but its own. An empty database is created at the head revision by all three.
    """

    def __init__(
        self,
        url: str,
        engine: Engine | None = None,
        *,
        schema: SchemaPolicy = "auto",
        connections: int = 4,
        must_exist: bool = False,
    ) -> None:
        """``connections``: how many a shared store's pool keeps open (a daemon needs
        two per thread it posts at once — the posting and the lease's heartbeat).
        ``must_exist``: a command that only reads refuses a store that is not there
        rather than creating an empty one (a mistyped --db would show "no threads")."""
        self.url = url
        if must_exist and engine is None and url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if str(path) != ":memory:" and not path.is_file():
                raise StoreError(_missing(url))
        self.engine = engine or _create_engine(url, connections)
        self.shared = self.engine.dialect.name != "sqlite"
        try:
            self._migrate(schema, must_exist=must_exist)
        except StoreError:
            self.engine.dispose()
            raise
        except sa.exc.OperationalError as error:
            self.engine.dispose()
            raise StoreError(
                f"{_shown(url)}: cannot connect ({_reason(error)}): check the URL, that the "
                "database server runs and accepts this user"
            ) from None
        except sa.exc.DatabaseError as error:
            self.engine.dispose()
            raise StoreError(
                f"{_shown(url)}: not a usable threadbot store ({_reason(error)}): "
                "point --db or $THREADBOT_DB at a threadbot store or a new file"
            ) from None

    @property
    def shown_url(self) -> str:
        """The path or URL as messages show it (never the password)."""
        return _shown(self.url)

    # -- schema -------------------------------------------------------------------

    def revision(self) -> str | None:
        """The store's Alembic revision, or None for a store from before Alembic."""
        with self._connect() as connection:
            return _revision(connection)

    def _migrate(self, schema: SchemaPolicy, *, must_exist: bool = False) -> None:
        """Bring the schema to HEAD as ``schema`` allows; every step only adds, so a
        user's queue survives. The common case — already at HEAD — costs one SELECT and
        never imports Alembic."""
        with self.engine.connect() as connection:
            current = _revision(connection)
        if current == HEAD:
            return
        if current is not None and current not in REVISIONS:
            raise StoreError(
                f"{_shown(self.url)}: the store has schema revision {current}, newer than this "
                f"threadbot ({HEAD}): upgrade threadbot before using it"
            )
        from bot.migrations import upgrade

        with self.engine.begin() as connection:
            if self.shared:
                # Two processes starting on a new database: one creates, the other waits.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7354211)"))
                current = _revision(connection)
                if current == HEAD:
                    return
            empty = current is None and not sa.inspect(connection).has_table("threads")
            if empty and must_exist:
                raise StoreError(_missing(self.url))
            if not empty:
                refuse = schema == "exact" or (schema == "auto" and self.shared)
                if refuse:
                    raise StoreError(
                        f"{_shown(self.url)}: the store's schema ({current or 'before 0001'}) "
                        f"is older than this threadbot's ({HEAD}): run `threadbot db upgrade` "
                        "once (daemons of the older version must be stopped first)"
                    )
            stamp = None
            if current is None:
                stamp = _legacy_revision(connection, self.url)
            upgrade(connection, stamp)

    def clock(self) -> dt.datetime:
        """Now, by the database's clock when the store is shared (leases and due times
        are compared with it, so machines with skewed clocks agree), else by this one's."""
        if not self.shared:
            return dt.datetime.now(dt.UTC)
        with self._connect() as connection:
            value = connection.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
        return _aware(value) or dt.datetime.now(dt.UTC)

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        with _translated(self.url), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with _translated(self.url), self.engine.begin() as connection:
            yield connection

    def transaction(self) -> contextlib.AbstractContextManager[Connection]:
        """One transaction for changes that must commit together (a feed poll)."""
        return self._transaction()

    # -- threads ----------------------------------------------------------------

    def freeze(
        self,
        *,
        key: str,
        article: str,
        section_index: int,
        section: str,
        content_hash: str,
        tweets: Sequence[tuple[str, bool]],
        cost_usd: float,
        now: dt.datetime,
        due_at: dt.datetime | None = None,
        media: dict[int, tuple[bytes, str]] | None = None,
        connection: Connection | None = None,
        account: str = DEFAULT_ACCOUNT,
        network: str = "x",
    ) -> ThreadRecord:
        """Store a thread's exact texts (and images, by tweet position); from now on
        these, not the article, get posted. With ``connection``, inside that transaction
        (a feed poll records its entries and queues their threads in one)."""
        if connection is None:
            with self._transaction() as own:
                return self.freeze(
                    key=key,
                    article=article,
                    section_index=section_index,
                    section=section,
                    content_hash=content_hash,
                    tweets=tweets,
                    cost_usd=cost_usd,
                    now=now,
                    due_at=due_at,
                    media=media,
                    connection=own,
                    account=account,
                    network=network,
                )
        _ensure_account(connection, account, network)
        inserted = connection.execute(
            threads_table.insert().values(
                key=key,
                article=article,
                section_index=section_index,
                section=section,
                content_hash=content_hash,
                status=ThreadStatus.SCHEDULED if due_at else ThreadStatus.PENDING,
                created_at=_utc(now),
                due_at=_utc(due_at),
                cost_usd=cost_usd,
                account=account,
                network=network,
            )
        ).inserted_primary_key
        assert inserted is not None  # an INSERT always has one
        thread_id = int(inserted[0])
        connection.execute(
            tweets_table.insert(),
            [
                {
                    "thread_id": thread_id,
                    "position": position,
                    "text": text,
                    "has_url": has_url,
                    "status": TweetStatus.PENDING,
                    "attempts": 0,
                }
                for position, (text, has_url) in enumerate(tweets, start=1)
            ],
        )
        if media:
            connection.execute(
                media_table.insert(),
                [
                    {"thread_id": thread_id, "position": position, "png": png, "alt_text": alt}
                    for position, (png, alt) in media.items()
                ],
            )
        return self._one(connection, thread_id)

    def media(self, thread_id: int, position: int) -> MediaRecord | None:
        with self._connect() as connection:
            row = connection.execute(
                sa.select(media_table)
                .where(media_table.c.thread_id == thread_id)
                .where(media_table.c.position == position)
            ).first()
        if row is None:
            return None
        return MediaRecord(
            png=row.png,
            alt_text=row.alt_text,
            x_media_id=row.x_media_id,
            uploaded_at=_aware(row.uploaded_at),
        )

    def mark_uploaded(
        self, thread_id: int, position: int, x_media_id: str, at: dt.datetime
    ) -> None:
        """Committed right after the network accepts the upload, so a retry reuses it."""
        with self._transaction() as connection:
            connection.execute(
                media_table.update()
                .where(media_table.c.thread_id == thread_id)
                .where(media_table.c.position == position)
                .values(x_media_id=x_media_id, uploaded_at=_utc(at))
            )

    def get(self, thread_id: int) -> ThreadRecord:
        with self._connect() as connection:
            return self._one(connection, thread_id)

    def _one(self, connection: Connection, thread_id: int) -> ThreadRecord:
        records = _records(connection, threads_table.c.id == thread_id)
        if not records:
            raise ThreadNotFoundError(
                f"no thread {thread_id} in the store: `threadbot status` lists them"
            )
        return records[0]

    def by_key(self, key: str) -> list[ThreadRecord]:
        """Every stored version of thread ``key``, oldest first (one query)."""
        with self._connect() as connection:
            return _records(connection, threads_table.c.key == key)

    def all_threads(self, *, scheduled_only: bool = False) -> list[ThreadRecord]:
        """Every thread with its tweets, by id, in one query (what status and queue show)."""
        condition = threads_table.c.due_at.is_not(None) if scheduled_only else sa.true()
        with self._connect() as connection:
            return _records(connection, condition)

    def summaries(self, *, scheduled_only: bool = False) -> list[ThreadSummary]:
        """Every thread (or every one with a due time) by id, with its tweet counts and
        first post, in one query: what `status` and `queue` list."""
        tweets = tweets_table.alias("counted")
        live = (
            sa.select(sa.func.count())
            .where(tweets.c.thread_id == threads_table.c.id)
            .where(tweets.c.status == TweetStatus.POSTED)
            .scalar_subquery()
        )
        total = (
            sa.select(sa.func.count())
            .where(tweets.c.thread_id == threads_table.c.id)
            .scalar_subquery()
        )
        first = (
            sa.select(tweets.c.x_id)
            .where(tweets.c.thread_id == threads_table.c.id)
            .where(tweets.c.position == 1)
            .scalar_subquery()
        )
        first_text = (
            sa.select(tweets.c.text)
            .where(tweets.c.thread_id == threads_table.c.id)
            .where(tweets.c.position == 1)
            .scalar_subquery()
        )
        query = sa.select(
            threads_table.c.id,
            threads_table.c.key,
            threads_table.c.article,
            threads_table.c.status,
            threads_table.c.due_at,
            threads_table.c.not_before,
            threads_table.c.last_error,
            threads_table.c.cost_usd,
            live.label("live_count"),
            total.label("tweet_count"),
            first.label("first_post_id"),
            first_text.label("first_text"),
            threads_table.c.account,
            threads_table.c.network,
            threads_table.c.claimed_by,
            threads_table.c.claimed_at,
            threads_table.c.lease_until,
        ).order_by(threads_table.c.id)
        if scheduled_only:
            # Queued threads, and every thread being posted (a hand-published one holds
            # its account's lane too: the queue says so).
            query = query.where(
                sa.or_(
                    threads_table.c.due_at.is_not(None),
                    threads_table.c.status == ThreadStatus.POSTING,
                )
            )
        with self._connect() as connection:
            rows = connection.execute(query).all()
        return [
            ThreadSummary(
                id=row.id,
                key=row.key,
                article=row.article,
                status=ThreadStatus(row.status),
                due_at=_aware(row.due_at),
                not_before=_aware(row.not_before),
                last_error=row.last_error,
                cost_usd=row.cost_usd,
                live_count=row.live_count,
                tweet_count=row.tweet_count,
                first_post_id=row.first_post_id,
                first_text=row.first_text or "",
                account=row.account,
                network=row.network,
                claimed_by=row.claimed_by,
                claimed_at=_aware(row.claimed_at),
                lease_until=_aware(row.lease_until),
            )
            for row in rows
        ]

    def schedule_rows(
        self, *statuses: ThreadStatus, due_by: dt.datetime | None = None
    ) -> list[ScheduleRow]:
        """Queued threads by due time, without their tweets, in one query (the daemon's
        poll reads this every few seconds). With ``due_by``, only threads due by then
        and every ``posting`` one: a poll's cost follows what is due, not the queue."""
        live = (
            sa.select(sa.func.count())
            .where(tweets_table.c.thread_id == threads_table.c.id)
            .where(tweets_table.c.status == TweetStatus.POSTED)
            .scalar_subquery()
        )
        query = (
            sa.select(
                threads_table.c.id,
                threads_table.c.key,
                threads_table.c.status,
                threads_table.c.due_at,
                threads_table.c.not_before,
                threads_table.c.claimed_by,
                threads_table.c.lease_until,
                live.label("live_count"),
                threads_table.c.account,
                threads_table.c.network,
                threads_table.c.claimed_at,
            )
            .where(threads_table.c.status.in_([str(s) for s in statuses]))
            # A `posting` thread published by hand has no due time but holds its lane:
            # a daemon finishes it once its claim lapsed.
            .where(
                sa.or_(
                    threads_table.c.due_at.is_not(None),
                    threads_table.c.status == ThreadStatus.POSTING,
                )
            )
            .order_by(threads_table.c.due_at, threads_table.c.id)
        )
        if due_by is not None:
            # Written so each branch can use ix_threads_status_due_at (a COALESCE over
            # not_before cannot): a poll reads what is due, not the whole queue.
            t = threads_table
            by = _utc(due_by)
            query = query.where(
                sa.or_(
                    t.c.status == ThreadStatus.POSTING,
                    sa.and_(t.c.status == ThreadStatus.SCHEDULED, t.c.due_at <= by),
                    sa.and_(t.c.status == ThreadStatus.DEFERRED, _effective_due(t) <= by),
                )
            )
        with self._connect() as connection:
            rows = connection.execute(query).all()
        return [
            ScheduleRow(
                id=row.id,
                key=row.key,
                status=ThreadStatus(row.status),
                due_at=_aware(row.due_at),
                not_before=_aware(row.not_before),
                claimed_by=row.claimed_by,
                lease_until=_aware(row.lease_until),
                live_count=row.live_count,
                account=row.account,
                network=row.network,
                claimed_at=_aware(row.claimed_at),
            )
            for row in rows
        ]

    # -- claiming and status changes (decided in bot.lifecycle) -----------------------------

    def claim(
        self,
        thread_id: int,
        owner: str,
        host: str,
        now: dt.datetime,
        lease_until: dt.datetime,
        from_statuses: Iterable[ThreadStatus] = CLAIMABLE,
        *,
        due_only: bool = False,
    ) -> ThreadRecord | None:
        """Take a thread for posting in one transaction; None if another process has it.

        Claimable: a thread in ``from_statuses``, or one in ``posting`` whose lease has
        expired (or is this owner's). Of two processes racing, exactly one changes the row.

        ``due_only`` (the daemon's claims) adds the queue's rules: the thread is due by
        ``now``; its account is not blocked by a rate limit; no other thread of its account
        is ``posting`` (an account's threads never overlap) and none of them is due before
        it (they go out in order). On PostgreSQL the thread's row and then its account's
        are locked ``FOR UPDATE SKIP LOCKED`` first, so two daemons never wait on each
        other and never both pass the account check.

        The record comes back read after the claim: what crash-safety needs to know.
        """
        now_utc = _utc(now)
        t = threads_table
        posting = sa.and_(
            t.c.status == ThreadStatus.POSTING,
            sa.or_(
                t.c.claimed_by == owner,
                t.c.lease_until.is_(None),
                t.c.lease_until <= now_utc,
            ),
        )
        waiting: sa.ColumnElement[bool] = t.c.status.in_([str(s) for s in from_statuses])
        if due_only:
            waiting = sa.and_(waiting, _effective_due(t) <= now_utc)
        condition = sa.and_(t.c.id == thread_id, sa.or_(waiting, posting))
        if due_only:
            condition = sa.and_(condition, *_queue_rules(now_utc))
        with self._transaction() as connection:
            row = connection.execute(
                sa.select(t.c.id, t.c.account, t.c.network)
                .where(t.c.id == thread_id)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None  # gone, or being claimed by another daemon right now
            if due_only and self.shared:
                held = connection.execute(
                    sa.select(accounts_table.c.name)
                    .where(accounts_table.c.name == row.account)
                    .where(accounts_table.c.network == row.network)
                    .with_for_update(skip_locked=True)
                ).first()
                if held is None:
                    return None  # another daemon is claiming for this account
            changed = connection.execute(
                t.update()
                .where(condition)
                .values(
                    status=ThreadStatus.POSTING,
                    claimed_by=owner,
                    claim_host=host,
                    lease_until=_utc(lease_until),
                    claimed_at=now_utc,
                )
            ).rowcount
            if changed != 1:
                return None
            return self._one(connection, thread_id)

    def renew(self, thread_id: int, owner: str, lease_until: dt.datetime) -> bool:
        """The heartbeat: extend this owner's lease; False if it no longer holds it."""
        with self._transaction() as connection:
            return _renew(connection, thread_id, owner, lease_until)

    def transition(
        self,
        thread_id: int,
        target: ThreadStatus,
        *,
        owner: str | None = None,
        error: str | None = None,
        not_before: dt.datetime | None = None,
        lapsed_by: dt.datetime | None = None,
    ) -> bool:
        """Move a thread to ``target`` if lifecycle allows it from its current status.

        Leaving ``posting`` requires the lease (``owner``) and releases it — or, with
        ``lapsed_by`` (the owner cancelling by hand), a claim released or expired by then.
        """
        t = threads_table
        allowed = [str(s) for s in sources(target)]
        condition: sa.ColumnElement[bool] = t.c.status.in_(allowed)
        if ThreadStatus.POSTING in sources(target):
            # Only the lease holder moves a thread out of posting.
            holder = t.c.claimed_by == (owner or "")
            if lapsed_by is not None:
                holder = sa.or_(
                    t.c.claimed_by.is_(None),
                    t.c.lease_until.is_(None),
                    t.c.lease_until <= _utc(lapsed_by),
                )
            condition = sa.or_(
                sa.and_(condition, t.c.status != ThreadStatus.POSTING),
                sa.and_(t.c.status == ThreadStatus.POSTING, holder),
            )
        values: dict[str, Any] = {
            "status": target,
            "last_error": error,
            "not_before": _utc(not_before),
        }
        if target != ThreadStatus.POSTING:
            values.update(claimed_by=None, claim_host=None, lease_until=None, claimed_at=None)
        with self._transaction() as connection:
            changed = connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .where(condition)
                .values(**values)
            ).rowcount
        return bool(changed == 1)

    def release(self, thread_id: int, owner: str) -> bool:
        """Give a claim back without finishing the thread (Ctrl-C, a daemon's shutdown): it
        stays ``posting``, holding its lane, for the next claimant to finish at once —
        `resume`, or any daemon before the account's later threads."""
        t = threads_table
        with self._transaction() as connection:
            changed = connection.execute(
                t.update()
                .where(t.c.id == thread_id)
                .where(t.c.status == ThreadStatus.POSTING)
                .where(t.c.claimed_by == owner)
                .values(claimed_by=None, claim_host=None, lease_until=None)
            ).rowcount
        return bool(changed == 1)

    def reschedule(self, thread_id: int, due_at: dt.datetime) -> bool:
        """A new due time; revives missed, failed and cancelled threads (never a live one)."""
        allowed = [str(s) for s in sources(ThreadStatus.SCHEDULED) if s != ThreadStatus.POSTING]
        with self._transaction() as connection:
            changed = connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .where(threads_table.c.status.in_(allowed))
                .values(
                    status=ThreadStatus.SCHEDULED,
                    due_at=_utc(due_at),
                    not_before=None,
                    last_error=None,
                    claimed_by=None,
                    claim_host=None,
                    lease_until=None,
                    claimed_at=None,
                )
            ).rowcount
        return bool(changed == 1)

    # -- tweets -----------------------------------------------------------------

    def mark_sending(
        self,
        thread_id: int,
        position: int,
        owner: str,
        lease_until: dt.datetime,
        post_key: str | None = None,
        *,
        now: dt.datetime,
    ) -> None:
        """Committed before the request, so a crash leaves a trace to reconcile.

        Fenced by the lease: renews it in the same transaction, and raises
        :class:`LeaseLostError` (changing nothing) if another process took the thread.
        The first ``sending`` of a post keeps its time: whatever is found for it later
        must have been created after it.
        """
        with self._transaction() as connection:
            if not _renew(connection, thread_id, owner, lease_until):
                raise LeaseLostError(
                    f"thread {thread_id} was taken over by another process (its lease had "
                    "expired): this one stops without sending"
                )
            values: dict[str, Any] = {
                "status": TweetStatus.SENDING,
                "attempts": tweets_table.c.attempts + 1,
                "last_error": None,
                "sending_at": sa.func.coalesce(tweets_table.c.sending_at, _utc(now)),
            }
            if post_key is not None:
                values["post_key"] = post_key  # in the same commit as `sending`
            connection.execute(_tweet(thread_id, position).values(**values))

    def mark_posted(self, thread_id: int, position: int, x_id: str, at: dt.datetime) -> None:
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(
                    status=TweetStatus.POSTED, x_id=x_id, posted_at=_utc(at), last_error=None
                )
            )

    def recorded_elsewhere(
        self, network: str, post_ids: Sequence[str], thread_id: int, position: int
    ) -> set[str]:
        """Which of ``post_ids`` (on ``network``) the store already holds for another
        post than (thread_id, position): such a post is never adopted for this one."""
        if not post_ids:
            return set()
        w, t = tweets_table, threads_table
        query = (
            sa.select(w.c.x_id)
            .join(t, t.c.id == w.c.thread_id)
            .where(t.c.network == network)
            .where(w.c.x_id.in_(list(post_ids)))
            .where(sa.or_(w.c.thread_id != thread_id, w.c.position != position))
        )
        with self._connect() as connection:
            return {str(row.x_id) for row in connection.execute(query)}

    def mark_pending(self, thread_id: int, position: int, error: str | None = None) -> None:
        """Back to pending: the request provably did not create a post."""
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(status=TweetStatus.PENDING, last_error=error)
            )

    def mark_failed(self, thread_id: int, position: int, error: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(status=TweetStatus.FAILED, last_error=error)
            )

    # -- meta -----------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as connection:
            updated = connection.execute(
                meta_table.update().where(meta_table.c.key == key).values(value=value)
            ).rowcount
            if not updated:
                connection.execute(meta_table.insert().values(key=key, value=value))

    def get_meta(self, key: str) -> str | None:
        with self._connect() as connection:
            value = connection.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == key)
            ).scalar()
        return None if value is None else str(value)

    # -- accounting ---------------------------------------------------------------

    def posted_since(
        self, since: dt.datetime, account: str | None = None, network: str | None = None
    ) -> list[PostedTweet]:
        """Every tweet posted since ``since`` (by ``account``, if given), oldest first:
        budgets and caps are counted from the store, so every daemon sees the same."""
        query = (
            sa.select(tweets_table.c.posted_at, tweets_table.c.has_url, threads_table.c.network)
            .join(threads_table, threads_table.c.id == tweets_table.c.thread_id)
            .where(tweets_table.c.status == TweetStatus.POSTED)
            .where(tweets_table.c.posted_at >= _utc(since))
            .order_by(tweets_table.c.posted_at)
        )
        if account is not None:
            query = query.where(threads_table.c.account == account)
        if network is not None:
            query = query.where(threads_table.c.network == network)
        with self._connect() as connection:
            rows = connection.execute(query).all()
        return [
            PostedTweet(_aware(row.posted_at) or since, bool(row.has_url), row.network)
            for row in rows
        ]

    def queued_accounts(self) -> tuple[int, set[tuple[str, str]]]:
        """How many threads are queued or posting, and their (account, network)s (two small
        queries, whatever the queue's length: what a daemon says when it starts)."""
        upcoming = [str(s) for s in (*WAITING, ThreadStatus.POSTING)]
        with self._connect() as connection:
            count = connection.execute(
                sa.select(sa.func.count()).where(threads_table.c.status.in_(upcoming))
            ).scalar_one()
            accounts = connection.execute(
                sa.select(threads_table.c.account, threads_table.c.network)
                .where(threads_table.c.status.in_(upcoming))
                .distinct()
            ).all()
            return int(count), {(row.account, row.network) for row in accounts}

    # -- accounts: state every daemon shares ------------------------------------------

    def account_state(self, name: str, network: str = "x") -> AccountState:
        with self._connect() as connection:
            row = connection.execute(
                sa.select(accounts_table)
                .where(accounts_table.c.name == name)
                .where(accounts_table.c.network == network)
            ).first()
        if row is None:
            return AccountState(name, None, None, None)
        return AccountState(
            name=row.name,
            blocked_until=_aware(row.blocked_until),
            blocked_reason=row.blocked_reason,
            username=row.username,
            home_url=row.home_url,
        )

    def block_account(self, name: str, until: dt.datetime, reason: str, network: str = "x") -> None:
        """Record a rate limit or cap seen on the network: no daemon claims this account's
        threads before ``until`` (a later block wins; an earlier one never shortens it)."""
        with self._transaction() as connection:
            _ensure_account(connection, name, network)
            connection.execute(
                accounts_table.update()
                .where(accounts_table.c.name == name)
                .where(accounts_table.c.network == network)
                .where(
                    sa.or_(
                        accounts_table.c.blocked_until.is_(None),
                        accounts_table.c.blocked_until < _utc(until),
                    )
                )
                .values(blocked_until=_utc(until), blocked_reason=reason)
            )

    def remember_username(
        self, name: str, username: str, network: str = "x", home_url: str | None = None
    ) -> None:
        """The account's handle on the network (and where its posts are seen), so
        listings link posts without asking."""
        with self._transaction() as connection:
            _ensure_account(connection, name, network)
            connection.execute(
                accounts_table.update()
                .where(accounts_table.c.name == name)
                .where(accounts_table.c.network == network)
                .values(username=username, home_url=home_url)
            )

    # -- daemons: who is running, seen by every machine --------------------------------

    def register_daemon(
        self, daemon_id: str, host: str, pid: int, max_threads: int, version: str
    ) -> None:
        with self._transaction() as connection:
            now = _db_now(connection)
            connection.execute(
                daemons_table.insert().values(
                    id=daemon_id,
                    host=host,
                    pid=pid,
                    started_at=now,
                    heartbeat_at=now,
                    max_threads=max_threads,
                    version=version,
                )
            )

    def daemon_heartbeat(self, daemon_id: str, *, stopped: bool = False) -> None:
        """The daemon is alive (every poll), or has stopped; the database's time."""
        with self._transaction() as connection:
            now = _db_now(connection)
            values: dict[str, Any] = {"heartbeat_at": now}
            if stopped:
                values["stopped_at"] = now
            connection.execute(
                daemons_table.update().where(daemons_table.c.id == daemon_id).values(**values)
            )

    def daemons(self, *, alive_within: dt.timedelta | None) -> list[DaemonRecord]:
        """Daemons, newest first: with ``alive_within``, only those not stopped whose last
        heartbeat is that recent by the database's clock."""
        in_hand = (
            sa.select(sa.func.count())
            .where(threads_table.c.claimed_by == daemons_table.c.id)
            .where(threads_table.c.status == ThreadStatus.POSTING)
            .scalar_subquery()
        )
        query = sa.select(daemons_table, in_hand.label("in_hand")).order_by(
            daemons_table.c.started_at.desc()
        )
        with self._connect() as connection:
            if alive_within is not None:
                since = _db_now(connection) - alive_within
                query = query.where(daemons_table.c.stopped_at.is_(None)).where(
                    daemons_table.c.heartbeat_at >= since
                )
            rows = connection.execute(query).all()
        return [
            DaemonRecord(
                id=row.id,
                host=row.host,
                pid=row.pid,
                started_at=_aware(row.started_at) or dt.datetime.now(dt.UTC),
                heartbeat_at=_aware(row.heartbeat_at) or dt.datetime.now(dt.UTC),
                stopped_at=_aware(row.stopped_at),
                max_threads=row.max_threads,
                version=row.version,
                threads_in_hand=row.in_hand,
            )
            for row in rows
        ]

    # -- moving a store ---------------------------------------------------------------

    def copy_to(self, target: Store) -> dict[str, int]:
        """Copy every row of this store into ``target`` (an empty store at HEAD), ids
        kept, in one transaction on the target; returns rows copied per table. Refused
        while a thread is ``posting`` here (stop the daemons first)."""
        from bot.feed_store import entries_table as feed_entries_table
        from bot.feed_store import feeds_table

        with self._connect() as source:
            busy = source.execute(
                sa.select(sa.func.count()).where(threads_table.c.status == ThreadStatus.POSTING)
            ).scalar_one()
            if busy:
                raise StoreError(
                    f"{_shown(self.url)}: {busy} thread(s) are being posted: stop the daemons "
                    "(and wait for `threadbot publish` runs to end), then copy again"
                )
            tables = [
                meta_table,
                accounts_table,
                threads_table,
                tweets_table,
                media_table,
                feeds_table,
                feed_entries_table,
                daemons_table,
            ]
            copied: dict[str, int] = {}
            with target._transaction() as destination:
                for table in (threads_table, feeds_table):
                    has_rows = destination.execute(sa.select(sa.func.count()).select_from(table))
                    if has_rows.scalar_one():
                        raise StoreError(
                            f"{_shown(target.url)}: already holds {table.name}: copy into a "
                            "new, empty database"
                        )
                destination.execute(accounts_table.delete())
                destination.execute(meta_table.delete())
                for table in tables:
                    rows = [dict(row._mapping) for row in source.execute(sa.select(table))]
                    for start in range(0, len(rows), 1000):
                        destination.execute(table.insert(), rows[start : start + 1000])
                    copied[table.name] = len(rows)
                if destination.dialect.name == "postgresql":
                    # Ids were copied as they were: the sequences continue after them.
                    for table in (threads_table, feeds_table, feed_entries_table):
                        destination.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                            )
                        )
        return copied


def revision_of(url: str) -> str | None:
    """A store's schema revision, read without changing anything (None: new or empty)."""
    engine = _create_engine(url)
    try:
        with _translated(url), engine.connect() as connection:
            return _revision(connection)
    finally:
        engine.dispose()


def _revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def _legacy_revision(connection: Connection, url: str) -> str | None:
    """The revision a store from before Alembic is at (None: an empty database)."""
    if not sa.inspect(connection).has_table("threads"):
        return None
    value = connection.execute(
        sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
    ).scalar()
    version = int(value or 1)
    if version not in _LEGACY:
        raise StoreError(
            f"{_shown(url)}: the store has schema version {version}, newer than this "
            f"threadbot: upgrade threadbot before using it"
        )
    return _LEGACY[version]


def _renew(connection: Connection, thread_id: int, owner: str, lease_until: dt.datetime) -> bool:
    changed = connection.execute(
        threads_table.update()
        .where(threads_table.c.id == thread_id)
        .where(threads_table.c.status == ThreadStatus.POSTING)
        .where(threads_table.c.claimed_by == owner)
        .values(lease_until=_utc(lease_until))
    ).rowcount
    return bool(changed == 1)


def _db_now(connection: Connection) -> dt.datetime:
    if connection.dialect.name == "postgresql":
        value = connection.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
        return _aware(value) or dt.datetime.now(dt.UTC)
    return dt.datetime.now(dt.UTC)


def _effective_due(table: Any) -> sa.ColumnElement[Any]:
    """When a queued thread may go: its deferral if any, else its slot."""
    return sa.func.coalesce(table.c.not_before, table.c.due_at)


def _queue_rules(now: dt.datetime | None) -> list[sa.ColumnElement[bool]]:
    """The daemon's claim conditions beyond the thread's own status (see Store.claim)."""
    t = threads_table
    other = threads_table.alias("other")
    earlier = sa.or_(
        other.c.due_at < t.c.due_at,
        sa.and_(other.c.due_at == t.c.due_at, other.c.id < t.c.id),
    )
    # Two EXISTS, each on the full (account, status, due_at) index prefix.
    posting = (
        sa.select(other.c.id)
        .where(other.c.account == t.c.account)
        .where(other.c.network == t.c.network)
        .where(other.c.status == ThreadStatus.POSTING)  # being posted, or left by a dead
        .where(other.c.id != t.c.id)  # daemon: it is finished first
    )
    due_before = (
        sa.select(other.c.id)
        .where(other.c.account == t.c.account)
        .where(other.c.network == t.c.network)
        .where(other.c.status.in_([str(s) for s in WAITING]))
        .where(other.c.due_at <= t.c.due_at)
        .where(other.c.id != t.c.id)
        .where(earlier)
        .where(_effective_due(other) <= now)
    )
    blocked = (
        sa.select(accounts_table.c.name)
        .where(accounts_table.c.name == t.c.account)
        .where(accounts_table.c.network == t.c.network)
        .where(accounts_table.c.blocked_until > now)
    )
    return [~posting.exists(), ~due_before.exists(), ~blocked.exists()]


def _ensure_account(connection: Connection, name: str, network: str = "x") -> None:
    """The account's row on ``network`` (its shared rate-limit state and the claim's
    lock), once."""
    values = {"name": name, "network": network}
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(accounts_table).values(**values).on_conflict_do_nothing())
        return
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    connection.execute(sqlite_insert(accounts_table).values(**values).on_conflict_do_nothing())


def _tweet(thread_id: int, position: int) -> Any:
    return (
        tweets_table.update()
        .where(tweets_table.c.thread_id == thread_id)
        .where(tweets_table.c.position == position)
    )


def _records(connection: Connection, condition: Any) -> list[ThreadRecord]:
    """Threads matching ``condition`` with their tweets: one query, grouped here."""
    query = (
        sa.select(
            threads_table,
            tweets_table.c.position.label("t_position"),
            tweets_table.c.text.label("t_text"),
            tweets_table.c.has_url.label("t_has_url"),
            tweets_table.c.status.label("t_status"),
            tweets_table.c.x_id.label("t_x_id"),
            tweets_table.c.posted_at.label("t_posted_at"),
            tweets_table.c.attempts.label("t_attempts"),
            tweets_table.c.last_error.label("t_last_error"),
            tweets_table.c.post_key.label("t_post_key"),
            tweets_table.c.sending_at.label("t_sending_at"),
            media_table.c.position.label("m_position"),
        )
        .select_from(
            threads_table.outerjoin(
                tweets_table, tweets_table.c.thread_id == threads_table.c.id
            ).outerjoin(
                media_table,
                sa.and_(
                    media_table.c.thread_id == tweets_table.c.thread_id,
                    media_table.c.position == tweets_table.c.position,
                ),
            )
        )
        .where(condition)
        .order_by(threads_table.c.id, tweets_table.c.position)
    )
    records: list[ThreadRecord] = []
    current: Any = None
    tweets: list[TweetRecord] = []
    for row in connection.execute(query):
        if current is None or row.id != current.id:
            if current is not None:
                records.append(_thread(current, tweets))
            current, tweets = row, []
        if row.t_position is not None:
            tweets.append(
                TweetRecord(
                    thread_id=row.id,
                    position=row.t_position,
                    text=row.t_text,
                    has_url=bool(row.t_has_url),
                    status=TweetStatus(row.t_status),
                    x_id=row.t_x_id,
                    posted_at=_aware(row.t_posted_at),
                    attempts=row.t_attempts,
                    last_error=row.t_last_error,
                    has_media=row.m_position is not None,
                    post_key=row.t_post_key,
                    sending_at=_aware(row.t_sending_at),
                )
            )
    if current is not None:
        records.append(_thread(current, tweets))
    return records


def _thread(row: Any, tweets: Sequence[TweetRecord]) -> ThreadRecord:
    return ThreadRecord(
        id=row.id,
        key=row.key,
        article=row.article,
        section_index=row.section_index,
        section=row.section,
        content_hash=row.content_hash,
        status=ThreadStatus(row.status),
        created_at=_aware(row.created_at) or dt.datetime.now(dt.UTC),
        due_at=_aware(row.due_at),
        not_before=_aware(row.not_before),
        last_error=row.last_error,
        cost_usd=row.cost_usd,
        tweets=tuple(tweets),
        claimed_by=row.claimed_by,
        claim_host=row.claim_host,
        lease_until=_aware(row.lease_until),
        account=row.account,
        network=row.network,
        claimed_at=_aware(row.claimed_at),
    )


def _shown(url: str) -> str:
    """The path or URL as messages show it: never with its password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _missing(url: str) -> str:
    return (
        f"{_shown(url)}: no threadbot store there (nothing was published, scheduled or "
        "followed with it): check --db, $THREADBOT_DB or [store] path"
    )


def _reason(error: sa.exc.DBAPIError) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return " ".join(text.split())[:300]


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """A lost or refused database connection becomes StoreUnavailableError (the caller
    stops what it was doing; the pool reconnects on the next use)."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        if isinstance(error, sa.exc.OperationalError) and "locked" in str(error.orig):
            raise  # SQLite's busy writer lock is not a lost database
        raise StoreUnavailableError(
            f"the store at {_shown(url)} stopped answering ({_reason(error)})"
        ) from None


def _create_engine(url: str, connections: int = 4) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"{path}: cannot create the store's folder ({error.strerror}): use --db PATH"
                ) from None
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets a reader (status, the daemon) see the store while a writer posts.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    try:
        if url.startswith("postgresql"):
            # pre_ping: a pooled connection cut by the network is replaced, not reused;
            # the application name lets `pg_stat_activity` say which process is which.
            return sa.create_engine(
                url,
                pool_pre_ping=True,
                pool_size=connections,
                max_overflow=2,
                connect_args={"connect_timeout": 10, "application_name": "threadbot"},
            )
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as error:
        raise StoreError(
            f"{_shown(url)}: cannot open this store ({error}): use a SQLite path, or for "
            "PostgreSQL `pip install 'threadbot[postgres]'` and a postgresql+psycopg:// URL"
        ) from None
