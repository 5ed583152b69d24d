"""The example on X, Bluesky and Mastodon at once: `schedule --networks`, `threadbot run`
and the three emulators over real HTTP, each post counted; and crash tests per network:
a `publish` SIGKILLed while a post is received, accepted or answered, then `resume`; a
process deleting a post SIGKILLed at each phase of its delete."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.networks.bluesky import new_rkey
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.mastodon.client import MastodonClient
from bot.settings import database_url
from bot.store import Store
from bot.testing.bluesky import APP_PASSWORD, HANDLE, BlueskyEmulator
from bot.testing.mastodon import ACCESS_TOKEN, MastodonEmulator
from bot.testing.x import ACCESS_TOKEN as X_ACCESS_TOKEN
from bot.testing.x import ACCESS_TOKEN_SECRET, CONSUMER_KEY, CONSUMER_SECRET, XEmulator

from .conftest import EXAMPLE, write_publish_config
from .test_daemon import daemon, stop, wait_for
from .test_runtime import _env, threadbot

pytestmark = pytest.mark.e2e

CREATE = {"bluesky": "POST com.atproto.repo.createRecord", "mastodon": "POST /api/v1/statuses"}
DELETE = {
    "x": "DELETE /2/tweets/:id",
    "bluesky": "POST com.atproto.repo.deleteRecord",
    "mastodon": "DELETE /api/v1/statuses/:id",
}
# A process that deletes one post through its network's adapter, as the runtime will.
DELETE_ONE = """
import os, sys

network, post_id = sys.argv[1:]
if network == "x":
    from bot.networks.x.client import TweepyXClient

    client = TweepyXClient(
        api_key=os.environ["X_API_KEY"],
        api_secret=os.environ["X_API_SECRET"],
        access_token=os.environ["X_ACCESS_TOKEN"],
        access_token_secret=os.environ["X_ACCESS_TOKEN_SECRET"],
        base_url=os.environ["THREADBOT_X_API_URL"],
    )
elif network == "bluesky":
    from bot.networks.bluesky.client import BlueskyClient

    client = BlueskyClient(
        handle=os.environ["BLUESKY_HANDLE"],
        app_password=os.environ["BLUESKY_APP_PASSWORD"],
        pds_url=os.environ["THREADBOT_BLUESKY_PDS_URL"],
    )
else:
    from bot.networks.mastodon.client import MastodonClient

    client = MastodonClient(
        instance_url=os.environ["THREADBOT_MASTODON_URL"],
        access_token=os.environ["MASTODON_ACCESS_TOKEN"],
    )
print(client.delete_post(post_id))
"""


def network_env(
    x: XEmulator, bluesky: BlueskyEmulator, mastodon: MastodonEmulator, db: Path
) -> dict[str, str]:
    env = _env(x, db)
    env.update(
        THREADBOT_BLUESKY_PDS_URL=bluesky.url,
        BLUESKY_HANDLE=HANDLE,
        BLUESKY_APP_PASSWORD=APP_PASSWORD,
        THREADBOT_MASTODON_URL=mastodon.url,
        MASTODON_ACCESS_TOKEN=ACCESS_TOKEN,
    )
    return env


def texts(network: str, server: Any) -> list[str]:
    if network == "bluesky":
        return [record.value["text"] for record in server.posts]
    return [status.text for status in server.posts]


def chained(network: str, server: Any) -> bool:
    """Every post after a thread's first replies to the one before it."""
    posts = server.posts
    for before, post in itertools.pairwise(posts):
        if network == "bluesky":
            parent = (post.value.get("reply") or {}).get("parent", {}).get("uri")
            first = post.value["text"].startswith("🧵")
            if not first and parent != before.uri:
                return False
        elif not post.text.startswith("🧵") and post.in_reply_to_id != before.id:
            return False
    return True


def test_one_schedule_posts_every_section_on_three_networks_each_once(
    emulator: XEmulator,
    bluesky: BlueskyEmulator,
    mastodon: MastodonEmulator,
    tmp_path: Path,
    db_url: str,
) -> None:
    """`schedule --networks x,bluesky,mastodon`: a thread per section on each network,
    each split by its rules, posted at the slot by one daemon; one create per post (on
    SQLite and on PostgreSQL)."""
    config = write_publish_config(tmp_path)
    env = network_env(emulator, bluesky, mastodon, tmp_path / "unused.db")
    env["THREADBOT_DB"] = db_url
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    queued = threadbot(
        [
            "schedule", str(EXAMPLE), "--networks", "x,bluesky,mastodon",
            "--at", due.strftime("%Y-%m-%d %H:%M:%S"), "--tz", "UTC", "--now",
            "--config", str(config),
        ],
        env,
        tmp_path,
    )  # fmt: skip
    assert queued.returncode == 0, queued.stderr
    store = Store(db_url)
    threads = store.threads.all()
    assert sorted({t.network for t in threads}) == ["bluesky", "mastodon", "x"]
    expected = {net: sum(len(t.posts) for t in threads if t.network == net) for net in CREATE}
    expected_x = sum(len(t.posts) for t in threads if t.network == "x")
    with daemon(tmp_path, config, env, "--max-threads", "3") as running:
        wait_for(
            lambda: (
                len(emulator.posts) == expected_x
                and len(bluesky.posts) == expected["bluesky"]
                and len(mastodon.posts) == expected["mastodon"]
            ),
            timeout=120,
            what="every post on every network",
        )
        time.sleep(1.5)
        assert stop(running) == 0
    assert emulator.calls["POST /2/tweets"] == expected_x
    for network, server in (("bluesky", bluesky), ("mastodon", mastodon)):
        assert server.calls[CREATE[network]] == expected[network]
        stored = [tw.text for t in threads if t.network == network for tw in t.posts]
        assert sorted(texts(network, server)) == sorted(stored)  # each post exactly once
        assert chained(network, server)
    assert {t.status for t in store.threads.all()} == {"posted"}
    store.engine.dispose()
    queue = threadbot(["queue", "--format", "json", "--config", str(config)], env, tmp_path)
    items = json.loads(queue.stdout)["recent"]
    assert {item["network"] for item in items} == {"x", "bluesky", "mastodon"}
    assert all(item["url"] for item in items)
    assert any("bsky.app/profile/" in item["url"] for item in items)


def kill_publish(network: str, hold: Any, config: Path, env: dict[str, str], cwd: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "bot", "publish", str(EXAMPLE), "--section", "5",
            "--network", network, "--config", str(config),
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert hold.reached.wait(30), "the publish never reached the held post"
        process.kill()
        process.wait(10)
    finally:
        hold.release.set()
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize("phase", ["received", "accepted", "responded"])
@pytest.mark.parametrize("position", [1, 2, 3])  # section 5: 3 posts on Mastodon, 4 on Bluesky
@pytest.mark.parametrize("network", ["bluesky", "mastodon"])
def test_killed_at_any_post_and_phase_then_resumed_posts_each_once(
    emulator: XEmulator,
    bluesky: BlueskyEmulator,
    mastodon: MastodonEmulator,
    tmp_path: Path,
    network: str,
    position: int,
    phase: str,
) -> None:
    """SIGKILL while post N of a thread is received, accepted or answered; `resume`:
    every post exists once and the chain is intact — the key stored before sending means
    a second create under it never makes a second post."""
    server: Any = bluesky if network == "bluesky" else mastodon
    config, db = write_publish_config(tmp_path, lease_seconds=1), tmp_path / "state.db"
    env = network_env(emulator, bluesky, mastodon, db)
    hold = server.hold(position, phase)
    kill_publish(network, hold, config, env, tmp_path)
    time.sleep(1.2)  # the dead process's lease runs out
    resumed = threadbot(["resume", "1", "--config", str(config)], env, tmp_path)
    if phase == "responded" and resumed.returncode == 1:
        # The last answer got through and was recorded before the kill landed.
        assert "is already live" in resumed.stderr
    else:
        assert resumed.returncode == 0, resumed.stderr
    record = Store(database_url(db)).threads.get(1)
    assert record.network == network
    assert record.status == "posted"
    count = len(record.posts)
    posted = texts(network, server)
    assert len(posted) == count
    assert len(set(posted)) == count
    assert chained(network, server)
    assert [t.post_key is not None for t in record.posts] == [True] * count
    # One create per post, and at most one more for the post whose fate was unknown,
    # sent again under the same key (which makes no second post).
    creates = server.calls[CREATE[network]]
    assert count <= creates <= count + 1


def test_a_daemon_killed_mid_thread_on_bluesky_and_mastodon_is_finished_once(
    emulator: XEmulator,
    bluesky: BlueskyEmulator,
    mastodon: MastodonEmulator,
    tmp_path: Path,
) -> None:
    """A daemon SIGKILLed while both networks have post 2 accepted but unanswered: the
    next daemon takes both threads over after the lease, reads post 2 back (Bluesky by
    its record key, Mastodon among recent statuses) and finishes — each post once."""
    config = write_publish_config(tmp_path, lease_seconds=1)
    db = tmp_path / "state.db"
    env = network_env(emulator, bluesky, mastodon, db)
    holds = [bluesky.hold(2, "accepted"), mastodon.hold(2, "accepted")]
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    queued = threadbot(
        [
            "schedule", str(EXAMPLE), "--section", "5", "--networks", "bluesky,mastodon",
            "--at", due.strftime("%Y-%m-%d %H:%M:%S"), "--tz", "UTC", "--now",
            "--config", str(config),
        ],
        env,
        tmp_path,
    )  # fmt: skip
    assert queued.returncode == 0, queued.stderr
    with daemon(tmp_path, config, env, "--max-threads", "2", name="first") as first:
        for hold in holds:
            assert hold.reached.wait(30)
        first.process.kill()
        first.process.wait(10)
        for hold in holds:
            hold.release.set()
    store = Store(database_url(db))
    counts = {t.network: len(t.posts) for t in store.threads.all()}
    with daemon(tmp_path, config, env, name="second") as second:
        wait_for(
            lambda: (
                len(bluesky.posts) == counts["bluesky"]
                and len(mastodon.posts) == counts["mastodon"]
            ),
            timeout=60,
            what="both threads finished",
        )
        time.sleep(1.5)
        assert stop(second) == 0
    for network, server in (("bluesky", bluesky), ("mastodon", mastodon)):
        assert len(texts(network, server)) == counts[network]
        assert len(set(texts(network, server))) == counts[network]
        assert server.calls[CREATE[network]] == counts[network]  # post 2 was never resent
        assert chained(network, server)
    assert {t.status for t in store.threads.all()} == {"posted"}
    assert "already live" in second.text()
    assert emulator.calls["POST /2/tweets"] == 0


def test_mastodon_posts_are_split_by_the_instances_own_limit(
    emulator: XEmulator, bluesky: BlueskyEmulator, tmp_path: Path
) -> None:
    """No `max_characters` in the config: `publish --network mastodon` reads the
    instance's limit (here 150) from /api/v2/instance and splits by it; every status
    fits, and the instance accepts each one once."""
    from threads.networks import MastodonRule

    small = MastodonEmulator(max_characters=150)
    small.start()
    try:
        config, db = write_publish_config(tmp_path), tmp_path / "state.db"
        env = network_env(emulator, bluesky, small, db)
        result = threadbot(
            [
                "publish", str(EXAMPLE), "--section", "5", "--network", "mastodon",
                "--config", str(config),
            ],
            env,
            tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert small.calls["GET /api/v2/instance"] == 1
        rule = MastodonRule(limit=150)
        posted = [status.text for status in small.posts]
        assert len(posted) > 3  # more than the 500-character split would need
        assert all(rule.fits(text) for text in posted)
        assert small.calls[CREATE["mastodon"]] == len(posted)
    finally:
        small.stop()


def _adapter(network: str, server: Any) -> Any:
    if network == "x":
        from bot.networks.x.client import TweepyXClient

        return TweepyXClient(
            api_key=CONSUMER_KEY,
            api_secret=CONSUMER_SECRET,
            access_token=X_ACCESS_TOKEN,
            access_token_secret=ACCESS_TOKEN_SECRET,
            base_url=server.url,
        )
    if network == "bluesky":
        return BlueskyClient(handle=HANDLE, app_password=APP_PASSWORD, pds_url=server.url)
    return MastodonClient(instance_url=server.url, access_token=ACCESS_TOKEN)


@pytest.mark.parametrize("phase", ["received", "accepted", "responded"])
@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_a_delete_killed_at_any_phase_is_settled_by_deleting_again(
    emulator: XEmulator,
    bluesky: BlueskyEmulator,
    mastodon: MastodonEmulator,
    tmp_path: Path,
    network: str,
    phase: str,
) -> None:
    """SIGKILL a process while its delete is received, accepted or answered: the
    request it sent still lands (a server finishes what it received), and deleting
    again, as a resumed caller does, is one more request answered False — gone already,
    never an error and never a second deletion."""
    server: Any = {"x": emulator, "bluesky": bluesky, "mastodon": mastodon}[network]
    client = _adapter(network, server)
    post = client.create_post(f"to delete on {network}", None, key=new_rkey())
    hold = server.hold_delete(1, phase)
    process = subprocess.Popen(
        [sys.executable, "-c", DELETE_ONE, network, post],
        env=network_env(emulator, bluesky, mastodon, tmp_path / "unused.db"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert hold.reached.wait(30), "the process never reached the held delete"
        assert (len(server.posts) == 1) is (phase == "received")  # held before deleting
        process.kill()
        process.wait(10)
    finally:
        hold.release.set()
        if process.poll() is None:
            process.kill()
    wait_for(lambda: server.posts == [], timeout=10, what="the killed process's delete")
    try:
        assert client.delete_post(post) is False
    finally:
        if network != "x":
            client.close()
    assert server.posts == []
    assert server.calls[DELETE[network]] == 2
