"""A PDS's error answers and httpx's exceptions as threadbot errors: the only place
Bluesky failures are translated.

XRPC errors are ``{"error": Name, "message": text}`` with an HTTP status; the rate-limit
headers are ``RateLimit-Reset`` (epoch seconds) and ``RateLimit-Policy``
(``limit;w=seconds``), whose window tells the hourly budget from the daily one.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

import httpx

from bot.errors import (
    DailyCapError,
    NetworkAuthError,
    NetworkError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
)
from bot.networks.http_errors import map_transport_errors

AUTH_HINT = (
    "Bluesky refused the login: check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (create an "
    "app password under Settings → Privacy and security → App passwords)"
)
# Errors that mean "log in again" rather than "this post is wrong".
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing"})
_AUTH_ERRORS = SESSION_ERRORS | {
    "AuthenticationRequired",
    "AccountTakedown",
    "AccountDeactivated",
    "AuthFactorTokenRequired",
}


def error_name(response: httpx.Response) -> str:
    """The XRPC error name of an answer (``""`` when the body is not an XRPC error)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and (body.get("error") or body.get("message")):
        return f"{body.get('error') or ''}: {body.get('message') or ''}".strip(": ")
    return f"HTTP {response.status_code}"


def _reset(response: httpx.Response) -> dt.datetime | None:
    value = response.headers.get("RateLimit-Reset")
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _window_seconds(response: httpx.Response) -> int | None:
    policy = response.headers.get("RateLimit-Policy", "")
    for part in policy.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name == "w" and value.isdigit():
            return int(value)
    return None


def translate_response(response: httpx.Response) -> NetworkError:
    """The threadbot error for a PDS's non-2xx answer."""
    status = response.status_code
    name = error_name(response)
    detail = _message(response)
    if status == 429:
        window = _window_seconds(response)
        if window is not None and window >= 86_400:
            return DailyCapError(
                f"Bluesky's daily write limit is used up: {detail}", _reset(response)
            )
        return RateLimitedError(f"Bluesky rate limit reached: {detail}", _reset(response))
    if status in (401, 403) or name in _AUTH_ERRORS:
        return NetworkAuthError(f"{detail}: {AUTH_HINT}", status=status)
    if status >= 500:
        return NetworkUnavailableError(f"Bluesky is having trouble: {detail}", status=status)
    return PostRejectedError(f"Bluesky refused the request: {detail}", status=status)


def map_httpx_errors() -> AbstractContextManager[None]:
    """Re-raise httpx's transport exceptions (timeouts, hang-ups) as threadbot errors."""
    return map_transport_errors("Bluesky")
