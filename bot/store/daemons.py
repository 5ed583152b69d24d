"""Who runs: every daemon registers, beats each poll and says when it stopped, by the
database's clock — so `threadbot daemons` on any machine sees them all."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bot.lifecycle import ThreadStatus
from bot.store.connection import database_now
from bot.store.records import DaemonRecord
from bot.store.schema import daemons_table, threads_table

if TYPE_CHECKING:
    from bot.store.connector import Store


class Daemons:
    def __init__(self, store: Store) -> None:
        self.store = store

    def register(self, daemon_id: str, host: str, pid: int, max_threads: int, version: str) -> None:
        with self.store.transaction() as connection:
            now = database_now(connection)
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

    def beat(self, daemon_id: str, *, stopped: bool = False) -> None:
        """The daemon is alive (every poll), or has stopped."""
        with self.store.transaction() as connection:
            now = database_now(connection)
            values: dict[str, Any] = {"heartbeat_at": now}
            if stopped:
                values["stopped_at"] = now
            connection.execute(
                daemons_table.update().where(daemons_table.c.id == daemon_id).values(**values)
            )

    def list(self, *, alive_within: dt.timedelta | None) -> list[DaemonRecord]:
        """Daemons, newest first, with the threads each holds: with ``alive_within``,
        only those not stopped whose last heartbeat is that recent."""
        d, t = daemons_table, threads_table
        in_hand = (
            sa.select(sa.func.count())
            .where(t.c.claimed_by == d.c.id)
            .where(t.c.status == ThreadStatus.POSTING)
            .scalar_subquery()
        )
        query = sa.select(d, in_hand.label("in_hand")).order_by(d.c.started_at.desc())
        with self.store.connect() as connection:
            if alive_within is not None:
                since = database_now(connection) - alive_within
                query = query.where(d.c.stopped_at.is_(None)).where(d.c.heartbeat_at >= since)
            return [DaemonRecord.from_row(row) for row in connection.execute(query)]
