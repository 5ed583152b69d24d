"""Several accounts and a shared store from the command line: [accounts.NAME], --account,
per-account budgets and listings, `db upgrade`, `db copy`, `daemons`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.lifecycle import Lease, Owner
from bot.settings import load_settings
from bot.store import HEAD, Store

from .conftest import EXAMPLE, write_publish_config

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _config(tmp_path: Path, extra: str = "") -> Path:
    config = write_publish_config(tmp_path)
    with config.open("a", encoding="utf-8") as text:
        text.write(
            '\n[accounts.news]\nhandle = "@news_emu"\n'
            "[accounts.news.budget]\nmax_posts_per_24h = 3\n"
            '[accounts.news.schedule]\ntimezone = "Asia/Seoul"\n'
            '[accounts.news.site]\nblog_url = "https://news.gonogo.kr"\n'
            'about_url = "https://news.gonogo.kr/about"\n'
            'article_base_url = "https://news.gonogo.kr/p/"\n' + extra
        )
    return config


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_an_account_merges_its_parts_over_the_top_level(tmp_path: Path) -> None:
    """[accounts.news] replaces site, budget and time zone; the rest is shared."""
    loaded = load_settings(_config(tmp_path))
    news, default = loaded.account("news"), loaded.account()
    assert news.build_options.site.blog_url == "https://news.gonogo.kr"
    assert default.build_options.site.blog_url == "https://blog.gonogo.kr"
    assert (news.budget.max_posts_per_24h, default.budget.max_posts_per_24h) == (3, 1000)
    assert (news.timezone, default.timezone) == ("Asia/Seoul", "UTC")
    assert news.build_options.threads == default.build_options.threads
    assert loaded.account_names == ["default", "news"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("[accounts.News]\n", "account name 'News': use 1-32 lowercase letters"),
        ("[accounts.default]\n", "'default' is the top-level account"),
        ("[accounts.x]\nbudget = 3\n", "accounts.x.budget"),
    ],
)
def test_bad_account_sections_are_one_line_with_the_field(
    tmp_path: Path, section: str, message: str
) -> None:
    """A wrong account section names the field and what to write."""
    config = _config(tmp_path, section)
    code, _, err = run("check", "--config", str(config))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_account_lists_the_known_ones(tmp_path: Path) -> None:
    """--account with no section: exit 2, one line naming the sections there are."""
    config = _config(tmp_path)
    code, _, err = run(
        "schedule", str(EXAMPLE), "--section", "5", "--at", "2030-01-01 09:00",
        "--account", "sports", "--config", str(config), "--db", str(tmp_path / "s.db"),
    )  # fmt: skip
    assert code == 2
    assert err.strip() == (
        f"error: no account 'sports' in {config}: add an [accounts.sports] section, "
        "or use one of: default, news"
    )


def test_missing_credentials_name_the_accounts_variables(tmp_path: Path) -> None:
    """A named account's credentials are THREADBOT_<NAME>_X_*; a missing one is named."""
    config = _config(tmp_path)
    code, out, _ = run(
        "check", "--online", "--account", "news", "--config", str(config),
        env={"X_API_KEY": "k", "THREADBOT_NEWS_X_API_KEY": "k"},
    )  # fmt: skip
    assert code == 1
    (line,) = [line for line in out.splitlines() if line.startswith("x: ")]
    assert line.startswith("x: not ready:")
    assert "THREADBOT_NEWS_X_API_SECRET" in line
    assert "THREADBOT_NEWS_X_API_KEY" not in line


def test_schedule_as_an_account_uses_its_links_zone_and_slots(tmp_path: Path) -> None:
    """--account news: the thread is news's, built with news's links, in Seoul time;
    queue and status show one block per account."""
    config, db = _config(tmp_path), str(tmp_path / "s.db")
    common = ["--config", str(config), "--db", db]
    code, out, err = run(
        "schedule", str(EXAMPLE), "--section", "5", "--at", "2030-01-01 09:00",
        "--account", "news", *common,
    )  # fmt: skip
    assert code == 0, err
    assert "2030-01-01 09:00 KST" in out
    code, _, err = run(
        "schedule", str(EXAMPLE), "--section", "5", "--at", "2030-01-01 09:00", *common
    )
    assert code == 0, err  # the same article for another account is another thread
    store = Store(f"sqlite:///{db}")
    news, default = sorted(store.threads.all(), key=lambda r: r.account != "news")
    assert (news.account, default.account) == ("news", "default")
    assert "news.gonogo.kr" in " ".join(t.text for t in news.posts)
    assert "news.gonogo.kr" not in " ".join(t.text for t in default.posts)
    _, out, _ = run("queue", *common)
    assert out.startswith("account default:\nupcoming:")
    assert "account news:\nupcoming:" in out
    _, out, _ = run("queue", "--format", "json", *common)
    assert {item["account"] for item in json.loads(out)["upcoming"]} == {"default", "news"}
    _, out, _ = run("status", *common)
    assert out.count("this month: 0 posts") == 2
    assert "account news:" in out


def test_budgets_and_caps_are_counted_per_account(db_url: str) -> None:
    """Posts of one account never use another's 24-hour cap; the cap is read from the
    store, so a second publisher (another daemon) of the same account sees the same."""
    from bot.errors import BudgetExceededError
    from bot.posting.publisher import Publisher, PublishLimits
    from bot.testing.fakes import FakeX
    from threads.options import Prices

    store = Store(db_url)
    x = FakeX()

    def publisher(account: str, cap: int) -> Publisher:
        limits = PublishLimits(reply_pause_seconds=0, max_posts_per_24h=cap)
        return Publisher(
            store, x, limits, Prices(), clock=lambda: NOW, account_name=account, network="x"
        )

    for number in range(3):
        thread = store.threads.freeze(
            key=f"a#{number}", article="a.md", section_index=1, section="S",
            content_hash=str(number), posts=[(f"post {number}", False)], cost_usd=0.015,
            now=NOW, account="news", network="x",
        )  # fmt: skip
        claim = store.queue.claim(thread.id, Owner("d", "h"), NOW, Lease(60))
        assert claim is not None
        claim.posted(1, str(number), NOW)
    with pytest.raises(BudgetExceededError, match="3 posted in the last 24 h"):
        publisher("news", 3).check_budget([("one more", False)])
    publisher("default", 3).check_budget([("one", False), ("two", False), ("three", False)])
    store.engine.dispose()


def test_db_upgrade_and_copy_into_postgres(tmp_path: Path) -> None:
    """`db copy --to` moves a SQLite queue into an empty PostgreSQL store; `db upgrade`
    says where the schema is; the copy is refused a second time."""
    from .databases import postgres_schema

    config, db = _config(tmp_path), str(tmp_path / "s.db")
    common = ["--config", str(config)]
    code, _, err = run(
        "schedule", str(EXAMPLE), "--section", "5", "--at", "2030-01-01 09:00",
        "--db", db, *common,
    )  # fmt: skip
    assert code == 0, err
    with postgres_schema() as url:
        code, out, err = run("db", "copy", "--to", url, "--db", db, *common)
        assert code == 0, err
        assert "1 threads, 4 posts" in out
        assert ":threadbot@" not in out  # the password is never shown
        code, out, _ = run("db", "upgrade", "--db", url, *common)
        assert (code, out.strip().endswith(f"schema already at {HEAD}; nothing to do")) == (0, True)
        code, out, _ = run("queue", "--db", url, *common)
        assert "scheduled kpop-asean-plus-three#5" in out
        code, _, err = run("db", "copy", "--to", url, "--db", db, *common)
        assert code == 2
        assert "copy into a new, empty database" in err


def test_daemons_lists_live_ones(tmp_path: Path) -> None:
    """`daemons`: none at first; a registered, beating daemon with its threads in hand."""
    config, db = _config(tmp_path), str(tmp_path / "s.db")
    common = ["--config", str(config), "--db", db]
    code, _, err = run("daemons", *common)
    assert code == 2  # read-only: a store that is not there is not created
    assert "no threadbot store there" in err
    assert not Path(db).exists()
    store = Store(f"sqlite:///{db}")
    assert run("daemons", *common)[1].startswith("no daemons running on this store")
    store.daemons.register("host-a:12:abcdef", "host-a", 12, 3, "0.1.0")
    code, out, _ = run("daemons", *common)
    assert code == 0
    assert "host-a:12:abcdef" in out
    assert "live" in out
    assert "threads 0/3" in out
    store.daemons.beat("host-a:12:abcdef", stopped=True)
    assert run("daemons", *common)[1].startswith("no daemons")
    document = json.loads(run("daemons", "--all", "--format", "json", *common)[1])
    assert [(d["id"], d["live"]) for d in document["daemons"]] == [("host-a:12:abcdef", False)]


def test_check_online_logs_in_to_every_network_the_account_posts_to(
    tmp_path: Path, emulator: Any, bluesky: Any, mastodon: Any
) -> None:
    """An owner posting to X, Bluesky and Mastodon: one "who am I" call each, a handle
    printed for each; without Mastodon's token, Mastodon is named and the exit is 1."""
    config = write_publish_config(tmp_path)
    text = config.read_text("utf-8")
    config.write_text('networks = ["x", "bluesky", "mastodon"]\n' + text, "utf-8")
    env = {**emulator.exports(), **bluesky.exports(), **mastodon.exports()}
    code, out, err = run("check", "--online", "--config", str(config), env=env)
    assert code == 0, out + err
    lines = [line.split(":")[0] for line in out.splitlines() if "credentials ok" in line]
    assert lines == ["x", "bluesky", "mastodon"]
    assert "links: not fetched ([links] check = false)" in out
    assert emulator.calls["GET /2/users/me"] == 1
    without = {k: v for k, v in env.items() if k != "MASTODON_ACCESS_TOKEN"}
    code, out, _ = run("check", "--online", "--config", str(config), env=without)
    assert code == 1
    assert "mastodon: not ready:" in out
    assert "MASTODON_ACCESS_TOKEN" in out


def test_the_shipped_examples_identity_is_a_warning_not_a_refusal(tmp_path: Path) -> None:
    """A config still recommending the example's @GONOGO_Korea in every closing post is
    warned about by `check` (exit 0: the example article itself recommends it); one
    with its own recommendation is not."""
    config = write_publish_config(tmp_path)
    code, out, _ = run("check", "--config", str(config))
    assert code == 0, out
    assert "warning example-identity" in out
    assert "recommends @GONOGO_Korea, the shipped example's account" in out
    config.write_text(config.read_text("utf-8").replace("@GONOGO_Korea", "@seoul_trends"), "utf-8")
    code, out, _ = run("check", "--config", str(config))
    assert (code, "example-identity" in out) == (0, False)


def test_posting_an_article_that_never_names_the_examples_account_warns(tmp_path: Path) -> None:
    """`schedule` warns when every closing post would recommend @GONOGO_Korea about an
    article that never mentions it; the example article, which does, is not warned about."""
    config = write_publish_config(tmp_path)
    article = tmp_path / "mine.md"
    article.write_text(
        "---\ntitle: My own post\nurl: https://blog.gonogo.kr/posts/mine\n---\n"
        "## Part\n\nThis post is mine, about my own work on a small static site. It has "
        "nothing to do with anyone else's account.\n",
        "utf-8",
    )
    common = ["--at", "2030-01-01 09:00", "--config", str(config), "--db", str(tmp_path / "s.db")]
    code, _, err = run("schedule", str(article), *common)
    assert code == 0, err
    assert "warning example-identity" in err
    code, _, err = run("schedule", str(EXAMPLE), "--section", "5", *common)
    assert (code, err) == (0, "")
