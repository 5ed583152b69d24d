"""The SQLite store: schema versioning, WAL, and state that survives reopening."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.errors import ThreadNotFoundError
from bot.store import SCHEMA_VERSION, Store, database_url
from threads.errors import ConfigError

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _freeze(store: Store) -> int:
    return store.freeze(
        key="a#1",
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        tweets=[("one", False), ("two https://a.com", True)],
        cost_usd=0.215,
        now=NOW,
    ).id


def test_state_survives_reopening(tmp_path: Path) -> None:
    """Every change is committed: a new Store on the same file sees it, with aware times."""
    path = tmp_path / "nested" / "state.db"
    store = Store(database_url(path))
    thread_id = _freeze(store)
    store.mark_sending(thread_id, 1)
    store.mark_posted(thread_id, 1, "111", NOW)
    reopened = Store(database_url(path)).get(thread_id)
    assert [(t.status, t.x_id, t.attempts) for t in reopened.tweets] == [
        ("posted", "111", 1),
        ("pending", None, 0),
    ]
    assert reopened.tweets[0].posted_at == NOW
    assert reopened.created_at.tzinfo is not None


def test_wal_and_schema_version(tmp_path: Path) -> None:
    """SQLite runs in WAL mode and records the schema version."""
    path = tmp_path / "state.db"
    Store(database_url(path))
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[
            0
        ] == str(SCHEMA_VERSION)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A store written by a newer threadbot is not touched."""
    path = tmp_path / "state.db"
    Store(database_url(path))
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(ConfigError, match="newer than this threadbot"):
        Store(database_url(path))


def test_unknown_thread(tmp_path: Path) -> None:
    """Asking for a missing thread says how to list them."""
    with pytest.raises(ThreadNotFoundError, match="`threadbot status` lists them"):
        Store(database_url(tmp_path / "s.db")).get(7)


def test_posted_since_counts_only_live_posts(tmp_path: Path) -> None:
    """Accounting sees posted tweets in the window, with their URL flag."""
    store = Store(database_url(tmp_path / "s.db"))
    thread_id = _freeze(store)
    store.mark_posted(thread_id, 2, "222", NOW)
    assert store.posted_since(NOW - dt.timedelta(hours=1)) == [(NOW, True)]
    assert store.posted_since(NOW + dt.timedelta(seconds=1)) == []


def test_a_version_1_store_is_upgraded_without_losing_threads(tmp_path: Path) -> None:
    """A store from before media existed gains the media table; its threads are intact."""
    path = tmp_path / "old.db"
    store = Store(database_url(path))
    thread_id = _freeze(store)
    store.engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE media")
        connection.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    upgraded = Store(database_url(path))
    assert upgraded.get(thread_id).key == "a#1"
    assert upgraded.media(thread_id, 1) is None
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[
            0
        ] == str(SCHEMA_VERSION)
