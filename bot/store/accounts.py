"""What every daemon shares about an account on a network: a rate limit or daily cap
any of them met (none claims the account's threads before it lifts), and the handle
and home its posts are seen at."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.store.records import AccountState, utc
from bot.store.schema import accounts_table

if TYPE_CHECKING:
    from bot.store.connector import Store


class Accounts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def state(self, name: str, network: str) -> AccountState:
        with self.store.connect() as connection:
            row = connection.execute(
                sa.select(accounts_table)
                .where(accounts_table.c.name == name)
                .where(accounts_table.c.network == network)
            ).first()
        return AccountState(name) if row is None else AccountState.from_row(row)

    def block(self, name: str, network: str, until: dt.datetime, reason: str) -> None:
        """Hold every daemon off the account until ``until`` (a later block wins; an
        earlier one never shortens it)."""
        a = accounts_table
        with self.store.transaction() as connection:
            ensure_account(connection, name, network)
            connection.execute(
                a.update()
                .where(a.c.name == name)
                .where(a.c.network == network)
                .where(sa.or_(a.c.blocked_until.is_(None), a.c.blocked_until < utc(until)))
                .values(blocked_until=utc(until), blocked_reason=reason)
            )

    def remember(self, name: str, network: str, username: str, home_url: str | None) -> None:
        """The account's handle on the network and where its posts are seen, so listings
        link posts without asking the network."""
        a = accounts_table
        with self.store.transaction() as connection:
            ensure_account(connection, name, network)
            connection.execute(
                a.update()
                .where(a.c.name == name)
                .where(a.c.network == network)
                .values(username=username, home_url=home_url)
            )


def ensure_account(connection: Connection, name: str, network: str) -> None:
    """The account's row on ``network`` (its shared rate-limit state and the claim's
    lock), once."""
    values = {"name": name, "network": network}
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(accounts_table).values(**values).on_conflict_do_nothing())
        return
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    connection.execute(sqlite_insert(accounts_table).values(**values).on_conflict_do_nothing())
