"""An in-memory X for tests and experiments: the Network protocol with scripted faults.

``FakeX().fail_next(error)`` makes the next ``create_post`` raise ``error``; with
``after_accept=True`` the post is stored first (the "connection dropped after X accepted
it" case); ``call="delete_post"`` or ``call="metrics"`` aims it at those instead (a
delete after accepting is done, then raises). It rejects duplicate text like X does,
unless ``accept_duplicates=True``: X's duplicate rule is no guarantee, and exactly-once
tests must see a second attempt. ``calls`` lists every call in order. ``clock`` stamps
each post's ``created_at`` (tests share one with the publisher) and decides which posts
are young enough for private metrics; ``set_metrics(post_id, impressions=…)`` sets a
post's counts (zeros until then).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.errors import DuplicateContentError
from bot.networks import Account, Post, PostMetrics
from bot.networks.x import LOOKUP_BATCH, post_url, same_text
from bot.networks.x.errors import metrics_refused
from bot.testing.server import Counts
from threads.urls import find_url_spans

if TYPE_CHECKING:
    from bot.networks import Network

PRIVATE_METRICS_AGE = dt.timedelta(days=30)  # X keeps non-public metrics this long


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
    counts: dict[str, Counts] = field(default_factory=dict)
    # Faults by the call they are for: (error, after_accept), first in first out.
    _faults: defaultdict[str, deque[tuple[BaseException, bool]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def fail_next(
        self, error: BaseException, *, after_accept: bool = False, call: str = "create_post"
    ) -> None:
        self._faults[call].append((error, after_accept))

    def _fault(self, call: str) -> tuple[BaseException, bool] | None:
        faults = self._faults[call]
        return faults.popleft() if faults else None

    def set_metrics(self, post_id: str, **counts: int) -> None:
        if not any(post.id == post_id for post in self.posts):
            raise KeyError(f"no post {post_id!r} on this fake")
        self.counts[post_id] = replace(self.counts.get(post_id, Counts()), **counts)

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
        fault = self._fault("create_post")
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

    def delete_post(self, post_id: str) -> bool:
        self.calls.append("delete_post")
        fault = self._fault("delete_post")
        if fault is not None and not fault[1]:
            raise fault[0]
        live = [post for post in self.posts if post.id != post_id]
        deleted = len(live) < len(self.posts)
        self.posts = live
        if fault is not None:
            raise fault[0]
        return deleted

    def metrics(self, post_ids: Sequence[str], *, private: bool = False) -> list[PostMetrics]:
        """One ``metrics`` call per 100 posts (X's batch), like the adapter's requests."""
        read: list[PostMetrics] = []
        refused: list[str] = []
        posts = {post.id: post for post in self.posts}
        oldest = self.clock() - PRIVATE_METRICS_AGE
        for start in range(0, len(post_ids), LOOKUP_BATCH):
            self.calls.append("metrics")
            fault = self._fault("metrics")
            if fault is not None:
                raise fault[0]
            for post_id in post_ids[start : start + LOOKUP_BATCH]:
                post = posts.get(post_id)
                if post is None:
                    continue
                if private and (post.created_at is None or post.created_at < oldest):
                    refused.append(post_id)
                    continue
                counts = self.counts.get(post_id, Counts())
                read.append(
                    PostMetrics(
                        post_id=post_id,
                        impressions=counts.impressions,
                        likes=counts.likes,
                        reposts=counts.reposts,
                        replies=counts.replies,
                        quotes=counts.quotes,
                        # X counts link clicks, privately, only where there is a link.
                        link_clicks=(
                            counts.link_clicks if private and find_url_spans(post.text) else None
                        ),
                    )
                )
        if refused:
            raise metrics_refused(refused, read)
        return read

    def post_url(self, username: str, post_id: str) -> str:
        return post_url(username, post_id)

    def same_text(self, posted: str, ours: str) -> bool:
        return same_text(posted, ours)

    def count(self, call: str) -> int:
        return self.calls.count(call)


def _conforms(fake: FakeX) -> Network:
    """mypy checks here that the fake is a :class:`~bot.networks.Network`."""
    return fake
