"""Load threadbot's config file into validated settings.

Which file: ``--config PATH``, else ``$THREADBOT_CONFIG``, else ``config/threadbot.toml``
in the working directory, else the one shipped beside the package (a checkout's).
Secrets never live here; they come from the environment (see the publishing commands).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from threads.errors import ConfigError
from threads.links import SiteLinks, Utm
from threads.options import BuildOptions, MentionOptions, Prices, ThreadOptions

CONFIG_ENV = "THREADBOT_CONFIG"
DB_ENV = "THREADBOT_DB"
API_URL_ENV = "THREADBOT_X_API_URL"
# Point Bluesky and Mastodon at another server (a local emulator) without a config edit.
BLUESKY_URL_ENV = "THREADBOT_BLUESKY_PDS_URL"
MASTODON_URL_ENV = "THREADBOT_MASTODON_URL"
DEFAULT_CONFIG = Path("config") / "threadbot.toml"
# The top-level account's name; [accounts.NAME] sections add others.
DEFAULT_ACCOUNT = "default"
ACCOUNT_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SHIPPED_CONFIG = Path(__file__).resolve().parent.parent / DEFAULT_CONFIG


class PublishingSettings(BaseModel):
    """The ``[publishing]`` part: how posting behaves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reply_pause_seconds: float = Field(default=2.0, ge=0, le=60)
    max_rate_limit_wait_seconds: float = Field(default=900.0, ge=0, le=3600)
    max_attempts: int = Field(default=5, ge=1, le=20)
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long a claim on a thread holds without renewal (renewed every "
        "third of it while posting); another process takes a thread over only after it.",
    )


class BudgetSettings(BaseModel):
    """The ``[budget]`` part: what may be posted and spent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_posts_per_24h: int = Field(default=50, ge=1, le=10_000)
    monthly_usd: float = Field(default=25.0, ge=0)


_DURATION = re.compile(r"(\d+)\s*([wdhm])")
_DURATION_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def duration(text: str) -> dt.timedelta:
    """``1h``, ``24h``, ``7d``, ``1d12h``: a positive duration (ValueError otherwise)."""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not parts or _DURATION.sub("", cleaned).strip():
        raise ValueError(f"{text!r} is not a duration: write e.g. 1h, 24h, 7d or 1d12h")
    delta = sum(
        (dt.timedelta(**{_DURATION_UNITS[unit]: int(amount)}) for amount, unit in parts),
        dt.timedelta(),
    )
    if delta <= dt.timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return delta


def _duration_text(text: str) -> str:
    duration(text)
    return text


class StatsSettings(BaseModel):
    """The ``[stats]`` part: when the daemon reads what posted threads did, and what
    those reads may cost (X bills reading the account's own posts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # After a thread posts, the daemon reads its posts' numbers this long after, once each.
    after: list[Annotated[str, AfterValidator(_duration_text)]] = Field(
        default=["1h", "24h", "7d"], max_length=20
    )
    # What reads may cost an account in a calendar month (UTC); they count toward
    # [budget] monthly_usd too.
    monthly_usd: float = Field(default=1.0, ge=0)

    @property
    def offsets(self) -> tuple[dt.timedelta, ...]:
        """``after`` as durations, shortest first, each once."""
        return tuple(sorted({duration(text) for text in self.after}))


class StoreSettings(BaseModel):
    """The ``[store]`` part: where publish state lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str | None = Field(
        default=None, description="SQLite file or database URL; default: the user data dir."
    )


class ScheduleSettings(BaseModel):
    """The ``[schedule]`` part: time zone and the daemon's behaviour."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    grace_minutes: float = Field(default=60, ge=0)
    poll_seconds: float = Field(default=2.0, gt=0, le=60)
    # With several networks, each network's thread of a section goes this many minutes
    # after the previous network's (0: all at the slot).
    stagger_minutes: float = Field(default=0, ge=0, le=1440)


class LinksSettings(BaseModel):
    """The ``[links]`` part: the article, blog and about links fetched live before posting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Off for offline use (the same as --no-link-check on every command).
    check: bool = True
    # A dead article link defers the thread; after this long still dead, it fails.
    recheck_hours: float = Field(default=6, gt=0, le=168)
    timeout_seconds: float = Field(default=10, gt=0, le=60)


class FeedsSettings(BaseModel):
    """The ``[feeds]`` part: how followed feeds are polled and queued."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    poll_minutes: float = Field(default=15, gt=0)
    slots: str = "daily 09:00"
    # How often the daemon looks for feeds whose check is due.
    check_seconds: float = Field(default=30, gt=0, le=600)
    max_feed_bytes: int = Field(default=10_000_000, ge=10_000)
    # Queue every feed's threads as `pending`: none posts before `threadbot approve`.
    approve: bool = False


def _known_network(name: str) -> str:
    from threads.networks import NETWORKS

    if name not in NETWORKS:
        raise ValueError(f"unknown network {name!r}: use one of {', '.join(NETWORKS)}")
    return name


# A network's name as the config, the CLI and the store spell it (threads.networks.NETWORKS).
NetworkName = Annotated[str, AfterValidator(_known_network)]


class BlueskySettings(BaseModel):
    """The ``[bluesky]`` part: where the account lives and how links are shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pds_url: str = "https://bsky.social"
    # Show a long link as its first N characters (its facet keeps the whole URL), as
    # Bluesky's own app does; None: links as written.
    link_display: int | None = Field(default=None, ge=16, le=300)


class MastodonSettings(BaseModel):
    """The ``[mastodon]`` part: the instance, its post length and the visibility."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_url: str | None = None
    # The instance's post length. Unset: read from the instance's /api/v2/instance when
    # posting or scheduling (online), 500 for a preview; set: used as given.
    max_characters: int | None = Field(default=None, ge=100, le=100_000)
    visibility: Literal["public", "unlisted", "private"] = "public"


class AccountScheduleSettings(BaseModel):
    """An account's ``[accounts.NAME.schedule]`` defaults (the rest is the daemon's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str | None = None
    grace_minutes: float | None = Field(default=None, ge=0)


class AccountSettings(BaseModel):
    """An ``[accounts.NAME]`` section: another X account with its own links, budget and
    schedule defaults; credentials from ``THREADBOT_<NAME>_X_API_KEY`` and the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    handle: str | None = Field(default=None, pattern=r"^@?[A-Za-z0-9_]{1,15}$")
    networks: list[NetworkName] | None = Field(default=None, min_length=1)
    site: SiteLinks | None = None
    budget: BudgetSettings | None = None
    schedule: AccountScheduleSettings | None = None


class AccountConfig(BaseModel):
    """One account as the runtime uses it: its own parts, or the top level's."""

    model_config = ConfigDict(frozen=True)

    name: str
    handle: str | None
    networks: tuple[NetworkName, ...]
    build_options: BuildOptions
    budget: BudgetSettings
    timezone: str
    grace_minutes: float


class Settings(BaseModel):
    """The whole config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    templates_dir: str = "../templates"
    # The networks threads are made for by default (preview, schedule, feeds).
    networks: list[NetworkName] = Field(default=["x"], min_length=1)
    site: SiteLinks
    threads: ThreadOptions = ThreadOptions()
    prices: Prices = Prices()
    utm: Utm = Utm()
    mentions: MentionOptions = MentionOptions()
    publishing: PublishingSettings = PublishingSettings()
    budget: BudgetSettings = BudgetSettings()
    store: StoreSettings = StoreSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    feeds: FeedsSettings = FeedsSettings()
    links: LinksSettings = LinksSettings()
    stats: StatsSettings = StatsSettings()
    bluesky: BlueskySettings = BlueskySettings()
    mastodon: MastodonSettings = MastodonSettings()
    accounts: dict[str, AccountSettings] = {}

    @field_validator("accounts")
    @classmethod
    def _account_names(cls, accounts: dict[str, AccountSettings]) -> dict[str, AccountSettings]:
        for name in accounts:
            if not ACCOUNT_NAME.fullmatch(name):
                raise ValueError(
                    f"account name {name!r}: use 1-32 lowercase letters, digits or _ "
                    "(it becomes THREADBOT_<NAME>_X_API_KEY)"
                )
            if name == DEFAULT_ACCOUNT:
                raise ValueError(
                    f"{DEFAULT_ACCOUNT!r} is the top-level account: name the section otherwise"
                )
        return accounts


class LoadedSettings(BaseModel):
    """Settings plus where they came from, for resolving paths and for messages."""

    model_config = ConfigDict(frozen=True)

    settings: Settings
    path: Path

    @property
    def templates_path(self) -> Path:
        return (self.path.parent / self.settings.templates_dir).resolve()

    def store_url(self, explicit: str | None = None) -> str:
        """--db, else $THREADBOT_DB, else [store] path (relative to the config), else the
        user data directory."""
        chosen = explicit or os.environ.get(DB_ENV)
        if chosen:
            return database_url(chosen)
        if self.settings.store.path:
            configured = self.settings.store.path
            if "://" in configured:
                return database_url(configured)
            return database_url(self.path.parent / configured)
        import platformdirs

        return database_url(Path(platformdirs.user_data_dir("threadbot")) / "threadbot.db")

    @property
    def build_options(self) -> BuildOptions:
        return self.account().build_options

    @property
    def account_names(self) -> list[str]:
        return [DEFAULT_ACCOUNT, *self.settings.accounts]

    def account(self, name: str | None = None) -> AccountConfig:
        """The account ``name`` (default: the top-level one), its parts merged over the
        top level's; an unknown name is one line listing the known ones."""
        s = self.settings
        name = name or DEFAULT_ACCOUNT
        own = AccountSettings() if name == DEFAULT_ACCOUNT else s.accounts.get(name)
        if own is None:
            from bot.errors import UnknownAccountError

            known = ", ".join(self.account_names)
            raise UnknownAccountError(
                f"no account {name!r} in {self.path}: add an [accounts.{name}] section, "
                f"or use one of: {known}"
            )
        schedule = own.schedule or AccountScheduleSettings()
        return AccountConfig(
            name=name,
            handle=own.handle,
            networks=tuple(dict.fromkeys(own.networks or s.networks)),
            build_options=BuildOptions(
                site=own.site or s.site,
                threads=s.threads,
                prices=s.prices,
                utm=s.utm,
                mentions=s.mentions,
            ),
            budget=own.budget or s.budget,
            timezone=schedule.timezone or s.schedule.timezone,
            grace_minutes=(
                schedule.grace_minutes
                if schedule.grace_minutes is not None
                else s.schedule.grace_minutes
            ),
        )


def database_url(path_or_url: str | Path) -> str:
    """A SQLite path as a URL; ``postgres://`` and ``postgresql://`` (as hosting providers
    write them) mean psycopg 3, the driver threadbot installs."""
    text = str(path_or_url)
    for plain in ("postgres://", "postgresql://"):
        if text.startswith(plain):
            return "postgresql+psycopg://" + text.removeprefix(plain)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


def resolve_config_path(explicit: str | Path | None) -> Path:
    """The config file to use, following the documented order."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    return _SHIPPED_CONFIG


def load_settings(explicit: str | Path | None = None) -> LoadedSettings:
    """Read and validate the config; every problem is a ConfigError naming file and field."""
    path = resolve_config_path(explicit)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            path, f"config file not found: pass --config PATH or set {CONFIG_ENV}"
        ) from None
    except OSError as error:
        raise ConfigError(path, f"cannot read the config file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            path, f"not UTF-8 text (byte {error.start}): save the config file as UTF-8"
        ) from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"not valid TOML: {error}") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown setting: check the spelling against config/threadbot.toml"
        elif first["type"] == "missing":
            message = "required: add it to the config"
        more = len(error.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ConfigError(path, message, field=field) from None
    return LoadedSettings(settings=settings, path=path)
