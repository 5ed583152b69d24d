"""Each link's last live check (``link_checks``): the blog and about links are fetched at
most once a day, and a link checked a moment ago is not fetched again."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bot.store.records import LinkCheckRecord, utc
from bot.store.schema import link_checks_table, threads_table

if TYPE_CHECKING:
    from bot.store.connector import Store


class LinkChecks:
    """The cache of live link checks, and a thread's first failed one."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, url: str) -> LinkCheckRecord | None:
        with self.store.connect() as connection:
            row = connection.execute(
                sa.select(link_checks_table).where(link_checks_table.c.url == url)
            ).first()
        return None if row is None else LinkCheckRecord.from_row(row)

    def record(self, check: LinkCheckRecord) -> None:
        """Keep ``check`` as the URL's last (one row per URL)."""
        values = {
            "checked_at": utc(check.checked_at),
            "ok": check.ok,
            "status": check.status,
            "reason": check.reason,
            "card_warning": check.card_warning,
        }
        table = link_checks_table
        with self.store.transaction() as connection:
            changed = connection.execute(
                table.update().where(table.c.url == check.url).values(**values)
            ).rowcount
            if changed == 0:
                connection.execute(table.insert().values(url=check.url, **values))

    def failing(self, thread_id: int, since: dt.datetime | None) -> None:
        """Mark when the thread's links first failed (None: they answer again)."""
        t = threads_table
        with self.store.transaction() as connection:
            if since is None:
                connection.execute(
                    t.update().where(t.c.id == thread_id).values(link_failing_since=None)
                )
            else:
                connection.execute(
                    t.update()
                    .where(t.c.id == thread_id)
                    .where(t.c.link_failing_since.is_(None))
                    .values(link_failing_since=utc(since))
                )
