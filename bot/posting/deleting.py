"""Take a thread down exactly once per post, surviving crashes and the network's errors.

The rules, in the order a post meets them:

1. The thread is claimed for deleting by lease (:class:`~bot.store.DeleteClaim`), from
   ``posted`` or ``failed``, or from ``posting``/``deleting`` once nobody holds it; a
   heartbeat renews the lease. A dead deleter's lease is waited out once.
2. A post an interrupted publish left ``sending`` may be on the network: it is looked
   up by the publisher's identity rule first — found, it is taken down with the rest;
   not found, it never went out. Several candidates: stop, never guess.
3. Live posts go last to first — a reply before the post it replies to — one DELETE
   request each, ``deleting_at`` committed before it (fenced by the claim).
4. A post left ``deleting_at`` without an answer (a killed process, a lost answer) is
   looked up before anything is sent: gone, it is recorded taken down; still there, it
   gets its DELETE. So no post ever gets a second DELETE it did not need.
5. The network saying the post is gone already (404, Bluesky's no-op) is ``gone``.
   A dropped connection, 5xx or timeout: looked up, and sent again (with backoff, at
   most ``max_attempts``) only if the post is still there; a look-up that never
   answers leaves the mark for the next run.
6. A rate limit or any refusal (credentials, permissions) deleted nothing: the mark is
   cleared, the claim given back with the error said, and the thread stays
   ``deleting`` — `threadbot delete` again continues where it stopped.
7. A stop (Ctrl-C, SIGTERM) ends between two posts; the claim is given back.

Deleting frees nothing in the budget: spend and post caps count what was posted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

import tenacity

from bot.errors import (
    LeaseLostError,
    NetworkError,
    NetworkUnavailableError,
    PublishError,
    RateLimitedError,
    StateConflictError,
    StopRequestedError,
    StoreUnavailableError,
    ThreadbotError,
    ThreadBusyError,
)
from bot.lifecycle import DELETABLE, PostStatus, ThreadStatus
from bot.posting.publisher import Publisher
from bot.store import DeleteClaim, DeleteResult, PostRecord, ThreadRecord

log = logging.getLogger("threadbot.delete")

OnDeleted = Callable[[PostRecord, DeleteResult], None]


def to_take_down(thread: ThreadRecord) -> list[PostRecord]:
    """What a delete takes down, in the order it goes: every live post, last first, and
    any post whose posting fate is unknown (``sending``: looked up first)."""
    return [
        post for post in reversed(thread.posts) if post.is_live or post.status == PostStatus.SENDING
    ]


class Deleter:
    """Takes one account's threads down on one network, through the publisher that
    posts them there: its store, adapter, clock, lease owner, stop flag and retries."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        self.store = publisher.store
        self.client = publisher.client

    def clock(self) -> dt.datetime:
        return self.publisher.clock()

    # -- claiming -----------------------------------------------------------------------

    def claim_or_refuse(self, thread_id: int, *, wait: bool = False) -> DeleteClaim:
        """Claim the thread for deleting, or say why not. With ``wait``, another
        deleter's lease is waited out once (a killed `delete` leaves one behind)."""
        publisher = self.publisher
        return publisher.claim_waiting(
            lambda: self.store.deletions.claim(
                thread_id, publisher.owner, self.clock(), publisher.lease
            ),
            thread_id,
            ThreadStatus.DELETING,
            _refusal,
            wait=wait,
        )

    # -- deleting -----------------------------------------------------------------------

    def delete(
        self, thread_id: int, on_deleted: OnDeleted | None = None, *, wait_for_lease: bool = True
    ) -> ThreadRecord:
        """Take every live post of the thread down, last first, and mark it ``deleted``;
        the thread as left. Stopped by an error, the claim is given back first (the
        thread stays ``deleting``) and the error says how far it got."""
        claim = self.claim_or_refuse(thread_id, wait=wait_for_lease)
        posts = to_take_down(claim.thread)
        done = 0
        log.info("deleting thread %s (%s): %d posts", thread_id, claim.thread.key, len(posts))
        try:
            with self.publisher.keep_lease(claim):
                posts = self._settle_unknown(claim, posts)
                for post in posts:
                    self._check_stop(claim, done, len(posts))
                    result = self._take_down(claim, post)
                    done += 1
                    if on_deleted is not None:
                        on_deleted(post, result)
        except (ThreadbotError, KeyboardInterrupt) as error:
            raise self._let_go(claim, error, done, len(posts)) from error
        if not claim.finish():
            raise LeaseLostError(
                f"thread {thread_id} was taken over by another process before it was "
                f"marked deleted: `threadbot status {thread_id}` says how far it got"
            )
        log.info("deleted thread %s", thread_id)
        return self.store.threads.get(thread_id)

    def _let_go(
        self, claim: DeleteClaim, error: BaseException, done: int, total: int
    ) -> BaseException:
        """Give the claim back (unless it is lost, or the store is): what to raise — the
        one line the owner reads (logged at INFO only, so it is not said twice)."""
        thread_id = claim.thread_id
        if isinstance(error, LeaseLostError | StoreUnavailableError):
            return error
        progress = f"{done} of {total} posts taken down"
        if isinstance(error, StopRequestedError | KeyboardInterrupt):
            claim.release()
            return StopRequestedError(
                f"interrupted: {progress}; threadbot delete {thread_id} continues",
                thread_id=thread_id,
            )
        claim.release(str(error))
        if isinstance(error, RateLimitedError):
            after = f" after {error.reset_at:%H:%M} UTC" if error.reset_at else " later"
            log.info("thread %s: %s; %s", thread_id, error, progress)
            return RateLimitedError(
                f"{error}: {progress}; `threadbot delete {thread_id}` again continues{after}",
                error.reset_at,
            )
        log.info("thread %s: deleting stopped: %s", thread_id, error)
        return error

    def _check_stop(self, claim: DeleteClaim, done: int, total: int) -> None:
        if self.publisher.stop_requested():
            raise StopRequestedError(
                f"stopped with {done} of {total} posts of thread {claim.thread_id} taken down",
                thread_id=claim.thread_id,
            )

    def _settle_unknown(self, claim: DeleteClaim, posts: list[PostRecord]) -> list[PostRecord]:
        """Posts an interrupted publish left ``sending``, looked up before anything is
        deleted (their parents are still there to match): found ones join the live."""
        settled: list[PostRecord] = []
        by_position = {post.position: post for post in claim.thread.posts}
        for post in posts:
            if post.status != PostStatus.SENDING:
                settled.append(post)
                continue
            parent = by_position.get(post.position - 1)
            found = self._retrying(claim, post, "looking up")(
                self.publisher.find_live,
                claim.thread_id,
                post,
                parent.post_id if parent is not None else None,
                then="delete",
            )
            if found is None:
                log.info("post %d of thread %s never went out", post.position, claim.thread_id)
                claim.unsent(post.position)
                continue
            claim.adopted(post.position, found, self.clock())
            settled.append(dataclasses.replace(post, status=PostStatus.POSTED, post_id=found))
        return settled

    def _take_down(self, claim: DeleteClaim, post: PostRecord) -> DeleteResult:
        """One post, exactly once: a DELETE that may have gone out is looked up first."""
        if post.deleting_at is not None and not self._there(claim, post):
            log.info("post %d of thread %s: its DELETE had landed", post.position, claim.thread_id)
            claim.deleted(post.position, "deleted", self.clock())
            return "deleted"
        try:
            for attempt in self._retrying(claim, post, "deleting"):
                with attempt:
                    return self._attempt(claim, post)
        except NetworkUnavailableError as error:
            raise PublishError(
                f"post {post.position}: {error}; gave up after "
                f"{self.publisher.limits.max_attempts} attempts: `threadbot delete "
                f"{claim.thread_id}` again when the network is back"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _attempt(self, claim: DeleteClaim, post: PostRecord) -> DeleteResult:
        assert post.post_id is not None, "a live post has the network's id"
        claim.deleting(post.position, self.clock())
        try:
            deleted = self.client.delete_post(post.post_id)
        except NetworkUnavailableError:
            # The network may have deleted it before the connection failed.
            if not self._there(claim, post):
                claim.deleted(post.position, "deleted", self.clock())
                return "deleted"
            claim.not_deleting(post.position)
            raise  # retried: it is still there
        except NetworkError:
            claim.not_deleting(post.position)  # refused: nothing was deleted
            raise
        result: DeleteResult = "deleted" if deleted else "gone"
        claim.deleted(post.position, result, self.clock())
        log.info("post %d of thread %s: %s", post.position, claim.thread_id, result)
        return result

    def _there(self, claim: DeleteClaim, post: PostRecord) -> bool:
        """Whether the network still has the post — Bluesky's record by its key, else a
        read of its counts (which leaves out a post that is gone). Retried like a
        request; if it never answers, the mark stays and nothing is sent."""
        assert post.post_id is not None
        post_id = post.post_id

        def look() -> bool:
            if self.publisher.info.key_finds_post and post.post_key is not None:
                return self.client.find_post(post.post_key) is not None
            return any(found.post_id == post_id for found in self.client.metrics([post_id]))

        try:
            return bool(self._retrying(claim, post, "looking up")(look))
        except NetworkUnavailableError as error:
            raise PublishError(
                f"post {post.position}: whether its DELETE landed is unknown and the "
                f"look-up failed ({error}); `threadbot delete {claim.thread_id}` looks again"
            ) from error

    def _retrying(self, claim: DeleteClaim, post: PostRecord, what: str) -> tenacity.Retrying:
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(NetworkUnavailableError),
            stop=tenacity.stop_after_attempt(self.publisher.limits.max_attempts),
            wait=tenacity.wait_exponential_jitter(initial=1, max=60, jitter=1),
            sleep=lambda seconds: self.publisher.sleep(seconds),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "post %d of thread %s: %s %s; retrying",
                post.position,
                claim.thread_id,
                what,
                state.outcome.exception() if state.outcome else "error",
            ),
        )


def _refusal(current: ThreadRecord) -> StateConflictError:
    """Why the thread could not be claimed for deleting."""
    until = f"{current.lease_until:%Y-%m-%d %H:%M:%S} UTC" if current.lease_until else "?"
    if current.status == ThreadStatus.POSTING:
        return ThreadBusyError(
            f"thread {current.id} is being posted now by {current.claimed_by} (lease until "
            f"{until}): stop that process (Ctrl-C), then delete"
        )
    if current.status == ThreadStatus.DELETING:
        return ThreadBusyError(
            f"thread {current.id} is being deleted now by {current.claimed_by} (lease until "
            f"{until}): if that process died, run this again after then"
        )
    if current.status not in DELETABLE:
        return StateConflictError(f"thread {current.id} is {current.status}: it cannot be deleted")
    return StateConflictError(f"thread {current.id} changed meanwhile: run this again")
