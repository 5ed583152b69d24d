"""Several `threadbot run` processes on one PostgreSQL store, against the X emulator.

Each test counts POST /2/tweets: the emulator accepts repeated text, so a tweet sent
twice would show as a second post. The daemons really are separate processes; one is
SIGKILLed, one loses its database behind a TCP proxy that is cut, one runs with its
clock ten minutes ahead (libfaketime). PostgreSQL comes from tests/databases.py (skipped
locally without a server, a failure under CI).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.store import Store
from bot.testing.x import CONSUMER_KEY, CONSUMER_SECRET, XEmulator

from .conftest import write_publish_config
from .databases import postgres_schema
from .tcp_proxy import TcpProxy
from .test_daemon import daemon, stop, wait_for
from .test_runtime import LOOKUPS, _env, threadbot

pytestmark = pytest.mark.e2e

ACCOUNTS = ("alpha", "beta", "gamma")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


def accounts_setup(
    emulator: XEmulator, tmp_path: Path, url: str, *, lease_seconds: float = 2.0
) -> tuple[Path, dict[str, str]]:
    """A config with three [accounts.NAME] sections and each one's X credentials."""
    config = write_publish_config(tmp_path, lease_seconds=lease_seconds)
    with config.open("a", encoding="utf-8") as text:
        for name in ACCOUNTS:
            text.write(f'\n[accounts.{name}]\nhandle = "@{name}_emu"\n')
    env = _env(emulator, tmp_path / "unused.db")
    env["THREADBOT_DB"] = url
    for name in ACCOUNTS:
        user = emulator.add_user(f"{name}_emu")
        prefix = f"THREADBOT_{name.upper()}_"
        env.update(
            {
                f"{prefix}X_API_KEY": CONSUMER_KEY,
                f"{prefix}X_API_SECRET": CONSUMER_SECRET,
                f"{prefix}X_ACCESS_TOKEN": user.access_token,
                f"{prefix}X_ACCESS_TOKEN_SECRET": user.access_token_secret,
            }
        )
    return config, env


def queue(store: Store, account: str, number: int, due: dt.datetime, tweets: int = 4) -> int:
    return store.threads.freeze(
        key=f"{account}-post#{number}",
        article=f"{account}.md",
        section_index=number,
        section="S",
        content_hash=f"{account}{number}",
        posts=[(f"{account} thread {number} tweet {k}/{tweets}", False) for k in range(1, 5)][
            :tweets
        ],
        cost_usd=0.06,
        now=due - dt.timedelta(hours=1),
        due_at=due,
        account=account,
        network="x",
    ).id


def posted_threads(emulator: XEmulator, account: str) -> list[int]:
    """The account's posts in the order X received them, as thread numbers."""
    return [int(p.text.split()[2]) for p in emulator.posts_by(f"{account}_emu")]


def test_three_daemons_three_accounts_sixty_threads_each_tweet_once_in_order(
    emulator: XEmulator, tmp_path: Path, pg_url: str
) -> None:
    """60 threads of 3 accounts due within 30 s, 3 daemons: 240 POSTs for 240 tweets,
    each account's threads one after another in due order, every reply chain intact."""
    config, env = accounts_setup(emulator, tmp_path, pg_url)
    store = Store(pg_url)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
    for number in range(20):
        for offset, account in enumerate(ACCOUNTS):
            due = start + dt.timedelta(seconds=number * 1.5 + offset * 0.1)
            queue(store, account, number, due)
    with (
        daemon(tmp_path, config, env, "--max-threads", "3", name="d1") as d1,
        daemon(tmp_path, config, env, "--max-threads", "3", name="d2") as d2,
        daemon(tmp_path, config, env, "--max-threads", "3", name="d3") as d3,
    ):
        listed = threadbot(["daemons", "--format", "json", "--config", str(config)], env, tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.count('"live": true') == 3
        wait_for(lambda: len(emulator.posts) >= 240, timeout=120, what="240 posts")
        time.sleep(2.5)  # a second poster would show now (lease 2 s, poll 1 s)
        for running in (d1, d2, d3):
            assert stop(running) == 0
    assert emulator.calls["POST /2/tweets"] == 240
    assert len({p.text for p in emulator.posts}) == 240
    assert emulator.calls[LOOKUPS] == 0
    by_id = {p.id: p for p in emulator.posts}
    for account in ACCOUNTS:
        # In due order, and never interleaved: each thread's four posts back to back.
        assert posted_threads(emulator, account) == [n for n in range(20) for _ in range(4)]
        for post in emulator.posts_by(f"{account}_emu"):
            if not post.text.endswith("tweet 1/4"):
                parent = by_id[post.reply_to or ""]
                assert parent.text.split()[:3] == post.text.split()[:3]
    assert {t.status for t in store.threads.all()} == {"posted"}
    logs = [d.text() for d in (d1, d2, d3)]
    assert sum("due: thread" in log for log in logs) >= 2  # the work was shared
    for log, running in zip(logs, (d1, d2, d3), strict=True):
        # Every line names its daemon (host:pid:nonce), so collected logs can be told apart.
        assert f":{running.process.pid}:" in log.splitlines()[-1]
    store.engine.dispose()


def test_sigkilled_daemons_thread_is_taken_over_after_the_lease(
    emulator: XEmulator, tmp_path: Path, pg_url: str
) -> None:
    """SIGKILL after X accepted tweet 2: another daemon takes the thread over only when
    the lease (by the database's clock) has expired, adopts tweet 2, posts 3 and 4."""
    config, env = accounts_setup(emulator, tmp_path, pg_url)
    store = Store(pg_url)
    hold = emulator.hold(2, "accepted")
    with (
        daemon(tmp_path, config, env, name="first") as first,
        daemon(tmp_path, config, env, name="second") as second,
    ):
        thread_id = queue(store, "alpha", 1, dt.datetime.now(dt.UTC))
        assert hold.reached.wait(20)
        lease_until = store.threads.get(thread_id).lease_until
        assert lease_until is not None
        # Whichever daemon claimed it is the one to kill.
        holder = store.threads.get(thread_id).claimed_by or ""
        pid = int(holder.split(":")[1])
        victim, survivor = (first, second) if pid == first.process.pid else (second, first)
        victim.process.kill()
        victim.process.wait(10)
        hold.release.set()
        wait_for(lambda: len(emulator.posts) == 4, timeout=30, what="the thread to finish")
        assert stop(survivor) == 0
    assert emulator.posts[2].created >= lease_until.timestamp()
    assert "already live" in survivor.text()
    assert emulator.calls["POST /2/tweets"] == 4
    assert emulator.calls[LOOKUPS] == 1
    assert [p.reply_to for p in emulator.posts[1:]] == [p.id for p in emulator.posts[:-1]]
    assert store.threads.get(thread_id).status == "posted"
    store.engine.dispose()


def _through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{proxy.port}"))


def test_a_daemon_cut_off_from_its_database_stops_and_another_finishes_once(
    emulator: XEmulator, tmp_path: Path, pg_url: str
) -> None:
    """The network to the database is cut while X holds tweet 2: the cut daemon cannot
    record it, so it sends nothing more; the other daemon takes over after the lease and
    adopts tweet 2; when the network is back the first reconnects and sends nothing."""
    config, env = accounts_setup(emulator, tmp_path, pg_url)
    parts = urlsplit(pg_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    store = Store(pg_url)
    hold = emulator.hold(2, "accepted")
    cut_env = {**env, "THREADBOT_DB": _through(proxy, pg_url)}
    try:
        with daemon(tmp_path, config, cut_env, name="cut") as cut:
            thread_id = queue(store, "beta", 1, dt.datetime.now(dt.UTC))
            assert hold.reached.wait(20)
            proxy.cut()
            hold.release.set()
            wait_for(lambda: "store unavailable" in cut.text(), what="the cut to be noticed")
            with daemon(tmp_path, config, env, name="other") as other:
                wait_for(lambda: len(emulator.posts) == 4, timeout=30, what="the takeover")
                proxy.restore()
                wait_for(
                    lambda: "store reachable again" in cut.text(), timeout=90, what="reconnect"
                )
                time.sleep(2.5)
                assert stop(other) == 0
            assert stop(cut) == 0
    finally:
        proxy.close()
    assert "thread 1 stops here" in cut.text()
    assert "already live" in other.text()
    assert emulator.calls["POST /2/tweets"] == 4
    assert [p.reply_to for p in emulator.posts[1:]] == [p.id for p in emulator.posts[:-1]]
    assert store.threads.get(thread_id).status == "posted"
    store.engine.dispose()


FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")


@pytest.mark.skipif(not FAKETIME.is_file(), reason="libfaketime (Debian: faketime) not installed")
def test_a_daemon_whose_clock_is_ten_minutes_ahead_neither_posts_early_nor_takes_over(
    emulator: XEmulator, tmp_path: Path, pg_url: str
) -> None:
    """With its clock 10 minutes fast, a daemon leaves a live lease alone (it is the
    database's clock that says when leases end) and does not post a thread due in 5
    minutes; the thread in hand is finished by its owner, each tweet once."""
    config, env = accounts_setup(emulator, tmp_path, pg_url)
    # The owner waits on the held tweet instead of timing out and retrying.
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("request_timeout_seconds = 2", "request_timeout_seconds = 30"))
    store = Store(pg_url)
    hold = emulator.hold(2, "received")
    with daemon(tmp_path, config, env, name="owner") as owner:
        in_hand = queue(store, "alpha", 1, dt.datetime.now(dt.UTC))
        later = queue(store, "gamma", 2, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
        assert hold.reached.wait(20)
        # libfaketime preloaded into the daemon itself (the `faketime` wrapper would take
        # the signals meant for it): every clock call in that process is 10 minutes fast.
        skewed_env = {**env, "LD_PRELOAD": str(FAKETIME), "FAKETIME": "+10m"}
        with daemon(tmp_path, config, skewed_env, name="skewed") as skewed:
            time.sleep(6)  # three leases (2 s) and several polls with tweet 2 held
            hold.release.set()
            wait_for(lambda: len(emulator.posts) == 4, timeout=30, what="the owner to finish")
            time.sleep(2)
            assert stop(skewed) == 0
        assert stop(owner) == 0
    assert f"due: thread {in_hand}" not in skewed.text()
    assert f"due: thread {later}" not in skewed.text()
    assert emulator.calls["POST /2/tweets"] == 4
    assert emulator.calls[LOOKUPS] == 0
    assert store.threads.get(later).status == "scheduled"
    store.engine.dispose()
