"""Publishing as a user does it: real `threadbot` processes against the X API emulator.

The emulator accepts repeated text (see conftest), so every exactly-once test counts
requests: POST /2/tweets attempts equal the tweets posted, plus one for each request
the emulator received but never accepted. The full kill-point matrix runs in-process
in tests/test_publisher.py; here each phase is killed for real once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.settings import database_url
from bot.store import Store
from bot.testing.x import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    SECRETS,
    USERNAME,
    Fault,
    XEmulator,
)

from .conftest import CONFIG, EXAMPLE, ROOT, write_publish_config

SECTION = "5"  # 4 tweets
LOOKUPS = "GET /2/users/:id/tweets"

pytestmark = pytest.mark.e2e


def _env(emulator: XEmulator, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "THREADBOT_"))}
    env.update(
        THREADBOT_X_API_URL=emulator.url,
        THREADBOT_DB=str(db),
        X_API_KEY=CONSUMER_KEY,
        X_API_SECRET=CONSUMER_SECRET,
        X_ACCESS_TOKEN=ACCESS_TOKEN,
        X_ACCESS_TOKEN_SECRET=ACCESS_TOKEN_SECRET,
    )
    return env


def threadbot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def kill_publish_at(hold: Any, config: Path, env: dict[str, str], cwd: Path) -> None:
    """Start `threadbot publish` of SECTION and SIGKILL it when the emulator reaches ``hold``."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "publish",
            str(EXAMPLE),
            "--section",
            SECTION,
            "--config",
            str(config),
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert hold.reached.wait(60), "the publish process never reached the kill point"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        hold.release.set()
    assert process.returncode == -signal.SIGKILL


def _assert_chain(emulator: XEmulator, count: int, *, refused: int = 0) -> None:
    """``count`` posts, each text once, chained; one POST each plus ``refused`` requests
    that created nothing (server errors, a request killed before it was accepted)."""
    posts = emulator.posts
    assert len(posts) == count
    assert len({p.text for p in posts}) == count
    assert [p.reply_to for p in posts] == [None, *[p.id for p in posts[:-1]]]
    assert emulator.calls["POST /2/tweets"] == count + refused


def test_publish_prints_urls_and_refuses_a_second_time(emulator: XEmulator, tmp_path: Path) -> None:
    """A section posts as a reply chain with each URL printed; publishing again is refused with its URL."""
    config, db = write_publish_config(tmp_path), tmp_path / "state.db"
    env = _env(emulator, db)
    first = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)], env, tmp_path
    )
    assert first.returncode == 0, first.stderr
    _assert_chain(emulator, 4)
    urls = [f"https://x.com/{USERNAME}/status/{p.id}" for p in emulator.posts]
    assert first.stdout.splitlines() == [
        "thread 1 (kpop-asean-plus-three#5): 4 posts",
        *[f"  {n}. {u}" for n, u in enumerate(urls, 1)],
    ]
    assert emulator.calls["POST /2/tweets"] == 4
    assert emulator.calls["GET /2/users/me"] == 1
    again = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)], env, tmp_path
    )
    assert (again.returncode, again.stderr) == (
        1,
        f"error: kpop-asean-plus-three#5 is already live as thread 1: {urls[0]}\n",
    )
    assert len(emulator.posts) == 4
    status = threadbot(["status", "--config", str(config)], env, tmp_path)
    assert (
        status.stdout.splitlines()[0]
        == f"   1  posted    4/4 live  kpop-asean-plus-three#5  {urls[0]}"
    )
    assert status.stdout.splitlines()[-1].startswith(
        "this month: 4 posts, $0.245 · last 24 h: 4 posts"
    )


def test_dry_run_touches_neither_x_nor_the_store(emulator: XEmulator, tmp_path: Path) -> None:
    """--dry-run prints the exact posts, makes no request and creates no store."""
    config, db = write_publish_config(tmp_path), tmp_path / "state.db"
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--dry-run", "--config", str(config)],
        _env(emulator, db),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "dry run: these are the exact posts; nothing is sent or stored\n"
    )
    assert "read the full article:" in result.stdout
    assert sum(emulator.calls.values()) == 0
    assert not db.exists()


def test_placeholder_links_block_publishing(emulator: XEmulator, tmp_path: Path) -> None:
    """With the shipped example.com links, publish refuses (exit 1) and posts nothing."""
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(CONFIG)],
        _env(emulator, tmp_path / "s.db"),
        tmp_path,
    )
    assert result.returncode == 1
    assert "error   link-placeholder · " in result.stderr
    assert result.stderr.endswith("error: validation found errors: nothing was posted\n")
    assert sum(emulator.calls.values()) == 0


def test_missing_credential_names_the_variable(emulator: XEmulator, tmp_path: Path) -> None:
    """A missing credential is one line naming it, exit 2, nothing posted."""
    config = write_publish_config(tmp_path)
    env = _env(emulator, tmp_path / "s.db")
    del env["X_ACCESS_TOKEN_SECRET"]
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)], env, tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: X_ACCESS_TOKEN_SECRET is not set: export it or add to .env"
    )
    assert sum(emulator.calls.values()) == 0


def test_check_online(emulator: XEmulator, tmp_path: Path) -> None:
    """check --online logs in to the account's network with one GET /2/users/me (the
    config's links are not fetched: it says `[links] check = false`), and warns that the
    closing post still recommends the shipped example's account."""
    config = write_publish_config(tmp_path)
    result = threadbot(
        ["check", "--online", "--config", str(config)], _env(emulator, tmp_path / "s.db"), tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"config: {config}: ok",
        f"templates: {ROOT / 'templates'}: ok",
        f"warning example-identity · {config} site.recommendations",
    ]
    assert "@GONOGO_Korea, the shipped example's account" in lines[3]
    assert lines[4:] == [
        f"x: credentials ok, posting as @{USERNAME}",
        "links: not fetched ([links] check = false)",
    ]
    assert dict(emulator.calls) == {"GET /2/users/me": 1}


def test_check_reports_placeholders(emulator: XEmulator, tmp_path: Path) -> None:
    """check treats the example config's placeholder links as errors (exit 1)."""
    result = threadbot(
        ["check", "--config", str(CONFIG)], _env(emulator, tmp_path / "s.db"), tmp_path
    )
    assert result.returncode == 1
    assert "error   link-placeholder · " in result.stdout


@pytest.mark.parametrize("verbosity", [[], ["-v"], ["-vv"]])
def test_secrets_never_appear(emulator: XEmulator, tmp_path: Path, verbosity: list[str]) -> None:
    """At any verbosity, no credential (plain or URL-encoded) reaches stdout or stderr."""
    config = write_publish_config(tmp_path)
    result = threadbot(
        [*verbosity, "publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)],
        _env(emulator, tmp_path / "s.db"),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    if verbosity == ["-vv"]:
        assert (
            "Authorization" in result.stderr or "oauth" in result.stderr.lower()
        )  # debug logs did run
    output = result.stdout + result.stderr
    for secret in SECRETS:
        assert secret not in output
        assert quote(secret, safe="") not in output


def test_server_errors_are_retried_transparently(emulator: XEmulator, tmp_path: Path) -> None:
    """A 500 from X is retried with backoff; the thread still posts once, in order."""
    config, db = write_publish_config(tmp_path), tmp_path / "state.db"
    emulator.faults.append(Fault("500"))
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)],
        _env(emulator, db),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    _assert_chain(emulator, 4, refused=1)
    assert emulator.calls[LOOKUPS] == 1  # X may have taken the post before failing: look first


def test_daily_cap_defers_then_resume(emulator: XEmulator, tmp_path: Path) -> None:
    """A daily cap mid-thread stops (exit 1), status shows the reset, resume completes."""
    config, db = write_publish_config(tmp_path), tmp_path / "state.db"
    env = _env(emulator, db)
    # posts 1 and 2 go through, the third request hits the 24-hour cap
    emulator.faults.extend([Fault("pass"), Fault("pass"), Fault("daily_cap", reset_in=3600)])
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)], env, tmp_path
    )
    assert result.returncode == 1
    assert "24-hour post cap" in result.stderr
    assert len(emulator.posts) == 2
    assert emulator.calls["POST /2/tweets"] == 3
    status = threadbot(["status", "1", "--config", str(config)], env, tmp_path)
    assert "deferred  2/4 live" in status.stdout
    assert "deferred until " in status.stdout
    resumed = threadbot(["resume", "1", "--config", str(config)], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert (
        resumed.stdout.splitlines()[0]
        == "thread 1 (kpop-asean-plus-three#5): 4 posts, 2 already live"
    )
    _assert_chain(emulator, 4, refused=1)


KILL_POINTS = [(2, phase) for phase in ("received", "accepted", "responded")]


@pytest.mark.parametrize(
    ("post_number", "phase"), KILL_POINTS, ids=[f"post{n}-{p}" for n, p in KILL_POINTS]
)
def test_sigkill_anywhere_then_resume_posts_each_tweet_once(
    emulator: XEmulator, tmp_path: Path, post_number: int, phase: str
) -> None:
    """SIGKILL a real publish before/after X accepts tweet n; resume waits out the dead
    process's lease, then leaves every tweet once, chained, one POST each."""
    config, db = write_publish_config(tmp_path), tmp_path / "state.db"
    env = _env(emulator, db)
    kill_publish_at(emulator.hold(post_number, phase), config, env, tmp_path)
    accepted_before_kill = post_number - (1 if phase == "received" else 0)
    # Held after answering, the client has the answer and may go on to the next tweet
    # before the kill lands.
    before_kill = len(emulator.posts)
    if phase == "responded":
        assert before_kill >= accepted_before_kill
    else:
        assert before_kill == accepted_before_kill
    lease_until = Store(database_url(db)).threads.get(1).lease_until
    assert lease_until is not None
    resumed = threadbot(["resume", "1", "--config", str(config)], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    # Nothing is sent before the dead process's lease expired (resume waits it out).
    # (The held request itself lands when released, whatever the client's fate.)
    by_resume = emulator.posts[max(before_kill, post_number) :]
    assert all(post.created >= lease_until.timestamp() for post in by_resume)
    # Even a request held at "received" is accepted once released: the emulator's side
    # goes on after the client died. Killed before the answer arrived, tweet 2 is left
    # `sending`: one look-up. Held after answering, the client may have recorded the id
    # before the kill: then there is nothing to look up.
    _assert_chain(emulator, 4)
    lookups = emulator.calls[LOOKUPS]
    assert lookups == 1 if phase != "responded" else lookups <= 1
    stored = Store(database_url(db)).threads.get(1)
    assert [t.post_id for t in stored.posts] == [p.id for p in emulator.posts]
    assert stored.status == "posted"
    # publishing again after the resume is refused, not repeated
    again = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)], env, tmp_path
    )
    assert again.returncode == 1
    assert len(emulator.posts) == 4


def test_charts_are_uploaded_with_alt_text_and_attached(
    emulator: XEmulator, tmp_path: Path
) -> None:
    """With charts = true the market-size fact tweet carries its chart, alt text set, bytes as drawn."""
    from bot.charts import render_png
    from threads.charts import chart_for
    from threads.parsing import load_article

    config = write_publish_config(tmp_path, charts=True)
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)],
        _env(emulator, tmp_path / "s.db"),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    _assert_chain(emulator, 4)
    assert [len(p.media_ids) for p in emulator.posts] == [0, 1, 0, 0]
    media = emulator.media[emulator.posts[1].media_ids[0]]
    spec = chart_for(load_article(EXAMPLE).sections[4].facts[0])
    assert spec is not None
    assert (
        media.alt_text
        == "Bar chart: global K-pop market, USD 8.1 billion in 2021, forecast USD 20 billion in 2031"
    )
    assert media.png == render_png(spec)
    assert emulator.calls["POST /2/media/upload"] == 1


def test_dropped_upload_is_retried_without_a_duplicate_post(
    emulator: XEmulator, tmp_path: Path
) -> None:
    """An upload X kept but never confirmed is retried; the post goes out once with one image."""
    config = write_publish_config(tmp_path, charts=True)
    emulator.upload_faults.append(Fault("drop_after_accept"))
    result = threadbot(
        ["publish", str(EXAMPLE), "--section", SECTION, "--config", str(config)],
        _env(emulator, tmp_path / "s.db"),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    _assert_chain(emulator, 4)
    assert emulator.calls["POST /2/media/upload"] == 2  # the orphan expires unposted after 24 h
    assert [len(p.media_ids) for p in emulator.posts] == [0, 1, 0, 0]


def test_crash_after_upload_reuses_it_on_resume(emulator: XEmulator, tmp_path: Path) -> None:
    """Killed after the upload was recorded but before the post: resume posts with the same image."""
    config, db = write_publish_config(tmp_path, charts=True), tmp_path / "s.db"
    env = _env(emulator, db)
    kill_publish_at(emulator.hold(2, "received"), config, env, tmp_path)
    resumed = threadbot(["resume", "1", "--config", str(config)], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    _assert_chain(emulator, 4)
    assert emulator.calls["POST /2/media/upload"] == 1
    assert emulator.posts[1].media_ids == tuple(emulator.media)
