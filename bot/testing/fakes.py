"""An in-memory X for tests and experiments: the Network protocol with scripted faults.

``FakeX().fail_next(error)`` makes the next ``create_post`` raise ``error``; with
``after_accept=True`` the post is stored first (the "connection dropped after X accepted
it" case). It rejects duplicate text like X does, unless ``accept_duplicates=True``:
X's duplicate rule is no guarantee, and exactly-once tests must see a second attempt.
``calls`` lists every call in order. ``clock`` stamps each post's ``created_at`` (tests
share one with the publisher).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.errors import DuplicateContentError
from bot.networks import Account, Post
from bot.networks.x import post_url, same_text


@dataclass
class FakePost:
    id: str
    text: str
    reply_to: str | None
    media_ids: tuple[str, ...] = ()
    created_at: dt.datetime | None = None


@dataclass
class FakeX:
    account: Account = field(default_factory=lambda: Account(id="42", username="threadbot_test"))
    posts: list[FakePost] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    accept_duplicates: bool = False
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _faults: deque[tuple[BaseException, bool]] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def fail_next(self, error: BaseException, *, after_accept: bool = False) -> None:
        self._faults.append((error, after_accept))

    def me(self) -> Account:
        self.calls.append("me")
        return self.account

    def new_key(self) -> str | None:
        return None

    def find_post(self, key: str) -> Post | None:
        return None

    def upload_media(self, png: bytes, alt_text: str) -> str:
        self.calls.append("upload_media")
        media_id = str(next(self._ids))
        self.media[media_id] = (png, alt_text)
        return media_id

    def create_post(
        self,
        text: str,
        reply_to: str | None,
        media_ids: Sequence[str] = (),
        *,
        key: str | None = None,  # X has no idempotency key: reconciled by identity instead
    ) -> str:
        self.calls.append("create_post")
        fault = self._faults.popleft() if self._faults else None
        if fault is not None and not fault[1]:
            raise fault[0]
        if not self.accept_duplicates and any(post.text == text for post in self.posts):
            raise DuplicateContentError(
                "You are not allowed to create a Tweet with duplicate content.", status=403
            )
        post = FakePost(
            id=str(next(self._ids)),
            text=text,
            reply_to=reply_to,
            media_ids=tuple(media_ids),
            created_at=self.clock(),
        )
        self.posts.append(post)
        if fault is not None:
            raise fault[0]
        return post.id

    def recent_posts(self, user_id: str, limit: int) -> list[Post]:
        self.calls.append("recent_posts")
        return [
            Post(id=p.id, text=p.text, reply_to=p.reply_to, created_at=p.created_at)
            for p in reversed(self.posts)
        ][:limit]

    def delete_post(self, post_id: str) -> None:
        self.calls.append("delete_post")
        self.posts = [post for post in self.posts if post.id != post_id]

    def post_url(self, username: str, post_id: str) -> str:
        return post_url(username, post_id)

    def same_text(self, posted: str, ours: str) -> bool:
        return same_text(posted, ours)

    def count(self, call: str) -> int:
        return self.calls.count(call)
