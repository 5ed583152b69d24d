"""Feed polling over HTTP: conditional GET, Retry-After, redirects, limits."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from bot.feeds.http import FeedFetchError, fetch_feed, retry_after_seconds

from .conftest import ROOT
from .http_server import Reply, Request, serve

FEED = (ROOT / "tests" / "feeds" / "rss-full.xml").read_bytes()


def conditional(request: Request) -> Reply:
    if request.headers.get("if-none-match") == '"v1"':
        return Reply(304)
    return Reply(200, FEED, {"ETag": '"v1"', "Last-Modified": "Thu, 01 May 2025 00:00:00 GMT"})


def test_conditional_get_answers_304_without_a_body() -> None:
    """The ETag and Last-Modified of a poll go back with the next; 304 means unchanged."""
    with serve({"/feed.xml": conditional}) as server:
        first = fetch_feed(server.url + "/feed.xml")
        assert (first.body, first.etag) == (FEED, '"v1"')
        second = fetch_feed(
            server.url + "/feed.xml", etag=first.etag, last_modified=first.last_modified
        )
        assert second.not_modified
        assert server.requests[-1].headers["if-modified-since"] == "Thu, 01 May 2025 00:00:00 GMT"
        assert server.count("/feed.xml") == 2


def test_gzip_and_permanent_redirect() -> None:
    """A gzip body is decoded; a 301 on the way is reported as the feed's new URL."""
    routes = {
        "/old.xml": Reply(301, headers={"Location": "/new.xml"}),
        "/temp.xml": Reply(302, headers={"Location": "/new.xml"}),
        "/new.xml": Reply(200, gzip.compress(FEED), {"Content-Encoding": "gzip"}),
    }
    with serve(routes) as server:
        moved = fetch_feed(server.url + "/old.xml")
        assert (moved.body, moved.moved_to) == (FEED, server.url + "/new.xml")
        assert fetch_feed(server.url + "/temp.xml").moved_to is None
        assert "gzip" in server.requests[0].headers["accept-encoding"]


@pytest.mark.parametrize(
    ("reply", "message", "retry_after"),
    [
        (
            Reply(429, headers={"Retry-After": "120"}),
            "429 Too Many Requests, retry after 120 s",
            120.0,
        ),
        (Reply(503, headers={"Retry-After": "30"}), "503 Service Unavailable", 30.0),
        (Reply(500), "500 Internal Server Error", None),
        (Reply(200, FEED, delay=1.0), "no answer within 0.3 s", None),
        (Reply(200, b"x" * 5000), "larger than 1,000 bytes", None),
    ],
)
def test_failures_say_what_and_when(reply: Reply, message: str, retry_after: float | None) -> None:
    """Each failure is one FeedFetchError; 429/503 carry the server's Retry-After."""
    with serve({"/feed.xml": reply}) as server, pytest.raises(FeedFetchError) as caught:
        fetch_feed(server.url + "/feed.xml", timeout=0.3, max_bytes=1000)
    assert message in str(caught.value)
    assert caught.value.retry_after == retry_after


def test_retry_after_as_a_date() -> None:
    """Retry-After may be an HTTP date; it becomes seconds from now."""
    now = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("Thu, 01 May 2025 12:02:00 GMT", now) == 120.0
    assert retry_after_seconds("soon", now) is None
