"""`threadbot delete` against the X, Bluesky and Mastodon emulators over real HTTP (the
command in-process): what it shows and asks, the DELETE requests it sends — one per
post, last first, counted per post id — and what `status` and `queue` say after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.networks.bluesky import rkey_of
from bot.settings import database_url
from bot.store import Store
from bot.testing.server import Fault

from .conftest import write_publish_config

NETWORKS = ["x", "bluesky", "mastodon"]
DELETE_ROUTE = {
    "x": "DELETE /2/tweets/:id",
    "bluesky": "POST com.atproto.repo.deleteRecord",
    "mastodon": "DELETE /api/v1/statuses/:id",
}
TEXTS = [f"🧵 Taking threads down, post {n} of 4" for n in range(1, 5)]


class Setup:
    """A network's emulator, a config and a store holding thread 1, posted there."""

    def __init__(self, network: str, server: Any, tmp_path: Path) -> None:
        self.network = network
        self.server = server
        self.config = write_publish_config(tmp_path)
        self.db = tmp_path / "state.db"
        self.env = {**server.exports(), "THREADBOT_DB": str(self.db)}

    def run(self, *args: str, input: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(
            cli, [*args, "--config", str(self.config)], env=self.env, input=input
        )
        return result.exit_code, result.stdout, result.stderr

    def freeze(self, texts: list[str] = TEXTS, key: str = "talk#1") -> int:
        store = Store(database_url(self.db))
        try:
            return store.threads.freeze(
                key=key,
                article="talk.md",
                section_index=1,
                section="Talk",
                content_hash=key,
                posts=[(text, False) for text in texts],
                cost_usd=0.0,
                now=store.clock(),
                account="default",
                network=self.network,
            ).id
        finally:
            store.engine.dispose()

    def post(self, thread_id: int) -> None:
        code, _, err = self.run("resume", str(thread_id))
        assert code == 0, err

    def record(self, thread_id: int = 1) -> Any:
        store = Store(database_url(self.db))
        try:
            return store.threads.get(thread_id)
        finally:
            store.engine.dispose()

    def deletes(self) -> int:
        return int(self.server.calls[DELETE_ROUTE[self.network]])

    def remove(self, post_id: str) -> None:
        """Take a post off the network behind threadbot's back."""
        server = self.server
        with server.lock:
            if self.network == "bluesky":
                del server.records[rkey_of(post_id)]
            elif self.network == "mastodon":
                server.statuses[:] = [s for s in server.statuses if s.id != post_id]
            else:
                server.posts[:] = [p for p in server.posts if p.id != post_id]


@pytest.fixture(params=NETWORKS)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Setup:
    network = request.param
    server = request.getfixturevalue({"x": "emulator"}.get(network, network))
    return Setup(network, server, tmp_path)


@pytest.fixture
def posted(setup: Setup) -> Setup:
    setup.post(setup.freeze())
    assert len(setup.server.posts) == 4
    return setup


def test_a_posted_thread_goes_last_first_with_one_delete_per_post(posted: Setup) -> None:
    ids = [post.post_id for post in posted.record().posts]
    code, out, err = posted.run("delete", "1", "--yes")
    assert code == 0, err
    assert posted.deletes() == 4
    assert posted.server.delete_targets == ids[::-1]
    assert posted.server.posts == []
    lines = out.splitlines()
    assert lines[0].startswith("thread 1 (talk#1) on ")
    assert lines[0].endswith(": 4 live posts to take down, last first")
    assert [line.split(".")[0].strip() for line in lines[1:5]] == ["4", "3", "2", "1"]
    assert all(line.endswith(" taken down") for line in lines[5:9])
    assert lines[-1] == "thread 1 deleted (4 posts taken down, 0 already gone)"
    record = posted.record()
    assert record.status == "deleted"
    assert [p.delete_result for p in record.posts] == ["deleted"] * 4
    code, out, _ = posted.run("status")
    assert "   1  deleted   0/4 live  " in out
    assert out.splitlines()[0].endswith("talk#1  taken down")
    code, out, _ = posted.run("status", "1")
    assert out.count(" deleted  attempts 1") == 4
    code, _, err = posted.run("delete", "1", "--yes")
    assert (code, err.strip()) == (1, "error: thread 1 is deleted already: nothing of it is live")
    assert posted.deletes() == 4


def test_a_post_already_gone_is_one_request_counted_gone(posted: Setup) -> None:
    ids = [post.post_id for post in posted.record().posts]
    posted.remove(ids[1])
    code, out, err = posted.run("delete", "1", "--yes")
    assert code == 0, err
    assert posted.server.delete_targets == ids[::-1]  # one each, the gone one too
    assert out.splitlines()[-1] == "thread 1 deleted (3 posts taken down, 1 already gone)"
    assert sum(line.endswith(" already gone") for line in out.splitlines()) == 1
    assert [p.delete_result for p in posted.record().posts] == [
        "deleted",
        "gone",
        "deleted",
        "deleted",
    ]


def test_dry_run_lists_what_would_go_and_sends_nothing(posted: Setup) -> None:
    before = sum(posted.server.calls.values())
    code, out, err = posted.run("delete", "1", "--dry-run")
    assert code == 0, err
    assert sum(posted.server.calls.values()) == before  # not even a look-up
    assert out.splitlines()[-1] == "dry run: nothing was sent or changed"
    assert len(out.splitlines()) == 6
    assert posted.record().status == "posted"


def test_without_a_terminal_delete_needs_yes(posted: Setup) -> None:
    code, _, err = posted.run("delete", "1")
    assert code == 2
    assert err == (
        "error: delete asks before taking posts down: `threadbot delete 1 --yes` runs it "
        "without a terminal\n"
    )
    assert posted.deletes() == 0
    assert posted.record().status == "posted"


@pytest.mark.parametrize("setup", ["mastodon"], indirect=True)
def test_asked_on_a_terminal_no_keeps_the_posts_and_yes_takes_them_down(
    posted: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cli.deleting.interactive", lambda: True)
    code, out, _ = posted.run("delete", "1", input="n\n")
    assert code == 1
    assert "Take these 4 posts down? [y/N]" in out
    assert out.splitlines()[-1].endswith("nothing was taken down")
    assert posted.deletes() == 0
    code, out, err = posted.run("delete", "1", input="y\n")
    assert code == 0, err
    assert posted.deletes() == 4


@pytest.mark.parametrize("setup", ["x"], indirect=True)
def test_a_partly_posted_failed_thread_loses_only_its_live_posts(setup: Setup) -> None:
    """X refused post 3 (400): posts 1 and 2 are live; delete sends two DELETEs."""
    setup.server.inject(Fault("pass"))
    setup.server.inject(Fault("pass"))
    setup.server.inject(Fault("400"))
    code, _, _ = setup.run("resume", str(setup.freeze()))
    assert code == 1
    failed = setup.record()
    assert failed.status == "failed"
    assert failed.live_count == 2
    code, out, err = setup.run("delete", "talk#1", "--yes")
    assert code == 0, err
    assert "2 live posts to take down" in out
    assert setup.server.delete_targets == [failed.posts[1].post_id, failed.posts[0].post_id]
    assert setup.server.posts == []
    done = setup.record()
    assert done.status == "deleted"
    assert [p.status for p in done.posts] == ["posted", "posted", "failed", "pending"]


@pytest.mark.parametrize("setup", ["mastodon"], indirect=True)
def test_a_rate_limit_stops_with_one_line_and_delete_again_continues(posted: Setup) -> None:
    ids = [post.post_id for post in posted.record().posts]
    posted.server.delete_faults.extend([Fault("pass"), Fault("429", reset_in=600)])
    code, out, err = posted.run("delete", "1", "--yes")
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("error: Mastodon rate limit reached: ")
    assert "1 of 4 posts taken down; `threadbot delete 1` again continues after " in err
    assert posted.record().status == "deleting"
    code, out, _ = posted.run("status")
    assert "   1  deleting  3/4 live" in out
    assert "taking down stopped with 3/4 live: `threadbot delete 1` continues" in out
    code, out, err = posted.run("delete", "1", "--yes")
    assert code == 0, err
    # Post 3's refused DELETE is sent again (no look-up: the 429 deleted nothing).
    assert posted.server.delete_targets == [ids[3], ids[2], ids[2], ids[1], ids[0]]
    assert out.splitlines()[-1] == "thread 1 deleted (4 posts taken down, 0 already gone)"


@pytest.mark.parametrize("setup", ["bluesky"], indirect=True)
def test_an_auth_error_stops_with_the_networks_message(posted: Setup) -> None:
    posted.server.delete_faults.append(Fault("401"))
    code, _, err = posted.run("delete", "1", "--yes")
    assert code == 1
    assert len(err.splitlines()) == 1
    assert "Authentication Required" in err
    assert posted.record().status == "deleting"
    assert len(posted.server.posts) == 4


@pytest.mark.parametrize("setup", ["x"], indirect=True)
@pytest.mark.parametrize(
    ("queued", "message"),
    [
        ("scheduled", "thread 1 is scheduled: nothing of it is on the network: "),
        ("ready", "thread 1 is ready: nothing of it is on the network: "),
    ],
)
def test_a_thread_with_nothing_live_is_refused(setup: Setup, queued: str, message: str) -> None:
    thread_id = setup.freeze()
    if queued == "scheduled":
        code, _, err = setup.run("reschedule", str(thread_id), "--at", "2099-01-01 09:00")
        assert code == 0, err
    code, _, err = setup.run("delete", str(thread_id), "--yes")
    assert code == 1
    assert err == f"error: {message}`threadbot cancel 1` instead\n"
    assert setup.deletes() == 0


@pytest.mark.parametrize("setup", ["bluesky"], indirect=True)
def test_queue_shows_a_deleted_thread_without_its_dead_link(setup: Setup) -> None:
    thread_id = setup.freeze()
    code, _, err = setup.run("reschedule", str(thread_id), "--at", "2020-01-01 09:00", "--now")
    assert code == 0, err
    setup.post(thread_id)
    code, out, _ = setup.run("queue", "--format", "json")
    assert json.loads(out)["recent"][0]["url"].startswith("https://bsky.app/")
    code, _, err = setup.run("delete", str(thread_id), "--yes")
    assert code == 0, err
    code, out, _ = setup.run("queue", "--format", "json")
    (item,) = json.loads(out)["recent"]
    assert (item["status"], item["url"]) == ("deleted", None)
    code, out, _ = setup.run("queue")
    assert "deleted   [bluesky] talk#1" in out
    assert "bsky.app" not in out


def test_a_slug_id_on_two_networks_needs_network_to_say_which(
    emulator: Any, bluesky: Any, tmp_path: Path
) -> None:
    """`talk#1` names a thread on X and one on Bluesky: refused (exit 2) until
    `--network` picks one; only that one's posts are taken down."""
    on_x = Setup("x", emulator, tmp_path)
    on_bluesky = Setup("bluesky", bluesky, tmp_path)
    on_x.env.update(on_bluesky.env)
    on_bluesky.env = on_x.env
    on_x.post(on_x.freeze())
    on_bluesky.post(on_bluesky.freeze())
    code, _, err = on_x.run("delete", "talk#1", "--yes")
    assert code == 2
    assert "talk#1 names threads 1 (default on x), 2 (default on bluesky)" in err
    code, out, err = on_x.run(
        "delete", "talk#1", "--network", "bluesky", "--account", "default", "--yes"
    )
    assert code == 0, err
    assert out.startswith("thread 2 (talk#1) on Bluesky, account default: 4 live posts")
    assert (on_bluesky.deletes(), on_x.deletes()) == (4, 0)
    assert (on_x.record(1).status, on_x.record(2).status) == ("posted", "deleted")
    code, _, err = on_x.run("resume", "2")
    assert code == 1
    assert err == "error: thread 2 was taken down (deleted): it is never posted again\n"
