"""Is a link live? Fetch it as a reader would before a post carries it to a network.

A thread's closing post carries the article's URL (and the blog's and about page's);
a post with a URL costs money on X and cannot be taken back, so a link that answers
404 (a typo in ``article_base_url``, a post not deployed yet, a moved permalink) is
caught here, before posting. :func:`check_link` answers with a :class:`LinkCheck`;
:func:`findings` turns it into the project's findings (an error for a dead link, a
warning for a page without card tags).

How a link is fetched: GET (some sites answer HEAD wrongly, and the card tags are in
the body), a User-Agent naming threadbot and why it asks, ``Accept-Encoding: identity``
(so the byte limit bounds the network and memory, not a decompressed stream), and only
the page's head: reading stops at ``</head>`` or ``<body``, and after
:data:`MAX_HEAD_BYTES` (plus at most one network read). A non-HTML answer (a PDF) is
not read at all. The check sees what threadbot sees; X's card crawler may be treated
differently by a site's bot rules.

Redirects are followed by hand, at most :data:`MAX_REDIRECTS`, so that a loop is named
as one and so that a redirect off the site is never followed. The site rule
(:func:`on_same_site`): a redirect may change the scheme (http→https) and the port,
add or drop ``www.``, and move between a host and its subdomains (``blog.example.com``
↔ ``example.com``); IP addresses must match exactly. Any other host is another site:
a parked, expired or taken-over domain, which must not get a paid post. Threadbot
does not ship the public suffix list, so two sibling subdomains (``news.example.com``
→ ``blog.example.com``) also count as two sites: the safe mistake, fixed by linking
the final URL. The rule compares the last hop with the URL asked, not with the hop
before it.

Timeouts: :data:`CHECK_TIMEOUT_SECONDS` (10 s) bounds a whole check, redirects and
head included. A live blog answers in well under a second; 10 s allows a cold cache
or a slow host far away, while ``publish`` waits at most that per link. A timeout is
a failed check marked :attr:`LinkCheck.retryable` (so are connection errors, 429 and
5xx): the daemon can defer and check again rather than give up.

URLs are kept as given, query included (UTM parameters, possibly a token someone
pasted): the check needs the URL that will be posted. Nothing here logs; a
:attr:`LinkCheck.reason` names at most a host, never a URL.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.web.pages import decode
from threads.findings import Finding

if TYPE_CHECKING:
    import httpx

CHECK_TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 5
# Enough for any real <head> (inline CSS and JSON-LD included); the tags are there.
MAX_HEAD_BYTES = 256 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_CARD_TAGS = ("og:title", "og:image", "twitter:card")


def user_agent() -> str:
    from bot import __version__

    return f"threadbot/{__version__} (link check before posting)"


@dataclass(frozen=True)
class LinkCheck:
    """What fetching a link found. ``ok``: the last answer was 2xx, on the same site."""

    url: str
    """The URL asked, as given."""
    final_url: str
    """Where the redirects ended; for an off-site redirect, where it pointed (not fetched)."""
    status: int | None
    """The last HTTP status received; None when no answer came."""
    ok: bool
    reason: str
    """One line for the site's owner: what happened and what to do."""
    retryable: bool = False
    """The failure may pass by itself (timeout, connection, 429, 5xx): check again later."""
    media_type: str | None = None
    og_title: str | None = None
    og_image: str | None = None
    twitter_card: str | None = None
    bytes_read: int = 0
    """Body bytes read from the final answer (the head only, bounded)."""

    @property
    def card_warning(self) -> str | None:
        """Why the link will show bare (no og:image, no twitter:card), or None.

        Only for a live HTML page: a PDF or an image cannot carry the tags, and a dead
        link has its own error.
        """
        if not self.ok or not _is_html(self.media_type) or self.og_image or self.twitter_card:
            return None
        return (
            "has no og:image or twitter:card meta tag: the post will show the link bare, "
            "without a card; add them to the page's <head>"
        )


def check_link(
    url: str, *, client: httpx.Client | None = None, timeout: float = CHECK_TIMEOUT_SECONDS
) -> LinkCheck:
    """Fetch ``url``'s head and say whether it is live; every failure is a LinkCheck,
    never an exception. ``client``: reuse a connection pool (its redirect and timeout
    settings are overridden per request)."""
    return check_links([url], client=client, timeout=timeout)[url]


def check_links(
    urls: Iterable[str],
    *,
    client: httpx.Client | None = None,
    timeout: float = CHECK_TIMEOUT_SECONDS,
) -> dict[str, LinkCheck]:
    """Check each distinct URL once, in order, over one client (``timeout`` is per URL)."""
    import httpx

    unique = list(dict.fromkeys(urls))
    if client is not None:
        return {url: _check(client, url, timeout) for url in unique}
    with httpx.Client(follow_redirects=False, timeout=timeout) as own:
        return {url: _check(own, url, timeout) for url in unique}


def findings(check: LinkCheck, *, where: str | None = None) -> list[Finding]:
    """An error for a dead link (``link-unreachable`` when it may pass by itself,
    ``link-dead`` otherwise), a warning for a page without card tags."""
    where = where or check.url
    if not check.ok:
        code = "link-unreachable" if check.retryable else "link-dead"
        return [Finding(severity="error", code=code, message=check.reason, where=where)]
    warning = check.card_warning
    if warning is None:
        return []
    return [Finding(severity="warning", code="link-no-card", message=warning, where=where)]


def on_same_site(asked: str, final: str) -> bool:
    """Whether a redirect from ``asked`` that ends on ``final`` stays on the site (see
    the module's docstring: scheme, port and ``www.`` aside, one host within the other)."""
    first, last = _site_host(asked), _site_host(final)
    if not first or not last:
        return False
    if first == last:
        return True
    if _is_ip(first) or _is_ip(last):
        return False
    return first.endswith("." + last) or last.endswith("." + first)


def _check(client: httpx.Client, url: str, timeout: float) -> LinkCheck:
    import httpx

    deadline = time.monotonic() + timeout
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        return LinkCheck(url, url, None, False, "is not a valid URL: check how it is written")
    if target.scheme not in ("http", "https"):
        return LinkCheck(url, url, None, False, "is not an http(s) URL: check the link")
    visited = {target}
    try:
        for _ in range(MAX_REDIRECTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise httpx.ReadTimeout("the check's deadline passed")
            request = client.build_request("GET", target, headers=_headers(), timeout=remaining)
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                redirect = response.next_request
                if redirect is None:
                    return _answered(url, response, deadline, len(visited) - 1)
                target = redirect.url
                status = response.status_code
                if not on_same_site(url, str(target)):
                    return LinkCheck(
                        url,
                        str(target),
                        status,
                        False,
                        f"redirected to another site ({target.host}): a parked or "
                        "taken-over domain? If the move is yours, link the final URL",
                    )
                if target.scheme not in ("http", "https"):
                    return LinkCheck(
                        url,
                        str(target),
                        status,
                        False,
                        f"redirected to a {target.scheme}: address, not a web page: "
                        "fix the site's redirect",
                    )
                if target in visited:
                    return LinkCheck(
                        url,
                        str(target),
                        status,
                        False,
                        "redirect loop: the site sends the URL back to one it already "
                        "redirected from; fix its redirects",
                    )
                visited.add(target)
            finally:
                response.close()
        return LinkCheck(
            url,
            str(target),
            None,
            False,
            f"more than {MAX_REDIRECTS} redirects: link the final URL",
        )
    except httpx.TimeoutException:
        return LinkCheck(
            url,
            str(target),
            None,
            False,
            f"timed out after {timeout:g} s: is the site up? Try again later",
            retryable=True,
        )
    except httpx.HTTPError as error:
        return LinkCheck(
            url,
            str(target),
            None,
            False,
            f"cannot fetch it ({type(error).__name__}): is the host name right and the "
            "site up? Try again later",
            retryable=True,
        )


def _answered(url: str, response: httpx.Response, deadline: float, redirects: int) -> LinkCheck:
    """The check of the last answer: its status, and for a live page its card tags."""
    import httpx

    status = response.status_code
    final = str(response.url)
    phrase = response.reason_phrase or httpx.codes.get_reason_phrase(status)
    answered = f"answered {status} {phrase}".rstrip()
    ok = 200 <= status < 300
    if not ok:
        return LinkCheck(
            url, final, status, False, f"{answered}: {_advice(status)}", _retryable(status)
        )
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower() or None
    redirected = f" after {redirects} redirect{'s' * (redirects > 1)}" if redirects else ""
    if not _is_html(media_type):
        return LinkCheck(url, final, status, True, answered + redirected, media_type=media_type)
    head, read = _read_head(response, deadline)
    tags = _card_tags(head, response.charset_encoding)
    return LinkCheck(
        url,
        final,
        status,
        True,
        answered + redirected,
        media_type=media_type,
        og_title=tags.get("og:title"),
        og_image=tags.get("og:image"),
        twitter_card=tags.get("twitter:card"),
        bytes_read=read,
    )


def _advice(status: int) -> str:
    if status in (404, 410):
        return (
            "is the page deployed and its URL right ([site] article_base_url, blog_url, about_url)?"
        )
    if status in (401, 403):
        return (
            "the site refuses threadbot (a login, a firewall or a bot rule?); X's card "
            "crawler may be refused too"
        )
    if status == 429:
        return "the site asks to slow down; try again later"
    if status >= 500:
        return "the site is failing; try again later"
    if status < 400:
        return "not a page nor a usable redirect; link the page itself"
    return "check the URL"


def _retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


def _read_head(response: httpx.Response, deadline: float) -> tuple[bytes, int]:
    """The page up to the end of its head, at most MAX_HEAD_BYTES; and the bytes read."""
    import httpx

    head = bytearray()
    for chunk in response.iter_bytes():
        head += chunk
        # Look a few bytes back too: "</head>" may straddle two chunks.
        if len(head) >= MAX_HEAD_BYTES or _HEAD_END.search(
            head, max(0, len(head) - len(chunk) - 8)
        ):
            break
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the check's deadline passed")
    return bytes(head[:MAX_HEAD_BYTES]), len(head)


def _card_tags(head: bytes, charset: str | None) -> dict[str, str]:
    """og:title, og:image and twitter:card, by ``property`` or ``name`` (sites use
    both); the first non-empty one of each wins."""
    from selectolax.lexbor import LexborHTMLParser

    tags: dict[str, str] = {}
    for node in LexborHTMLParser(decode(head, charset)).css("meta[content]"):
        attributes = node.attributes
        key = (attributes.get("property") or attributes.get("name") or "").strip().lower()
        value = " ".join((attributes.get("content") or "").split())
        if key in _CARD_TAGS and value and key not in tags:
            tags[key] = value
    return tags


def _headers() -> dict[str, str]:
    return {
        "User-Agent": user_agent(),
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "identity",
    }


def _is_html(media_type: str | None) -> bool:
    """An answer of no stated type is read as HTML, as browsers and crawlers sniff it."""
    return media_type is None or media_type in _HTML_TYPES


def _site_host(url: str) -> str:
    import httpx

    try:
        host = httpx.URL(url).raw_host.decode("ascii")  # IDNA-encoded, lower case
    except (httpx.InvalidURL, UnicodeDecodeError):
        return ""
    return host.rstrip(".").lower().removeprefix("www.")


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
