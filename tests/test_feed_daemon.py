"""`threadbot run` following a served feed: real processes, the X emulator, SIGKILL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.testing.x import XEmulator

from .conftest import write_publish_config
from .http_server import LocalServer, Reply, Request, serve
from .test_daemon import daemon, wait_for
from .test_following import Feed, item, rss
from .test_runtime import _env, threadbot

pytestmark = pytest.mark.e2e


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve() as local:
        yield local


def feed_config(tmp_path: Path) -> Path:
    config = write_publish_config(tmp_path)
    # Check feeds every second, each feed every 1.2 s.
    with config.open("a", encoding="utf-8") as file:
        file.write("\n[feeds]\npoll_minutes = 0.02\ncheck_seconds = 1\n")
    return config


def queued(env: dict[str, str], config: Path, cwd: Path) -> list[dict[str, object]]:
    result = threadbot(["queue", "--format", "json", "--config", str(config)], env, cwd)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    return [*document["upcoming"], *document["recent"]]


def test_daemon_queues_a_new_post_and_posts_it_at_its_slot(
    tmp_path: Path, server: LocalServer, emulator: XEmulator
) -> None:
    """A post added while the daemon runs is queued once into the next slot and posted
    there: one POST per tweet, nothing from what the feed held when it was added."""
    feed = Feed(item("old", 1))
    server.routes["/feed.xml"] = feed
    config = feed_config(tmp_path)
    env = _env(emulator, tmp_path / "state.db")
    # The first whole minute at least 40 s away: time for two polls and the queueing.
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=40)
    slot = (soon.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)).strftime("%H:%M")
    added = threadbot(
        [
            "feed",
            "add",
            server.url + "/feed.xml",
            "--slots",
            f"daily {slot}",
            "--tz",
            "UTC",
            "--config",
            str(config),
        ],
        env,
        tmp_path,
    )
    assert added.returncode == 0, added.stderr
    with daemon(tmp_path, config, env) as running:
        wait_for(lambda: server.count("/feed.xml") >= 2, what="two polls")
        feed.body = rss(item("new", 2), item("old", 1))
        wait_for(lambda: len(queued(env, config, tmp_path)) == 1, what="the new post queued")
        [thread] = queued(env, config, tmp_path)
        assert (thread["thread"], thread["source"]) == (
            "new#digest",
            "https://blog.gonogo.kr/posts/new/",
        )
        assert str(thread["due_at"]).endswith(f"{slot}:00+00:00")
        wait_for(
            lambda: queued(env, config, tmp_path)[0]["status"] == "posted",
            timeout=100,
            what="posted at the slot",
        )
        assert "queued: Post new" in running.text()
    tweets = int(str(thread["tweets"]))
    assert emulator.calls["POST /2/tweets"] == tweets
    assert len(emulator.posts) == tweets


def test_killed_mid_poll_a_restart_queues_the_post_once(
    tmp_path: Path, server: LocalServer, emulator: XEmulator
) -> None:
    """SIGKILL while a poll fetches a post's page (after the feed, before the commit):
    the restarted daemon queues the post once; re-dating it later queues nothing."""
    feed = Feed()
    pages = {"slow": True}
    page = (
        b'<html><head><link rel="canonical" href="https://blog.gonogo.kr/posts/s/"></head><body>'
        b"<article><h2>Full</h2><p>The whole post is here. It is long enough.</p></article></body></html>"
    )

    def post_page(request: Request) -> Reply:
        return Reply(200, page, {"Content-Type": "text/html"}, delay=30 if pages["slow"] else 0)

    server.routes.update({"/feed.xml": feed, "/posts/s/": post_page})
    config = feed_config(tmp_path)
    env = _env(emulator, tmp_path / "state.db")
    url = server.url + "/feed.xml"
    assert threadbot(["feed", "add", url, "--config", str(config)], env, tmp_path).returncode == 0
    teaser = (
        f"<item><title>S</title><link>{server.url}/posts/s/</link><guid>s</guid>"
        "<pubDate>{day} Jun 2025 06:00:00 +0000</pubDate><description>Teaser.</description></item>"
    )
    with daemon(tmp_path, config, env, name="first") as first:
        wait_for(lambda: server.count("/feed.xml") >= 1, what="the first poll")
        feed.body = rss(teaser.format(day="02"))
        wait_for(lambda: server.count("/posts/s/") >= 1, what="the page fetch")
        first.process.kill()
        first.process.wait(10)
    assert queued(env, config, tmp_path) == []
    pages["slow"] = False
    with daemon(tmp_path, config, env, name="second"):
        wait_for(lambda: len(queued(env, config, tmp_path)) == 1, what="queued after restart")
        feed.body = rss(teaser.format(day="05"))  # re-dated: must not be queued again
        polls = server.count("/feed.xml")
        wait_for(lambda: server.count("/feed.xml") >= polls + 2, what="two more polls")
    assert [t["thread"] for t in queued(env, config, tmp_path)] == ["s#digest"]
