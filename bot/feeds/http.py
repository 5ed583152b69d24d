"""Polite feed polling over HTTP: one conditional GET per check.

ETag / Last-Modified are sent back, so an unchanged feed answers 304 and costs no parse.
gzip is accepted (httpx decodes it), redirects are followed and a permanent one (301,
308) is reported so the caller can remember the new URL, the body is limited in size,
and a 429 or 503 with ``Retry-After`` says how long to stay away. Every failure is a
:class:`FeedFetchError` carrying what the poller needs to back off.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.errors import FeedFetchError
from bot.web.pages import FETCH_TIMEOUT_SECONDS, MAX_REDIRECTS, user_agent

if TYPE_CHECKING:
    import httpx

__all__ = ["FeedFetchError", "FeedResponse", "fetch_feed", "retry_after_seconds"]


@dataclass(frozen=True)
class FeedResponse:
    """A poll's outcome: new content (``body``), or ``None`` when not modified."""

    body: bytes | None
    etag: str | None
    last_modified: str | None
    url: str
    # The new address after a permanent redirect, to poll from now on.
    moved_to: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 10_000_000,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> FeedResponse:
    """GET ``url`` conditionally; raise :class:`FeedFetchError` on any failure."""
    import httpx

    headers = {
        "User-Agent": user_agent(),
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with _client().stream("GET", url, headers=headers, timeout=timeout) as response:
            moved_to = _permanent_target(response)
            if response.status_code == 304:
                return FeedResponse(None, etag, last_modified, str(response.url), moved_to)
            if response.status_code in (429, 503):
                wait = retry_after_seconds(response.headers.get("retry-after"))
                raise FeedFetchError(
                    url,
                    f"the server answered {response.status_code} {response.reason_phrase}"
                    + (f", retry after {wait:g} s" if wait is not None else ""),
                    retry_after=wait,
                )
            if response.status_code >= 400:
                raise FeedFetchError(
                    url, f"the server answered {response.status_code} {response.reason_phrase}"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FeedFetchError(url, f"the feed is larger than {max_bytes:,} bytes")
            return FeedResponse(
                bytes(body),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
                str(response.url),
                moved_to,
            )
    except httpx.TimeoutException:
        raise FeedFetchError(url, f"no answer within {timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FeedFetchError(url, f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.HTTPError as error:
        raise FeedFetchError(url, f"cannot fetch it ({type(error).__name__})") from None


@cache
def _client() -> httpx.Client:
    """One client per process: building one (its TLS context) costs more than a 304."""
    import httpx

    return httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS)


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date from ``now``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


def _permanent_target(response: object) -> str | None:
    """The final URL when every redirect on the way was permanent (301/308)."""
    history = getattr(response, "history", [])
    if history and all(step.status_code in (301, 308) for step in history):
        return str(getattr(response, "url", "")) or None
    return None
