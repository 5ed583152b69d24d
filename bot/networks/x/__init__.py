"""X: the tweepy adapter (``client``) with its error translation (``errors``); its fake and
emulator are ``bot.testing.fakes`` and ``bot.testing.x``. This module stays light: no
tweepy import."""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from bot.networks import PostMetrics

DEFAULT_API_URL = "https://api.twitter.com"
# GET /2/tweets takes at most this many ids (as registry.NetworkInfo.metrics_batch says).
LOOKUP_BATCH = 100


def post_url(username: str, post_id: str) -> str:
    return f"https://x.com/{username}/status/{post_id}"


def expanded_text(text: str, urls: Sequence[Mapping[str, Any]]) -> str:
    """X's copy of a post as it was written: each t.co link replaced by the URL it
    expands to (``entities.urls[].expanded_url``); the link X appends for attached media
    (an entity with a ``media_key``) removed."""
    for entity in urls:
        short = entity.get("url")
        if not short:
            continue
        target = "" if entity.get("media_key") else str(entity.get("expanded_url") or short)
        text = text.replace(str(short), target, 1)
    return html.unescape(text).strip()


def reply_parent(referenced: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The id a post replies to, from its ``referenced_tweets``."""
    for item in referenced or ():
        if item.get("type") == "replied_to":
            return str(item["id"])
    return None


def parse_time(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def same_text(posted: str, ours: str) -> bool:
    """Whether X's copy of a post (links expanded: :func:`expanded_text`) is our text.

    Links are compared by where they point, never masked: two closings that differ only
    in a ``utm_content`` are different posts. X adds ``http://`` to a link written
    without a scheme, normalises to NFC and trims whitespace."""
    from threads.urls import find_url_spans

    for span in reversed(find_url_spans(ours)):
        if "://" not in span.url:
            ours = f"{ours[: span.start]}http://{span.url}{ours[span.end :]}"

    def normal(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return normal(posted) == normal(ours)


def post_metrics(tweet: Mapping[str, Any]) -> PostMetrics:
    """A post's counts from its ``public_metrics`` and, when asked for and given,
    ``non_public_metrics`` (which alone has ``url_link_clicks``, and only for a post with
    a link)."""
    public = tweet.get("public_metrics") or {}
    private = tweet.get("non_public_metrics") or {}
    impressions = private.get("impression_count", public.get("impression_count"))
    clicks = private.get("url_link_clicks")
    return PostMetrics(
        post_id=str(tweet["id"]),
        impressions=None if impressions is None else int(impressions),
        likes=int(public.get("like_count", 0)),
        reposts=int(public.get("retweet_count", 0)),
        replies=int(public.get("reply_count", 0)),
        quotes=int(public.get("quote_count", 0)),
        link_clicks=None if clicks is None else int(clicks),
    )
