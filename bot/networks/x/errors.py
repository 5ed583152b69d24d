"""tweepy's and requests' exceptions as threadbot errors: the only place they are translated.

A test checks that every exception class tweepy and requests define is covered. X also
refuses within a 200: a lookup's ``errors`` name the posts whose non-public metrics it
will not say (:func:`metrics_refused`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from bot.errors import (
    DailyCapError,
    DuplicateContentError,
    MetricsRefusedError,
    NetworkAuthError,
    NetworkError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
)
from bot.networks import PostMetrics
from threads.errors import ThreadbotError

_FIELD_REFUSED = "/2/problems/not-authorized-for-field"

_READ_ONLY_HINT = (
    "the app cannot post: enable Read and Write in the X developer portal, then "
    "regenerate the access token and secret (old tokens keep the old permission)"
)
_AUTH_HINT = (
    "X refused the credentials: check X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and "
    "X_ACCESS_TOKEN_SECRET (regenerate them in the X developer portal if unsure)"
)


def _reset(headers: Any, name: str) -> dt.datetime | None:
    value = headers.get(name) if headers is not None else None
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None
    except (TypeError, ValueError):
        return None


def _detail(error: Any) -> str:
    messages = getattr(error, "api_messages", None) or []
    return "; ".join(str(message) for message in messages) or str(error).splitlines()[0]


def translate(error: BaseException) -> ThreadbotError:
    """The threadbot error for a tweepy or requests exception (see the tree above)."""
    import requests
    import tweepy

    if isinstance(error, tweepy.TooManyRequests):
        headers = error.response.headers
        if headers.get("x-user-limit-24hour-remaining") == "0" or "daily" in _detail(error).lower():
            reset = _reset(headers, "x-user-limit-24hour-reset") or _reset(
                headers, "x-rate-limit-reset"
            )
            return DailyCapError(f"X's 24-hour post cap is used up: {_detail(error)}", reset)
        return RateLimitedError(
            f"X rate limit reached: {_detail(error)}", _reset(headers, "x-rate-limit-reset")
        )
    if isinstance(error, tweepy.Forbidden):
        detail = _detail(error)
        if "duplicate" in detail.lower():
            return DuplicateContentError(detail, status=403)
        if "oauth1-permissions" in str(error.response.text) or "permission" in detail.lower():
            return NetworkAuthError(f"{detail}: {_READ_ONLY_HINT}", status=403)
        return NetworkAuthError(f"{detail}: {_AUTH_HINT}", status=403)
    if isinstance(error, tweepy.Unauthorized):
        return NetworkAuthError(f"{_detail(error)}: {_AUTH_HINT}", status=401)
    if isinstance(error, tweepy.TwitterServerError):
        return NetworkUnavailableError(f"X is having trouble: {_detail(error)}", status=500)
    if isinstance(error, tweepy.HTTPException):  # 400, 404 and other 4xx
        status = getattr(error.response, "status_code", None)
        return PostRejectedError(f"X refused the request: {_detail(error)}", status=status)
    if isinstance(error, requests.RequestException):
        kind = "timed out" if isinstance(error, requests.Timeout) else "failed"
        return NetworkUnavailableError(f"the connection to X {kind} ({type(error).__name__})")
    if isinstance(error, tweepy.TweepyException):
        return NetworkError(f"tweepy: {error}")
    raise TypeError(f"not a tweepy or requests exception: {type(error).__name__}")


@contextmanager
def map_tweepy_errors() -> Iterator[None]:
    """Re-raise tweepy's and requests' exceptions as threadbot errors."""
    import requests
    import tweepy

    try:
        yield
    except (tweepy.TweepyException, requests.RequestException) as error:
        raise translate(error) from error


def refused_ids(errors: Sequence[Mapping[str, Any]]) -> list[str]:
    """The posts a lookup's ``errors`` say X will not give non-public metrics of (one
    ``Field Authorization Error`` per field and post), each once, in order. Posts not
    found (deleted) are no refusal: they are simply not in ``data``."""
    refused = [
        str(error.get("resource_id") or error.get("value"))
        for error in errors
        if str(error.get("type", "")).endswith(_FIELD_REFUSED)
        and str(error.get("field", "non_public_metrics")).startswith("non_public_metrics")
    ]
    return list(dict.fromkeys(refused))


def metrics_refused(post_ids: Sequence[str], read: Sequence[PostMetrics]) -> MetricsRefusedError:
    shown = ", ".join(post_ids[:5]) + (", …" if len(post_ids) > 5 else "")
    return MetricsRefusedError(
        f"X refused the non-public metrics (impressions, link clicks) of {len(post_ids)} "
        f"post(s) ({shown}): it gives them only for the account's own posts under 30 days "
        "old; read those posts' public metrics instead",
        post_ids=post_ids,
        read=read,
    )
