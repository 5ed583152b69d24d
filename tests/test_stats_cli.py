"""`threadbot stats` end to end in-process (CliRunner), against the emulators over real
HTTP and a store on SQLite and PostgreSQL: requests counted, the JSON document's shape,
read-through exact, --no-read, and a refused read's one line and exit 1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.networks.bluesky import new_rkey
from bot.networks.bluesky.client import BlueskyClient
from bot.store import MetricsRecord, Store, ThreadRecord
from bot.testing.bluesky import APP_PASSWORD, HANDLE, BlueskyEmulator
from bot.testing.x import USERNAME, XEmulator
from bot.views.stats import numbers, percents

from .conftest import write_publish_config
from .posted import mark_deleted, posted_thread, texts

LOOKUP = "GET /2/tweets"
GET_POSTS = "GET app.bsky.feed.getPosts"
# Each post's impressions: 100% 64% 41% 30% of the first's.
IMPRESSIONS = [1000, 640, 410, 300]


def stats(
    db_url: str, config: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["stats", *args, "--db", db_url, "--config", str(config)], env=env or {}
    )
    return result.exit_code, result.stdout, result.stderr


def x_thread(store: Store, emulator: XEmulator, posts: int, key: str) -> ThreadRecord:
    ids = [emulator.add_post(text).id for text in texts(posts)]
    return posted_thread(store, ids, posted_at=store.clock() - dt.timedelta(hours=2), key=key)


def utc_day(store: Store) -> dt.date:
    return store.clock().astimezone(dt.UTC).date()


def test_250_posts_are_three_requests_and_none_again_that_day(
    store: Store, emulator: XEmulator, tmp_path: Path
) -> None:
    """Every posted thread is read, 100 posts a request; run again the same UTC day, no
    request at all, the same numbers shown."""
    threads = [x_thread(store, emulator, 10, f"post#{n}") for n in range(1, 26)]
    first = threads[0]
    for post, impressions in zip(first.posts, IMPRESSIONS, strict=False):
        emulator.set_metrics(post.post_id or "", impressions=impressions, likes=2, replies=1)
    emulator.set_metrics(first.posts[-1].post_id or "", link_clicks=12)
    config = write_publish_config(tmp_path)
    day = utc_day(store)
    code, out, err = stats(store.url, config, env=emulator.exports())
    assert (code, err) == (0, "")
    assert emulator.calls[LOOKUP] == 3
    block = out.split(f"thread {first.id} · post#1 · X · posted ")[1].splitlines()
    assert block[1] == (
        "  impressions 2,350 · engagements 12 · link clicks 12 · "
        "read-through 100% 64% 41% 30% 0% 0% 0% 0% 0% 0%"
    )
    assert block[2].endswith(" · reads $0.010")
    assert "read now: 250 posts in 3 requests, $0.250\n" in out
    assert "account default: reads this month $0.250 of $1.00 ([stats] monthly_usd)" in out

    code, again, _ = stats(store.url, config, env=emulator.exports())
    assert code == 0
    if utc_day(store) == day:  # the second run fell on the same UTC day (all but at midnight)
        assert emulator.calls[LOOKUP] == 3
        assert "read now: 0 posts in 0 requests, $0.000; 250 read already today, not again" in again
        assert again.split("read now:")[0] == out.split("read now:")[0]


def test_json_document_shape_and_read_through(
    store: Store, emulator: XEmulator, bluesky: BlueskyEmulator, tmp_path: Path
) -> None:
    """The documented keys, per thread and per post; read-through exact; a deleted post
    never read (null numbers, deleted true); Bluesky's impressions null; --network and
    a slug#N THREAD pick threads."""
    x = x_thread(store, emulator, 5, "k#1")
    for post, impressions in zip(x.posts, IMPRESSIONS, strict=False):
        emulator.set_metrics(post.post_id or "", impressions=impressions, likes=3, quotes=1)
    mark_deleted(store, x.id, 5, store.clock())
    store.accounts.remember("default", "x", USERNAME, None)
    client = BlueskyClient(handle=HANDLE, app_password=APP_PASSWORD, pds_url=bluesky.url)
    uris = [client.create_post(text, None, key=new_rkey()) for text in texts(3)]
    client.close()
    sky = posted_thread(
        store, uris, posted_at=store.clock() - dt.timedelta(hours=1), network="bluesky", key="k#1"
    )
    bluesky.set_metrics(uris[0], likes=7, reposts=1)
    config = write_publish_config(tmp_path)
    env = {**emulator.exports(), **bluesky.exports()}
    code, out, err = stats(store.url, config, "--format", "json", env=env)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert set(document) == {"threads", "read", "month", "errors"}
    assert document["read"] == {"posts": 7, "requests": 2, "usd": 0.004, "skipped": 0}
    assert document["month"] == {"default": {"read_usd": 0.004, "monthly_usd": 1.0}}
    assert document["errors"] == []
    by_network = {t["network"]: t for t in document["threads"]}
    assert [t["id"] for t in document["threads"]] == [sky.id, x.id]  # newest first
    for thread in document["threads"]:
        assert set(thread) == {
            "id",
            "thread",
            "account",
            "network",
            "posted_at",
            "read_at",
            "impressions",
            "engagements",
            "link_clicks",
            "read_through",
            "read_usd",
            "posts",
        }
        for post in thread["posts"]:
            assert set(post) == {
                "position",
                "post_id",
                "url",
                "deleted",
                "read_at",
                "impressions",
                "likes",
                "reposts",
                "replies",
                "quotes",
                "link_clicks",
            }
    on_x = by_network["x"]
    assert on_x["read_through"] == [1.0, 0.64, 0.41, 0.3, None]
    assert (on_x["impressions"], on_x["engagements"], on_x["link_clicks"]) == (2350, 16, None)
    assert on_x["read_usd"] == 0.004
    assert on_x["posts"][0]["url"] == f"https://x.com/{USERNAME}/status/{x.posts[0].post_id}"
    assert on_x["posts"][4] == {
        "position": 5,
        "post_id": x.posts[4].post_id,
        "url": f"https://x.com/{USERNAME}/status/{x.posts[4].post_id}",
        "deleted": True,
        "read_at": None,
        "impressions": None,
        "likes": None,
        "reposts": None,
        "replies": None,
        "quotes": None,
        "link_clicks": None,
    }
    on_sky = by_network["bluesky"]
    assert (on_sky["impressions"], on_sky["read_through"], on_sky["engagements"]) == (None, None, 8)

    code, out, _ = stats(store.url, config, "--network", "bluesky", "--format", "json", "--no-read")
    assert [t["id"] for t in json.loads(out)["threads"]] == [sky.id]
    code, out, _ = stats(store.url, config, "k#1", "--network", "x", "--no-read", env=env)
    assert code == 0
    assert out.startswith(f"thread {x.id} · k#1 · X · posted ")
    assert "read-through 100% 64% 41% 30% –\n" in out
    assert emulator.calls[LOOKUP] == 1
    assert bluesky.calls[GET_POSTS] == 1


def test_no_read_shows_the_store_without_credentials(
    store: Store, emulator: XEmulator, tmp_path: Path
) -> None:
    """--no-read: no request, no credentials needed, the stored numbers or 'not read'."""
    thread = x_thread(store, emulator, 3, "n#1")
    config = write_publish_config(tmp_path)
    code, out, err = stats(store.url, config, "--no-read")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        "  not read yet",
        "stored numbers only (--no-read): nothing was read",
        "account default: reads this month $0.000 of $1.00 ([stats] monthly_usd)",
    ]
    code, out, _ = stats(store.url, config, "--no-read", "--format", "json")
    document = json.loads(out)
    assert document["read"] is None
    assert document["threads"][0]["id"] == thread.id
    assert document["threads"][0]["read_at"] is None
    assert emulator.calls[LOOKUP] == 0


def test_a_read_beyond_the_cap_is_one_line_and_exit_1(
    store: Store, emulator: XEmulator, tmp_path: Path
) -> None:
    """Reads that would pass [stats] monthly_usd: no request, the threads shown as they
    are, then one line saying which cap and how to raise it; exit 1."""
    for n in range(1, 26):
        x_thread(store, emulator, 10, f"post#{n}")
    config = write_publish_config(tmp_path)
    config.write_text(config.read_text() + "\n[stats]\nmonthly_usd = 0.005\n", encoding="utf-8")
    code, out, err = stats(store.url, config, env=emulator.exports())
    assert code == 1
    assert emulator.calls[LOOKUP] == 0
    assert out.count("  not read yet\n") == 25
    assert err.startswith(
        "error: reading 250 X post(s) of account default ($0.250) would exceed [stats] "
        "monthly_usd = $0.005 ($0.000 read this month): raise it in the config, or wait until "
    )
    assert err.count("\n") == 1


def test_read_through_and_numbers_are_exact() -> None:
    """Shares of the first post's impressions, exactly; a post not read is unknown; no
    first post's impressions, no read-through."""
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    def snap(position: int, impressions: int | None, **counts: int) -> MetricsRecord:
        return MetricsRecord(
            1,
            position,
            str(position),
            now,
            impressions,
            counts.get("likes", 0),
            counts.get("reposts", 0),
            counts.get("replies", 0),
            counts.get("quotes"),
            counts.get("link_clicks"),
            0.001,
        )

    found = numbers(
        5,
        [
            snap(1, 1000, likes=9),
            snap(2, 640, reposts=2),
            snap(3, 410),
            snap(5, 300, link_clicks=7),
        ],
    )
    assert found.read_through == (1.0, 0.64, 0.41, None, 0.3)
    assert percents(found.read_through) == "100% 64% 41% – 30%"
    assert (found.impressions, found.engagements, found.link_clicks) == (2350, 11, 7)
    assert numbers(2, [snap(2, 50)]).read_through is None
    assert numbers(2, [snap(1, 0), snap(2, 0)]).read_through is None
    assert percents(None) == "–"


def test_status_shows_the_months_reads_beside_the_posts(store: Store, tmp_path: Path) -> None:
    """`status` ends with the month's spend: the reads' cost is said beside the posts'."""
    thread = posted_thread(store, ["1", "2"], posted_at=store.clock())
    store.metrics.record(
        [
            MetricsRecord(thread.id, n, str(n), store.clock(), 5, 0, 0, 0, 0, None, 0.001)
            for n in (1, 2)
        ]
    )
    result = CliRunner().invoke(
        cli, ["status", "--db", store.url, "--config", str(write_publish_config(tmp_path))]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "this month: 2 posts, $0.215, reads $0.002 · last 24 h: 2 posts"
    )
