"""Exactly once on a timeline that is not empty: real processes, every network.

Section 1 is published first; then section 4, whose closing differs from section 1's only
in its ``utm_content`` (as every threadbot closing does), meets a fault at one of its
posts: the connection dropped before or after the network stored it, the answer never
came (a timeout), the process SIGKILLed while the network held the post, or Ctrl-C while
it was in flight. After `resume` (where the process stopped): every post is on the
network exactly once, every chain is intact, the store's ids are the network's, and no
post was adopted from the other thread.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.settings import database_url
from bot.store import Store
from bot.testing.bluesky import BlueskyEmulator
from bot.testing.mastodon import MastodonEmulator
from bot.testing.server import Fault
from bot.testing.x import XEmulator

from .conftest import EXAMPLE, write_publish_config
from .test_networks_e2e import CREATE, chained, network_env
from .test_runtime import threadbot

pytestmark = pytest.mark.e2e

CREATE_X = "POST /2/tweets"
FAULTS = ["drop_before_accept", "drop_after_accept", "timeout", "sigkill", "sigint"]
# Requests that reached the network but made no post: the retry is the post's request.
WASTED = {"drop_before_accept": 1, "timeout": 1}


def _server(
    network: str, x: XEmulator, bluesky: BlueskyEmulator, mastodon: MastodonEmulator
) -> Any:
    return {"x": x, "bluesky": bluesky, "mastodon": mastodon}[network]


def _network_posts(network: str, server: Any) -> list[tuple[str, str]]:
    """(id, text) of every post on the network, oldest first."""
    if network == "x":
        return [(p.id, p.text) for p in server.posts]
    if network == "bluesky":
        return [(r.uri, r.value["text"]) for r in server.posts]
    return [(s.id, s.text) for s in server.posts]


def _publish(network: str, section: int, config: Path, env: dict[str, str], cwd: Path) -> list[str]:
    return [
        sys.executable, "-m", "bot", "publish", str(EXAMPLE), "--section", str(section),
        "--network", network, "--config", str(config),
    ]  # fmt: skip


def _post_count(network: str, section: int, config: Path, env: dict[str, str], cwd: Path) -> int:
    preview = threadbot(
        ["preview", str(EXAMPLE), "--section", str(section), "--network", network,
         "--format", "json", "--config", str(config)],
        env,
        cwd,
    )  # fmt: skip
    assert preview.returncode == 0, preview.stderr
    (thread,) = json.loads(preview.stdout)["threads"]
    return len(thread["tweets"])


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("where", ["second", "closing"])
@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_a_fault_in_the_second_thread_leaves_every_post_once(
    emulator: XEmulator,
    bluesky: BlueskyEmulator,
    mastodon: MastodonEmulator,
    tmp_path: Path,
    network: str,
    where: str,
    fault: str,
) -> None:
    server = _server(network, emulator, bluesky, mastodon)
    config, db = write_publish_config(tmp_path, lease_seconds=1), tmp_path / "state.db"
    env = network_env(emulator, bluesky, mastodon, db)
    first = subprocess.run(
        _publish(network, 1, config, env, tmp_path), env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    before = len(_network_posts(network, server))
    count = _post_count(network, 4, config, env, tmp_path)
    position = 2 if where == "second" else count
    number = before + position  # the network's request number of that post
    if fault in ("sigkill", "sigint"):
        hold = server.hold(number, "accepted" if fault == "sigkill" else "received")
        process = subprocess.Popen(
            _publish(network, 4, config, env, tmp_path), env=env, cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert hold.reached.wait(60), "publish never reached the post"
            process.send_signal(signal.SIGKILL if fault == "sigkill" else signal.SIGINT)
            time.sleep(0.3)
        finally:
            hold.release.set()
        _, err = process.communicate(timeout=60)
        if fault == "sigint" and position < count:
            assert process.returncode == 130, err
            assert "threadbot resume 2 continues" in err
        elif fault == "sigint":
            assert process.returncode == 0, err  # the post in flight was the last
        else:
            time.sleep(1.2)  # the killed process's lease runs out
        resumed = threadbot(["resume", "2", "--config", str(config)], env, tmp_path)
        assert resumed.returncode == 0 or "is already live" in resumed.stderr, resumed.stderr
    else:
        for _ in range(position - 1):
            server.inject(Fault("pass"))
        server.inject(Fault(fault))
        second = subprocess.run(
            _publish(network, 4, config, env, tmp_path), env=env, cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr
    store = Store(database_url(db))
    threads = [store.threads.get(1), store.threads.get(2)]
    assert [t.status for t in threads] == ["posted", "posted"]
    stored = [(tweet.post_id, tweet.text) for thread in threads for tweet in thread.posts]
    on_network = _network_posts(network, server)
    assert [post_id for post_id, _ in on_network] == [post_id for post_id, _ in stored]
    assert len({post_id for post_id, _ in stored}) == len(stored)  # nothing adopted twice
    assert (
        chained(network, server)
        if network != "x"
        else all(
            p.reply_to == (None if p.text.startswith("🧵") else emulator.posts[i - 1].id)
            for i, p in enumerate(emulator.posts)
        )
    )
    creates = server.calls[CREATE_X if network == "x" else CREATE[network]]
    assert creates == len(stored) + WASTED.get(fault, 0)
    store.engine.dispose()
