"""Every runtime error threadbot raises on purpose, in one tree with the domain's.

They extend the tree in ``threads.errors``; the exit code is a class attribute
(``exit_code``), read by the one handler in the click group (``bot.cli``)::

    ThreadbotError                         (exit 1)
    ├── InputError                         (exit 2)
    │   ├── … (threads.errors)
    │   ├── CredentialsError               a network credential is missing from the environment
    │   ├── ThreadNotFoundError            no thread with that id in the store
    │   ├── ScheduleError                  a time, duration, zone or slot that cannot be used
    │   ├── StoreError                     the store cannot be opened, read or upgraded
    │   └── UnknownAccountError            --account names no [accounts.NAME] section
    ├── StoreUnavailableError              the store's database stopped answering (retry later)
    ├── FeedFetchError                     a followed feed could not be fetched (retry_after)
    ├── StateConflictError                 the thread's status forbids the change asked for
    │   └── ThreadBusyError                another process holds the thread's lease
    └── PublishError                       posting stopped; the store says which tweets are live
        ├── AlreadyPublishedError          the thread is live already (its URL is given)
        ├── BudgetExceededError            posting would break the 24 h post cap or USD budget
        ├── DeadLinkError                  a link of the thread does not answer (retry_at)
        ├── StopRequestedError             Ctrl-C, SIGTERM: stopped between posts, claim given back
        ├── LeaseLostError                 another process took the thread over: stop sending
        ├── AmbiguousPostError             several posts on the network could be the lost one
        └── NetworkError                   the network answered with an error, or did not answer
            ├── RateLimitedError           429 inside the 15-minute window (reset_at)
            │   └── DailyCapError          the 24-hour post cap (reset_at)
            ├── DuplicateContentError      403: the network already has a post with this text
            ├── NetworkAuthError           401/403: credentials or app permissions
            ├── PostRejectedError          400 and other 4xx: the network refused this post
            ├── MetricsRefusedError        X would not say non-public metrics of these posts
            └── NetworkUnavailableError    5xx, connection errors, timeouts: retryable

Translating a client library's exceptions (tweepy, requests) is the adapter's job:
``bot.networks.x.errors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from threads.errors import InputError, ThreadbotError

if TYPE_CHECKING:
    from bot.networks import PostMetrics

__all__ = [
    "AlreadyPublishedError",
    "AmbiguousPostError",
    "BudgetExceededError",
    "CredentialsError",
    "DailyCapError",
    "DuplicateContentError",
    "FeedFetchError",
    "InputError",
    "LeaseLostError",
    "MetricsRefusedError",
    "NetworkAuthError",
    "NetworkError",
    "NetworkUnavailableError",
    "PostRejectedError",
    "PublishError",
    "RateLimitedError",
    "ScheduleError",
    "StateConflictError",
    "StopRequestedError",
    "StoreError",
    "StoreUnavailableError",
    "ThreadBusyError",
    "ThreadNotFoundError",
    "ThreadbotError",
    "UnknownAccountError",
]


class CredentialsError(InputError):
    """A required network credential is not set."""


class ThreadNotFoundError(InputError):
    """No thread with the given id."""


class ScheduleError(InputError):
    """A time, duration, zone or slot specification that cannot be used."""


class StoreError(InputError):
    """The state store cannot be opened, read or upgraded (path or URL, what to do)."""


class UnknownAccountError(InputError):
    """An account name with no ``[accounts.NAME]`` section in the config."""


class StoreUnavailableError(ThreadbotError):
    """The store's database did not answer (refused, cut, timed out): nothing was changed
    by the statement that failed; a daemon stops the thread in hand and reconnects."""


class FeedFetchError(ThreadbotError):
    """A feed could not be fetched; ``retry_after`` is the server's wish, in seconds."""

    def __init__(self, url: str, message: str, retry_after: float | None = None) -> None:
        self.url = url
        self.retry_after = retry_after
        super().__init__(f"{url}: {message}")


class StateConflictError(ThreadbotError):
    """The thread's status does not allow the change asked for."""


class ThreadBusyError(StateConflictError):
    """Another process holds the thread's lease and is posting it."""


class PublishError(ThreadbotError):
    """Posting stopped before the thread was complete."""


class AlreadyPublishedError(PublishError):
    """The thread is already live."""


class BudgetExceededError(PublishError):
    """Posting the thread would exceed the post cap or the monthly budget."""

    def __init__(self, message: str, fits_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.fits_at = fits_at


class DeadLinkError(PublishError):
    """A link the thread carries (the article's, the blog's) does not answer 2xx: the
    thread waits for it until ``retry_at``; None: checked long enough, it fails."""

    def __init__(self, message: str, *, retry_at: dt.datetime | None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class StopRequestedError(PublishError):
    """A stop was asked for (Ctrl-C, SIGTERM, a daemon's shutdown): the post in flight
    finished or was left as unknown, the claim was given back, the rest wait."""

    def __init__(self, message: str, *, thread_id: int) -> None:
        super().__init__(message)
        self.thread_id = thread_id


class AmbiguousPostError(PublishError):
    """A post whose answer was lost matches more than one post on the network (or its
    key names a post that is not it): threadbot never guesses; the owner decides."""


class LeaseLostError(PublishError):
    """The lease expired and another process took the thread: this one must not send."""


class NetworkError(PublishError):
    """The network answered with an error (or not at all)."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimitedError(NetworkError):
    """429 within the 15-minute window; ``reset_at`` says when it lifts."""

    def __init__(self, message: str, reset_at: dt.datetime | None, *, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.reset_at = reset_at


class DailyCapError(RateLimitedError):
    """The 24-hour post cap is used up; ``reset_at`` says when it lifts."""


class DuplicateContentError(NetworkError):
    """The network refused the text as a duplicate: the post may already exist."""


class NetworkAuthError(NetworkError):
    """The credentials are wrong or lack write permission."""


class PostRejectedError(NetworkError):
    """The network refused this post (400 or another 4xx)."""


class MetricsRefusedError(NetworkError):
    """X refused non-public metrics for ``post_ids`` (older than 30 days, or not the
    account's): ask for those again without them. ``read`` holds the metrics the same
    call did get, so nothing already read (and billed) is read again."""

    def __init__(
        self, message: str, *, post_ids: Sequence[str], read: Sequence[PostMetrics]
    ) -> None:
        super().__init__(message)
        self.post_ids = tuple(post_ids)
        self.read = tuple(read)


class NetworkUnavailableError(NetworkError):
    """A 5xx, a dropped connection or a timeout: worth retrying."""

    retryable = True
