"""Fetch a blog post by URL, for ``preview``, ``publish`` and ``schedule``.

httpx with a timeout, a size limit (``[threads] max_article_bytes``), at most five
redirects and a User-Agent naming threadbot. An HTML page goes to the HTML reader, a
Markdown or reST answer to theirs, a text/plain one (a raw file) to the format its name
and content show, or is refused; anything else, a 4xx/5xx answer, a timeout or
a connection failure is an :class:`~threads.errors.ArticleError` (exit 2) saying what
happened. The article's link is the page's canonical URL, else the URL it was fetched
from (after redirects).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from threads.article import Article
from threads.errors import ArticleError
from threads.parsing import ArticleFormat, parse_article
from threads.readers import DOCUMENT_FORMATS, detect_format, unsupported

if TYPE_CHECKING:
    import httpx

FETCH_TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
_FORMATS: dict[str, ArticleFormat] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/x-rst": "rst",
    "text/plain": "text",
}


def is_url(argument: str) -> bool:
    return argument.startswith(("https://", "http://"))


def user_agent() -> str:
    from bot import __version__

    return f"threadbot/{__version__} (blog post to thread preview)"


@dataclass(frozen=True)
class Page:
    """A fetched document: its text, the URL it came from after redirects, its format."""

    text: str
    url: str
    format: ArticleFormat


def fetch_page(url: str, *, max_bytes: int, timeout: float = FETCH_TIMEOUT_SECONDS) -> Page:
    """Download the post at ``url``; every failure is one ArticleError saying what happened."""
    import httpx

    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                timeout=timeout,
                headers={
                    "User-Agent": user_agent(),
                    "Accept": "text/html,application/xhtml+xml,text/markdown;q=0.9,"
                    "text/plain;q=0.8",
                },
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise ArticleError(
                    url,
                    f"the server answered {response.status_code} {response.reason_phrase}: "
                    "check the URL",
                )
            media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            article_format = _FORMATS.get(media_type)
            if article_format is None:
                raise ArticleError(
                    url,
                    f"is {media_type or 'of no stated type'}, not a web page: "
                    "give the URL of the post's HTML page",
                )
            body = read_limited(response, max_bytes, url)
            text = decode(body, response.charset_encoding)
            if media_type == "text/plain":
                # Raw files are served as text/plain (a .md, an .org, a .json): their
                # name and content decide, and what is none of the formats is refused.
                path = PurePosixPath(httpx.URL(str(response.url)).path)
                sniffed = detect_format(path, text)
                if sniffed is None or sniffed in DOCUMENT_FORMATS:
                    raise unsupported(url, by_content=True)
                article_format = sniffed
            return Page(text=text, url=str(response.url), format=article_format)
    except httpx.TimeoutException:
        raise ArticleError(
            url, f"no answer within {timeout:g} s: check the URL or try again later"
        ) from None
    except httpx.TooManyRedirects:
        raise ArticleError(
            url, f"more than {MAX_REDIRECTS} redirects: give the post's final URL"
        ) from None
    except httpx.HTTPError as error:
        raise ArticleError(
            url, f"cannot fetch it ({type(error).__name__}): check the URL and the connection"
        ) from None


def decode(body: bytes, charset: str | None) -> str:
    """The text of a body in its declared charset; an unknown one ("utf8mb4") as UTF-8."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def read_limited(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    """The body of a streamed response, refused past ``max_bytes``."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise ArticleError(
                url,
                f"is larger than [threads] max_article_bytes = {max_bytes:,}: "
                "raise the limit or save the post and pass the file",
            )
    return bytes(body)


def fetch_article(
    url: str,
    *,
    max_bytes: int,
    language: str | None = None,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> Article:
    """Download and parse the post at ``url``."""
    page = fetch_page(url, max_bytes=max_bytes, timeout=timeout)
    article = parse_article(page.text, page.url, page.format, language=language)
    return article if article.url else article.model_copy(update={"url": page.url})
