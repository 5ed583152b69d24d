"""Links checked live before they cost money: before a thread is frozen (``publish``,
``schedule``) and again just before its first post (the daemon, ``resume``).

Which links: those on the owner's own site (the hosts of ``[site]`` blog, about and
article links) — the article's URL, the blog, the about page — with their UTM
parameters taken off (one fetch per page, not one per thread). Recommendations and
profiles are other people's: not fetched. The blog and about links are fetched at most
once a day, and a link that answered a minute ago is not fetched again (``link_checks``);
one that failed is always fetched again.

A dead link refuses ``publish``/``schedule``; before a first post it defers the thread
(:class:`~bot.errors.DeadLinkError`) and is tried again at later polls for
``[links] recheck_hours``, then the thread fails with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.errors import DeadLinkError
from bot.store import LinkCheckRecord, Store, ThreadRecord
from bot.web.links import LinkCheck, check_links
from threads.findings import Finding
from threads.links import same_site

# A link fetched this recently is not fetched again (publish checks, then posts at once).
FRESH = dt.timedelta(minutes=1)
# The blog and about links change rarely: once a day is enough.
DAILY = dt.timedelta(days=1)
# How soon a deferred thread's dead link is tried again.
RETRY_EVERY = dt.timedelta(minutes=15)

Checker = Callable[[list[str], float], dict[str, LinkCheck]]
# A link as the thread writes it: always with its scheme (closing links are full URLs).
_LINK = re.compile(r"https?://[^\s<>\"']+")


def _fetch(urls: list[str], timeout: float) -> dict[str, LinkCheck]:
    return check_links(urls, timeout=timeout)


def without_utm(url: str) -> str:
    """``url`` without its ``utm_*`` parameters: the page a reader lands on."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass
class LinkGate:
    """The live check of one account's links, cached in the store when there is one."""

    site_urls: list[str]  # the owner's [site] blog, about and article base URLs
    daily: frozenset[str]  # the blog and about links (without UTM)
    recheck: dt.timedelta
    timeout: float = 10.0
    store: Store | None = None
    # Who fetches (None: bot.web.links, over HTTP).
    fetch: Checker | None = None

    def urls(self, texts: Iterable[str]) -> list[str]:
        """The owner's links in ``texts``, without UTM parameters, once each, in order."""
        found: dict[str, None] = {}
        for text in texts:
            for match in _LINK.finditer(text):
                url = match.group(0).rstrip(".,;:!?)]")
                if same_site(url, self.site_urls):
                    found[without_utm(url)] = None
        return list(found)

    def checks(self, urls: Sequence[str], now: dt.datetime) -> list[LinkCheckRecord]:
        """Each URL's check: fresh from the cache when allowed, else fetched (and kept)."""
        cached: dict[str, LinkCheckRecord] = {}
        if self.store is not None:
            for url in urls:
                record = self.store.links.get(url)
                # A failure is always fetched again: the owner may just have fixed it.
                if (
                    record is not None
                    and record.ok
                    and now - record.checked_at < (DAILY if url in self.daily else FRESH)
                ):
                    cached[url] = record
        wanted = [url for url in urls if url not in cached]
        fetch = self.fetch or _fetch
        fetched = fetch(wanted, self.timeout) if wanted else {}
        for url, check in fetched.items():
            record = LinkCheckRecord(
                url=url,
                checked_at=now,
                ok=check.ok,
                status=check.status,
                reason=check.reason,
                card_warning=check.card_warning,
            )
            cached[url] = record
            if self.store is not None:
                self.store.links.record(record)
        return [cached[url] for url in urls]

    def findings(self, texts: Iterable[str], now: dt.datetime, where: str) -> list[Finding]:
        """An error per dead link, a warning per page without card tags."""
        found: list[Finding] = []
        for check in self.checks(self.urls(texts), now):
            if not check.ok:
                found.append(
                    Finding(
                        severity="error",
                        code="link-dead",
                        message=f"{check.url} {check.reason}",
                        where=where,
                    )
                )
            elif check.card_warning:
                found.append(
                    Finding(
                        severity="warning",
                        code="link-no-card",
                        message=f"{check.url}: {check.card_warning}",
                        where=where,
                    )
                )
        return found

    def before_first_post(self, thread: ThreadRecord, now: dt.datetime) -> None:
        """Raise :class:`DeadLinkError` (defer, or give up after ``recheck``) when one of
        the thread's links is dead; clear the mark when they all answer."""
        assert self.store is not None
        dead = [
            check
            for check in self.checks(self.urls(post.text for post in thread.posts), now)
            if not check.ok
        ]
        if not dead:
            if thread.link_failing_since is not None:
                self.store.links.failing(thread.id, None)
            return
        since = thread.link_failing_since or now
        self.store.links.failing(thread.id, since)
        reason = f"{dead[0].url} {dead[0].reason}"
        give_up = now - since >= self.recheck
        raise DeadLinkError(
            f"a link is dead: {reason}"
            + ("" if not give_up else f" (still, after {self.recheck} of retries)"),
            retry_at=None if give_up else now + RETRY_EVERY,
        )
