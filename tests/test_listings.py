"""What `status` and `queue` report: spend per network, post links on the instance they
were made on, and a read-only command never creating a store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.lifecycle import Lease, Owner, ThreadStatus
from bot.settings import database_url
from bot.store import Store

from .conftest import write_publish_config

NOW = dt.datetime.now(dt.UTC)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _posted(store: Store, key: str, network: str, texts: list[tuple[str, bool]]) -> int:
    record = store.threads.freeze(
        key=key,
        article="a.md",
        section_index=1,
        section="S",
        content_hash=key,
        posts=texts,
        cost_usd=0.0,
        now=NOW,
        network=network,
        account="default",
    )
    claim = store.queue.claim(record.id, Owner("d", "h"), NOW, Lease(60))
    assert claim is not None
    for position, _ in enumerate(texts, start=1):
        claim.posted(position, f"{record.id}{position}", NOW)
    claim.finish(ThreadStatus.POSTED)
    return record.id


THREAD = [("one", False), ("two", False), ("three", False), ("read https://a.example/x", True)]


def test_bluesky_and_mastodon_posts_cost_nothing(tmp_path: Path) -> None:
    """A Mastodon-only store shows its posts and $0.000; X's are priced at X's rates."""
    config, db = write_publish_config(tmp_path), tmp_path / "s.db"
    store = Store(database_url(db))
    _posted(store, "a#1", "mastodon", THREAD)
    code, out, err = run("status", "--config", str(config), "--db", str(db))
    assert code == 0, err
    assert "this month: 4 posts, $0.000" in out
    _posted(store, "a#2", "x", THREAD)
    assert (
        "this month: 8 posts, $0.245" in run("status", "--config", str(config), "--db", str(db))[1]
    )


def test_a_mastodon_post_links_to_the_instance_it_was_made_on(tmp_path: Path) -> None:
    """The instance the account posted to (remembered when posting) makes the link, not
    the config's default instance."""
    config, db = write_publish_config(tmp_path), tmp_path / "s.db"
    store = Store(database_url(db))
    thread = _posted(store, "a#1", "mastodon", THREAD)
    store.accounts.remember("default", "mastodon", "emu", home_url="http://127.0.0.1:5555")
    code, out, _ = run("status", str(thread), "--config", str(config), "--db", str(db))
    assert code == 0
    assert f"http://127.0.0.1:5555/@emu/{thread}1" in out
    assert "mastodon.social" not in out


@pytest.mark.parametrize(
    "command", [["status"], ["queue"], ["queue", "--format", "json"], ["daemons"]]
)
def test_read_only_commands_refuse_a_store_that_is_not_there(
    tmp_path: Path, command: list[str]
) -> None:
    """A mistyped --db says so in one line (exit 2) instead of creating an empty store
    and reporting "no threads"."""
    config, db = write_publish_config(tmp_path), tmp_path / "typo" / "state.db"
    code, _out, err = run(*command, "--config", str(config), "--db", str(db))
    assert code == 2
    assert err.count("\n") == 1
    assert "no threadbot store there" in err
    assert "check --db" in err
    assert not db.exists()
    assert not db.parent.exists()
