"""THREAD is a number or the slug#N id previews and `queue` show; when that id names
threads on several networks, --network (or --account) says which."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.settings import database_url
from bot.store import Store

from .conftest import write_publish_config


def _freeze(store: Store, network: str, due: dt.datetime) -> int:
    return store.threads.freeze(
        key="kpop-asean-plus-three#5",
        article="articles/kpop-asean-plus-three.txt",
        section_index=5,
        section="S",
        content_hash=network,
        posts=[(f"{network} tweet {k}", False) for k in (1, 2)],
        cost_usd=0.03,
        now=due - dt.timedelta(hours=1),
        due_at=due,
        account="default",
        network=network,
    ).id


def test_a_slug_id_names_its_thread_and_asks_which_when_it_names_several(
    tmp_path: Path,
) -> None:
    config = write_publish_config(tmp_path)
    db = tmp_path / "state.db"
    store = Store(database_url(db))
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    on_x, on_bluesky = _freeze(store, "x", due), _freeze(store, "bluesky", due)
    args = ["--config", str(config), "--db", str(db)]
    runner = CliRunner()
    ambiguous = runner.invoke(cli, ["cancel", "kpop-asean-plus-three#5", *args])
    assert ambiguous.exit_code == 2
    assert ambiguous.stderr.count("\n") == 1
    assert f"names threads {on_x} (default on x), {on_bluesky} (default on bluesky)" in (
        ambiguous.stderr
    )
    chosen = runner.invoke(
        cli, ["cancel", "kpop-asean-plus-three#5", "--network", "bluesky", *args]
    )
    assert chosen.exit_code == 0, chosen.output
    assert chosen.stdout.strip() == f"thread {on_bluesky} cancelled"
    # The cancelled version is set aside: the id now names the one still in play.
    status = runner.invoke(cli, ["status", "kpop-asean-plus-three#5", *args])
    assert status.exit_code == 0, status.output
    assert status.stdout.split()[:2] == [str(on_x), "scheduled"]
    missing = runner.invoke(cli, ["resume", "no-such-post#1", *args])
    assert missing.exit_code == 2
    assert "no thread no-such-post#1" in missing.stderr
    assert {r.id: r.status for r in store.threads.all()} == {
        on_x: "scheduled",
        on_bluesky: "cancelled",
    }
    store.engine.dispose()
