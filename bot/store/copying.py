"""Moving a store: every row into a new, empty one (SQLite to PostgreSQL, say), ids kept,
in one transaction on the target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from bot.errors import StoreError
from bot.lifecycle import ThreadStatus
from bot.store.schema import (
    accounts_table,
    daemons_table,
    entries_table,
    feeds_table,
    media_table,
    meta_table,
    posts_table,
    threads_table,
)

if TYPE_CHECKING:
    from bot.store.connector import Store

# Parents before children; meta and accounts the target already has (emptied first).
TABLES = (
    meta_table,
    accounts_table,
    threads_table,
    posts_table,
    media_table,
    feeds_table,
    entries_table,
    daemons_table,
)


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of ``source`` into ``target`` (an empty store at HEAD); returns the
    rows copied per table. Refused while a thread is ``posting`` in ``source`` (stop the
    daemons first) and when ``target`` already holds threads or feeds."""
    with source.connect() as reading:
        busy = reading.execute(
            sa.select(sa.func.count()).where(threads_table.c.status == ThreadStatus.POSTING)
        ).scalar_one()
        if busy:
            raise StoreError(
                f"{source.shown_url}: {busy} thread(s) are being posted: stop the daemons "
                "(and wait for `threadbot publish` runs to end), then copy again"
            )
        copied: dict[str, int] = {}
        with target.transaction() as writing:
            for table in (threads_table, feeds_table):
                if writing.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
                    raise StoreError(
                        f"{target.shown_url}: already holds {table.name}: copy into a new, "
                        "empty database"
                    )
            writing.execute(accounts_table.delete())
            writing.execute(meta_table.delete())
            for table in TABLES:
                rows = [dict(row._mapping) for row in reading.execute(sa.select(table))]
                for start in range(0, len(rows), 1000):
                    writing.execute(table.insert(), rows[start : start + 1000])
                copied[table.name] = len(rows)
            if writing.dialect.name == "postgresql":
                # Ids were copied as they were: the sequences continue after them.
                for table in (threads_table, feeds_table, entries_table):
                    writing.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    return copied
