"""The CLI: exact output for errors, the JSON document, exit codes, help and README."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli

from .conftest import CONFIG, EXAMPLE, ROOT


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, [*args, "--config", str(CONFIG)] if args and args[0] == "preview" else list(args)
    )
    return result.exit_code, result.stdout, result.stderr


def test_preview_json_document() -> None:
    """--format json follows the documented schema and exits 0 for the example."""
    code, out, _ = run("preview", str(EXAMPLE), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"network", "article", "threads", "findings"}
    assert document["network"] == "x"
    assert document["article"] == {
        "title": "K-pop’s Global Expansion through Regional Ties",
        "sections": 7,
    }
    assert len(document["threads"]) == 7
    for thread in document["threads"]:
        assert set(thread) == {"id", "section", "tweets", "cost_usd", "chosen"}
        assert thread["chosen"]["sentences"] <= thread["chosen"]["of"]
        assert isinstance(thread["cost_usd"], float)
        for tweet in thread["tweets"]:
            assert set(tweet) == {"text", "weighted_length", "has_url", "chart"}
            assert tweet["weighted_length"] <= 280
    for finding in document["findings"]:
        assert set(finding) == {"severity", "code", "message", "where"}
        assert finding["severity"] in ("error", "warning")


def test_preview_text_shows_every_thread() -> None:
    """Text output has a panel per thread, lengths, URL markers, findings and a summary."""
    code, out, _ = run("preview", str(EXAMPLE), "--no-color")
    assert code == 0
    for n in range(1, 8):
        assert f"kpop-asean-plus-three#{n} · " in out
    assert "🔗 URL" in out
    assert "warning link-placeholder · " in out
    assert out.splitlines()[-1] == (
        "7 threads · 28 tweets · $1.715 · 0 errors, 4 warnings · postable · preview only: nothing was posted"
    )


def test_preview_text_shows_headings_as_written(tmp_path: Path) -> None:
    """A heading is shown as it will be posted: rich's markup and emoji codes in it
    (``[bold]``, ``:bug:``) stay literal."""
    article = tmp_path / "post.md"
    article.write_text(
        "# Notes\n\n## Fixing the :bug: in [bold]parsers[/bold]\n\n"
        "The parser dropped the last line of every file. A one-line change fixed it.\n",
        encoding="utf-8",
    )
    code, out, _ = run("preview", str(article), "--no-color")
    assert code in (0, 1)
    assert "Fixing the :bug: in [bold]parsers[/bold]" in out
    assert "🐛" not in out


def test_preview_one_section_by_number_and_heading() -> None:
    """--section takes a number or part of a heading."""
    _, by_number, _ = run("preview", str(EXAMPLE), "--section", "5", "--format", "json")
    _, by_heading, _ = run("preview", str(EXAMPLE), "--section", "spillover", "--format", "json")
    assert json.loads(by_number)["threads"] == json.loads(by_heading)["threads"]
    assert [t["id"] for t in json.loads(by_number)["threads"]] == ["kpop-asean-plus-three#5"]


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["preview", "missing.txt"],
            "error: missing.txt: no such file: check the path to the article\n",
        ),
        (
            ["preview", str(EXAMPLE), "--section", "9"],
            "error: section 9 does not exist: the article has sections 1 to 7\n",
        ),
        (
            ["preview", str(EXAMPLE), "--section", "ASEAN"],
            "error: 'ASEAN' matches sections 2, 5, 6, 7: use the number or more of the heading\n",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], stderr: str) -> None:
    """Bad input is one line on stderr saying what to do, exit code 2, nothing on stdout."""
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", stderr)


def test_broken_config_exits_2(tmp_path: Path) -> None:
    """A broken config names file and field."""
    config = tmp_path / "c.toml"
    config.write_text('[site]\nblog_url = "http://x.com"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["preview", str(EXAMPLE), "--config", str(config)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {config}: site.blog_url: must start with https:// (got 'http://x.com')\n",
    )


def test_validation_errors_exit_1(tmp_path: Path) -> None:
    """A thread with an error finding still prints, and exits 1."""
    config = tmp_path / "c.toml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        .replace('templates_dir = "../templates"', f'templates_dir = "{ROOT / "templates"}"')
        .replace("max_tweets = 8", "max_tweets = 2")
        .replace('overflow = "select"', 'overflow = "error"'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["preview", str(EXAMPLE), "--config", str(config), "--format", "json"]
    )
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"}
    assert codes == {"thread-too-long"}


def test_usage_error_exits_2() -> None:
    """An unknown option is a usage error (exit 2)."""
    code, _, err = run("preview", str(EXAMPLE), "--format", "xml")
    assert code == 2
    assert "Invalid value for '--format'" in err


def _commands(group: click.Group) -> list[str]:
    return group.list_commands(click.Context(group))


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_has_help_and_is_in_readme(command: str) -> None:
    """Each command documents itself in --help and in README.md."""
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Usage: " in out
    assert len(out.splitlines()) > 3
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"threadbot {command}" in readme
    loaded = cli.get_command(click.Context(cli), command)
    assert loaded is not None
    # A group's subcommands (`feed preview`, `feed add` …) are documented one by one.
    commands = (
        {f"{command} {name}": sub for name, sub in loaded.commands.items()}
        if isinstance(loaded, click.Group)
        else {command: loaded}
    )
    for full_name, each in commands.items():
        assert f"threadbot {full_name}" in readme, f"threadbot {full_name} is not in README.md"
        for option in each.params:
            for name in getattr(option, "opts", []):
                if name.startswith("--"):
                    assert name in readme, f"{full_name} {name} is not documented in README.md"


@pytest.mark.e2e
def test_preview_does_not_import_network_or_database_code() -> None:
    """Preview starts fast: tweepy, APScheduler and SQLAlchemy stay unimported."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from bot.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['preview', {str(EXAMPLE)!r}, '--config', {str(CONFIG)!r}, '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('tweepy', 'apscheduler', 'sqlalchemy', 'requests', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.e2e
def test_only_preview_runs_without_the_garbage_collector() -> None:
    """`threadbot preview` runs with the cyclic collector off and freezes what lives at
    exit (its start-up is most of its time); every other command, the daemon above all,
    collects as usual. Checked in the process the console script runs."""
    probe = (
        "import gc, sys\n"
        "import bot.cli\n"
        "seen = {}\n"
        "for name in ('preview', 'queue', 'run'):\n"
        "    bot.cli.ThreadbotGroup.get_command(bot.cli.cli, None, name).callback = (\n"
        "        lambda *a, _n=name, **k: seen.__setitem__(_n, gc.isenabled()))\n"
        "    sys.argv = ['threadbot', name, *(['x.txt'] if name == 'preview' else [])]\n"
        "    try:\n"
        "        bot.cli.main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    seen[name + ' frozen'] = gc.get_freeze_count() > 0\n"
        "    gc.unfreeze()\n"
        "print(sorted(seen.items()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == str(
        [
            ("preview", False),
            ("preview frozen", True),
            ("queue", True),
            ("queue frozen", True),
            ("run", True),
            ("run frozen", True),
        ]
    )


@pytest.mark.parametrize("article", sorted((ROOT / "articles").iterdir()), ids=lambda p: p.name)
def test_every_shipped_article_previews_cleanly(article: Path) -> None:
    """Each example article in articles/ previews with exit 0 and no error findings."""
    code, out, err = run("preview", str(article), "--format", "json")
    assert (code, err) == (0, "")
    assert all(f["severity"] == "warning" for f in json.loads(out)["findings"])


def _latin1_config(tmp_path: Path, templates: Path) -> Path:
    config = tmp_path / f"{templates.name}.toml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8").replace(
            'templates_dir = "../templates"', f'templates_dir = "{templates}"'
        ),
        encoding="utf-8",
    )
    return config


def _user_file_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Each kind of broken file a user can hand threadbot, and the line it must give."""
    latin1_templates = tmp_path / "latin1-templates"
    shutil.copytree(ROOT / "templates", latin1_templates)
    (latin1_templates / "body.txt.j2").write_bytes("{{ text }} — café".encode("latin-1", "replace"))
    unreadable_templates = tmp_path / "unreadable-templates"
    shutil.copytree(ROOT / "templates", unreadable_templates)
    (unreadable_templates / "fact.txt.j2").unlink()
    (unreadable_templates / "fact.txt.j2").mkdir()  # exists, but cannot be read as a file
    latin1_config = tmp_path / "latin1.toml"
    latin1_config.write_bytes(
        CONFIG.read_bytes().replace(b"[site]", "# Café\n[site]".encode("latin-1"))
    )
    latin1_article = tmp_path / "latin1.txt"
    latin1_article.write_bytes("Title\n\nCafé culture grew.\n".encode("latin-1"))
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"not a database at all\n" * 100)
    article = str(EXAMPLE)
    return {
        "latin-1 template": (
            ["preview", article, "--config", str(_latin1_config(tmp_path, latin1_templates))],
            "body.txt.j2: not UTF-8 text",
        ),
        "unreadable template": (
            ["check", "--config", str(_latin1_config(tmp_path, unreadable_templates))],
            "fact.txt.j2",
        ),
        "latin-1 config": (["preview", article, "--config", str(latin1_config)], "not UTF-8"),
        "latin-1 article": (
            ["preview", str(latin1_article), "--config", str(CONFIG)],
            "is not UTF-8 text",
        ),
        "store not a database": (
            ["status", "--config", str(CONFIG), "--db", str(not_a_db)],
            "not a usable threadbot store",
        ),
        "queue on a store that is not a database": (
            ["queue", "--config", str(CONFIG), "--db", str(not_a_db)],
            "not a usable threadbot store",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "latin-1 template",
        "unreadable template",
        "latin-1 config",
        "latin-1 article",
        "store not a database",
        "queue on a store that is not a database",
    ],
)
def test_whatever_a_users_files_cause_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    """Unreadable or mis-encoded templates, config and articles, and a store file that is
    not a database: one line on stderr, exit 2, never a traceback."""
    args, expected = _user_file_cases(tmp_path)[case]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("network", "limit"), [("bluesky", 300), ("mastodon", 500)])
def test_preview_for_another_network_splits_by_its_rule(network: str, limit: int) -> None:
    """--network: the document names the network, every post is within its limit by its
    own measure, posting there costs nothing, and links say where the visit came from."""
    from threads.networks import rule_for

    code, out, _ = run("preview", str(EXAMPLE), "--network", network, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["network"] == network
    rule = rule_for(network)
    for thread in document["threads"]:
        assert thread["cost_usd"] == 0.0
        for tweet in thread["tweets"]:
            assert tweet["weighted_length"] == rule.measure(tweet["text"]) <= limit
            assert rule.fits(tweet["text"])
    texts = " ".join(t["text"] for th in document["threads"] for t in th["tweets"])
    assert f"utm_source={network}" in texts
    assert "utm_source=x" not in texts


def test_preview_for_several_networks_is_an_array_of_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`networks = [...]` in the config: one document per network, in that order, from
    the article read and parsed once."""
    import threads.parsing

    reads: list[str] = []
    load_article = threads.parsing.load_article

    def counted(path: str, **options: object) -> object:
        reads.append(path)
        return load_article(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(threads.parsing, "load_article", counted)
    config = tmp_path / "config.toml"
    text = CONFIG.read_text(encoding="utf-8").replace(
        'templates_dir = "../templates"', f'templates_dir = "{ROOT / "templates"}"'
    )
    text = text.replace('networks = ["x"]', 'networks = ["x", "bluesky", "mastodon"]')
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["preview", str(EXAMPLE), "--section", "5", "--format", "json", "--config", str(config)],
    )
    assert result.exit_code == 0, result.stderr
    documents = json.loads(result.stdout)
    assert [d["network"] for d in documents] == ["x", "bluesky", "mastodon"]
    counts = [len(d["threads"][0]["tweets"]) for d in documents]
    assert counts[1] >= counts[0]  # Bluesky's 300 graphemes hold less than X's links at 23
    assert reads == [str(EXAMPLE)]
