"""Which schema a store is at, and what a command may do about an older one.

``auto`` (commands) upgrades an embedded SQLite store and refuses a shared database
(another daemon may still run the old version: `threadbot db upgrade` is a decision);
``upgrade`` (`threadbot db upgrade`) upgrades any; ``exact`` (the daemon) refuses any
schema but its own. An empty database is created at the head revision by all three —
unless the command only reads (``must_exist``). Every step only adds or renames, so a
user's queue survives.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.errors import StoreError
from bot.store.connection import create_engine, missing, shown, translated
from bot.store.schema import HEAD, REVISIONS, meta_table

SchemaPolicy = Literal["auto", "upgrade", "exact"]
# What the meta table's schema_version said before Alembic: 1 and 2 map onto these.
_LEGACY = {1: "0001_initial", 2: "0002_media"}


def migrate(engine: Engine, url: str, schema: SchemaPolicy, *, must_exist: bool) -> None:
    """Bring the schema to HEAD as ``schema`` allows. The common case — already at HEAD —
    costs one SELECT and never imports Alembic."""
    shared = engine.dialect.name != "sqlite"
    with engine.connect() as connection:
        current = revision(connection)
    if current == HEAD:
        return
    if current is not None and current not in REVISIONS:
        raise StoreError(
            f"{shown(url)}: the store has schema revision {current}, newer than this "
            f"threadbot ({HEAD}): upgrade threadbot before using it"
        )
    from bot.store.migrations import upgrade

    with engine.begin() as connection:
        if shared:
            # Two processes starting on a new database: one creates, the other waits.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(7354211)"))
            current = revision(connection)
            if current == HEAD:
                return
        empty = current is None and not sa.inspect(connection).has_table("threads")
        if empty and must_exist:
            raise StoreError(missing(url))
        if not empty and (schema == "exact" or (schema == "auto" and shared)):
            raise StoreError(
                f"{shown(url)}: the store's schema ({current or 'before 0001'}) is older "
                f"than this threadbot's ({HEAD}): run `threadbot db upgrade` once (daemons "
                "of the older version must be stopped first)"
            )
        upgrade(connection, _legacy_revision(connection, url) if current is None else None)


def revision(connection: Connection) -> str | None:
    """The store's Alembic revision, or None for a new store or one from before Alembic."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def revision_of(url: str) -> str | None:
    """A store's schema revision, read without changing anything (None: new or empty)."""
    engine = create_engine(url)
    try:
        with translated(url), engine.connect() as connection:
            return revision(connection)
    finally:
        engine.dispose()


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
            f"{shown(url)}: the store has schema version {version}, newer than this "
            f"threadbot: upgrade threadbot before using it"
        )
    return _LEGACY[version]
