"""A Mastodon instance's error answers and httpx's exceptions as threadbot errors: the only
place Mastodon failures are translated.

Mastodon answers errors as ``{"error": "..."}``: 401 a bad or revoked token, 403 a token
without the scope, 404 a status that is not there, 422 a validation failure, 429 the rate
limit with ``X-RateLimit-Reset`` as an ISO 8601 time, 5xx the instance's trouble.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

import httpx

from bot.errors import (
    NetworkAuthError,
    NetworkError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
)
from bot.networks.http_errors import map_transport_errors

# read:statuses too: with a token, reading a status or the account's statuses (metrics,
# reconciling) needs it — the instance answers 403 without it.
TOKEN_HINT = (
    "the instance refused MASTODON_ACCESS_TOKEN: create a new one under Preferences → "
    "Development → New application with the scopes read:statuses, write:statuses and "
    "write:media"
)
SCOPE_HINT = (
    "the access token lacks a scope threadbot needs: give the application read:statuses, "
    "write:statuses and write:media, then set the new MASTODON_ACCESS_TOKEN"
)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])
    return f"HTTP {response.status_code}"


def _reset(response: httpx.Response) -> dt.datetime | None:
    value = response.headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def translate_response(response: httpx.Response) -> NetworkError:
    """The threadbot error for an instance's non-2xx answer."""
    status = response.status_code
    detail = _detail(response)
    if status == 429:
        return RateLimitedError(f"Mastodon rate limit reached: {detail}", _reset(response))
    if status == 401:
        return NetworkAuthError(f"{detail}: {TOKEN_HINT}", status=status)
    if status == 403:
        return NetworkAuthError(f"{detail}: {SCOPE_HINT}", status=status)
    if status >= 500:
        return NetworkUnavailableError(
            f"the Mastodon instance is having trouble: {detail}", status=status
        )
    return PostRejectedError(f"Mastodon refused the request: {detail}", status=status)


def map_httpx_errors() -> AbstractContextManager[None]:
    """Re-raise httpx's transport exceptions (timeouts, hang-ups) as threadbot errors."""
    return map_transport_errors("the Mastodon instance")
