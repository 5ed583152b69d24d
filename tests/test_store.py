"""The SQLite store: named Alembic migrations, WAL, leases, and state that survives reopening."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import LeaseLostError, StoreError, ThreadNotFoundError
from bot.lifecycle import ThreadStatus, TweetStatus
from bot.store import HEAD, REVISIONS, Store, database_url

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


def _freeze(store: Store, key: str = "a#1", due_at: dt.datetime | None = None) -> int:
    return store.freeze(
        key=key,
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        tweets=[("one", False), ("two https://a.com", True)],
        cost_usd=0.215,
        now=NOW,
        due_at=due_at,
    ).id


def test_state_survives_reopening(tmp_path: Path) -> None:
    """Every change is committed: a new Store on the same file sees it, with aware times."""
    path = tmp_path / "nested" / "state.db"
    store = Store(database_url(path))
    thread_id = _freeze(store)
    assert store.claim(thread_id, "me", "host", NOW, NOW + LEASE) is not None
    store.mark_sending(thread_id, 1, "me", NOW + LEASE)
    store.mark_posted(thread_id, 1, "111", NOW)
    reopened = Store(database_url(path)).get(thread_id)
    assert [(t.status, t.x_id, t.attempts) for t in reopened.tweets] == [
        (TweetStatus.POSTED, "111", 1),
        (TweetStatus.PENDING, None, 0),
    ]
    assert reopened.tweets[0].posted_at == NOW
    assert reopened.created_at.tzinfo is not None
    assert isinstance(reopened.status, ThreadStatus)


def test_wal_and_alembic_revision(tmp_path: Path) -> None:
    """SQLite runs in WAL mode; the schema is at Alembic's head revision."""
    path = tmp_path / "state.db"
    assert Store(database_url(path)).revision() == HEAD
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD


def test_the_named_migrations_are_the_ones_the_store_knows() -> None:
    """bot/migrations/versions holds exactly REVISIONS, in order, ending at HEAD."""
    from alembic.script import ScriptDirectory

    from bot.migrations import config

    script = ScriptDirectory.from_config(config())  # type: ignore[arg-type]
    assert script.get_heads() == [HEAD]
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert chain == list(REVISIONS)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A store written by a newer threadbot is not touched."""
    path = tmp_path / "state.db"
    Store(database_url(path)).engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num='0099_future'")
    with pytest.raises(StoreError, match="newer than this threadbot"):
        Store(database_url(path))


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    """A store path pointing at some other file is a StoreError (exit 2), not a traceback."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 50)
    with pytest.raises(StoreError, match="not a usable threadbot store") as caught:
        Store(database_url(path))
    assert caught.value.exit_code == 2


def test_unknown_thread(tmp_path: Path) -> None:
    """Asking for a missing thread says how to list them."""
    with pytest.raises(ThreadNotFoundError, match="`threadbot status` lists them"):
        Store(database_url(tmp_path / "s.db")).get(7)


def test_posted_since_counts_only_live_posts(tmp_path: Path) -> None:
    """Accounting sees posted tweets in the window, with their URL flag."""
    store = Store(database_url(tmp_path / "s.db"))
    thread_id = _freeze(store)
    store.mark_posted(thread_id, 2, "222", NOW)
    assert [(p.posted_at, p.has_url) for p in store.posted_since(NOW - LEASE)] == [(NOW, True)]
    assert store.posted_since(NOW + dt.timedelta(seconds=1)) == []


# The schema as threadbot wrote it before Alembic (schema_version 1; 2 added media).
V1 = """
CREATE TABLE meta (key VARCHAR(64) NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key));
CREATE TABLE threads (
    id INTEGER NOT NULL, key VARCHAR(300) NOT NULL, article TEXT NOT NULL,
    section_index INTEGER NOT NULL, section TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL, created_at DATETIME NOT NULL, due_at DATETIME,
    not_before DATETIME, claimed_by VARCHAR(100), last_error TEXT, cost_usd FLOAT NOT NULL,
    PRIMARY KEY (id));
CREATE INDEX ix_threads_key ON threads (key);
CREATE TABLE tweets (
    thread_id INTEGER NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    has_url BOOLEAN NOT NULL, status VARCHAR(16) NOT NULL, x_id VARCHAR(32),
    posted_at DATETIME, attempts INTEGER NOT NULL, last_error TEXT,
    PRIMARY KEY (thread_id, position), FOREIGN KEY(thread_id) REFERENCES threads (id));
INSERT INTO threads VALUES (1, 'a#1', 'a.txt', 1, 'S', 'h', 'posting', '2026-12-01 09:00:00.000000',
    '2026-12-01 09:00:00.000000', NULL, 'oldhost:123', NULL, 0.215);
INSERT INTO tweets VALUES (1, 1, 'one', 0, 'posted', '111', '2026-12-01 09:00:00.000000', 1, NULL);
INSERT INTO tweets VALUES (1, 2, 'two https://a.com', 1, 'sending', NULL, NULL, 1, NULL);
"""
V2_MEDIA = """
CREATE TABLE media (
    thread_id INTEGER NOT NULL, position INTEGER NOT NULL, png BLOB NOT NULL,
    alt_text TEXT NOT NULL, x_media_id VARCHAR(32), uploaded_at DATETIME,
    PRIMARY KEY (thread_id, position), FOREIGN KEY(thread_id) REFERENCES threads (id));
INSERT INTO media VALUES (1, 2, X'89504E47', 'Bar chart', NULL, NULL);
"""


@pytest.mark.parametrize("version", [1, 2])
def test_a_store_from_before_alembic_is_upgraded(tmp_path: Path, version: int) -> None:
    """v1 and v2 stores are stamped with their revision and upgraded; nothing is lost,
    and a thread left posting by the old pid-based claim can be taken over."""
    path = tmp_path / f"v{version}.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(V1 + (V2_MEDIA if version == 2 else ""))
        connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))
    store = Store(database_url(path))
    assert store.revision() == HEAD
    record = store.get(1)
    assert (record.status, record.live_count, record.tweets[1].status) == (
        ThreadStatus.POSTING,
        1,
        TweetStatus.SENDING,
    )
    assert record.lease_until is None  # no lease: takeable at once
    assert record.tweets[1].has_media is (version == 2)
    assert store.claim(1, "me", "host", NOW, NOW + LEASE) is not None
    assert store.get_meta("schema_version") is None


def test_claim_by_lease(tmp_path: Path) -> None:
    """One claim wins; a live lease is refused; an expired one is taken over; the loser's
    sending is fenced off."""
    store = Store(database_url(tmp_path / "s.db"))
    thread_id = _freeze(store, due_at=NOW)
    first = store.claim(thread_id, "a", "host-a", NOW, NOW + LEASE)
    assert first is not None
    assert (first.claimed_by, first.claim_host) == ("a", "host-a")
    assert store.claim(thread_id, "b", "host-b", NOW + LEASE / 2, NOW + LEASE * 2) is None
    assert store.renew(thread_id, "a", NOW + LEASE * 2)
    assert store.claim(thread_id, "b", "host-b", NOW + LEASE, NOW + LEASE * 3) is None
    taken = store.claim(thread_id, "b", "host-b", NOW + LEASE * 2, NOW + LEASE * 3)
    assert taken is not None
    assert taken.claimed_by == "b"
    with pytest.raises(LeaseLostError):
        store.mark_sending(thread_id, 1, "a", NOW + LEASE * 4)
    assert store.get(thread_id).tweets[0].status == TweetStatus.PENDING
    assert not store.transition(thread_id, ThreadStatus.POSTED, owner="a")
    assert store.transition(thread_id, ThreadStatus.POSTED, owner="b")
    done = store.get(thread_id)
    assert (done.status, done.claimed_by, done.lease_until) == (ThreadStatus.POSTED, None, None)


def test_transitions_follow_the_lifecycle(tmp_path: Path) -> None:
    """The store refuses a move lifecycle does not allow (e.g. cancelling a posted thread)."""
    store = Store(database_url(tmp_path / "s.db"))
    thread_id = _freeze(store, due_at=NOW)
    assert store.transition(thread_id, ThreadStatus.CANCELLED)
    assert store.reschedule(thread_id, NOW + LEASE)
    assert store.claim(thread_id, "a", "h", NOW, NOW + LEASE) is not None
    assert not store.transition(thread_id, ThreadStatus.CANCELLED)
    assert not store.reschedule(thread_id, NOW)
    assert store.transition(thread_id, ThreadStatus.POSTED, owner="a")
    assert not store.transition(thread_id, ThreadStatus.SCHEDULED)


def test_listing_is_one_query(tmp_path: Path) -> None:
    """Every thread with its tweets is one SQL statement; so are the summaries status and
    queue list."""
    store = Store(database_url(tmp_path / "s.db"))
    for index in range(20):
        _freeze(store, key=f"a#{index}", due_at=NOW)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    records = store.all_threads(scheduled_only=True)
    assert [len(r.tweets) for r in records] == [2] * 20
    summaries = store.summaries()
    assert [(s.tweet_count, s.live_count, s.first_post_id) for s in summaries] == [
        (2, 0, None)
    ] * 20
    assert len(statements) == 2
