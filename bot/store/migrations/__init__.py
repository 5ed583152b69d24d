"""The store's schema as named Alembic migrations (``versions/``), oldest first.

``Store`` runs :func:`upgrade` when a store is not at the head revision; a store from
before Alembic (schema_version 1 or 2 in its meta table) is first stamped with the
revision it matches. By hand: ``alembic -c bot/store/migrations/alembic.ini upgrade head``
with ``-x url=sqlite:///path/to/threadbot.db``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent


def config() -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def upgrade(connection: Connection, stamp: str | None = None) -> None:
    """Upgrade the store on ``connection`` (inside its transaction) to the head revision."""
    from alembic import command

    cfg = config()
    cfg.attributes["connection"] = connection  # type: ignore[attr-defined]
    if stamp is not None:
        command.stamp(cfg, stamp)  # type: ignore[arg-type]
    command.upgrade(cfg, "head")  # type: ignore[arg-type]
