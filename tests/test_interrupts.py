"""Ctrl-C is an ordinary way to stop: real `threadbot` processes, a real SIGINT.

`publish` interrupted at any post lets the post in flight finish, gives its claim back
and says how to continue (exit 130); `resume` then continues at once — no lease to wait
out. A daemon started while a `publish` holds the account's lane waits quietly (its CPU
is measured) and, once the `publish` is interrupted, finishes that thread first, then
the account's scheduled one: both whole on X, in order, each post once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import database_url
from bot.store import Store
from bot.testing.x import XEmulator

from .conftest import EXAMPLE, write_publish_config
from .test_daemon import daemon, queue_directly, stop, wait_for
from .test_runtime import LOOKUPS, _env, threadbot

pytestmark = pytest.mark.e2e

SECTION = "5"  # 4 tweets
LEASE_SECONDS = 30.0  # long: a resume that waited it out would show


def start_publish(config: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "bot", "publish", str(EXAMPLE), "--section", SECTION,
            "--config", str(config),
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _chain(emulator: XEmulator) -> None:
    posts = emulator.posts
    threads: list[list[str]] = []
    for post in posts:
        if post.reply_to is None:
            threads.append([post.id])
        else:
            assert post.reply_to == threads[-1][-1], "a reply not to the post before it"
            threads[-1].append(post.id)


@pytest.mark.parametrize("position", [1, 2, 3, 4])
def test_ctrl_c_at_any_post_then_resume_at_once(
    emulator: XEmulator, tmp_path: Path, position: int
) -> None:
    """SIGINT while post N is with X: it finishes, the claim is given back, one line
    says what is live (exit 130); `resume` continues at once and each post is sent once."""
    config = write_publish_config(tmp_path, lease_seconds=LEASE_SECONDS)
    db = tmp_path / "state.db"
    env = _env(emulator, db)
    hold = emulator.hold(position, "received")
    process = start_publish(config, env, tmp_path)
    try:
        assert hold.reached.wait(60), "publish never reached the held post"
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)  # the signal lands while the request is in flight
        hold.release.set()
        _, err = process.communicate(timeout=60)
    finally:
        hold.release.set()
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in err
    assert "Aborted" not in err
    if position == 4:
        assert process.returncode == 0, err  # the post in flight was the last: done
    else:
        assert process.returncode == 130, err
        live = position  # the post in flight finished
        assert f"interrupted: {live} of 4 tweets live; threadbot resume 1 continues" in err
        stored = Store(database_url(db)).threads.get(1)
        assert (stored.status, stored.claimed_by, stored.live_count) == ("posting", None, live)
        started = time.monotonic()
        resumed = threadbot(["resume", "1", "--config", str(config)], env, tmp_path)
        elapsed = time.monotonic() - started
        assert resumed.returncode == 0, resumed.stderr
        assert elapsed < LEASE_SECONDS / 3, f"resume waited {elapsed:.1f} s"
        assert "waiting" not in resumed.stderr
    assert len(emulator.posts) == 4
    assert emulator.calls["POST /2/tweets"] == 4
    assert emulator.calls[LOOKUPS] == 0
    _chain(emulator)
    stored = Store(database_url(db)).threads.get(1)
    assert stored.status == "posted"
    assert [t.post_id for t in stored.posts] == [p.id for p in emulator.posts]


def test_a_daemon_waits_quietly_behind_a_publish_then_finishes_it_after_ctrl_c(
    emulator: XEmulator, tmp_path: Path
) -> None:
    """A `publish` holds the account's lane; a daemon with the account's next thread due
    waits (CPU near zero, one log line saying why); Ctrl-C on the publish after post 2:
    the daemon finishes that thread first, then the scheduled one — both whole, in
    order, each post once."""
    # The held request must outlast the daemon's wait, not time out and be retried.
    config = write_publish_config(tmp_path, lease_seconds=LEASE_SECONDS, request_timeout=60)
    db = tmp_path / "state.db"
    env = _env(emulator, db)
    hold = emulator.hold(3, "received")
    publishing = start_publish(config, env, tmp_path)
    try:
        assert hold.reached.wait(60), "publish never reached post 3"
        scheduled = queue_directly(db, 3, due=Store(database_url(db)).clock())
        with daemon(tmp_path, config, env) as running:
            wait_for(lambda: "waiting:" in running.text(), what="the daemon to say it waits")
            pid = running.process.pid
            before, started = cpu_seconds(pid), time.monotonic()
            time.sleep(5)
            share = (cpu_seconds(pid) - before) / (time.monotonic() - started)
            assert share < 0.25, f"the waiting daemon used {share:.0%} of a core"
            assert running.text().count("waiting:") == 1  # once, not per poll
            assert len(emulator.posts) == 2
            publishing.send_signal(signal.SIGINT)
            time.sleep(0.3)
            hold.release.set()
            _, err = publishing.communicate(timeout=60)
            assert publishing.returncode == 130, err
            assert "interrupted: 3 of 4 tweets live; threadbot resume 1 continues" in err
            wait_for(lambda: len(emulator.posts) == 8, timeout=60, what="both threads posted")
            time.sleep(1)
            assert stop(running) == 0
            log = running.text()
    finally:
        hold.release.set()
        if publishing.poll() is None:
            publishing.kill()
    assert "is behind thread 1" in log
    texts = [p.text for p in emulator.posts]
    assert all("section 3" not in text for text in texts[:4])
    assert all(text.startswith("section 3") for text in texts[4:])
    assert emulator.calls["POST /2/tweets"] == 8
    _chain(emulator)
    store = Store(database_url(db))
    assert [store.threads.get(t).status for t in (1, scheduled)] == ["posted", "posted"]
    queue = threadbot(["queue", "--config", str(config)], env, tmp_path)
    assert queue.returncode == 0


def test_queue_and_status_say_which_thread_holds_a_lane(
    emulator: XEmulator, tmp_path: Path
) -> None:
    """After Ctrl-C, `queue` lists the interrupted thread and the due thread behind it,
    and `status` says the interrupted one waits to be finished."""
    config = write_publish_config(tmp_path, lease_seconds=LEASE_SECONDS)
    db = tmp_path / "state.db"
    env = _env(emulator, db)
    hold = emulator.hold(2, "received")
    process = start_publish(config, env, tmp_path)
    try:
        assert hold.reached.wait(60)
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        hold.release.set()
        process.communicate(timeout=60)
    finally:
        hold.release.set()
    waiting = queue_directly(db, 3, due=Store(database_url(db)).clock())
    queue = threadbot(["queue", "--config", str(config)], env, tmp_path)
    assert queue.returncode == 0, queue.stderr
    assert "stopped with 2/4 live; the next daemon finishes it first" in queue.stdout
    assert "waiting behind thread 1" in queue.stdout
    status = threadbot(["status", "--config", str(config)], env, tmp_path)
    assert "`threadbot resume 1`" in status.stdout
    document = threadbot(["queue", "--format", "json", "--config", str(config)], env, tmp_path)
    import json

    items = {item["id"]: item for item in json.loads(document.stdout)["upcoming"]}
    assert items[1]["status"] == "posting"
    assert items[waiting]["held_by"] == 1
