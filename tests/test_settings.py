"""Config loading: which file, and a `file: field.path: message` for every mistake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.settings import CONFIG_ENV, load_settings, resolve_config_path
from threads.errors import ConfigError

from .conftest import CONFIG, TEMPLATES

VALID = '[site]\nblog_url = "https://blog.gonogo.kr"\n'


def test_shipped_config_loads() -> None:
    """config/threadbot.toml is valid and points at the shipped templates."""
    loaded = load_settings(CONFIG)
    assert loaded.templates_path == TEMPLATES
    assert loaded.settings.threads.links == "closing"
    assert [r.handle for r in loaded.settings.site.recommendations] == ["@GONOGO_Korea"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[site]\nblog_url = "http://blog.gonogo.kr"\n', "site.blog_url: must start with https://"),
        (
            '[site]\nblog_url = "https://blog.gonogo.kr"\ncolour = "red"\n',
            "site.colour: unknown setting: check the spelling",
        ),
        ("[threads]\nlinks = 'closing'\n", "site: required: add it to the config"),
        (
            VALID + '[threads]\nlinks = "everywhere"\n',
            "threads.links: Input should be 'closing' or 'inline'",
        ),
        (
            VALID + "[threads]\nmax_tweets = 1\n",
            "threads.max_tweets: Input should be greater than or equal to 2",
        ),
        (
            VALID + '[[site.recommendations]]\nhandle = "@way_too_long_handle_x"\nreason = "r"\n',
            "site.recommendations.0.handle: '@way_too_long_handle_x' is not an X handle",
        ),
        (
            '[site]\nblog_url = "http://a"\nabout_url = "ftp://b"\n',
            "site.blog_url: must start with https:// (got 'http://a') (and 1 more problem)",
        ),
        ("[site\n", "not valid TOML"),
        (
            VALID + '[stats]\nafter = ["1h", "soon"]\n',
            "stats.after.1: 'soon' is not a duration: write e.g. 1h, 24h, 7d or 1d12h",
        ),
        (VALID + "[stats]\nreads = 3\n", "stats.reads: unknown setting"),
    ],
)
def test_config_errors(tmp_path: Path, content: str, message: str) -> None:
    """Each invalid config names the file and the field, and says what to do."""
    path = tmp_path / "threadbot.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}: {message}" or str(caught.value).startswith(
        f"{path}: {message}"
    )


def test_missing_config(tmp_path: Path) -> None:
    """A missing config says how to point at one."""
    with pytest.raises(
        ConfigError, match=f"config file not found: pass --config PATH or set {CONFIG_ENV}"
    ):
        load_settings(tmp_path / "none.toml")


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config beats THREADBOT_CONFIG, which beats ./config/threadbot.toml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "threadbot.toml").write_text(VALID, encoding="utf-8")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert resolve_config_path(None) == Path("config/threadbot.toml")
    monkeypatch.setenv(CONFIG_ENV, "/from/env.toml")
    assert resolve_config_path(None) == Path("/from/env.toml")
    assert resolve_config_path("explicit.toml") == Path("explicit.toml")


def test_stats_settings(tmp_path: Path) -> None:
    """[stats] after as durations, shortest first, each once; read_usd a price."""
    path = tmp_path / "threadbot.toml"
    path.write_text(
        VALID + '[stats]\nafter = ["7d", "90m", "1d12h", "7d"]\nmonthly_usd = 2.5\n'
        "[prices]\nread_usd = 0.002\n",
        encoding="utf-8",
    )
    settings = load_settings(path).settings
    assert settings.stats.offsets == (
        dt.timedelta(minutes=90),
        dt.timedelta(days=1, hours=12),
        dt.timedelta(days=7),
    )
    assert (settings.stats.monthly_usd, settings.prices.read_usd) == (2.5, 0.002)
    shipped = load_settings(CONFIG).settings
    assert shipped.stats.offsets == (
        dt.timedelta(hours=1),
        dt.timedelta(hours=24),
        dt.timedelta(days=7),
    )
    assert (shipped.stats.monthly_usd, shipped.prices.read_usd) == (1.0, 0.001)
