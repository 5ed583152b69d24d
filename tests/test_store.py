"""The store on SQLite and PostgreSQL: named Alembic migrations, leases, the queue's claim
rules, state that survives reopening, and moving a store between backends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import LeaseLostError, StoreError, ThreadNotFoundError
from bot.lifecycle import WAITING, Lease, Owner, PostStatus, ThreadStatus
from bot.settings import database_url
from bot.store import HEAD, REVISIONS, Claim, Store
from bot.store.copying import copy_store

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


def _freeze(store: Store, key: str = "a#1", due_at: dt.datetime | None = None) -> int:
    return store.threads.freeze(
        key=key,
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        posts=[("one", False), ("two https://a.com", True)],
        cost_usd=0.215,
        now=NOW,
        account="default",
        network="x",
        due_at=due_at,
    ).id


def _claim(
    store: Store, thread_id: int, owner: str, now: dt.datetime, **queue: object
) -> Claim | None:
    """A claim by ``owner`` (on host "h") at ``now``, holding for LEASE."""
    return store.queue.claim(
        thread_id,
        Owner(owner, "h"),
        now,
        Lease(LEASE.total_seconds()),
        **queue,  # type: ignore[arg-type]
    )


def test_state_survives_reopening(tmp_path: Path) -> None:
    """Every change is committed: a new Store on the same file sees it, with aware times."""
    path = tmp_path / "nested" / "state.db"
    store = Store(database_url(path))
    thread_id = _freeze(store)
    claim = _claim(store, thread_id, "me", NOW)
    assert claim is not None
    claim.sending(1, None, NOW)
    claim.posted(1, "111", NOW)
    reopened = Store(database_url(path)).threads.get(thread_id)
    assert [(p.status, p.post_id, p.attempts) for p in reopened.posts] == [
        (PostStatus.POSTED, "111", 1),
        (PostStatus.PENDING, None, 0),
    ]
    assert reopened.posts[0].posted_at == NOW
    assert reopened.posts[0].sending_at == NOW
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
    """bot/store/migrations/versions holds exactly REVISIONS, in order, ending at HEAD."""
    from alembic.script import ScriptDirectory

    from bot.store.migrations import config

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


def test_unknown_thread(db_url: str) -> None:
    """Asking for a missing thread says how to list them."""
    with pytest.raises(ThreadNotFoundError, match="`threadbot status` lists them"):
        Store(db_url).threads.get(7)


def test_posts_since_counts_only_live_posts(db_url: str) -> None:
    """Accounting sees the posts that went out in the window, with their URL flag."""
    store = Store(db_url)
    thread_id = _freeze(store)
    claim = _claim(store, thread_id, "me", NOW)
    assert claim is not None
    claim.posted(2, "222", NOW)
    assert [(p.posted_at, p.has_url) for p in store.posts.since(NOW - LEASE)] == [(NOW, True)]
    assert store.posts.since(NOW + dt.timedelta(seconds=1)) == []


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
    record = store.threads.get(1)
    assert (record.status, record.live_count, record.posts[1].status) == (
        ThreadStatus.POSTING,
        1,
        PostStatus.SENDING,
    )
    assert record.lease_until is None  # no lease: takeable at once
    assert record.posts[1].has_media is (version == 2)
    assert record.posts[0].post_id == "111"
    assert _claim(store, 1, "me", NOW) is not None
    assert store.get_meta("schema_version") is None


def test_claim_by_lease(db_url: str) -> None:
    """One claim wins; a live lease is refused; an expired one is taken over; the loser's
    sending is fenced off."""
    store = Store(db_url)
    thread_id = _freeze(store, due_at=NOW)
    first = _claim(store, thread_id, "a", NOW)
    assert first is not None
    assert (first.thread.claimed_by, first.thread.claim_host) == ("a", "h")
    assert _claim(store, thread_id, "b", NOW + LEASE / 2) is None
    assert first.renew(NOW + LEASE)  # now held until NOW + 2 LEASE
    assert _claim(store, thread_id, "b", NOW + LEASE) is None
    taken = _claim(store, thread_id, "b", NOW + LEASE * 2)
    assert taken is not None
    assert taken.thread.claimed_by == "b"
    with pytest.raises(LeaseLostError):
        first.sending(1, None, NOW + LEASE * 3)
    first.posted(1, "999", NOW + LEASE * 3)  # fenced: changes nothing
    assert store.threads.get(thread_id).posts[0].status == PostStatus.PENDING
    assert not first.finish(ThreadStatus.POSTED)
    assert not first.release()
    assert taken.finish(ThreadStatus.POSTED)
    done = store.threads.get(thread_id)
    assert (done.status, done.claimed_by, done.lease_until) == (ThreadStatus.POSTED, None, None)


def test_transitions_follow_the_lifecycle(db_url: str) -> None:
    """The store refuses a move lifecycle does not allow (e.g. cancelling a posted thread)."""
    store = Store(db_url)
    thread_id = _freeze(store, due_at=NOW)
    assert store.queue.transition(thread_id, ThreadStatus.CANCELLED)
    assert store.queue.reschedule(thread_id, NOW + LEASE)
    claim = _claim(store, thread_id, "a", NOW)
    assert claim is not None
    assert not store.queue.transition(thread_id, ThreadStatus.CANCELLED)  # someone holds it
    assert not store.queue.reschedule(thread_id, NOW)
    assert claim.finish(ThreadStatus.POSTED)
    assert not store.queue.transition(thread_id, ThreadStatus.SCHEDULED)


def test_a_released_claim_is_taken_at_once_and_a_lapsed_one_cancelled(db_url: str) -> None:
    """Released (Ctrl-C), a thread stays posting with no lease: the next claim takes it
    at once; cancelled by the owner only once nobody holds it."""
    store = Store(db_url)
    thread_id = _freeze(store)
    claim = _claim(store, thread_id, "a", NOW)
    assert claim is not None
    assert not store.queue.transition(thread_id, ThreadStatus.CANCELLED, lapsed_by=NOW)
    assert claim.release()
    released = store.threads.get(thread_id)
    assert (released.status, released.claimed_by, released.lease_until) == ("posting", None, None)
    assert _claim(store, thread_id, "b", NOW) is not None  # no lease to wait out
    assert not store.queue.transition(thread_id, ThreadStatus.CANCELLED, lapsed_by=NOW)
    assert store.queue.transition(thread_id, ThreadStatus.CANCELLED, lapsed_by=NOW + LEASE)


def test_listing_is_one_query(db_url: str) -> None:
    """Every thread with its tweets is one SQL statement; so are the summaries status and
    queue list."""
    store = Store(db_url)
    for index in range(20):
        _freeze(store, key=f"a#{index}", due_at=NOW)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    records = store.threads.all(scheduled_only=True)
    assert [len(r.posts) for r in records] == [2] * 20
    summaries = store.threads.summaries()
    assert [(s.post_count, s.live_count, s.first_post_id) for s in summaries] == [(2, 0, None)] * 20
    assert len(statements) == 2


def _queued(store: Store, key: str, due_at: dt.datetime, account: str = "default") -> int:
    return store.threads.freeze(
        key=key,
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        posts=[("one", False)],
        cost_usd=0.015,
        now=NOW,
        account=account,
        network="x",
        due_at=due_at,
    ).id


def _daemon_claim(store: Store, thread_id: int, owner: str, now: dt.datetime) -> Claim | None:
    return _claim(store, thread_id, owner, now, from_statuses=WAITING, due_only=True)


def test_queue_claims_keep_each_accounts_threads_in_order_and_apart(db_url: str) -> None:
    """A daemon claims only a due thread; never one of an account that is posting, nor
    one behind an earlier due thread of its account; other accounts go in parallel."""
    store = Store(db_url)
    a1 = _queued(store, "a#1", NOW, "alpha")
    a2 = _queued(store, "a#2", NOW + dt.timedelta(seconds=1), "alpha")
    b1 = _queued(store, "b#1", NOW + dt.timedelta(seconds=2), "beta")
    later = _queued(store, "a#3", NOW + dt.timedelta(hours=1), "alpha")
    at = NOW + dt.timedelta(seconds=5)
    assert not _daemon_claim(store, later, "d1", at)  # not due
    assert not _daemon_claim(store, a2, "d1", at)  # a1 is due before it
    first = _daemon_claim(store, a1, "d1", at)
    assert first is not None
    assert not _daemon_claim(store, a2, "d2", at)  # alpha is posting a1
    assert _daemon_claim(store, b1, "d2", at)  # beta is another account
    assert first.finish(ThreadStatus.POSTED)
    assert _daemon_claim(store, a2, "d2", at)


def test_a_dead_daemons_thread_is_finished_before_the_accounts_next(db_url: str) -> None:
    """A thread left posting blocks its account's later threads until it is taken over."""
    store = Store(db_url)
    first = _queued(store, "a#1", NOW)
    second = _queued(store, "a#2", NOW)
    assert _daemon_claim(store, first, "dead", NOW)
    after = NOW + LEASE * 2
    assert not _daemon_claim(store, second, "d2", after)
    assert _daemon_claim(store, first, "d2", after)  # the takeover


def test_a_blocked_account_is_not_claimed_until_its_reset(db_url: str) -> None:
    """A rate limit recorded by one daemon holds every daemon off that account."""
    store = Store(db_url)
    thread_id = _queued(store, "a#1", NOW, "alpha")
    store.accounts.block("alpha", "x", NOW + dt.timedelta(minutes=15), "429")
    store.accounts.block("alpha", "x", NOW + dt.timedelta(minutes=1), "shorter: ignored")
    assert store.accounts.state("alpha", "x").blocked_reason == "429"
    assert not _daemon_claim(store, thread_id, "d1", NOW + dt.timedelta(minutes=14))
    assert _daemon_claim(store, thread_id, "d1", NOW + dt.timedelta(minutes=15))


def test_budgets_count_posts_per_account(db_url: str) -> None:
    """posts.since counts one account's posts, or everyone's."""
    store = Store(db_url)
    for key, account in (("a#1", "alpha"), ("b#1", "beta")):
        claim = _claim(store, _queued(store, key, NOW, account), "d", NOW)
        assert claim is not None
        claim.posted(1, key, NOW)
    since = NOW - LEASE
    assert (len(store.posts.since(since, "alpha")), len(store.posts.since(since))) == (1, 2)


def test_postgres_claims_skip_a_row_another_daemon_is_claiming() -> None:
    """FOR UPDATE SKIP LOCKED: while another transaction holds the thread's (or its
    account's) row, a claim returns None at once instead of waiting."""
    from .databases import postgres_schema

    with postgres_schema() as url:
        store = Store(url)
        thread_id = _queued(store, "a#1", NOW)
        for table, key in (("threads", "id"), ("accounts", "name")):
            value = thread_id if table == "threads" else "default"
            with store.engine.connect() as other:
                other.execute(
                    sa.text(f"SELECT 1 FROM {table} WHERE {key} = :v FOR UPDATE"), {"v": value}
                )
                store.engine.dispose()  # a new connection for the claim
                started = dt.datetime.now(dt.UTC)
                assert not _daemon_claim(store, thread_id, "d1", NOW)
                assert dt.datetime.now(dt.UTC) - started < dt.timedelta(seconds=2)
                other.rollback()
        assert _daemon_claim(store, thread_id, "d1", NOW)
        store.engine.dispose()


def test_postgres_clock_is_the_databases() -> None:
    """Lease and due times come from the server's clock on a shared store."""
    from .databases import postgres_schema

    with postgres_schema() as url:
        store = Store(url)
        with store.engine.connect() as connection:
            server = connection.execute(sa.text("SELECT clock_timestamp()")).scalar_one()
        assert abs((store.clock() - server).total_seconds()) < 2
        assert store.shared
        store.engine.dispose()


def _statements(store: Store, seen: list[str]) -> None:
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))


def test_postgres_clock_is_read_once_per_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """A daemon asks the time several times a post: the database is read once per
    CLOCK_READ_SECONDS and carried forward on this machine's monotonic clock, which
    stays within a round trip of the server's and never runs backwards."""
    from bot.store import connector

    from .databases import postgres_schema

    with postgres_schema() as url:
        store = Store(url)
        seen: list[str] = []
        _statements(store, seen)
        times = [store.clock() for _ in range(50)]
        assert sum("clock_timestamp" in sql for sql in seen) == 1
        assert times == sorted(times)
        with store.engine.connect() as connection:
            server = connection.execute(sa.text("SELECT clock_timestamp()")).scalar_one()
        assert abs((store.clock() - server).total_seconds()) < 0.05
        monkeypatch.setattr(connector, "CLOCK_READ_SECONDS", 0.0)
        store.clock()
        assert sum("clock_timestamp" in sql for sql in seen) == 3  # 2 reads and the test's
        store.engine.dispose()


def test_postgres_pings_only_a_connection_left_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pooled connection used within PING_AFTER_IDLE_SECONDS is handed out without a
    ping (a round trip per transaction otherwise); one idle longer is pinged, and one the
    server closed meanwhile is replaced before any statement sees it."""
    from bot.store import connection as connection_module

    from .databases import postgres_schema

    with postgres_schema() as url:
        store = Store(url, connections=1)
        pings: list[int] = []
        ping = store.engine.dialect.do_ping
        monkeypatch.setattr(store.engine.dialect, "do_ping", lambda c: pings.append(1) or ping(c))
        for _ in range(5):
            store.revision()
        assert pings == []
        with store.connect() as connection:
            backend = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        monkeypatch.setattr(connection_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": backend})
        admin.dispose()
        with store.connect() as connection:  # pinged, found dead, replaced
            replaced = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        assert pings
        assert replaced != backend
        store.engine.dispose()


def _make_older(db_url: str) -> None:
    """A store as threadbot 0004_feeds left it (before accounts)."""
    Store(db_url).engine.dispose()
    engine = sa.create_engine(db_url)
    with engine.begin() as connection:
        for table in ("link_checks", "metrics", "thread_edits"):  # 0008_owner
            connection.execute(sa.text(f"DROP TABLE {table}"))
        for table, column in (
            ("threads", "edited_from"),
            ("threads", "edited_at"),
            ("threads", "link_failing_since"),
            ("posts", "deleting_at"),
            ("posts", "deleted_at"),
            ("posts", "delete_result"),
            ("feeds", "approve"),
        ):
            connection.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        connection.execute(sa.text("DROP TABLE daemons"))
        connection.execute(sa.text("DROP TABLE accounts"))
        connection.execute(sa.text("UPDATE alembic_version SET version_num='0004_feeds'"))
        connection.execute(sa.text("DROP INDEX ix_posts_status_posted_at"))
        connection.execute(sa.text("ALTER TABLE posts RENAME TO tweets"))
        connection.execute(sa.text("ALTER TABLE tweets RENAME COLUMN post_id TO x_id"))
        connection.execute(sa.text("ALTER TABLE media RENAME COLUMN media_id TO x_media_id"))
        connection.execute(sa.text("DROP INDEX ix_threads_account_status_due_at"))
        connection.execute(sa.text("ALTER TABLE threads DROP COLUMN account"))
        connection.execute(sa.text("ALTER TABLE threads DROP COLUMN network"))
        connection.execute(sa.text("ALTER TABLE tweets DROP COLUMN post_key"))
        connection.execute(sa.text("ALTER TABLE tweets DROP COLUMN sending_at"))
        connection.execute(sa.text("ALTER TABLE threads DROP COLUMN claimed_at"))
        connection.execute(sa.text("ALTER TABLE feeds DROP COLUMN networks"))
    engine.dispose()


def test_an_older_schema_is_upgraded_by_the_command_not_by_a_daemon(db_url: str) -> None:
    """`exact` (the daemon) refuses an older schema with the fix; `upgrade` applies it;
    `auto` upgrades SQLite itself but leaves a shared database to `threadbot db upgrade`."""
    _make_older(db_url)
    with pytest.raises(StoreError, match="run `threadbot db upgrade`"):
        Store(db_url, schema="exact")
    if db_url.startswith("postgresql"):
        with pytest.raises(StoreError, match="older than this threadbot"):
            Store(db_url)
    upgraded = Store(db_url, schema="upgrade")
    assert upgraded.revision() == HEAD
    upgraded.engine.dispose()


def test_copy_moves_queue_and_history_with_their_ids(tmp_path: Path, db_url: str) -> None:
    """`db copy`: every thread, post and account row arrives with its id; the target's
    ids continue after them; a non-empty target and a posting source are refused."""
    source = Store(database_url(tmp_path / "old.db"))
    done = _queued(source, "a#1", NOW, "alpha")
    claim = _claim(source, done, "d", NOW)
    assert claim is not None
    claim.posted(1, "111", NOW)
    assert claim.finish(ThreadStatus.FAILED)
    assert source.queue.transition(done, ThreadStatus.CANCELLED)
    waiting = _queued(source, "a#2", NOW + LEASE, "alpha")
    target = Store(db_url)
    copied = copy_store(source, target)
    assert (copied["threads"], copied["posts"], copied["accounts"]) == (2, 2, 2)
    assert [(r.id, r.account, r.live_count) for r in target.threads.all()] == [
        (done, "alpha", 1),
        (waiting, "alpha", 0),
    ]
    assert _queued(target, "a#3", NOW) == waiting + 1
    with pytest.raises(StoreError, match="new, empty database"):
        copy_store(source, target)
    assert _claim(source, waiting, "d", NOW) is not None
    with pytest.raises(StoreError, match="stop the daemons"):
        copy_store(source, Store(database_url(tmp_path / "other.db")))
    target.engine.dispose()


def test_daemons_are_listed_while_their_heartbeat_is_fresh(db_url: str) -> None:
    """register → listed with threads in hand; stopped → no longer alive."""
    store = Store(db_url)
    store.daemons.register("h:1:aa", "h", 1, 4, "0.1.0")
    thread_id = _queued(store, "a#1", NOW)
    assert _claim(store, thread_id, "h:1:aa", NOW) is not None
    alive = store.daemons.list(alive_within=dt.timedelta(minutes=1))
    assert [(d.id, d.threads_in_hand, d.max_threads) for d in alive] == [("h:1:aa", 1, 4)]
    store.daemons.beat("h:1:aa", stopped=True)
    assert store.daemons.list(alive_within=dt.timedelta(minutes=1)) == []
    assert [d.stopped_at is not None for d in store.daemons.list(alive_within=None)] == [True]
    store.engine.dispose()


@pytest.mark.parametrize(("required", "outcome"), [("", "skip"), ("1", "fail")])
def test_a_missing_postgres_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, required: str, outcome: str
) -> None:
    """No server: a skip with the reason on a laptop, a failure when CI requires it."""
    from . import databases

    monkeypatch.setenv(databases.POSTGRES_ENV, "postgresql+psycopg://nobody@127.0.0.1:9/none")
    monkeypatch.setenv(databases.REQUIRE_ENV, required)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected, match="not reachable"):
        databases.require_postgres()


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("state.db", "sqlite:///state.db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_urls_as_providers_write_them(given: str, url: str) -> None:
    """A path is SQLite; a plain postgres:// URL means the psycopg 3 driver threadbot has."""
    assert database_url(given) == url


def test_the_daemon_refuses_an_older_store_and_db_upgrade_fixes_it(db_url: str) -> None:
    """`run` on an older schema: exit 2, one line naming the fix; `db upgrade` applies
    it; then `run --dry-run` would start (checked by the schema, not by running)."""
    from click.testing import CliRunner

    from bot.cli import cli

    from .conftest import CONFIG

    _make_older(db_url)
    common = ["--config", str(CONFIG), "--db", db_url]
    refused = CliRunner().invoke(cli, ["run", "--dry-run", *common])
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1
    assert "run `threadbot db upgrade` once" in refused.stderr
    upgraded = CliRunner().invoke(cli, ["db", "upgrade", *common])
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"schema upgraded from 0004_feeds to {HEAD}" in upgraded.stdout
    store = Store(db_url, schema="exact")
    assert store.revision() == HEAD
    store.engine.dispose()
