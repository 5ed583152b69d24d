"""What threadbot needs from a social network, whichever it is.

The publisher posts through :class:`Network` only: create a post replying to another
(with media, under an idempotency key), look a post up by that key or among the
account's recent posts (to reconcile a post whose outcome is unknown), upload media with
alt text. A post found for a lost answer is adopted only if it is the one: its parent,
its text with every link as it was written (never masked), its creation time — so
every adapter reports those as the network holds them (:class:`Post`).
Implementations: X (``bot.networks.x``, tweepy), Bluesky (``bot.networks.bluesky``) and
Mastodon (``bot.networks.mastodon``), both over httpx.
Errors come out as ``bot.errors.NetworkError`` subclasses, never as a client library's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Account:
    id: str
    username: str


@dataclass(frozen=True)
class Post:
    """A post as the network holds it: ``text`` with links as written (X's t.co links
    expanded, a Mastodon status's HTML as text with its links' targets), the post it
    replies to (None: a thread's first), and when the network created it."""

    id: str
    text: str
    reply_to: str | None = None
    created_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PostMetrics:
    """A post's counts as the network reports them when read (the caller stamps the
    time). ``None`` where the network does not say: only X reports impressions, and link
    clicks only among its non-public metrics (the account's own posts, under 30 days old,
    and only for a post with a link); Bluesky and Mastodon say no impressions, Mastodon no
    count of quotes."""

    post_id: str
    impressions: int | None = None
    likes: int
    reposts: int
    replies: int
    quotes: int | None = None
    link_clicks: int | None = None


class Network(Protocol):
    """The calls threadbot makes to a network."""

    def me(self) -> Account:
        """The posting account."""
        ...

    def create_post(
        self,
        text: str,
        reply_to: str | None,
        media_ids: Sequence[str] = (),
        *,
        key: str | None = None,
    ) -> str:
        """Post ``text`` (as a reply to ``reply_to``, with media); return the post's id.

        ``key`` is the post's idempotency key, decided and stored before sending
        (Bluesky's record key, Mastodon's Idempotency-Key; X has none and ignores it):
        sending again with the same key never makes a second post."""
        ...

    def new_key(self) -> str | None:
        """A fresh idempotency key for a post, or None where the network has none (X)."""
        ...

    def find_post(self, key: str) -> Post | None:
        """The account's post made with ``key``, or None (X: always None; the
        publisher then looks among the recent posts by text)."""
        ...

    def upload_media(self, png: bytes, alt_text: str) -> str:
        """Upload an image with its alt text; return the media id."""
        ...

    def recent_posts(self, user_id: str, limit: int) -> list[Post]:
        """The account's most recent posts, newest first."""
        ...

    def delete_post(self, post_id: str) -> bool:
        """Delete one of the account's posts with exactly one request, never retried
        here (Bluesky's is sent once more only after refreshing an expired session, which
        the PDS refused without deleting): True when this request deleted it, False when
        the network says it is gone already (X's 404 or ``deleted: false``, Bluesky's
        no-op, Mastodon's 404). Any other failure raises as :meth:`create_post`'s do."""
        ...

    def metrics(self, post_ids: Sequence[str], *, private: bool = False) -> list[PostMetrics]:
        """The counts of ``post_ids``, as many per request as the network takes
        (:attr:`~bot.networks.registry.NetworkInfo.metrics_batch`), each request sent once.
        A post the network no longer has is absent from the result. ``private`` asks X
        for its non-public metrics too (impressions and link clicks of the account's own
        posts under 30 days old; X refuses older ones: ``MetricsRefusedError``); the
        other networks have none and ignore it."""
        ...

    def post_url(self, username: str, post_id: str) -> str:
        """Where people see a post."""
        ...

    def same_text(self, posted: str, ours: str) -> bool:
        """Whether the network's copy of a post (:attr:`Post.text`) is our text: every
        link compared by where it points, never masked away."""
        ...
