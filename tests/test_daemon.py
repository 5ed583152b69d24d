"""The daemon as it runs for real: `threadbot run` processes, the emulator, signals.

The emulator accepts repeated text, so a second attempt at a tweet would show as a
second post; every test counts POST /2/tweets and the recent-post look-ups. The
daemon's decisions themselves are tested in-process in tests/test_daemon_decisions.py.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.settings import database_url
from bot.store import Store
from bot.testing.x import XEmulator

from .conftest import EXAMPLE, write_publish_config
from .test_runtime import LOOKUPS, _env, threadbot

pytestmark = pytest.mark.e2e


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class DaemonProcess:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, out: Path) -> None:
        self.process, self.log, self.out = process, log, out

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")


@contextmanager
def daemon(
    tmp_path: Path, config: Path, env: dict[str, str], *extra: str, name: str = "d"
) -> Iterator[DaemonProcess]:
    log, out = tmp_path / f"{name}.log", tmp_path / f"{name}.out"
    with log.open("wb") as log_file, out.open("wb") as out_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config), *extra],
            env=env,
            cwd=tmp_path,
            stdout=out_file,
            stderr=log_file,
        )
    running = DaemonProcess(process, log, out)
    try:
        wait_for(lambda: "loaded:" in running.text(), what="the daemon to start")
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def schedule_in(
    seconds: float, tmp_path: Path, config: Path, env: dict[str, str], *extra: str
) -> dt.datetime:
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).replace(
        microsecond=0
    ) + dt.timedelta(seconds=1)
    result = threadbot(
        [
            "schedule",
            str(EXAMPLE),
            "--at",
            due.strftime("%Y-%m-%d %H:%M:%S"),
            "--tz",
            "UTC",
            "--now",  # a loaded machine may start `schedule` after the time has come
            "--config",
            str(config),
            *extra,
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return due


def assert_each_once(emulator: XEmulator, expected: int, *, lookups: int = 0) -> None:
    """``expected`` posts, each text once, one POST each, and ``lookups`` look-ups."""
    texts = [p.text for p in emulator.posts]
    assert len(texts) == expected
    assert len(set(texts)) == expected
    assert emulator.calls["POST /2/tweets"] == expected
    assert emulator.calls[LOOKUPS] == lookups


def queue_directly(db: Path, section: int, due: dt.datetime) -> int:
    """A thread queued as `schedule` would, without waiting for a due time to pass."""
    record = Store(database_url(db)).threads.freeze(
        key=f"kpop-asean-plus-three#{section}",
        article=str(EXAMPLE),
        section_index=section,
        section="S",
        content_hash=str(section),
        posts=[(f"section {section} tweet {k} {k}/4", k == 4) for k in range(1, 5)],
        cost_usd=0.245,
        now=due - dt.timedelta(hours=1),
        account="default",
        network="x",
        due_at=due,
    )
    return record.id


def stop(running: DaemonProcess) -> int:
    running.process.send_signal(signal.SIGTERM)
    return running.process.wait(30)


@pytest.fixture
def setup(emulator: XEmulator, tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    config = write_publish_config(tmp_path)
    db = tmp_path / "state.db"
    return config, _env(emulator, db), db


def test_thread_scheduled_from_another_process_posts_on_time(
    emulator: XEmulator, tmp_path: Path, setup: tuple[Path, dict[str, str], Path]
) -> None:
    """A running daemon picks up a thread queued by `schedule` and starts it within 2 s of due."""
    config, env, _ = setup
    with daemon(tmp_path, config, env) as running:
        due = schedule_in(3, tmp_path, config, env, "--section", "5")
        wait_for(lambda: len(emulator.posts) == 4, what="4 posts")
        first = dt.datetime.fromtimestamp(emulator.posts[0].created, dt.UTC)
        assert dt.timedelta(0) <= first - due <= dt.timedelta(seconds=2)
        assert stop(running) == 0
    log = running.text()
    for event in (
        "loaded:",
        "due: thread 1",
        "posted: thread 1 post 4: https://x.com/",
        "posted: thread 1 complete",
    ):
        assert event in log
    assert_each_once(emulator, 4)


def test_due_while_down_within_grace_posts_at_start(
    emulator: XEmulator, tmp_path: Path, setup: tuple[Path, dict[str, str], Path]
) -> None:
    """A thread that fell due while no daemon ran is posted when one starts (within grace)."""
    config, env, db = setup
    queue_directly(db, 2, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    with daemon(tmp_path, config, env) as running:
        wait_for(lambda: len(emulator.posts) == 4, what="4 posts")
        assert stop(running) == 0
    assert_each_once(emulator, 4)


def test_due_while_down_beyond_grace_is_missed(emulator: XEmulator, tmp_path: Path) -> None:
    """Beyond the grace period the thread is marked missed and reported, never posted."""
    config = write_publish_config(tmp_path, grace_minutes=1)
    db = tmp_path / "state.db"
    env = _env(emulator, db)
    queue_directly(db, 2, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    with daemon(tmp_path, config, env) as running:
        wait_for(lambda: "missed: thread 1" in running.text(), what="the missed report")
        assert stop(running) == 0
    assert emulator.posts == []
    queue = threadbot(["queue", "--config", str(config)], env, tmp_path)
    assert "missed    kpop-asean-plus-three#2" in queue.stdout
    assert "`threadbot reschedule 1 --at …` revives it" in queue.stdout


def test_sigkill_mid_thread_then_restart_finishes_once(
    emulator: XEmulator, tmp_path: Path, setup: tuple[Path, dict[str, str], Path]
) -> None:
    """A daemon SIGKILLed after X accepted tweet 2: a second daemon, already running, takes
    the thread over only after the dead one's lease expired, and X sees each tweet once."""
    config, env, db = setup
    config = write_publish_config(tmp_path, lease_seconds=2)
    hold = emulator.hold(2, "accepted")
    with (
        daemon(tmp_path, config, env, name="first") as first,
        daemon(tmp_path, config, env, name="second") as second,
    ):
        queue_directly(db, 5, dt.datetime.now(dt.UTC))
        assert hold.reached.wait(20)
        # The lease as it stands at the kill (heartbeats only push it later).
        claimed = Store(database_url(db)).threads.get(1)
        lease_until = claimed.lease_until
        assert lease_until is not None
        # Kill whichever daemon claimed it (both poll; either may have).
        holder = int((claimed.claimed_by or "").split(":")[1])
        if holder == second.process.pid:
            first, second = second, first
        first.process.kill()
        first.process.wait(10)
        killed_at = time.time()
        hold.release.set()
        wait_for(lambda: len(emulator.posts) == 4, what="the thread to finish")
        assert stop(second) == 0
    taken_over = emulator.posts[2].created
    assert taken_over >= lease_until.timestamp()
    assert taken_over >= killed_at
    assert "due: thread 1" in second.text()
    assert "already live" in second.text()
    assert_each_once(emulator, 4, lookups=1)
    assert [p.reply_to for p in emulator.posts[1:]] == [p.id for p in emulator.posts[:-1]]


def test_sigterm_finishes_the_tweet_in_flight_and_exits_0(
    emulator: XEmulator, tmp_path: Path, setup: tuple[Path, dict[str, str], Path]
) -> None:
    """SIGTERM during tweet 2: it completes, state is recorded, the claim is given back,
    exit 0; a restart finishes the thread at once."""
    config, env, db = setup
    hold = emulator.hold(2, "received")
    with daemon(tmp_path, config, env, name="first") as first:
        schedule_in(1, tmp_path, config, env, "--section", "5")
        assert hold.reached.wait(20)
        first.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        hold.release.set()
        assert first.process.wait(30) == 0
    stored = Store(database_url(db)).threads.get(1)
    assert (stored.status, stored.live_count, stored.lease_until) == ("posting", 2, None)
    with daemon(tmp_path, config, env, name="second") as second:
        wait_for(lambda: len(emulator.posts) == 4, what="the rest of the thread")
        assert stop(second) == 0
    assert_each_once(emulator, 4)


def test_two_daemons_never_post_the_same_thread(
    emulator: XEmulator, tmp_path: Path, setup: tuple[Path, dict[str, str], Path]
) -> None:
    """Two daemons on one store, seven threads due at once: 28 POSTs for 28 tweets and no
    look-ups (X accepting repeated text would show every second attempt)."""
    config, env, db = setup
    with daemon(tmp_path, config, env, name="a") as a, daemon(tmp_path, config, env, name="b") as b:
        due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        for section in range(1, 8):
            queue_directly(db, section, due)
        wait_for(lambda: len(emulator.posts) == 28, timeout=60, what="28 posts")
        time.sleep(1.5)  # a second poster would show up now (lease 1 s, poll 1 s)
        assert stop(a) == 0
        assert stop(b) == 0
    assert_each_once(emulator, 28)
    store = Store(database_url(db))
    assert {t.status for t in store.threads.all()} == {"posted"}
    assert "due: thread" in a.text() + b.text()


def test_dry_run_prints_at_due_time_and_changes_nothing(
    emulator: XEmulator, tmp_path: Path, setup: tuple[Path, dict[str, str], Path]
) -> None:
    """run --dry-run prints the thread exactly as stored, calls no X endpoint, writes no state."""
    config, env, db = setup
    with daemon(tmp_path, config, env, "--dry-run") as running:
        schedule_in(1, tmp_path, config, env, "--section", "5")
        wait_for(lambda: "── thread 1 " in running.stdout(), what="the printed thread")
        assert stop(running) == 0
    stored = Store(database_url(db)).threads.get(1)
    for tweet in stored.posts:
        assert tweet.text in running.stdout()
    assert (stored.status, stored.live_count) == ("scheduled", 0)
    assert sum(emulator.calls.values()) == 0
