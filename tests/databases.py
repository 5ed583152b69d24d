"""The two store backends for tests: a SQLite file, or a fresh schema on PostgreSQL.

PostgreSQL comes from ``$THREADBOT_TEST_POSTGRES`` (default: the server `.ci/run`
starts, ``threadbot:threadbot@127.0.0.1:5432/threadbot_test``). Each test gets its own
schema (``search_path`` in the URL), dropped afterwards, so tests run in parallel. When
no server answers, PostgreSQL tests skip with the reason — unless
``$THREADBOT_REQUIRE_POSTGRES`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import functools
import gc
import os
import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

POSTGRES_ENV = "THREADBOT_TEST_POSTGRES"
REQUIRE_ENV = "THREADBOT_REQUIRE_POSTGRES"
DEFAULT_POSTGRES = "postgresql+psycopg://threadbot:threadbot@127.0.0.1:5432/threadbot_test"
BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str:
    return os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why PostgreSQL at ``url`` cannot be used, or None (asked once per process)."""
    try:
        import sqlalchemy as sa
    except ImportError:  # pragma: no cover - a dependency of threadbot
        return "SQLAlchemy missing"
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
    return None


def require_postgres() -> None:
    """Skip (locally) or fail (CI) the calling test when no PostgreSQL answers."""
    reason = _unreachable(postgres_url())
    if reason is None:
        return
    message = f"PostgreSQL at {postgres_url()} not reachable ({reason})"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{message}; {REQUIRE_ENV} is set, so this is a failure, not a skip")
    pytest.skip(f"{message}: start one or set {POSTGRES_ENV}")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new, empty schema; dropped on exit."""
    import sqlalchemy as sa

    require_postgres()
    name = f"t_{secrets.token_hex(6)}"
    admin = sa.create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {name}"))
    separator = "&" if "?" in postgres_url() else "?"
    try:
        yield f"{postgres_url()}{separator}options={quote(f'-csearch_path={name}')}"
    finally:
        # The test's stores are gone; closing their pooled connections now, not at some
        # later test's garbage collection (psycopg warns about an unclosed connection).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


@contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """A store URL on ``backend`` ("sqlite" or "postgresql"), empty."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'state.db'}"
        return
    with postgres_schema() as url:
        yield url
