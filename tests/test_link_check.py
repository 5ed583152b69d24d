"""The live link check against local HTTP servers: what it decides, and what the
servers saw (method, User-Agent, how many requests). Nothing connects beyond 127.0.0.1:
every test runs under a guard that records and refuses other hosts."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from bot.web.links import (
    MAX_HEAD_BYTES,
    LinkCheck,
    check_link,
    check_links,
    findings,
    on_same_site,
    user_agent,
)

from .http_server import LocalServer, Reply, serve

CARD_PAGE = (
    b"<!DOCTYPE html><html><head><title>Seoul</title>"
    b'<meta property="og:title" content="Why Seoul Builds Data Centres">'
    b'<meta property="og:image" content="https://blog.example.org/seoul.png">'
    b'<meta name="twitter:card" content="summary_large_image">'
    b"</head><body><p>Text.</p></body></html>"
)
BARE_PAGE = b"<!DOCTYPE html><html><head><title>Bare</title></head><body>Text.</body></html>"
# One read off the socket may bring up to this much past the limit (httpcore's read size).
ONE_READ = 64 * 1024


def html(body: bytes, status: int = 200, delay: float = 0.0) -> Reply:
    return Reply(status, body, {"Content-Type": "text/html; charset=utf-8"}, delay)


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, headers={"Location": location})


ROUTES = {
    "/card": html(CARD_PAGE),
    "/bare": html(BARE_PAGE),
    "/missing": html(b"not here", 404),
    "/gone": html(b"gone", 410),
    "/forbidden": html(b"no bots", 403),
    "/broken": html(b"oops", 500),
    "/slow": html(CARD_PAGE, delay=2.0),
    "/paper.pdf": Reply(200, b"%PDF-1.4 " + b"x" * 500_000, {"Content-Type": "application/pdf"}),
    # The card tags are in the head; 20 MB follow that must not be read.
    "/huge": html(CARD_PAGE.replace(b"</body>", b"<p>" + b"word " * 4_000_000 + b"</p></body>")),
    # A head that never ends: reading stops at the byte limit.
    "/endless-head": html(b"<html><head><style>" + b"a{color:red}" * 2_000_000),
    "/moved": redirect("/card", 301),
    "/loop": redirect("/loop"),
    "/ping": redirect("/pong"),
    "/pong": redirect("/ping"),
    "/nowhere": Reply(302),
    **{f"/hop/{n}": redirect(f"/hop/{n + 1}") for n in range(9)},
}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LocalServer, LocalServer]]:
    with serve(ROUTES) as site, serve({"/card": html(CARD_PAGE)}) as other:
        port = site.url.rsplit(":", 1)[1]
        # 127.0.0.1 and localhost are two sites; the same host on another port is not.
        site.routes["/offsite"] = redirect(f"http://localhost:{port}/card")
        site.routes["/other-port"] = redirect(f"{other.url}/card")
        yield site, other


@pytest.fixture
def site(servers: tuple[LocalServer, LocalServer]) -> LocalServer:
    for server in servers:
        server.requests.clear()
    return servers[0]


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every connection the check opens, by host; any host but 127.0.0.1 is refused."""
    hosts: list[str] = []
    connect = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        hosts.append(address[0])
        if address[0] != "127.0.0.1":
            raise AssertionError(f"the check connected to {address[0]}")
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    yield hosts
    assert set(hosts) <= {"127.0.0.1"}


def paths(server: LocalServer) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request in server.requests]


def test_live_page_with_card_tags(site: LocalServer) -> None:
    """One GET naming threadbot, asking for no compression; the card tags are read."""
    check = check_link(site.url + "/card")
    assert (check.ok, check.status, check.final_url) == (True, 200, site.url + "/card")
    assert check.og_title == "Why Seoul Builds Data Centres"
    assert check.og_image == "https://blog.example.org/seoul.png"
    assert check.twitter_card == "summary_large_image"
    assert (check.card_warning, findings(check)) == (None, [])
    assert check.reason == "answered 200 OK"
    assert paths(site) == [("GET", "/card")]
    headers = site.requests[0].headers
    assert headers["user-agent"] == user_agent() != ""
    assert "threadbot" in headers["user-agent"]
    assert headers["accept-encoding"] == "identity"


def test_live_page_without_card_tags_is_a_warning(site: LocalServer) -> None:
    """The link works but will show bare: a warning, not an error."""
    check = check_link(site.url + "/bare")
    assert check.ok
    assert (check.og_title, check.og_image, check.twitter_card) == (None, None, None)
    [warning] = findings(check)
    assert (warning.severity, warning.code, warning.where) == (
        "warning",
        "link-no-card",
        site.url + "/bare",
    )
    assert "og:image or twitter:card" in warning.message
    assert paths(site) == [("GET", "/bare")]


@pytest.mark.parametrize(
    ("path", "status", "code", "says"),
    [
        ("/missing", 404, "link-dead", "answered 404 Not Found: is the page deployed"),
        ("/gone", 410, "link-dead", "answered 410 Gone: is the page deployed"),
        ("/forbidden", 403, "link-dead", "answered 403 Forbidden: the site refuses threadbot"),
        (
            "/broken",
            500,
            "link-unreachable",
            "answered 500 Internal Server Error: the site is failing",
        ),
        ("/unrouted", 404, "link-dead", "article_base_url"),
    ],
)
def test_error_answers_are_dead_links(
    site: LocalServer, path: str, status: int, code: str, says: str
) -> None:
    """4xx and 5xx are errors; a 5xx may pass by itself (retryable); the body is not read."""
    check = check_link(site.url + path)
    assert (check.ok, check.status, check.bytes_read) == (False, status, 0)
    assert says in check.reason
    assert "\n" not in check.reason
    assert check.retryable == (status >= 500)
    [error] = findings(check, where="thread 3 tweet 5")
    assert (error.severity, error.code, error.where) == ("error", code, "thread 3 tweet 5")
    assert error.message == check.reason
    assert paths(site) == [("GET", path)]


def test_a_server_that_does_not_answer_times_out(site: LocalServer) -> None:
    """The timeout bounds the whole check; a timeout is worth retrying."""
    start = time.perf_counter()
    check = check_link(site.url + "/slow", timeout=0.2)
    assert time.perf_counter() - start < 1.5
    assert (check.ok, check.status, check.retryable) == (False, None, True)
    assert check.reason == "timed out after 0.2 s: is the site up? Try again later"
    assert findings(check)[0].code == "link-unreachable"
    assert paths(site) == [("GET", "/slow")]


def test_nothing_listening_is_unreachable() -> None:
    """A refused connection is a failed check, not an exception."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check = check_link(f"http://127.0.0.1:{port}/post")
    assert (check.ok, check.status, check.retryable) == (False, None, True)
    assert check.reason.startswith("cannot fetch it (ConnectError): is the host name right")


def test_redirect_on_the_same_site_is_followed(site: LocalServer) -> None:
    """A relative redirect is followed with a GET; the final page decides."""
    check = check_link(site.url + "/moved")
    assert (check.ok, check.final_url) == (True, site.url + "/card")
    assert check.reason == "answered 200 OK after 1 redirect"
    assert check.twitter_card == "summary_large_image"
    assert paths(site) == [("GET", "/moved"), ("GET", "/card")]
    assert {request.headers["user-agent"] for request in site.requests} == {user_agent()}


def test_redirect_to_another_port_of_the_same_host_is_the_same_site(
    servers: tuple[LocalServer, LocalServer], site: LocalServer
) -> None:
    """Ports do not make a site (http→https moves from 80 to 443)."""
    other = servers[1]
    check = check_link(site.url + "/other-port")
    assert (check.ok, check.final_url) == (True, other.url + "/card")
    assert paths(site) == [("GET", "/other-port")]
    assert paths(other) == [("GET", "/card")]


def test_redirect_to_another_site_is_not_followed(
    site: LocalServer, only_loopback: list[str]
) -> None:
    """127.0.0.1 → localhost: another host, so not ok, and never asked."""
    check = check_link(site.url + "/offsite")
    assert (check.ok, check.status, check.retryable) == (False, 302, False)
    assert check.final_url == site.url.replace("127.0.0.1", "localhost") + "/card"
    assert check.reason.startswith("redirected to another site (localhost): a parked")
    assert findings(check)[0].code == "link-dead"
    assert paths(site) == [("GET", "/offsite")]
    assert only_loopback == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("path", "asked"),
    [("/loop", ["/loop"]), ("/ping", ["/ping", "/pong"])],
)
def test_redirect_loop_is_named_and_stops_at_once(
    site: LocalServer, path: str, asked: list[str]
) -> None:
    """A loop is seen when it comes back, before asking again."""
    check = check_link(site.url + path)
    assert (check.ok, check.status) == (False, 302)
    assert check.reason.startswith("redirect loop")
    assert paths(site) == [("GET", p) for p in asked]


def test_too_many_redirects(site: LocalServer) -> None:
    """Five redirects are followed, the sixth is not."""
    check = check_link(site.url + "/hop/0")
    assert not check.ok
    assert check.reason == "more than 5 redirects: link the final URL"
    assert paths(site) == [("GET", f"/hop/{n}") for n in range(6)]


def test_a_redirect_without_location_is_dead(site: LocalServer) -> None:
    check = check_link(site.url + "/nowhere")
    assert (check.ok, check.status) == (False, 302)
    assert check.reason.startswith("answered 302 Found: not a page nor a usable redirect")


@pytest.mark.parametrize(
    ("path", "limit", "card"),
    [("/huge", ONE_READ, True), ("/endless-head", MAX_HEAD_BYTES + ONE_READ, False)],
)
def test_only_the_head_is_read(site: LocalServer, path: str, limit: int, card: bool) -> None:
    """20 MB pages: reading stops at the end of the head (within the first read off the
    socket), or at the byte limit when the head never ends (then no tags are seen)."""
    start = time.perf_counter()
    check = check_link(site.url + path)
    assert time.perf_counter() - start < 1.0
    assert check.ok
    assert 0 < check.bytes_read <= limit
    assert (check.card_warning is None) == card
    assert paths(site) == [("GET", path)]


def test_a_live_pdf_is_ok_and_not_read(site: LocalServer) -> None:
    """A PDF cannot carry card tags: ok, no warning, and its body is not downloaded."""
    check = check_link(site.url + "/paper.pdf")
    assert (check.ok, check.media_type, check.bytes_read) == (True, "application/pdf", 0)
    assert (check.card_warning, findings(check)) == (None, [])


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/file", "mailto:owner@example.org", "not a url"])
def test_what_is_not_a_web_url_is_refused_without_a_request(
    url: str, only_loopback: list[str]
) -> None:
    check = check_link(url)
    assert (check.ok, check.status, check.retryable) == (False, None, False)
    assert only_loopback == []


def test_check_links_asks_each_distinct_url_once_over_the_given_client(site: LocalServer) -> None:
    """Duplicates are checked once; a caller's client is used (its own redirect setting
    overridden, so a loop is still named) and left open."""
    sent: list[str] = []
    urls = [site.url + "/card", site.url + "/missing", site.url + "/card", site.url + "/loop"]
    with httpx.Client(
        follow_redirects=True, event_hooks={"request": [lambda r: sent.append(r.url.path)]}
    ) as client:
        checks = check_links(urls, client=client)
        assert not client.is_closed
    assert list(checks) == [site.url + "/card", site.url + "/missing", site.url + "/loop"]
    assert [checks[url].ok for url in checks] == [True, False, False]
    assert checks[site.url + "/loop"].reason.startswith("redirect loop")
    assert sent == ["/card", "/missing", "/loop"]
    assert paths(site) == [("GET", "/card"), ("GET", "/missing"), ("GET", "/loop")]


@pytest.mark.parametrize(
    ("asked", "final", "same"),
    [
        ("http://blog.example.org/p", "https://blog.example.org/p", True),
        ("https://example.org/p", "https://www.example.org/p", True),
        ("https://www.example.org/p", "https://example.org/p", True),
        ("https://blog.example.org/p", "https://example.org/blog/p", True),
        ("https://blog.example.org/p", "https://www.example.org/blog/p", True),
        ("https://Blog.Example.org./p", "https://blog.example.org:8443/p", True),
        ("https://bücher.example/p", "https://xn--bcher-kva.example/p", True),
        ("https://blog.example.org/p", "https://news.example.org/p", False),
        ("https://blog.example.org/p", "https://parked-domains.example.net/", False),
        ("https://example.org/p", "https://example.org.evil.example/", False),
        ("https://example.org/p", "https://notexample.org/", False),
        ("http://127.0.0.1:8000/p", "http://localhost:8000/p", False),
        ("http://127.0.0.1:8000/p", "http://127.0.0.1:9000/p", True),
        ("http://10.0.0.1/p", "http://10.0.0.2/p", False),
    ],
)
def test_the_site_rule(asked: str, final: str, same: bool) -> None:
    """Scheme, port, case, a trailing dot and www. aside, one host within the other;
    siblings and IPs other than the same one are other sites (no public suffix list)."""
    assert on_same_site(asked, final) is same


def test_either_og_image_or_twitter_card_is_enough_for_a_card() -> None:
    bare = LinkCheck("https://b.example/p", "https://b.example/p", 200, True, "answered 200 OK")
    assert bare.card_warning is not None
    assert replace(bare, og_image="https://b.example/i.png").card_warning is None
    assert replace(bare, twitter_card="summary").card_warning is None
    assert replace(bare, media_type="image/png").card_warning is None
