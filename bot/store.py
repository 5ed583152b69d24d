"""The state store: frozen threads and the fate of each tweet (SQLAlchemy Core).

SQLite by default (WAL, a busy timeout, short transactions); the SQL is plain Core so a
PostgreSQL URL can work later. Every state change is its own committed transaction, so a
process killed at any point leaves a store that says exactly which tweets are live.

Tweet states: ``pending`` → ``sending`` (committed *before* the request) → ``posted``
(with X's id), or ``failed``. A tweet found in ``sending`` after a crash may or may not
be on X; the publisher reconciles it against the account's recent posts before any retry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import ThreadNotFoundError
from threads.errors import ConfigError

# 1: threads, tweets, meta. 2: media (chart images frozen with their tweet).
SCHEMA_VERSION = 2

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
)

tweets_table = sa.Table(
    "tweets",
    metadata,
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("has_url", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("x_id", sa.String(32), nullable=True),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
)


media_table = sa.Table(
    "media",
    metadata,
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("png", sa.LargeBinary, nullable=False),
    sa.Column("alt_text", sa.Text, nullable=False),
    sa.Column("x_media_id", sa.String(32), nullable=True),
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
    status: str
    x_id: str | None
    posted_at: dt.datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class ScheduleRow:
    """What the daemon needs to know of a queued thread, without its tweets."""

    id: int
    key: str
    status: str
    due_at: dt.datetime | None
    not_before: dt.datetime | None
    claimed_by: str | None
    live_count: int


@dataclass(frozen=True)
class ThreadRecord:
    id: int
    key: str
    article: str
    section_index: int
    section: str
    content_hash: str
    status: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    not_before: dt.datetime | None
    last_error: str | None
    cost_usd: float
    tweets: tuple[TweetRecord, ...]

    @property
    def live_count(self) -> int:
        return sum(tweet.status == "posted" for tweet in self.tweets)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def database_url(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


class Store:
    """Threads and tweets, one committed transaction per change."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or _create_engine(url)
        self._migrate()

    def _migrate(self) -> None:
        """Create what is missing; every step only adds, so a user's queue survives."""
        with self.engine.begin() as connection:
            metadata.create_all(connection)  # version 1 → 2 adds the media table
            row = connection.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).first()
            if row is None:
                connection.execute(
                    meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                )
            elif int(row.value) < SCHEMA_VERSION:
                connection.execute(
                    meta_table.update()
                    .where(meta_table.c.key == "schema_version")
                    .values(value=str(SCHEMA_VERSION))
                )
            elif int(row.value) > SCHEMA_VERSION:
                raise ConfigError(
                    self.url,
                    f"the store has schema version {row.value}, newer than this threadbot "
                    f"({SCHEMA_VERSION}): upgrade threadbot before using it",
                )

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

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
    ) -> ThreadRecord:
        """Store a thread's exact texts (and images, by tweet position); from now on
        these, not the article, get posted."""
        with self._transaction() as connection:
            inserted = connection.execute(
                threads_table.insert().values(
                    key=key,
                    article=article,
                    section_index=section_index,
                    section=section,
                    content_hash=content_hash,
                    status="scheduled" if due_at else "pending",
                    created_at=now,
                    due_at=due_at,
                    cost_usd=cost_usd,
                )
            ).inserted_primary_key
            assert inserted is not None  # an INSERT always has one
            thread_id = inserted[0]
            connection.execute(
                tweets_table.insert(),
                [
                    {
                        "thread_id": thread_id,
                        "position": position,
                        "text": text,
                        "has_url": has_url,
                        "status": "pending",
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
        return self.get(int(thread_id))

    def media(self, thread_id: int, position: int) -> MediaRecord | None:
        with self.engine.connect() as connection:
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
        """Committed right after X accepts the upload, so a retry reuses it."""
        with self._transaction() as connection:
            connection.execute(
                media_table.update()
                .where(media_table.c.thread_id == thread_id)
                .where(media_table.c.position == position)
                .values(x_media_id=x_media_id, uploaded_at=at)
            )

    def get(self, thread_id: int) -> ThreadRecord:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(threads_table).where(threads_table.c.id == thread_id)
            ).first()
            if row is None:
                raise ThreadNotFoundError(
                    f"no thread {thread_id} in the store: `threadbot status` lists them"
                )
            tweets = connection.execute(
                sa.select(tweets_table)
                .where(tweets_table.c.thread_id == thread_id)
                .order_by(tweets_table.c.position)
            ).all()
        return _thread(row._mapping, tweets)

    def by_key(self, key: str) -> list[ThreadRecord]:
        with self.engine.connect() as connection:
            ids = connection.execute(
                sa.select(threads_table.c.id)
                .where(threads_table.c.key == key)
                .order_by(threads_table.c.id)
            ).scalars()
            return [self.get(thread_id) for thread_id in list(ids)]

    def all_threads(self) -> list[ThreadRecord]:
        with self.engine.connect() as connection:
            ids = list(
                connection.execute(
                    sa.select(threads_table.c.id).order_by(threads_table.c.id)
                ).scalars()
            )
        return [self.get(thread_id) for thread_id in ids]

    def schedule_rows(self, *statuses: str) -> list[ScheduleRow]:
        """Queued threads in one query (the daemon reads this every poll)."""
        live = (
            sa.select(sa.func.count())
            .where(tweets_table.c.thread_id == threads_table.c.id)
            .where(tweets_table.c.status == "posted")
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
                live.label("live_count"),
            )
            .where(threads_table.c.status.in_(statuses))
            .where(threads_table.c.due_at.is_not(None))
            .order_by(threads_table.c.due_at, threads_table.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            ScheduleRow(
                id=row.id,
                key=row.key,
                status=row.status,
                due_at=_aware(row.due_at),
                not_before=_aware(row.not_before),
                claimed_by=row.claimed_by,
                live_count=row.live_count,
            )
            for row in rows
        ]

    def claim(self, thread_id: int, owner: str, from_statuses: Sequence[str]) -> bool:
        """Atomically take a thread for posting; False if another process has it.

        One UPDATE with the expected status in its WHERE clause: of two daemons racing
        for the same thread, exactly one sees a changed row.
        """
        with self._transaction() as connection:
            changed = connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .where(threads_table.c.status.in_(list(from_statuses)))
                .values(status="posting", claimed_by=owner)
            ).rowcount
        return bool(changed == 1)

    def take_over(self, thread_id: int, dead_owner: str, owner: str) -> bool:
        """Claim a thread left ``posting`` by a process that no longer exists."""
        with self._transaction() as connection:
            changed = connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .where(threads_table.c.status == "posting")
                .where(threads_table.c.claimed_by == dead_owner)
                .values(claimed_by=owner)
            ).rowcount
        return bool(changed == 1)

    def claimed_by(self, thread_id: int) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(threads_table.c.claimed_by).where(threads_table.c.id == thread_id)
            ).scalar()

    def reschedule(self, thread_id: int, due_at: dt.datetime) -> None:
        with self._transaction() as connection:
            connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .values(
                    status="scheduled",
                    due_at=due_at,
                    not_before=None,
                    last_error=None,
                    claimed_by=None,
                )
            )

    def set_thread_status(
        self,
        thread_id: int,
        status: str,
        *,
        error: str | None = None,
        not_before: dt.datetime | None = None,
    ) -> None:
        with self._transaction() as connection:
            connection.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .values(status=status, last_error=error, not_before=not_before)
            )

    # -- tweets -----------------------------------------------------------------

    def mark_sending(self, thread_id: int, position: int) -> None:
        """Committed before the request, so a crash leaves a trace to reconcile."""
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(
                    status="sending", attempts=tweets_table.c.attempts + 1, last_error=None
                )
            )

    def mark_posted(self, thread_id: int, position: int, x_id: str, at: dt.datetime) -> None:
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(
                    status="posted", x_id=x_id, posted_at=at, last_error=None
                )
            )

    def mark_pending(self, thread_id: int, position: int, error: str | None = None) -> None:
        """Back to pending: the request provably did not create a post."""
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(status="pending", last_error=error)
            )

    def mark_failed(self, thread_id: int, position: int, error: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                _tweet(thread_id, position).values(status="failed", last_error=error)
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
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == key)
            ).scalar()

    # -- accounting ---------------------------------------------------------------

    def posted_since(self, since: dt.datetime) -> list[tuple[dt.datetime, bool]]:
        """(posted_at, has_url) of every tweet posted since ``since``, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(tweets_table.c.posted_at, tweets_table.c.has_url)
                .where(tweets_table.c.status == "posted")
                .where(tweets_table.c.posted_at >= since)
                .order_by(tweets_table.c.posted_at)
            ).all()
        return [(_aware(row.posted_at) or since, bool(row.has_url)) for row in rows]


def _tweet(thread_id: int, position: int) -> Any:
    return (
        tweets_table.update()
        .where(tweets_table.c.thread_id == thread_id)
        .where(tweets_table.c.position == position)
    )


def _thread(row: Any, tweets: Sequence[Any]) -> ThreadRecord:
    return ThreadRecord(
        id=row["id"],
        key=row["key"],
        article=row["article"],
        section_index=row["section_index"],
        section=row["section"],
        content_hash=row["content_hash"],
        status=row["status"],
        created_at=_aware(row["created_at"]) or dt.datetime.now(dt.UTC),
        due_at=_aware(row["due_at"]),
        not_before=_aware(row["not_before"]),
        last_error=row["last_error"],
        cost_usd=row["cost_usd"],
        tweets=tuple(
            TweetRecord(
                thread_id=t.thread_id,
                position=t.position,
                text=t.text,
                has_url=bool(t.has_url),
                status=t.status,
                x_id=t.x_id,
                posted_at=_aware(t.posted_at),
                attempts=t.attempts,
                last_error=t.last_error,
            )
            for t in tweets
        ),
    )


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ConfigError(
                    path, f"cannot create the store's folder ({error.strerror}): use --db PATH"
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
    return sa.create_engine(url)
