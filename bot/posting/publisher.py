"""Post a frozen thread exactly once per post, surviving crashes and the network's errors.

The rules, in the order a post meets them:

1. The thread is claimed by lease (:class:`~bot.store.queue.Claim`); a heartbeat renews
   the lease while it posts. A thread someone else is posting is refused (or, for
   ``resume``, waited for until its lease expires).
2. A post left in ``sending`` (a process died mid-request) is looked up first — by
   its idempotency key where that finds it (Bluesky's record key), else among the
   account's recent posts — and adopted only if it is *this* post: its parent is
   the thread's previous post (none for the first), its text is ours with every link
   compared by where it points (never masked: two closings differing in
   ``utm_content`` are two posts), no other post of the store has it, and it was
   created after the ``sending`` record. None found: it is sent again. Several found:
   the thread stops and says so — threadbot never guesses.
3. ``sending`` is committed before each request (fenced by the claim), with the post's
   idempotency key (Bluesky's record key, Mastodon's Idempotency-Key) decided then and
   reused by every later attempt, so a resend can never make a second post; the post's
   id is committed right after it.
4. 5xx, dropped connections and timeouts are retried with exponential backoff and
   jitter (tenacity), a bounded number of times; before each retry the post is looked
   up, since the network may have accepted it before the connection failed. If the
   look-up itself never answers, the post stays ``sending`` and nothing is resent.
5. "Duplicate content" (403) leads to the same look-up, never to a blind retry.
6. What any other error means for the thread — wait, defer, release, fail — is
   decided in one place, :mod:`bot.posting.outcomes`, and applied by :meth:`settle`.
7. A stop (``stop_requested``: Ctrl-C, SIGTERM, a daemon's shutdown) ends the thread
   between two posts; a hard interrupt (a second Ctrl-C) leaves the post in flight as
   ``sending``, to be looked up. Either way the claim is given back (the thread stays
   ``posting``), so ``resume`` or any daemon finishes it at once, before the account's
   later threads.

Reads of the store during a publish: one, right after the claim (the state a crash left
is only known then); everything after it is tracked in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

import tenacity

from bot.errors import (
    AlreadyPublishedError,
    AmbiguousPostError,
    BudgetExceededError,
    DuplicateContentError,
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
from bot.lifecycle import CLAIMABLE, Lease, Owner, PostStatus, ThreadStatus
from bot.networks import Account, Network, Post
from bot.networks.registry import network as network_info
from bot.posting.outcomes import Outcome, Verdict, verdict
from bot.store import Claim, PostRecord, Store, ThreadRecord
from threads.options import Prices

log = logging.getLogger("threadbot.publish")

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
OnPosted = Callable[[PostRecord, str], None]
Held = TypeVar("Held")


class Leased(Protocol):
    """A claim whose lease can be renewed: a posting's or a delete's."""

    @property
    def thread_id(self) -> int: ...

    def renew(self, now: dt.datetime) -> bool: ...


LOOKUP_LIMIT = 100
# A post found for a lost answer must be newer than its `sending` record; the network's
# clock and the store's may disagree by this much.
CLOCK_TOLERANCE = dt.timedelta(minutes=2)
# X keeps an uploaded image for 24 h; reuse it only well inside that.
MEDIA_REUSE = dt.timedelta(hours=20)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PublishLimits:
    reply_pause_seconds: float = 2.0
    max_rate_limit_wait_seconds: float = 900.0
    max_attempts: int = 5
    max_posts_per_24h: int = 50
    monthly_budget_usd: float = 25.0


def thread_digest(texts: Sequence[str]) -> str:
    """What a frozen thread's texts are, to tell a version from another."""
    return hashlib.sha256("\x1e".join(texts).encode()).hexdigest()


class Publisher:
    """Posts one account's threads on one network, from the store, through its
    :class:`~bot.networks.Network` adapter."""

    def __init__(
        self,
        store: Store,
        client: Network,
        limits: PublishLimits,
        prices: Prices,
        *,
        account_name: str,
        network: str,
        clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
        stop_requested: Callable[[], bool] = lambda: False,
        owner: Owner | None = None,
        lease: Lease | None = None,
        link_gate: Callable[[ThreadRecord, dt.datetime], None] | None = None,
    ) -> None:
        self.store = store
        # The config's name for the account: budgets, caps and rate limits are its own
        # on each network.
        self.account_name = account_name
        self.network = network
        self.info = network_info(network)
        self.client = client
        self.limits = limits
        self.prices = prices
        self.clock = clock
        self.sleep = sleep
        self.stop_requested = stop_requested
        self.owner = owner or Owner.this_process()
        self.lease = lease or Lease()
        # Checks the thread's links live before its first post (bot.posting.links).
        self.link_gate = link_gate
        self._account: Account | None = None

    @property
    def account(self) -> Account:
        """The posting account, looked up once per process."""
        if self._account is None:
            self._account = self.client.me()
            self.store.accounts.remember(
                self.account_name,
                self.network,
                self._account.username,
                home_url=getattr(self.client, "instance_url", None),
            )
        return self._account

    def url(self, post_id: str) -> str:
        return self.client.post_url(self.account.username, post_id)

    # -- budget -------------------------------------------------------------------

    def check_budget(self, posts: Sequence[tuple[str, bool]]) -> None:
        """Refuse (with the numbers) a thread that would break the account's post cap or
        budget, counted from the store (the posts in one query; where reads are billed,
        the month's reads in another). (A rate limit recorded by any daemon
        holds the daemons' claims back; a person running `publish` or `resume` is
        trusted to know the limit has lifted.)"""
        now = self.clock()
        day_ago = now - dt.timedelta(hours=24)
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        posted = self.store.posts.since(min(day_ago, month_start), self.account_name, self.network)
        window = [p for p in posted if p.posted_at >= day_ago]
        cap = self.limits.max_posts_per_24h
        if len(window) + len(posts) > cap:
            surplus = len(window) + len(posts) - cap
            fits_at = (
                window[surplus - 1].posted_at + dt.timedelta(hours=24)
                if surplus <= len(window)
                else None
            )
            when = f"; it fits from {fits_at:%Y-%m-%d %H:%M} UTC" if fits_at else ""
            raise BudgetExceededError(
                f"{len(posts)} posts would exceed max_posts_per_24h = {cap}: {len(window)} "
                f"posted in the last 24 h{when}",
                fits_at,
            )
        if not self.info.bills_posts:
            return  # its posts cost nothing; they count above
        # Reading posts' counts (`threadbot stats`, the daemon's [stats] reads) is billed
        # too, from the same budget.
        spent = sum(
            self.info.cost(self.prices, p.has_url) for p in posted if p.posted_at >= month_start
        ) + self.store.metrics.spent(self.account_name, self.network, month_start)
        cost = sum(self.info.cost(self.prices, has_url) for _, has_url in posts)
        budget = self.limits.monthly_budget_usd
        if spent + cost > budget + 1e-9:
            next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
            raise BudgetExceededError(
                f"${cost:.3f} would exceed monthly_budget_usd = ${budget:.2f}: "
                f"${spent:.3f} spent this month on posts and reads; "
                f"it fits from {next_month:%Y-%m-%d}",
                next_month,
            )

    def check_remaining(self, thread: ThreadRecord) -> None:
        """The budget check for what is still to post of a stored thread."""
        self.check_budget(
            [(p.text, p.has_url) for p in thread.posts if p.status != PostStatus.POSTED]
        )

    # -- claiming -------------------------------------------------------------------

    def claim(
        self,
        thread_id: int,
        from_statuses: Iterable[ThreadStatus] = CLAIMABLE,
        *,
        due_only: bool = False,
    ) -> Claim | None:
        """Claim the thread by lease; None if another process holds a live lease on it,
        or its status is not one of ``from_statuses`` (the daemon claims only queued ones,
        ``due_only``: due, and next in its account's order)."""
        return self.store.queue.claim(
            thread_id, self.owner, self.clock(), self.lease, from_statuses, due_only=due_only
        )

    def claim_or_refuse(self, thread_id: int, *, wait: bool = False) -> Claim:
        """Claim, or say why not. With ``wait``, a lease held by another process is waited
        out once (a process that died leaves one that expires within the lease time)."""
        return self.claim_waiting(
            lambda: self.claim(thread_id),
            thread_id,
            ThreadStatus.POSTING,
            self._refusal,
            wait=wait,
        )

    def claim_waiting(
        self,
        claim: Callable[[], Held | None],
        thread_id: int,
        held: ThreadStatus,
        refusal: Callable[[ThreadRecord], Exception],
        *,
        wait: bool,
    ) -> Held:
        """``claim()``, or ``refusal`` of the thread as it stands. With ``wait``, a thread
        ``held`` by another process's lease that ends within two lease lengths is tried
        once more after that lease (a killed process leaves one behind)."""
        claimed = claim()
        if claimed is not None:
            return claimed
        current = self.store.threads.get(thread_id)
        if wait and current.status == held and current.lease_until is not None:
            remaining = (current.lease_until - self.clock()).total_seconds()
            if 0 < remaining <= self.lease.seconds * 2:
                log.warning(
                    "thread %s is held by %s until %s; waiting %.1f s for the lease to expire",
                    thread_id,
                    current.claimed_by,
                    f"{current.lease_until:%H:%M:%S} UTC",
                    remaining,
                )
                self.sleep(remaining + 0.05)
            claimed = claim()
            if claimed is not None:
                return claimed
            current = self.store.threads.get(thread_id)
        raise refusal(current)

    def _refusal(self, current: ThreadRecord) -> Exception:
        if current.status == ThreadStatus.POSTED:
            first = current.first_post_id or ""
            return AlreadyPublishedError(f"thread {current.id} is already live: {self.url(first)}")
        if current.status == ThreadStatus.POSTING:
            until = f"{current.lease_until:%Y-%m-%d %H:%M:%S} UTC" if current.lease_until else "?"
            return ThreadBusyError(
                f"thread {current.id} is being posted by {current.claimed_by} (lease until "
                f"{until}): if that process died, run this again after then"
            )
        if current.status == ThreadStatus.DELETING:
            return StateConflictError(
                f"thread {current.id} is being taken down: `threadbot delete {current.id}` "
                "finishes that; a thread taken down is never posted again"
            )
        if current.status == ThreadStatus.DELETED:
            return StateConflictError(
                f"thread {current.id} was taken down (deleted): it is never posted again"
            )
        return StateConflictError(
            f"thread {current.id} is {current.status}: "
            f"`threadbot reschedule {current.id} --at …` revives it"
        )

    @contextmanager
    def keep_lease(self, claim: Leased) -> Iterator[None]:
        """Renew the lease every third of its length while the thread is posted (or
        taken down)."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.lease.heartbeat_seconds):
                try:
                    renewed = claim.renew(self.clock())
                except StoreUnavailableError as error:
                    log.warning("lease of thread %s not renewed: %s", claim.thread_id, error)
                    continue  # the next beat tries again; `sending` is the fence
                if not renewed:
                    return  # lost: `sending` refuses from now on

        beating = threading.Thread(target=beat, name=f"lease-{claim.thread_id}", daemon=True)
        beating.start()
        try:
            yield
        finally:
            stop.set()
            beating.join(5)

    # -- what an error means for the thread -------------------------------------------

    def settle(self, claim: Claim, error: BaseException) -> Verdict:
        """Apply what ``error`` means for the claimed thread (:mod:`bot.posting.outcomes`):
        the one place a posting error changes a thread's status."""
        decided = verdict(
            error, now=self.clock(), max_wait_seconds=self.limits.max_rate_limit_wait_seconds
        )
        thread_id = claim.thread_id
        if decided.outcome in (Outcome.DEFER, Outcome.WAIT):
            if decided.blocks_account and decided.until is not None:
                # Every daemon holds off this account until the reset, not only this one.
                self.store.accounts.block(
                    self.account_name, self.network, decided.until, str(error)
                )
            claim.finish(ThreadStatus.DEFERRED, error=str(error), not_before=decided.until)
            log.warning("thread %s deferred until %s: %s", thread_id, decided.until, error)
        elif decided.outcome == Outcome.RELEASE:
            claim.release()
        elif decided.outcome in (Outcome.FAIL, Outcome.RETRY):
            claim.finish(ThreadStatus.FAILED, error=str(error))
            log.error("thread %s failed: %s", thread_id, error)
        return decided

    # -- posting --------------------------------------------------------------------

    def publish(
        self,
        thread_id: int | None = None,
        on_posted: OnPosted | None = None,
        *,
        claim: Claim | None = None,
        wait_for_lease: bool = False,
    ) -> ThreadRecord:
        """Post every post of the thread not yet live, in order, as a reply chain (the
        thread ``thread_id``, claimed here, or the one ``claim`` holds). What an error
        means for the thread is settled before it is raised; stopped, the claim is given
        back and :class:`StopRequestedError` says what is live."""
        self.account  # noqa: B018 - bad credentials fail here, before anything is claimed
        if claim is None:
            assert thread_id is not None
            claim = self.claim_or_refuse(thread_id, wait=wait_for_lease)
        thread = claim.thread
        log.info("posting thread %s (%s), %d posts", thread.id, thread.key, len(thread.posts))
        posts = list(thread.posts)
        try:
            with self.keep_lease(claim):
                if self.link_gate is not None and all(
                    post.status == PostStatus.PENDING for post in posts
                ):
                    self.link_gate(thread, self.clock())
                self._post_all(claim, posts, on_posted)
        except (ThreadbotError, KeyboardInterrupt) as error:
            decided = self.settle(claim, error)
            if decided.outcome != Outcome.RELEASE:
                raise
            live = sum(p.status == PostStatus.POSTED for p in posts)
            log.warning(
                "thread %s stopped with %d of %d posts live; its claim is given back",
                thread.id,
                live,
                len(posts),
            )
            raise StopRequestedError(
                f"interrupted: {live} of {len(posts)} tweets live; "
                f"threadbot resume {thread.id} continues",
                thread_id=thread.id,
            ) from error
        claim.finish(ThreadStatus.POSTED)
        done = dataclasses.replace(
            thread,
            status=ThreadStatus.POSTED,
            posts=tuple(posts),
            claimed_by=None,
            claim_host=None,
            lease_until=None,
        )
        log.info("posted thread %s: %s", thread.id, self.url(done.first_post_id or ""))
        return done

    def _post_all(self, claim: Claim, posts: list[PostRecord], on_posted: OnPosted | None) -> None:
        """Reconcile and post, in order; ``posts`` is kept up to date as they go live."""
        previous: str | None = None
        for index, post in enumerate(posts):
            if post.status == PostStatus.SENDING:
                post = posts[index] = self._reconcile(claim, post, previous)
            if post.status == PostStatus.POSTED:
                previous = post.post_id
                continue
            if previous is not None and self.limits.reply_pause_seconds > 0:
                # X rejects bursts of rapid replies.
                self.sleep(self.limits.reply_pause_seconds)
            self._check_stop(claim, post)
            previous = self._post(claim, post, previous)
            posts[index] = dataclasses.replace(post, status=PostStatus.POSTED, post_id=previous)
            if on_posted is not None:
                on_posted(post, self.url(previous))

    def _check_stop(self, claim: Claim, post: PostRecord) -> None:
        if self.stop_requested():
            raise StopRequestedError(
                f"stopped before post {post.position} of thread {claim.thread_id}",
                thread_id=claim.thread_id,
            )

    def _retrying(self, post: PostRecord, claim: Claim, what: str) -> tenacity.Retrying:
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(NetworkUnavailableError),
            stop=tenacity.stop_after_attempt(self.limits.max_attempts),
            wait=tenacity.wait_exponential_jitter(initial=1, max=60, jitter=1),
            sleep=self.sleep,
            reraise=True,
            before_sleep=lambda state: log.warning(
                "post %d of thread %s: %s %s; retrying",
                post.position,
                claim.thread_id,
                what,
                state.outcome.exception() if state.outcome else "error",
            ),
        )

    def _post(self, claim: Claim, post: PostRecord, reply_to: str | None) -> str:
        if post.post_key is None:
            # Decided once, committed with `sending`, reused by every retry and resume.
            post = dataclasses.replace(post, post_key=self.client.new_key())
        try:
            for attempt in self._retrying(post, claim, "sending"):
                with attempt:
                    return self._attempt(claim, post, reply_to)
        except NetworkUnavailableError as error:
            raise PublishError(
                f"post {post.position}: {error}; gave up after {self.limits.max_attempts} "
                f"attempts: run `threadbot resume {claim.thread_id}` when the network is back"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _media_ids(self, claim: Claim, post: PostRecord) -> list[str]:
        """The post's image: an upload from this or an earlier run is reused while the
        network keeps it, so a retry or resume never uploads the same chart again."""
        if not post.has_media:
            return []
        media = self.store.threads.media(post.thread_id, post.position)
        if media is None:
            return []
        fresh = media.uploaded_at is not None and self.clock() - media.uploaded_at < MEDIA_REUSE
        if media.media_id is not None and fresh:
            return [media.media_id]
        media_id = self.client.upload_media(media.png, media.alt_text)
        claim.uploaded(post.position, media_id, self.clock())
        log.info("uploaded the chart of post %d of thread %s", post.position, post.thread_id)
        return [media_id]

    def _attempt(self, claim: Claim, post: PostRecord, reply_to: str | None) -> str:
        while True:
            self._check_stop(claim, post)  # a retry or a rate-limit wait was interrupted
            media_ids = self._media_ids(claim, post)
            now = self.clock()
            claim.sending(post.position, post.post_key, now)
            # The first `sending` is what a post found later must be newer than.
            post = dataclasses.replace(post, sending_at=post.sending_at or now)
            try:
                post_id = self.client.create_post(post.text, reply_to, media_ids, key=post.post_key)
            except DuplicateContentError as error:
                found = self.find_live(claim.thread_id, post, reply_to)
                if found is None:
                    claim.failed(post.position, str(error))
                    raise PublishError(
                        f"X calls post {post.position} of thread {claim.thread_id} a duplicate, "
                        "but it is not among the account's recent posts: delete the older post "
                        f"with that text, then run `threadbot resume {claim.thread_id}`"
                    ) from error
                claim.posted(post.position, found, self.clock())
                return found
            except NetworkUnavailableError:
                # The network may have taken the post before the connection failed.
                found = self._look_up_lost(claim, post, reply_to)
                if found is not None:
                    claim.posted(post.position, found, self.clock())
                    return found
                claim.unsent(post.position, "retrying")
                raise
            except RateLimitedError as error:
                claim.unsent(post.position, str(error))
                decided = verdict(
                    error,
                    now=self.clock(),
                    max_wait_seconds=self.limits.max_rate_limit_wait_seconds,
                )
                if decided.outcome != Outcome.WAIT:
                    raise
                log.warning(
                    "rate limited; waiting %.0f s until the window resets (Ctrl-C stops)",
                    decided.seconds,
                )
                self.sleep(decided.seconds)
                continue
            except NetworkError as error:  # auth, rejected, anything else refused
                claim.failed(post.position, str(error))
                raise
            claim.posted(post.position, post_id, self.clock())
            log.info(
                "posted post %d/%d of thread %s: %s",
                post.position,
                len(claim.thread.posts),
                claim.thread_id,
                self.url(post_id),
            )
            return post_id

    # -- what became of a post whose answer was lost ------------------------------------

    def _reconcile(self, claim: Claim, post: PostRecord, parent: str | None) -> PostRecord:
        """A post left in ``sending``: adopt it if it is live, else send it again."""
        found = self.find_live(claim.thread_id, post, parent)
        if found is not None:
            log.info(
                "post %d of thread %s was already live: adopting %s",
                post.position,
                post.thread_id,
                found,
            )
            claim.posted(post.position, found, self.clock())
            return dataclasses.replace(post, status=PostStatus.POSTED, post_id=found)
        claim.unsent(post.position, "not on the network after an interruption")
        return dataclasses.replace(post, status=PostStatus.PENDING)

    def _look_up_lost(self, claim: Claim, post: PostRecord, parent: str | None) -> str | None:
        """The look-up after a lost answer, retried like a post; if the network never
        answers it, the post's fate stays unknown (``sending``) and nothing is resent."""
        try:
            for attempt in self._retrying(post, claim, "looking up"):
                with attempt:
                    self._check_stop(claim, post)
                    return self.find_live(claim.thread_id, post, parent)
        except NetworkUnavailableError as error:
            raise PublishError(
                f"post {post.position}: its answer was lost and the look-up failed too "
                f"({error}); `threadbot resume {claim.thread_id}` looks for it again"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    def find_live(
        self, thread_id: int, post: PostRecord, parent: str | None, *, then: str = "resume"
    ) -> str | None:
        """The network's id of *this* post, if the network has it (see rule 2 above).
        Also how a delete settles a post an interrupted publish left ``sending``;
        ``then`` is the command that continues once a wrong post is removed."""
        if post.post_key is not None:
            keyed = self.client.find_post(post.post_key)
            if keyed is not None:
                if not self._is_this_post(keyed, post, parent):
                    raise self._ambiguous(
                        thread_id,
                        post,
                        f"its key {post.post_key} names post {keyed.id}, which is not it "
                        "(another parent or text)",
                        then,
                    )
                return keyed.id
            if self.info.key_finds_post:
                return None  # the record key is the truth: no record, no post
        found = [
            candidate
            for candidate in self.client.recent_posts(self.account.id, LOOKUP_LIMIT)
            if self._is_this_post(candidate, post, parent)
        ]
        taken = self.store.posts.recorded_elsewhere(
            self.network, [candidate.id for candidate in found], post.thread_id, post.position
        )
        found = [candidate for candidate in found if candidate.id not in taken]
        if len(found) > 1:
            ids = ", ".join(candidate.id for candidate in found)
            raise self._ambiguous(
                thread_id, post, f"{len(found)} posts on the network match it ({ids})", then
            )
        return found[0].id if found else None

    def _is_this_post(self, candidate: Post, post: PostRecord, parent: str | None) -> bool:
        """Parent, text (links by target) and time: what makes a found post this one."""
        if candidate.reply_to != parent or not self.client.same_text(candidate.text, post.text):
            return False
        if post.sending_at is None or candidate.created_at is None:
            return True
        return candidate.created_at >= post.sending_at - CLOCK_TOLERANCE

    @staticmethod
    def _ambiguous(
        thread_id: int, post: PostRecord, why: str, then: str = "resume"
    ) -> AmbiguousPostError:
        """Stop, never guess: the post stays ``sending`` (its fate unknown) until the
        owner has removed the wrong one, and resume looks again."""
        return AmbiguousPostError(
            f"thread {thread_id}: post {post.position}'s answer was lost and {why}: "
            f"delete the wrong post on the network, then `threadbot {then} {thread_id}`"
        )
