"""Approval: a thread held for the owner's yes is never posted before it, by any daemon;
approved, it posts once. Rejected, it is cancelled. The next free slot for a late yes."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.settings import database_url
from bot.store import Store
from bot.testing.x import XEmulator

from .conftest import EXAMPLE, write_publish_config
from .databases import postgres_schema
from .test_daemon import daemon, stop, wait_for
from .test_runtime import _env, threadbot


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


def _schedule_held(tmp_path: Path, config: Path, env: dict[str, str], due: dt.datetime) -> None:
    result = threadbot(
        [
            "schedule",
            str(EXAMPLE),
            "--section",
            "5",
            "--at",
            due.strftime("%Y-%m-%d %H:%M:%S"),
            "--tz",
            "UTC",
            "--approve",
            "--config",
            str(config),
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "wait for `threadbot approve`" in result.stdout


@pytest.mark.e2e
def test_two_daemons_never_post_a_pending_thread_and_post_it_once_approved(
    emulator: XEmulator, tmp_path: Path, pg_url: str
) -> None:
    config = write_publish_config(tmp_path)
    env = _env(emulator, tmp_path / "unused.db")
    env["THREADBOT_DB"] = pg_url
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).replace(microsecond=0)
    _schedule_held(tmp_path, config, env, due)
    listed = threadbot(["queue", "--format", "json", "--config", str(config)], env, tmp_path)
    (item,) = json.loads(listed.stdout)["upcoming"]
    assert (item["status"], item["thread"]) == ("pending", "kpop-asean-plus-three#5")
    with (
        daemon(tmp_path, config, env, name="d1") as d1,
        daemon(tmp_path, config, env, name="d2") as d2,
    ):
        # Its slot comes and goes while both daemons poll every second: nothing posts.
        while dt.datetime.now(dt.UTC) < due + dt.timedelta(seconds=3):
            time.sleep(0.2)
        assert emulator.posts == []
        assert emulator.calls["POST /2/tweets"] == 0
        approved = threadbot(
            [
                "approve",
                "kpop-asean-plus-three#5",
                "--at",
                due.strftime("%Y-%m-%d %H:%M:%S"),
                "--tz",
                "UTC",
                "--now",
                "--config",
                str(config),
            ],
            env,
            tmp_path,
        )
        assert approved.returncode == 0, approved.stderr
        wait_for(lambda: len(emulator.posts) == 4, what="4 posts")
        time.sleep(2.0)  # a second poster would show now (lease 1 s, poll 1 s)
        assert stop(d1) == 0
        assert stop(d2) == 0
    assert emulator.calls["POST /2/tweets"] == 4
    assert len({post.text for post in emulator.posts}) == 4
    store = Store(pg_url)
    (record,) = store.threads.all()
    assert record.status == "posted"
    store.engine.dispose()


def _held_thread(tmp_path: Path, due: dt.datetime) -> tuple[Path, Path]:
    config = write_publish_config(tmp_path)
    db = tmp_path / "state.db"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "schedule",
            str(EXAMPLE),
            "--section",
            "5",
            "--at",
            due.strftime("%Y-%m-%d %H:%M"),
            "--tz",
            "UTC",
            "--now",
            "--approve",
            "--config",
            str(config),
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    return config, db


def test_a_late_yes_takes_the_next_free_slot_and_a_no_cancels(tmp_path: Path) -> None:
    """Approved after its slot passed, a thread gets the next [feeds] slot (daily 09:00,
    in the config's zone); rejected, it is cancelled; neither repeats."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    config, db = _held_thread(tmp_path, past)
    runner = CliRunner()
    args = ["--config", str(config), "--db", str(db)]
    # Scheduling the same article again never approves what waits.
    again = runner.invoke(
        cli,
        [
            "schedule",
            str(EXAMPLE),
            "--section",
            "5",
            "--at",
            "2030-01-01 10:00",
            "--tz",
            "UTC",
            *args,
        ],
    )
    assert again.exit_code == 0, again.output
    assert "already queued" in again.output
    store = Store(database_url(db))
    (record,) = store.threads.all()
    assert record.status == "pending"
    approved = runner.invoke(cli, ["approve", str(record.id), "--tz", "UTC", *args])
    assert approved.exit_code == 0, approved.output
    assert "its slot had passed" in approved.output
    record = store.threads.get(record.id)
    assert record.status == "scheduled"
    assert record.due_at is not None
    assert record.due_at > dt.datetime.now(dt.UTC)
    assert (record.due_at.hour, record.due_at.minute) == (9, 0)
    # Approving again: it is not pending any more (exit 1, left as it is).
    twice = runner.invoke(cli, ["approve", "kpop-asean-plus-three#5", *args])
    assert twice.exit_code == 1
    assert "not pending" in twice.output
    rejected = runner.invoke(cli, ["reject", str(record.id), *args])
    assert rejected.exit_code == 1
    assert store.threads.get(record.id).status == "scheduled"
    store.engine.dispose()


def test_reject_cancels_a_pending_thread_and_approve_needs_to_know_which(
    tmp_path: Path,
) -> None:
    config, db = _held_thread(tmp_path, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    runner = CliRunner()
    args = ["--config", str(config), "--db", str(db)]
    bare = runner.invoke(cli, ["approve", *args])
    assert bare.exit_code == 2
    assert "THREAD…, --all, or --feed URL" in bare.output
    queue = runner.invoke(cli, ["queue", *args])
    assert "pending" in queue.output
    assert "threadbot approve" in queue.output
    rejected = runner.invoke(cli, ["reject", "kpop-asean-plus-three#5", *args])
    assert rejected.exit_code == 0, rejected.output
    store = Store(database_url(db))
    (record,) = store.threads.all()
    assert (record.status, record.last_error) == ("cancelled", "rejected by the owner")
    assert runner.invoke(cli, ["approve", "--all", *args]).output.strip() == (
        "nothing waits for approval"
    )
    store.engine.dispose()
