"""Posts by URL: fetched from a local HTTP server, never the internet."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.fetching import fetch_article, user_agent
from threads.errors import ArticleError

from .conftest import ROOT
from .test_cli import run

PAGE = (ROOT / "tests" / "articles" / "saved-page.html").read_bytes()
NO_CANONICAL = b"<html lang='de'><body><article><h2>Teil</h2><p>Ein Satz hier. Noch einer.</p></article></body></html>"
# path -> (status, content type, body, delay in seconds)
ROUTES: dict[str, tuple[int, str, bytes, float]] = {
    "/post": (200, "text/html; charset=utf-8", PAGE, 0),
    "/plain": (200, "text/html", NO_CANONICAL, 0),
    "/post.md": (200, "text/markdown", b"## Part\n\nMarkdown prose. More of it.\n", 0),
    "/missing": (404, "text/html", b"not here", 0),
    "/broken": (500, "text/html", b"oops", 0),
    "/file.pdf": (200, "application/pdf", b"%PDF-1.4", 0),
    "/slow": (200, "text/html", PAGE, 1.5),
    "/huge": (200, "text/html", b"<p>" + b"word " * 400_000 + b"</p>", 0),
}
SEEN: list[dict[str, str]] = []


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        SEEN.append(dict(self.headers))
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/post")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        status, content_type, body, delay = ROUTES[self.path]
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()  # joins the handler threads and closes the listening socket


def test_fetch_html_post(server: str) -> None:
    """A page by URL: parsed as HTML, canonical URL kept, the request names threadbot."""
    article = fetch_article(server + "/post", max_bytes=5_000_000)
    assert article.title == "Why Seoul Builds Data Centres"
    assert article.url == "https://blog.example.org/2025/seoul-data-centres/"
    assert SEEN[-1]["User-Agent"] == user_agent()


def test_redirect_followed_and_final_url_used(server: str) -> None:
    """Redirects are followed; without a canonical link the final URL is the article's."""
    assert fetch_article(server + "/moved", max_bytes=5_000_000).title.startswith("Why Seoul")
    article = fetch_article(server + "/plain", max_bytes=5_000_000)
    assert (article.url, article.language) == (server + "/plain", "de")


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
