"""Shared fixtures: the example article, the shipped templates and config, conformance files."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.settings import load_settings
from threads.options import BuildOptions
from threads.templates import TemplateSet

from .databases import BACKENDS, database

if TYPE_CHECKING:
    from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "articles" / "kpop-asean-plus-three.txt"
CONFIG = ROOT / "config" / "threadbot.toml"
TEMPLATES = ROOT / "templates"
# The conformance suite is read from the workplace's shared folder, never copied in.
CONFORMANCE = ROOT.parent / "shared" / "twitter-text-conformance"


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never call a real network: a connection from this process to anything but
    this machine fails the test, and so does one from a subprocess (through a dead proxy)."""
    connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple):
            host = address[0]
            try:
                local = ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = host == "localhost"
            if not local:
                raise AssertionError(f"a test connected to {host}: use a local server")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    # Subprocesses (the CLI, daemons) inherit these: httpx and requests then send anything
    # not on this machine to a closed local port, so a forgotten real URL fails fast here
    # instead of passing wherever the internet happens to answer.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost,::1")


@pytest.fixture
def options() -> BuildOptions:
    return load_settings(CONFIG).build_options


@pytest.fixture
def templates() -> TemplateSet:
    return TemplateSet(TEMPLATES)


def conformance_file(name: str) -> Path:
    path = CONFORMANCE / name
    if not path.is_file():
        pytest.skip(f"twitter-text conformance file {path} not present")
    return path


PUBLISH_CONFIG = """
templates_dir = "{templates}"

[site]
blog_url = "https://blog.gonogo.kr"
about_url = "https://blog.gonogo.kr/about"
article_base_url = "https://blog.gonogo.kr/posts/"

[[site.recommendations]]
handle = "@GONOGO_Korea"
reason = "as a resource I trust and regularly learn from"

[threads]
charts = {charts}

[publishing]
reply_pause_seconds = 0
max_rate_limit_wait_seconds = 5
max_attempts = 3
request_timeout_seconds = {request_timeout}
lease_seconds = {lease_seconds}

[budget]
max_posts_per_24h = {max_posts}
monthly_usd = 25.0

[schedule]
timezone = "UTC"
poll_seconds = 1
grace_minutes = {grace_minutes}

[links]
# The site above is real: tests never fetch it (tests/test_link_gate.py serves its own).
check = false
"""


def write_publish_config(
    directory: Path,
    *,
    max_posts: int = 1000,
    grace_minutes: float = 60,
    charts: bool = False,
    lease_seconds: float = 1.0,
    request_timeout: float = 2.0,
) -> Path:
    """A config with real-looking links (posting refuses placeholders), no pauses."""
    path = directory / "publish.toml"
    text = PUBLISH_CONFIG.format(
        templates=TEMPLATES,
        max_posts=max_posts,
        grace_minutes=grace_minutes,
        charts="true" if charts else "false",
        lease_seconds=lease_seconds,
        request_timeout=request_timeout,
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def emulator():  # type: ignore[no-untyped-def]
    """The local X API, accepting repeated texts: a second attempt shows as a second post."""
    from bot.testing.x import XEmulator

    server = XEmulator(client_timeout=2.0, accept_duplicates=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def bluesky():  # type: ignore[no-untyped-def]
    """A local Bluesky PDS."""
    from bot.testing.bluesky import BlueskyEmulator

    server = BlueskyEmulator()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mastodon():  # type: ignore[no-untyped-def]
    """A local Mastodon instance."""
    from bot.testing.mastodon import MastodonEmulator

    server = MastodonEmulator()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's URL, once on SQLite and once on PostgreSQL (tests/databases.py)."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An empty store, on SQLite and on PostgreSQL."""
    from bot.store import Store

    store = Store(db_url)
    yield store
    store.engine.dispose()


NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand; ``sleep`` advances it and records the pause."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def publish_config(tmp_path: Path) -> Path:
    return write_publish_config(tmp_path)
