"""Posts by URL: fetched from a local HTTP server, never the internet."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.web.pages import fetch_article, user_agent
from threads.errors import ArticleError

from .conftest import ROOT
from .http_server import LocalServer, Reply, serve
from .test_cli import run

PAGE = (ROOT / "tests" / "articles" / "saved-page.html").read_bytes()
NO_CANONICAL = (
    b"<html lang='de'><body><article><h2>Teil</h2><p>Ein Satz hier. Noch einer.</p>"
    b"</article></body></html>"
)


def html(body: bytes, status: int = 200, delay: float = 0.0, kind: str = "text/html") -> Reply:
    return Reply(status, body, {"Content-Type": kind}, delay)


ROUTES = {
    "/post": html(PAGE, kind="text/html; charset=utf-8"),
    "/plain": html(NO_CANONICAL),
    "/post.md": html(b"## Part\n\nMarkdown prose. More of it.\n", kind="text/markdown"),
    "/missing": html(b"not here", 404),
    "/broken": html(b"oops", 500),
    "/file.pdf": html(b"%PDF-1.4", kind="application/pdf"),
    "/slow": html(PAGE, delay=1.5),
    "/huge": html(b"<p>" + b"word " * 400_000 + b"</p>"),
    "/moved": Reply(301, headers={"Location": "/post"}),
    "/odd-charset": html(PAGE, kind="text/html; charset=utf8mb4"),
    "/loop": Reply(302, headers={"Location": "/loop"}),
    "/raw/post.org": html(
        b"#+TITLE: Raw Org\n\n* Part\nOrg prose here. More of it.\n", kind="text/plain"
    ),
    "/raw/data.json": html(b'{"title": "not a post"}', kind="text/plain"),
    "/raw/page": html(
        b"<!DOCTYPE html><html><body><p>A page. Yes.</p></body></html>", kind="text/plain"
    ),
}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalServer]:
    with serve(ROUTES) as server:
        yield server


@pytest.fixture
def server(local: LocalServer) -> str:
    return local.url


def test_fetch_html_post(server: str, local: LocalServer) -> None:
    """A page by URL: parsed as HTML, canonical URL kept, the request names threadbot."""
    article = fetch_article(server + "/post", max_bytes=5_000_000)
    assert article.title == "Why Seoul Builds Data Centres"
    assert article.url == "https://blog.example.org/2025/seoul-data-centres/"
    assert local.requests[-1].headers["user-agent"] == user_agent()


def test_redirect_followed_and_final_url_used(server: str) -> None:
    """Redirects are followed; without a canonical link the final URL is the article's."""
    assert fetch_article(server + "/moved", max_bytes=5_000_000).title.startswith("Why Seoul")
    article = fetch_article(server + "/plain", max_bytes=5_000_000)
    assert (article.url, article.language) == (server + "/plain", "de")


def test_raw_text_plain_files_are_read_by_name_and_content(server: str) -> None:
    """A raw file served as text/plain is read in its own format, or refused (JSON)."""
    assert fetch_article(server + "/raw/post.org", max_bytes=5_000_000).title == "Raw Org"
    assert fetch_article(server + "/raw/page", max_bytes=5_000_000).sections
    with pytest.raises(ArticleError, match="not an article in a format threadbot reads"):
        fetch_article(server + "/raw/data.json", max_bytes=5_000_000)


def test_markdown_by_content_type(server: str) -> None:
    """A text/markdown answer goes to the Markdown reader."""
    article = fetch_article(server + "/post.md", max_bytes=5_000_000)
    assert [s.text for s in article.sections[0].sentences] == ["Markdown prose.", "More of it."]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "the server answered 404 Not Found: check the URL"),
        ("/broken", "the server answered 500 Internal Server Error"),
        ("/file.pdf", "is application/pdf, not a web page"),
        ("/slow", "no answer within 0.5 s"),
        ("/huge", "is larger than [threads] max_article_bytes = 100,000"),
        ("/loop", "more than 5 redirects"),
    ],
)
def test_fetch_failures(server: str, path: str, message: str) -> None:
    """Each way a fetch can fail is one ArticleError saying what happened."""
    with pytest.raises(ArticleError) as caught:
        fetch_article(server + path, max_bytes=100_000, timeout=0.5)
    assert message in str(caught.value)


def test_cli_preview_by_url(server: str) -> None:
    """`threadbot preview URL` previews the page; a 404 is one line and exit 2."""
    code, out, err = run("preview", server + "/post", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    closing = document["threads"][0]["tweets"][-1]["text"]
    # The canonical link is the article's; it is not on the configured site, so no UTM.
    assert "article: https://blog.example.org/2025/seoul-data-centres/\n" in closing
    code, out, err = run("preview", server + "/missing")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "404 Not Found" in err


def test_unknown_charset_is_read_as_utf8(server: str) -> None:
    """A charset Python does not know (utf8mb4) is read as UTF-8, not a crash."""
    assert fetch_article(server + "/odd-charset", max_bytes=5_000_000).title.startswith("Why Seoul")
