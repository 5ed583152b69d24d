"""Runtime errors (credentials, X, the store, the budget) and the one tweepy mapping.

They extend the tree in ``threads.errors``::

    ThreadbotError
    ├── InputError                         (exit 2)
    │   ├── … (threads.errors)
    │   ├── CredentialsError               an X credential is missing from the environment
    │   └── ThreadNotFoundError            no thread with that id in the store
    └── PublishError                       posting stopped; the store says which tweets are live
        ├── AlreadyPublishedError          the thread is live already (its URL is given)
        ├── BudgetExceededError            posting would break the 24 h post cap or USD budget
        ├── StopRequestedError             the daemon is shutting down between two tweets
        └── XApiError                      X answered with an error, or did not answer
            ├── RateLimitedError           429 inside the 15-minute window (reset_at)
            ├── DailyCapError              the 24-hour post cap (reset_at)
            ├── DuplicateContentError      403: X already has a post with this text
            ├── XAuthError                 401/403: credentials or app permissions
            ├── PostRejectedError          400 and other 4xx: X refused this post
            └── XUnavailableError          5xx, connection errors, timeouts: retryable

:func:`map_tweepy_errors` is the only place tweepy's and requests' exceptions are
translated; a test checks that every exception class they define is covered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threads.errors import InputError, ThreadbotError


class CredentialsError(InputError):
    """A required X credential is not set."""


class ThreadNotFoundError(InputError):
    """No thread with the given id."""


class PublishError(ThreadbotError):
    """Posting stopped before the thread was complete."""


class AlreadyPublishedError(PublishError):
    """The thread is already live on X."""


class BudgetExceededError(PublishError):
    """Posting the thread would exceed the post cap or the monthly budget."""

    def __init__(self, message: str, fits_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.fits_at = fits_at


class StopRequestedError(PublishError):
    """A shutdown was requested; the tweet in flight finished, the rest wait."""


class XApiError(PublishError):
    """X answered with an error (or not at all)."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimitedError(XApiError):
    """429 within the 15-minute window; ``reset_at`` says when it lifts."""

    def __init__(self, message: str, reset_at: dt.datetime | None, *, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.reset_at = reset_at


class DailyCapError(RateLimitedError):
    """The 24-hour post cap is used up; ``reset_at`` says when it lifts."""


class DuplicateContentError(XApiError):
    """X refused the text as a duplicate: the post may already exist."""


class XAuthError(XApiError):
    """The credentials are wrong or lack write permission."""


class PostRejectedError(XApiError):
    """X refused this post (400 or another 4xx)."""


class XUnavailableError(XApiError):
    """A 5xx, a dropped connection or a timeout: worth retrying."""

    retryable = True


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
            return XAuthError(f"{detail}: {_READ_ONLY_HINT}", status=403)
        return XAuthError(f"{detail}: {_AUTH_HINT}", status=403)
    if isinstance(error, tweepy.Unauthorized):
        return XAuthError(f"{_detail(error)}: {_AUTH_HINT}", status=401)
    if isinstance(error, tweepy.TwitterServerError):
        return XUnavailableError(f"X is having trouble: {_detail(error)}", status=500)
    if isinstance(error, tweepy.HTTPException):  # 400, 404 and other 4xx
        status = getattr(error.response, "status_code", None)
        return PostRejectedError(f"X refused the request: {_detail(error)}", status=status)
    if isinstance(error, requests.RequestException):
        kind = "timed out" if isinstance(error, requests.Timeout) else "failed"
        return XUnavailableError(f"the connection to X {kind} ({type(error).__name__})")
    if isinstance(error, tweepy.TweepyException):
        return XApiError(f"tweepy: {error}")
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
