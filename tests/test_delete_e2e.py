"""`threadbot delete` SIGKILLed for real, on X, Bluesky and Mastodon: the 2nd DELETE is
held while received, accepted or answered, the process killed there, and `delete` run
again — every post taken down, none by two DELETE requests (the emulator's log of
delete requests, per post id), the thread `deleted`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .test_daemon import wait_for
from .test_delete_cli import Setup

pytestmark = pytest.mark.e2e

DELETE = {
    "x": "DELETE /2/tweets/:id",
    "bluesky": "POST com.atproto.repo.deleteRecord",
    "mastodon": "DELETE /api/v1/statuses/:id",
}
# How the second run asks whether a post left marked is still there.
LOOK_UP = {
    "x": "GET /2/tweets",
    "bluesky": "GET com.atproto.repo.getRecord",
    "mastodon": "GET /api/v1/statuses/:id",
}


def _env(setup: Setup) -> dict[str, str]:
    """This process's environment without any credentials or threadbot settings of its
    own, pointed at the emulator and the test's store."""
    ours = ("X_", "THREADBOT_", "BLUESKY_", "MASTODON_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return {**env, **setup.env}


def _delete(setup: Setup) -> list[str]:
    return [sys.executable, "-m", "bot", "delete", "1", "--yes", "--config", str(setup.config)]


@pytest.mark.parametrize("phase", ["received", "accepted", "responded"])
@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_a_delete_killed_at_its_second_post_then_run_again_deletes_each_post_once(
    request: pytest.FixtureRequest, tmp_path: Path, network: str, phase: str
) -> None:
    server: Any = request.getfixturevalue({"x": "emulator"}.get(network, network))
    setup = Setup(network, server, tmp_path)
    setup.post(setup.freeze())
    ids = [post.post_id for post in setup.record().posts]
    hold = server.hold_delete(2, phase)  # the 2nd DELETE: post 3's
    process = subprocess.Popen(
        _delete(setup),
        env=_env(setup),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert hold.reached.wait(30), "the delete never reached its 2nd DELETE"
        process.kill()
        process.wait(10)
    finally:
        hold.release.set()
        if process.poll() is None:
            process.kill()
    # What the server received it finishes, answering a dead client.
    wait_for(lambda: not server.has_post(ids[2]), timeout=10, what="post 3's DELETE landing")
    left = setup.record()
    assert left.status == "deleting"
    assert left.posts[2].deleted_at is None or phase == "responded"
    looked_up = server.calls[LOOK_UP[network]]
    again = subprocess.run(
        _delete(setup), env=_env(setup), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == (
        "thread 1 deleted (4 posts taken down, 0 already gone)"
    )
    per_post = Counter(server.delete_targets)
    assert per_post == dict.fromkeys(ids, 1)  # every post, each by one DELETE
    assert server.calls[DELETE[network]] == 4
    if phase != "responded":
        # Post 3 was left marked, its answer never recorded: asked about once, not resent.
        assert server.calls[LOOK_UP[network]] == looked_up + 1
    assert server.posts == []
    done = setup.record()
    assert done.status == "deleted"
    assert [post.delete_result for post in done.posts] == ["deleted"] * 4
