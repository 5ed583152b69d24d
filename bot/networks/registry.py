"""Every network threadbot posts to, declared once.

Each :class:`NetworkInfo` says all the runtime needs to know of a network: its name (as
the config, the CLI and the store spell it) and label, its credentials and where the
owner gets them, how to connect its adapter, its length rule from the config (and
whether the server's own limit is asked for when posting), where a post is seen,
whether it bills posts, whether its idempotency key finds a post by itself, how many
posts one metrics request reads, whether reads are billed and how long it keeps a post's
non-public metrics. Adding a network is adding an adapter package beside
``x/`` and one entry here (and its length rule in :mod:`threads.networks`, the domain's
side). Nothing here imports an adapter, or the credentials' settings library, until a
network is connected.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.settings import API_URL_ENV, BLUESKY_URL_ENV, MASTODON_URL_ENV, Settings
from threads.errors import ConfigError
from threads.networks import MASTODON_DEFAULT_LIMIT, NETWORKS, LengthRule, rule_for

if TYPE_CHECKING:
    from bot.credentials import (
        BlueskyCredentials,
        MastodonCredentials,
        NetworkCredentials,
        XCredentials,
    )
    from bot.networks import Network
    from threads.options import Prices

Connect = Callable[[Settings, Any, float, str], "Network"]


@dataclass(frozen=True)
class NetworkInfo:
    name: str
    label: str
    # Its credentials' class (imported when asked: pydantic-settings is no preview's).
    credentials: Callable[[], type[NetworkCredentials]]
    # Where the owner gets the credentials (said when one is missing).
    where: str
    # The adapter for one account: (settings, credentials, timeout, config path).
    connect: Connect
    # The length rule threads are split by, from the config alone.
    rule: Callable[[Settings], LengthRule]
    # Whether posting asks the server for its own length limit (Mastodon, unless set).
    asks_server_limit: Callable[[Settings], bool]
    # Where a post is seen: (the account's home, or None; username; post id) → URL.
    post_url: Callable[[str | None, str, str], str]
    # The account's home when the store remembers none (the configured instance).
    home: Callable[[Settings], str | None]
    # Whether [prices] applies: X bills each post; the others cost nothing.
    bills_posts: bool
    # Whether a post's idempotency key finds it by itself (Bluesky's record key): no
    # record under the key means no post, with no look among recent posts.
    key_finds_post: bool
    # Posts one metrics request reads (X's GET /2/tweets?ids=, Bluesky's getPosts; a
    # Mastodon status per request): a caller's reads cost ceil(posts / this) requests.
    metrics_batch: int
    # Whether reading the account's own posts' counts is billed ([prices] read_usd a post).
    bills_reads: bool = False
    # How long the network keeps a post's non-public metrics (X: impressions and link
    # clicks of the account's own posts, 30 days); 0: it has none.
    private_metrics_days: int = 0

    def cost(self, prices: Prices, has_url: bool) -> float:
        return prices.cost(has_url) if self.bills_posts else 0.0

    def read_cost(self, prices: Prices) -> float:
        """What reading one post's counts costs."""
        return prices.read_usd if self.bills_reads else 0.0


def _credentials(name: str) -> type[NetworkCredentials]:
    import bot.credentials

    kind: type[NetworkCredentials] = getattr(bot.credentials, name)
    return kind


def _x(settings: Settings, credentials: XCredentials, timeout: float, _path: str) -> Network:
    from bot.networks.x import DEFAULT_API_URL
    from bot.networks.x.client import TweepyXClient

    return TweepyXClient(
        api_key=credentials.x_api_key.get_secret_value(),
        api_secret=credentials.x_api_secret.get_secret_value(),
        access_token=credentials.x_access_token.get_secret_value(),
        access_token_secret=credentials.x_access_token_secret.get_secret_value(),
        base_url=os.environ.get(API_URL_ENV) or DEFAULT_API_URL,
        timeout_seconds=timeout,
    )


def _bluesky(
    settings: Settings, credentials: BlueskyCredentials, timeout: float, _path: str
) -> Network:
    from bot.networks.bluesky.client import BlueskyClient

    return BlueskyClient(
        handle=credentials.bluesky_handle,
        app_password=credentials.bluesky_app_password.get_secret_value(),
        pds_url=os.environ.get(BLUESKY_URL_ENV) or settings.bluesky.pds_url,
        timeout_seconds=timeout,
        link_display=settings.bluesky.link_display,
    )


def _mastodon(
    settings: Settings, credentials: MastodonCredentials, timeout: float, path: str
) -> Network:
    from bot.networks.mastodon.client import MastodonClient

    instance_url = os.environ.get(MASTODON_URL_ENV) or settings.mastodon.instance_url
    if not instance_url:
        raise ConfigError(
            path,
            "required to post to Mastodon: your instance's https:// address",
            field="mastodon.instance_url",
        )
    return MastodonClient(
        instance_url=instance_url,
        access_token=credentials.mastodon_access_token.get_secret_value(),
        visibility=settings.mastodon.visibility,
        timeout_seconds=timeout,
    )


def _x_rule(settings: Settings) -> LengthRule:
    from threads.building import x_rule
    from threads.options import BuildOptions

    return x_rule(BuildOptions(site=settings.site, threads=settings.threads))


def _x_url(_home: str | None, username: str, post_id: str) -> str:
    from bot.networks.x import post_url

    return post_url(username, post_id)


def _bluesky_url(_home: str | None, username: str, post_id: str) -> str:
    from bot.networks.bluesky import post_url

    return post_url(username, post_id)


def _mastodon_url(home: str | None, username: str, post_id: str) -> str:
    from bot.networks.mastodon import post_url

    return post_url(home or "https://mastodon.social", username, post_id)


NETWORKS_BY_NAME: dict[str, NetworkInfo] = {
    "x": NetworkInfo(
        name="x",
        label="X",
        credentials=lambda: _credentials("XCredentials"),
        where="X developer portal → your app → Keys and tokens",
        connect=_x,
        rule=_x_rule,
        asks_server_limit=lambda _settings: False,
        post_url=_x_url,
        home=lambda _settings: None,
        bills_posts=True,
        key_finds_post=False,
        metrics_batch=100,
        bills_reads=True,
        private_metrics_days=30,
    ),
    "bluesky": NetworkInfo(
        name="bluesky",
        label="Bluesky",
        credentials=lambda: _credentials("BlueskyCredentials"),
        where="Bluesky → Settings → App passwords",
        connect=_bluesky,
        rule=lambda settings: rule_for("bluesky", link_display=settings.bluesky.link_display),
        asks_server_limit=lambda _settings: False,
        post_url=_bluesky_url,
        home=lambda _settings: None,
        bills_posts=False,
        key_finds_post=True,
        metrics_batch=25,
    ),
    "mastodon": NetworkInfo(
        name="mastodon",
        label="Mastodon",
        credentials=lambda: _credentials("MastodonCredentials"),
        where="your instance → Preferences → Development",
        connect=_mastodon,
        rule=lambda settings: rule_for(
            "mastodon",
            mastodon_limit=settings.mastodon.max_characters or MASTODON_DEFAULT_LIMIT,
        ),
        asks_server_limit=lambda settings: settings.mastodon.max_characters is None,
        post_url=_mastodon_url,
        home=lambda settings: settings.mastodon.instance_url,
        bills_posts=False,
        key_finds_post=False,
        metrics_batch=1,
    ),
}
assert tuple(NETWORKS_BY_NAME) == NETWORKS, "the domain and the runtime list the same networks"


def network(name: str) -> NetworkInfo:
    """The network called ``name`` (one of :data:`threads.networks.NETWORKS`)."""
    try:
        return NETWORKS_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown network {name!r}: use one of {', '.join(NETWORKS)}") from None
