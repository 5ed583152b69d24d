"""`threadbot edit`: the owner changes, removes, adds and reorders posts in their editor;
threadbot numbers, measures and validates them as at freezing, keeps the versions, and the
daemon posts the edit exactly. A bad edit is never stored and never lost."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.settings import database_url
from bot.store import Store
from bot.testing.x import XEmulator

from .conftest import EXAMPLE, write_publish_config
from .test_daemon import daemon, stop, wait_for
from .test_runtime import _env, threadbot

# An $EDITOR: runs the steps in STEPS (a JSON list, one per call) on the file it is given.
EDITOR_SCRIPT = """
import json, pathlib, sys
steps = pathlib.Path(sys.argv[1])
done = pathlib.Path(str(steps) + ".calls")
calls = int(done.read_text()) if done.exists() else 0
done.write_text(str(calls + 1))
step = json.loads(steps.read_text())[calls]
path = pathlib.Path(sys.argv[2])
text = path.read_text(encoding="utf-8")
pathlib.Path(str(steps) + f".seen{calls}").write_text(text, encoding="utf-8")
blocks = text.split("\\n---\\n")
for old, new in step.get("replace", []):
    text = text.replace(old, new)
if "order" in step:
    blocks = text.split("\\n---\\n")
    text = "\\n---\\n".join(blocks[i] for i in step["order"]) + "\\n"
path.write_text(text, encoding="utf-8")
"""


def _editor(tmp_path: Path, steps: list[dict[str, object]]) -> dict[str, str]:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    plan = tmp_path / "steps.json"
    plan.write_text(json.dumps(steps), encoding="utf-8")
    return {"EDITOR": f'"{sys.executable}" "{script}" "{plan}"', "VISUAL": ""}


def _held(tmp_path: Path) -> tuple[list[str], Store]:
    config = write_publish_config(tmp_path)
    db = tmp_path / "state.db"
    args = ["--config", str(config), "--db", str(db)]
    scheduled = CliRunner().invoke(
        cli,
        [
            "schedule",
            str(EXAMPLE),
            "--section",
            "5",
            "--at",
            "2030-01-07 09:00",
            "--tz",
            "UTC",
            "--approve",
            *args,
        ],
    )
    assert scheduled.exit_code == 0, scheduled.output
    return args, Store(database_url(db))


def test_an_edit_changes_removes_and_reorders_posts_and_keeps_both_versions(
    tmp_path: Path,
) -> None:
    args, store = _held(tmp_path)
    (before,) = store.threads.all()
    texts = [post.text.rsplit(" ", 1)[0] for post in before.posts]  # without " n/4"
    assert len(texts) == 4
    # Post 2 gets a new first word; post 3 goes; posts 2 and 1 swap places.
    first_word = texts[1].split()[0]
    env = _editor(
        tmp_path,
        [{"replace": [[texts[2], ""], [texts[1], "Edited: " + texts[1]]], "order": [1, 0, 2, 3]}],
    )
    result = CliRunner().invoke(cli, ["edit", "kpop-asean-plus-three#5", *args], env=env)
    assert result.exit_code == 0, result.output
    seen = (tmp_path / "steps.json.seen0").read_text(encoding="utf-8")
    assert re.search(r"^# 1: \d+/280$", seen, re.MULTILINE)  # lengths, as comments
    assert "n/N numbering is added for you" in seen
    assert " 1/4" not in seen  # the owner never types the numbering
    assert "+Edited: " + first_word in result.output  # the diff
    after = store.threads.get(before.id)
    assert [post.text for post in after.posts] == [
        f"Edited: {texts[1]} 1/3",
        f"{texts[0]} 2/3",
        f"{texts[3]} 3/3",
    ]
    assert after.edited_from == before.content_hash
    assert after.status == "pending"
    versions = store.threads.edits(before.id)
    assert [version for version, _, _ in versions] == [1, 2]
    assert versions[0][1] == [post.text for post in before.posts]
    # Scheduling the same article again continues the edit; it never overwrites it.
    again = CliRunner().invoke(
        cli,
        [
            "schedule",
            str(EXAMPLE),
            "--section",
            "5",
            "--at",
            "2030-01-07 09:00",
            "--tz",
            "UTC",
            *args,
        ],
    )
    assert again.exit_code == 0, again.output
    assert "already queued" in again.output
    assert [p.text for p in store.threads.get(before.id).posts] == [p.text for p in after.posts]
    store.engine.dispose()


def test_a_bad_figure_reopens_the_file_with_the_finding_and_nothing_is_stored_until_fixed(
    tmp_path: Path,
) -> None:
    args, store = _held(tmp_path)
    (before,) = store.threads.all()
    body = before.posts[1].text.rsplit(" ", 1)[0]
    env = _editor(
        tmp_path,
        [
            {"replace": [[body, body + " It sold 987654 copies."]]},
            {"replace": [[" It sold 987654 copies.", " It sold well."]]},
        ],
    )
    result = CliRunner().invoke(cli, ["edit", str(before.id), *args], env=env, input="y\n")
    assert result.exit_code == 0, result.output
    assert "figure-not-in-article" in result.stderr
    reopened = (tmp_path / "steps.json.seen1").read_text(encoding="utf-8")
    assert "987654 does not appear in the article" in reopened  # the finding, as a comment
    assert "It sold 987654 copies." in reopened  # the edit was not lost
    assert store.threads.get(before.id).posts[1].text == f"{body} It sold well. 2/4"
    store.engine.dispose()


def test_edit_from_a_file_or_stdin_and_what_is_refused(tmp_path: Path) -> None:
    args, store = _held(tmp_path)
    (before,) = store.threads.all()
    runner = CliRunner()
    texts = [post.text.rsplit(" ", 1)[0] for post in before.posts]
    bad = runner.invoke(
        cli,
        ["edit", str(before.id), "--from", "-", *args],
        input="---\n".join([*texts[:3], "x" * 300, texts[3]]),
    )
    assert bad.exit_code == 1
    assert "tweet-too-long" in bad.stderr
    kept = bad.stderr.strip().splitlines()[-1].split("kept in ")[1].split(" ")[0]
    assert "x" * 300 in Path(kept).read_text(encoding="utf-8")
    assert [p.text for p in store.threads.get(before.id).posts] == [p.text for p in before.posts]
    good = tmp_path / "edit.txt"
    good.write_text("# a comment\n" + "\n---\n".join(texts[:2] + texts[3:]) + "\n", "utf-8")
    result = runner.invoke(cli, ["edit", str(before.id), "--from", str(good), *args])
    assert result.exit_code == 0, result.output
    assert len(store.threads.get(before.id).posts) == 3
    empty = runner.invoke(cli, ["edit", str(before.id), "--from", "-", *args], input="# none\n")
    assert empty.exit_code == 2
    assert "no posts left" in empty.stderr
    # Once a post was sent, the thread cannot be edited.
    with store.transaction() as connection:
        from bot.store.schema import posts_table

        connection.execute(
            posts_table.update()
            .where(posts_table.c.thread_id == before.id)
            .where(posts_table.c.position == 1)
            .values(status="posted", post_id="1")
        )
    sent = runner.invoke(cli, ["edit", str(before.id), "--from", str(good), *args])
    assert sent.exit_code == 1
    assert "1 of its posts sent" in sent.stderr
    store.engine.dispose()


@pytest.mark.e2e
def test_the_daemon_posts_the_edited_text_exactly(emulator: XEmulator, tmp_path: Path) -> None:
    config = write_publish_config(tmp_path)
    db = tmp_path / "state.db"
    env = _env(emulator, db)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    held = threadbot(
        [
            "schedule",
            str(EXAMPLE),
            "--section",
            "5",
            "--at",
            due.strftime("%Y-%m-%d %H:%M"),
            "--tz",
            "UTC",
            "--approve",
            "--config",
            str(config),
        ],
        env,
        tmp_path,
    )
    assert held.returncode == 0, held.stderr
    store = Store(database_url(db))
    (record,) = store.threads.all()
    texts = [post.text.rsplit(" ", 1)[0] for post in record.posts]
    edited = [texts[0], "A post the owner added, in the owner's words.", *texts[1:]]
    edit_file = tmp_path / "edit.txt"
    edit_file.write_text("\n---\n".join(edited), encoding="utf-8")
    result = threadbot(
        ["edit", str(record.id), "--from", str(edit_file), "--config", str(config)], env, tmp_path
    )
    assert result.returncode == 0, result.stderr
    approved = threadbot(
        ["approve", str(record.id), "--at", "2020-01-01 00:00", "--now", "--config", str(config)],
        env,
        tmp_path,
    )
    assert approved.returncode == 0, approved.stderr
    with daemon(tmp_path, config, env) as running:
        wait_for(lambda: len(emulator.posts) == 5, what="5 posts")
        assert stop(running) == 0
    assert [post.text for post in emulator.posts] == [
        f"{text} {position}/5" for position, text in enumerate(edited, start=1)
    ]
    assert emulator.calls["POST /2/tweets"] == 5
    store.engine.dispose()
