"""The store itself: one database, its clock, its transactions — and the queries, grouped
by the job they do, as attributes:

- ``store.threads``  — freezing a thread, reading threads back, listings (:mod:`.threads`)
- ``store.queue``    — what is due, claims by lease, status changes (:mod:`.queue`); a
  claim is a :class:`~bot.store.queue.Claim`, the one way to record a post's fate
- ``store.deletions`` — claims for taking a thread down, each post's delete marks
  (:mod:`.deleting`; a :class:`~bot.store.deleting.DeleteClaim` records them)
- ``store.posts``    — what went out: budgets, spend, ids already recorded (:mod:`.posts`)
- ``store.accounts`` — rate limits every daemon shares, handles (:mod:`.accounts`)
- ``store.daemons``  — who runs where, their heartbeats (:mod:`.daemons`)
- ``store.feeds``    — followed feeds and their entries (:mod:`.feeds`)
- ``store.metrics``  — what posted threads did: snapshots of their posts' counts (:mod:`.metrics`)

SQLite by default (WAL, a busy timeout, short transactions); PostgreSQL 15+ (psycopg 3)
when several daemons on several machines share one queue. Every change is its own
committed transaction, so a process killed at any point leaves a store that says exactly
which posts are live. The store executes :mod:`bot.lifecycle`'s decisions — each status
change one conditional UPDATE — and makes none.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import StoreError
from bot.store.accounts import Accounts
from bot.store.connection import (
    create_engine,
    database_now,
    missing,
    reason,
    shown,
    translated,
)
from bot.store.daemons import Daemons
from bot.store.deleting import Deletions
from bot.store.feeds import Feeds
from bot.store.links import LinkChecks
from bot.store.metrics import Metrics
from bot.store.migrating import SchemaPolicy, migrate, revision
from bot.store.posts import Posts
from bot.store.queue import Queue
from bot.store.schema import meta_table
from bot.store.threads import Threads

# How long the database's clock is carried forward on this machine's before it is read
# again (a read is a round trip; a daemon asks the time several times a post).
CLOCK_READ_SECONDS = 2.0


class Store:
    """One threadbot store: ``url`` is a SQLite URL or a PostgreSQL one.

    ``schema`` is what to do with an older schema (:mod:`bot.store.migrating`);
    ``connections`` how many a shared store's pool keeps open (a daemon needs two per
    thread it posts at once: the posting and the lease's heartbeat); ``must_exist``
    refuses a store that is not there rather than creating an empty one (a command
    that only reads: a mistyped --db would show "no threads").
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
        self.url = url
        if must_exist and engine is None and url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if str(path) != ":memory:" and not path.is_file():
                raise StoreError(missing(url))
        self.engine = engine or create_engine(url, connections)
        self.shared = self.engine.dialect.name != "sqlite"
        # The database's time at a moment of this machine's monotonic clock (see clock()).
        self._clock_read: tuple[dt.datetime, float] | None = None
        try:
            migrate(self.engine, url, schema, must_exist=must_exist)
        except StoreError:
            self.engine.dispose()
            raise
        except sa.exc.OperationalError as error:
            self.engine.dispose()
            raise StoreError(
                f"{shown(url)}: cannot connect ({reason(error)}): check the URL, that the "
                "database server runs and accepts this user"
            ) from None
        except sa.exc.DatabaseError as error:
            self.engine.dispose()
            raise StoreError(
                f"{shown(url)}: not a usable threadbot store ({reason(error)}): "
                "point --db or $THREADBOT_DB at a threadbot store or a new file"
            ) from None

    # The queries by job: made on each use, holding the store (never held by it, so a
    # store is freed — and its connections closed — as soon as its last user lets go).

    @property
    def threads(self) -> Threads:
        return Threads(self)

    @property
    def queue(self) -> Queue:
        return Queue(self)

    @property
    def deletions(self) -> Deletions:
        return Deletions(self)

    @property
    def posts(self) -> Posts:
        return Posts(self)

    @property
    def accounts(self) -> Accounts:
        return Accounts(self)

    @property
    def daemons(self) -> Daemons:
        return Daemons(self)

    @property
    def feeds(self) -> Feeds:
        return Feeds(self)

    @property
    def links(self) -> LinkChecks:
        return LinkChecks(self)

    @property
    def metrics(self) -> Metrics:
        return Metrics(self)

    @property
    def shown_url(self) -> str:
        """The path or URL as messages show it (never the password)."""
        return shown(self.url)

    def revision(self) -> str | None:
        """The store's Alembic revision, or None for a store from before Alembic."""
        with self.connect() as connection:
            return revision(connection)

    def clock(self) -> dt.datetime:
        """Now, by the database's clock when the store is shared (leases and due times
        are compared with it, so machines with skewed clocks agree), else by this one's.

        The database is asked at most every ``CLOCK_READ_SECONDS``; in between its time
        is the last answer plus this machine's monotonic time since (which a change of
        the machine's wall clock does not move), off by less than a round trip."""
        if not self.shared:
            return dt.datetime.now(dt.UTC)
        read = self._clock_read
        if read is not None:
            elapsed = time.monotonic() - read[1]
            if elapsed < CLOCK_READ_SECONDS:
                return read[0] + dt.timedelta(seconds=elapsed)
        asked = time.monotonic()
        with self.connect() as connection:
            now = database_now(connection)
        answered = time.monotonic()
        # The answer is from somewhere in the round trip: its middle is the best guess.
        self._clock_read = (now, (asked + answered) / 2)
        return now

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading; a lost database is StoreUnavailableError."""
        with translated(self.url), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One committed transaction (changes that must land together: a feed poll)."""
        with translated(self.url), self.engine.begin() as connection:
            yield connection

    # -- meta: what older threadbots kept outside the tables -------------------------

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as connection:
            updated = connection.execute(
                meta_table.update().where(meta_table.c.key == key).values(value=value)
            ).rowcount
            if not updated:
                connection.execute(meta_table.insert().values(key=key, value=value))

    def get_meta(self, key: str) -> str | None:
        with self.connect() as connection:
            value = connection.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == key)
            ).scalar()
        return None if value is None else str(value)
