"""Opening a store's database: the engine per backend, and one translation of a lost
connection into threadbot's error (the caller stops; the pool reconnects on next use)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import StoreError, StoreUnavailableError
from bot.store.records import aware


def shown(url: str) -> str:
    """The path or URL as messages show it: never with its password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def missing(url: str) -> str:
    return (
        f"{shown(url)}: no threadbot store there (nothing was published, scheduled or "
        "followed with it): check --db, $THREADBOT_DB or [store] path"
    )


def reason(error: sa.exc.DBAPIError) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return " ".join(text.split())[:300]


@contextmanager
def translated(url: str) -> Iterator[None]:
    """A lost or refused database connection becomes StoreUnavailableError."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        if isinstance(error, sa.exc.OperationalError) and "locked" in str(error.orig):
            raise  # SQLite's busy writer lock is not a lost database
        raise StoreUnavailableError(
            f"the store at {shown(url)} stopped answering ({reason(error)})"
        ) from None


def database_now(connection: Connection) -> dt.datetime:
    """Now by the database's clock on PostgreSQL (daemons on skewed machines agree),
    else this machine's."""
    if connection.dialect.name == "postgresql":
        value = connection.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
        return aware(value) or dt.datetime.now(dt.UTC)
    return dt.datetime.now(dt.UTC)


# A pooled connection unused this long is pinged before it is handed out: a database
# restarted or a link cut while it sat idle is found then, not by a statement. One used
# within this time is handed out as is (a ping on every checkout was a round trip per
# transaction, a fifth of a daemon's time with posts in flight); if it died meanwhile,
# its statement fails like any lost connection and the pool replaces it.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _new(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and hands out another (or a new one).
            raise sa.exc.DisconnectionError(str(error)) from error


def create_engine(url: str, connections: int = 4) -> Engine:
    """SQLite in WAL mode with a busy timeout; PostgreSQL through psycopg 3 with a pool
    of ``connections`` whose dead connections are replaced, not reused."""
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
            # The application name lets `pg_stat_activity` say which process is which.
            engine = sa.create_engine(
                url,
                pool_size=connections,
                max_overflow=2,
                connect_args={"connect_timeout": 10, "application_name": "threadbot"},
            )
            _ping_when_idle(engine)
            return engine
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as error:
        raise StoreError(
            f"{shown(url)}: cannot open this store ({error}): use a SQLite path, or for "
            "PostgreSQL `pip install 'threadbot[postgres]'` and a postgresql+psycopg:// URL"
        ) from None
