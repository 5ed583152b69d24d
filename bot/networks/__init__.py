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

    def post_url(self, username: str, post_id: str) -> str:
        """Where people see a post."""
        ...

    def same_text(self, posted: str, ours: str) -> bool:
        """Whether the network's copy of a post (:attr:`Post.text`) is our text: every
        link compared by where it points, never masked away."""
        ...
