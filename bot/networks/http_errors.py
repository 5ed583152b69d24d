"""httpx's transport exceptions as threadbot's errors, for the adapters that speak HTTP
through httpx (Bluesky, Mastodon): a timeout or a dropped connection is retryable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bot.errors import NetworkUnavailableError


@contextmanager
def map_transport_errors(peer: str) -> Iterator[None]:
    """Re-raise timeouts and hang-ups talking to ``peer`` ("Bluesky") as
    NetworkUnavailableError, naming the peer and the kind of failure."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise NetworkUnavailableError(
            f"the connection to {peer} timed out ({type(error).__name__})"
        ) from error
    except httpx.RequestError as error:
        raise NetworkUnavailableError(
            f"the connection to {peer} failed ({type(error).__name__})"
        ) from error
