"""The X adapter: the :class:`~bot.networks.Network` calls through tweepy (X API v2,
OAuth 1.0a user context) against a configurable host. Errors come out as
``bot.errors.NetworkError`` subclasses (via ``bot.networks.x.errors``), never as tweepy's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from bot.networks import Account, Post, PostMetrics
from bot.networks.x import (
    DEFAULT_API_URL,
    LOOKUP_BATCH,
    expanded_text,
    parse_time,
    post_metrics,
    post_url,
    reply_parent,
    same_text,
)
from bot.networks.x.errors import map_tweepy_errors, metrics_refused, refused_ids

_TWEEPY_HOST = "https://api.twitter.com"


class TweepyXClient:
    """X API v2 through tweepy, OAuth 1.0a user context, against a configurable host."""

    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str,
        access_token: str,
        access_token_secret: str,
        base_url: str = DEFAULT_API_URL,
        timeout_seconds: float = 30.0,
    ) -> None:
        import tweepy

        self._client = tweepy.Client(
            consumer_key=api_key,
            consumer_secret=api_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            wait_on_rate_limit=False,  # it sleeps forever on daily caps; we decide instead
        )
        self._client.session = _redirecting_session(base_url.rstrip("/"), timeout_seconds)

    def close(self) -> None:
        self._client.session.close()

    def me(self) -> Account:
        with map_tweepy_errors():
            response: Any = self._client.get_me(user_auth=True)
        return Account(id=str(response.data.id), username=str(response.data.username))

    def create_post(
        self,
        text: str,
        reply_to: str | None,
        media_ids: Sequence[str] = (),
        *,
        key: str | None = None,  # X has no idempotency key: reconciled by identity instead
    ) -> str:
        with map_tweepy_errors():
            response: Any = self._client.create_tweet(
                text=text,
                in_reply_to_tweet_id=reply_to,
                media_ids=list(media_ids) or None,
                user_auth=True,
            )
        return str(response.data["id"])

    def new_key(self) -> str | None:
        return None

    def find_post(self, key: str) -> Post | None:
        return None

    def upload_media(self, png: bytes, alt_text: str) -> str:
        """X API v2 simple upload plus alt text; tweepy 4.17 has only the v1.1 upload, so
        these two requests are signed with the same OAuth 1.0a credentials by hand."""
        import tweepy

        auth = tweepy.OAuth1UserHandler(
            self._client.consumer_key,
            self._client.consumer_secret,
            self._client.access_token,
            self._client.access_token_secret,
        ).apply_auth()
        session = self._client.session
        with map_tweepy_errors():
            uploaded = session.post(
                f"{_TWEEPY_HOST}/2/media/upload",
                files={"media": ("chart.png", png, "image/png")},
                data={"media_category": "tweet_image"},
                auth=auth,
            )
            _raise_for_status(uploaded)
            media_id = str(uploaded.json()["data"]["id"])
            described = session.post(
                f"{_TWEEPY_HOST}/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": alt_text[:1000]}}},
                auth=auth,
            )
            _raise_for_status(described)
        return media_id

    def recent_posts(self, user_id: str, limit: int) -> list[Post]:
        """The account's newest posts with what identifies each: its parent, its links
        expanded, its creation time."""
        with map_tweepy_errors():
            response: Any = self._client.get_users_tweets(
                user_id,
                max_results=max(5, min(limit, 100)),
                tweet_fields=["created_at", "referenced_tweets", "entities"],
                user_auth=True,
            )
        return [
            Post(
                id=str(item.id),
                text=expanded_text(str(item.text), (item.entities or {}).get("urls") or ()),
                reply_to=reply_parent(item.data.get("referenced_tweets")),
                created_at=parse_time(item.data.get("created_at")),
            )
            for item in response.data or []
        ]

    def delete_post(self, post_id: str) -> bool:
        """``DELETE /2/tweets/:id``, once: True when X deleted the post now, False when
        it was gone already (X answers 404, or ``deleted: false``)."""
        import tweepy

        with map_tweepy_errors():
            try:
                response: Any = self._client.delete_tweet(post_id, user_auth=True)
            except tweepy.NotFound:
                return False
        return bool((response.data or {}).get("deleted"))

    def metrics(self, post_ids: Sequence[str], *, private: bool = False) -> list[PostMetrics]:
        """``GET /2/tweets?ids=…`` per 100 posts, each sent once (X bills each post read:
        never read twice without need). Deleted posts are left out. ``private`` adds
        ``non_public_metrics`` (impressions, link clicks), which X keeps only for the
        account's own posts under 30 days old: a refused post raises
        ``MetricsRefusedError`` after every batch was read, carrying what was."""
        fields = ["public_metrics", "non_public_metrics"] if private else ["public_metrics"]
        read: list[PostMetrics] = []
        refused: list[str] = []
        for start in range(0, len(post_ids), LOOKUP_BATCH):
            with map_tweepy_errors():
                response: Any = self._client.get_tweets(
                    list(post_ids[start : start + LOOKUP_BATCH]),
                    tweet_fields=fields,
                    user_auth=True,
                )
            read.extend(post_metrics(tweet.data) for tweet in response.data or [])
            refused.extend(refused_ids(response.errors or []))
        if refused:
            raise metrics_refused(refused, read)
        return read

    def post_url(self, username: str, post_id: str) -> str:
        return post_url(username, post_id)

    def same_text(self, posted: str, ours: str) -> bool:
        return same_text(posted, ours)


def _raise_for_status(response: Any) -> None:
    """tweepy's status-to-exception rules for requests made outside tweepy."""
    import tweepy

    status = response.status_code
    if 200 <= status < 300:
        return
    errors = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
    }
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset else None)
    if status >= 500:
        raise tweepy.TwitterServerError(response)
    raise errors.get(status, tweepy.HTTPException)(response)


# What requests takes from the environment for a request (proxies, CA bundle), by scheme,
# host and the variables that decide it: the same for every session of the process.
_SETTINGS_VARIABLES = (
    *(f"{scheme}_proxy" for scheme in ("http", "https", "all", "no")),
    *(f"{scheme.upper()}_PROXY" for scheme in ("http", "https", "all", "no")),
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)
_ENVIRONMENT_SETTINGS: dict[tuple[str | None, ...], Any] = {}


def _redirecting_session(base_url: str, timeout_seconds: float) -> Any:
    """A requests session that sends tweepy's fixed host to ``base_url``, with a timeout.

    The URL is rewritten before OAuth signs it, so the signature covers the host that
    receives the request, as X checks it.
    """
    import requests

    class RedirectingSession(requests.Session):
        def merge_environment_settings(
            self, url: str | bytes | None, proxies: Any, stream: Any, verify: Any, cert: Any
        ) -> Any:
            """Read once per host and process: requests reads every variable of the
            environment for proxies on each request, and with many accounts'
            credentials there (THREADBOT_<NAME>_X_*) that was a third of a daemon's CPU
            (and each daemon, each account's session, read it again)."""
            if proxies or (stream, verify, cert) != (None, None, None):
                return super().merge_environment_settings(url, proxies, stream, verify, cert)
            target = url.decode() if isinstance(url, bytes) else url or ""
            key = (*urlsplit(target)[:2], *(os.environ.get(name) for name in _SETTINGS_VARIABLES))
            settings = _ENVIRONMENT_SETTINGS.get(key)
            if settings is None:
                settings = super().merge_environment_settings(url, {}, None, None, None)
                _ENVIRONMENT_SETTINGS[key] = settings
            return {**settings, "proxies": dict(settings["proxies"])}

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            target = url.decode() if isinstance(url, bytes) else url
            if target.startswith(_TWEEPY_HOST):
                target = base_url + target[len(_TWEEPY_HOST) :]
            kwargs.setdefault("timeout", timeout_seconds)
            return super().request(
                method.decode() if isinstance(method, bytes) else method, target, *args, **kwargs
            )

    return RedirectingSession()
