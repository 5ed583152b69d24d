"""`threadbot feed …` and `queue --format json` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

from .conftest import ROOT, write_publish_config
from .http_server import LocalServer, Reply, serve
from .test_following import Feed, item, rss

FEEDS = ROOT / "tests" / "feeds"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve() as local:
        yield local


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"THREADBOT_DB": str(tmp_path / "state.db")}


def run(
    *args: str, env: dict[str, str] | None = None, config: Path | None = None
) -> tuple[int, str, str]:
    extra = ["--config", str(config)] if config is not None else []
    result = CliRunner().invoke(cli, [*args, *extra], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_feed_preview_json_shape() -> None:
    """The documented document: feed, then entries newest first with threads and findings."""
    code, out, _ = run(
        "feed", "preview", str(FEEDS / "rss-full.xml"), "--format", "json", "--no-fetch"
    )
    assert code == 0
    document = json.loads(out)
    assert document["feed"] == {
        "title": "Example Blog",
        "url": "https://blog.example.org/",
        "entries": 2,
        "warnings": [],
    }
    first = document["entries"][0]
    assert set(first) == {"id", "title", "url", "published", "threads", "findings"}
    assert (first["id"], first["published"]) == ("post-2025-seoul", "2025-05-01T00:00:00+00:00")
    assert [t["section"] for t in first["threads"]] == ["Power", "Next"]


def test_feed_preview_limit_and_text() -> None:
    """--limit N keeps the N newest; the text view names each entry and its tweets."""
    code, out, _ = run("feed", "preview", str(FEEDS / "atom.xml"), "--limit", "1")
    assert code == 0
    assert "■ 헬름 3 출시 (2025-06-01)" in out
    assert "nothing was posted or stored" in out


def test_feed_preview_exit_codes(tmp_path: Path) -> None:
    """1 when an entry has validation errors; 2 for a feed that cannot be read."""
    bad = tmp_path / "bad.xml"
    bad.write_bytes(rss(item("x", 3, text="<p>" + "x" * 300 + "</p>")))
    code, _, err = run("feed", "preview", str(bad), "--no-fetch")
    assert code == 1
    assert "an entry has validation errors" in err
    not_feed = tmp_path / "page.txt"
    not_feed.write_text("just words", encoding="utf-8")
    code, _, err = run("feed", "preview", str(not_feed))
    assert code == 2
    assert err.count("\n") == 1
    assert "is not a feed" in err
    code, _, err = run("feed", "preview", str(tmp_path / "missing.xml"))
    assert (code, "no such file" in err) == (2, True)


def test_feed_preview_of_an_unreachable_url(server: LocalServer) -> None:
    """A 404 feed URL is one line and exit 2."""
    server.routes["/gone.xml"] = Reply(404)
    code, _, err = run("feed", "preview", server.url + "/gone.xml")
    assert code == 2
    assert "404" in err


def test_follow_list_check_queue_remove(
    server: LocalServer, env: dict[str, str], tmp_path: Path
) -> None:
    """add marks what is there seen; check queues a new post; queue --format json shows
    its source; list counts; remove stops following."""
    config = write_publish_config(tmp_path)
    feed = Feed(item("a", 1))
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    code, out, err = run(
        "feed", "add", url, "--slots", "daily 09:00", "--tz", "UTC", env=env, config=config
    )
    assert code == 0, err
    assert "following" in out
    code, out, _ = run("feed", "add", url, env=env, config=config)
    assert code == 1
    code, out, _ = run("feed", "check", env=env, config=config)
    assert "1 entries marked seen" in out
    feed.body = rss(item("b", 2), item("a", 1))
    code, out, _ = run("feed", "check", url, "--dry-run", env=env, config=config)
    assert "would queue Post b: 1 thread(s)" in out
    code, out, _ = run("feed", "check", url, env=env, config=config)
    assert "queued Post b: 1 thread(s)" in out
    code, out, _ = run("queue", "--format", "json", env=env, config=config)
    upcoming = json.loads(out)["upcoming"]
    assert [(t["thread"], t["source"], t["status"]) for t in upcoming] == [
        ("b#digest", "https://blog.gonogo.kr/posts/b/", "scheduled")  # the post, once
    ]
    code, out, _ = run("feed", "list", "--format", "json", env=env, config=config)
    listed = json.loads(out)["feeds"][0]
    assert listed["sections"] == "digest"
    assert listed["queue_days_ahead"] is not None
    assert listed["queue_growing"] is False
    assert (listed["url"], listed["entries"]) == (
        url,
        {"seen": 2, "queued": 1, "refused": 0, "edited": 0},
    )
    code, out, _ = run("feed", "remove", url, env=env, config=config)
    assert (code, out.strip()) == (0, f"stopped following {url}")
    code, out, _ = run("feed", "list", env=env, config=config)
    assert "no feeds followed" in out
    code, out, _ = run("queue", "--format", "json", env=env, config=config)
    assert len(json.loads(out)["upcoming"]) == 1


def test_a_feed_added_with_approve_holds_its_threads_for_a_yes(
    server: LocalServer, env: dict[str, str], tmp_path: Path
) -> None:
    """`feed add --approve`: a new post's thread is queued `pending` in its slot; `approve
    --feed URL` lets it post; another feed's threads are not touched."""
    config = write_publish_config(tmp_path)
    feed = Feed(item("a", 1))
    server.routes["/feed.xml"] = feed
    url = server.url + "/feed.xml"
    code, out, err = run(
        "feed", "add", url, "--slots", "daily 09:00", "--tz", "UTC", "--approve",
        env=env, config=config,
    )  # fmt: skip
    assert code == 0, err
    assert "for your approval" in out
    run("feed", "check", env=env, config=config)
    feed.body = rss(item("b", 2), item("a", 1))
    code, out, _ = run("feed", "check", url, env=env, config=config)
    assert "queued Post b: 1 thread(s)" in out
    code, out, _ = run("queue", "--format", "json", env=env, config=config)
    (held,) = json.loads(out)["upcoming"]
    assert (held["thread"], held["status"]) == ("b#digest", "pending")
    assert held["due_at"].endswith("09:00:00+00:00")  # its slot, reserved
    code, out, err = run("approve", "--feed", url, env=env, config=config)
    assert code == 0, err
    assert f"thread {held['id']} approved: b#digest due" in out
    code, out, _ = run("queue", "--format", "json", env=env, config=config)
    assert [t["status"] for t in json.loads(out)["upcoming"]] == ["scheduled"]


@pytest.mark.parametrize(("option", "value"), [("--sections", "some"), ("--slots", "whenever")])
def test_feed_add_refuses_bad_options(
    option: str, value: str, env: dict[str, str], tmp_path: Path
) -> None:
    """A bad --sections or --slots is refused at once, exit 2."""
    code, _, err = run(
        "feed",
        "add",
        "https://blog.example.org/feed.xml",
        option,
        value,
        env=env,
        config=write_publish_config(tmp_path),
    )
    assert code == 2
    assert err.count("\n") <= 4  # click's usage line and the reason, no traceback
    assert "Traceback" not in err
