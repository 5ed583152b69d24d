"""Post a frozen thread exactly once per tweet, surviving crashes and the network's errors.

The rules, in the order a tweet meets them:

1. The thread is claimed by lease (:mod:`bot.lifecycle`); a heartbeat renews the lease
   while it posts. A thread someone else is posting is refused (or, for ``resume``,
   waited for until its lease expires).
2. A tweet left in ``sending`` (a process died mid-request) is looked up first — by
   its idempotency key where the network has one (Bluesky's record key), else among
   the account's recent posts — and adopted only if it is *this* post: its parent is
   the thread's previous post (none for the first), its text is ours with every link
   compared by where it points (never masked: two closings differing in
   ``utm_content`` are two posts), no other post of the store has it, and it was
   created after the ``sending`` record. None found: it is sent again. Several found:
   the thread stops and says so — threadbot never guesses.
3. ``sending`` is committed before each request (fenced by the lease), with the post's
   idempotency key (Bluesky's record key, Mastodon's Idempotency-Key) decided then and
   reused by every later attempt, so a resend can never make a second post; the post's
   id is committed right after it.
4. 5xx, dropped connections and timeouts are retried with exponential backoff and
   jitter (tenacity), a bounded number of times; before each retry the post is looked
   up, since the network may have accepted it before the connection failed.
5. "Duplicate content" (403) leads to the same look-up, never to a blind retry.
6. A 429 inside the 15-minute window waits for the reset (bounded, logged, Ctrl-C stops
   it); a daily cap stops and records when it lifts.
7. 401/403 and 400 stop the thread as failed, with what to do.
8. A stop (``stop_requested``: Ctrl-C, SIGTERM, a daemon's shutdown) ends the thread
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

import tenacity

from bot.errors import (
    AlreadyPublishedError,
    AmbiguousPostError,
    BudgetExceededError,
    DailyCapError,
    DuplicateContentError,
    NetworkError,
    NetworkUnavailableError,
    PublishError,
    RateLimitedError,
    StateConflictError,
    StopRequestedError,
    StoreUnavailableError,
    ThreadBusyError,
)
from bot.lifecycle import CLAIMABLE, Lease, Owner, ThreadStatus, TweetStatus
from bot.networks import Account, Network, Post
from bot.store import Store, ThreadRecord, TweetRecord
from threads.options import Prices

log = logging.getLogger("threadbot.publish")

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
OnPosted = Callable[[TweetRecord, str], None]
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


def content_hash(texts: Sequence[str]) -> str:
    return hashlib.sha256("\x1e".join(texts).encode()).hexdigest()


class Publisher:
    """Posts threads from the store through a :class:`~bot.networks.Network`."""

    def __init__(
        self,
        store: Store,
        client: Network,
        limits: PublishLimits,
        prices: Prices,
        *,
        clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
        stop_requested: Callable[[], bool] = lambda: False,
        owner: Owner | None = None,
        lease: Lease | None = None,
        account_name: str = "default",
        network: str = "x",
    ) -> None:
        self.store = store
        # The config's name for the account: budgets, caps and rate limits are its own
        # on each network.
        self.account_name = account_name
        self.network = network
        self.client = client
        self.limits = limits
        self.prices = prices
        self.clock = clock
        self.sleep = sleep
        self.stop_requested = stop_requested
        self.owner = owner or Owner.this_process()
        self.lease = lease or Lease()
        self._account: Account | None = None

    @property
    def account(self) -> Account:
        """The posting account, looked up once per process."""
        if self._account is None:
            self._account = self.client.me()
            self.store.remember_username(
                self.account_name,
                self._account.username,
                self.network,
                home_url=getattr(self.client, "instance_url", None),
            )
        return self._account

    def url(self, post_id: str) -> str:
        return self.client.post_url(self.account.username, post_id)

    # -- budget -------------------------------------------------------------------

    def check_budget(self, tweets: Sequence[tuple[str, bool]]) -> None:
        """Refuse (with the numbers) a thread that would break the account's post cap or
        budget. (A rate limit recorded by any daemon holds the daemons' claims back; a
        person running `publish` or `resume` is trusted to know the limit has lifted.)"""
        now = self.clock()
        window = self.store.posted_since(
            now - dt.timedelta(hours=24), self.account_name, self.network
        )
        cap = self.limits.max_posts_per_24h
        if len(window) + len(tweets) > cap:
            surplus = len(window) + len(tweets) - cap
            fits_at = (
                window[surplus - 1].posted_at + dt.timedelta(hours=24)
                if surplus <= len(window)
                else None
            )
            when = f"; it fits from {fits_at:%Y-%m-%d %H:%M} UTC" if fits_at else ""
            raise BudgetExceededError(
                f"{len(tweets)} posts would exceed max_posts_per_24h = {cap}: {len(window)} "
                f"posted in the last 24 h{when}",
                fits_at,
            )
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if self.network != "x":
            return  # Bluesky and Mastodon cost nothing; their posts count above
        spent = sum(
            self.prices.cost(p.has_url)
            for p in self.store.posted_since(month_start, self.account_name, "x")
        )
        cost = sum(self.prices.cost(has_url) for _, has_url in tweets)
        budget = self.limits.monthly_budget_usd
        if spent + cost > budget + 1e-9:
            next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
            raise BudgetExceededError(
                f"${cost:.3f} would exceed monthly_budget_usd = ${budget:.2f}: "
                f"${spent:.3f} spent this month; it fits from {next_month:%Y-%m-%d}",
                next_month,
            )

    def check_remaining(self, thread: ThreadRecord) -> None:
        """The budget check for what is still to post of a stored thread."""
        self.check_budget(
            [(t.text, t.has_url) for t in thread.tweets if t.status != TweetStatus.POSTED]
        )

    # -- claiming -------------------------------------------------------------------

    def claim(
        self,
        thread_id: int,
        from_statuses: Iterable[ThreadStatus] = CLAIMABLE,
        *,
        due_only: bool = False,
    ) -> ThreadRecord | None:
        """Claim the thread by lease; None if another process holds a live lease on it,
        or its status is not one of ``from_statuses`` (the daemon claims only queued ones,
        ``due_only``: due, and next in its account's order)."""
        now = self.clock()
        return self.store.claim(
            thread_id,
            self.owner.id,
            self.owner.host,
            now,
            self.lease.until(now),
            from_statuses,
            due_only=due_only,
        )

    def claim_or_refuse(self, thread_id: int, *, wait: bool = False) -> ThreadRecord:
        """Claim, or say why not. With ``wait``, a lease held by another process is waited
        out once (a process that died leaves one that expires within the lease time)."""
        claimed = self.claim(thread_id)
        if claimed is not None:
            return claimed
        current = self.store.get(thread_id)
        if wait and current.status == ThreadStatus.POSTING and current.lease_until is not None:
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
            claimed = self.claim(thread_id)
            if claimed is not None:
                return claimed
            current = self.store.get(thread_id)
        raise self._refusal(current)

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
        return StateConflictError(
            f"thread {current.id} is {current.status}: "
            f"`threadbot reschedule {current.id} --at …` revives it"
        )

    @contextmanager
    def _heartbeat(self, thread_id: int) -> Iterator[None]:
        """Renew the lease every third of its length while the thread is posted."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.lease.heartbeat_seconds):
                try:
                    renewed = self.store.renew(
                        thread_id, self.owner.id, self.lease.until(self.clock())
                    )
                except StoreUnavailableError as error:
                    log.warning("lease of thread %s not renewed: %s", thread_id, error)
                    continue  # the next beat tries again; mark_sending is the fence
                if not renewed:
                    return  # lost: mark_sending refuses from now on

        beating = threading.Thread(target=beat, name=f"lease-{thread_id}", daemon=True)
        beating.start()
        try:
            yield
        finally:
            stop.set()
            beating.join(5)

    # -- posting --------------------------------------------------------------------

    def publish(
        self,
        thread_id: int,
        on_posted: OnPosted | None = None,
        *,
        claimed: ThreadRecord | None = None,
        wait_for_lease: bool = False,
    ) -> ThreadRecord:
        """Post every tweet of the thread not yet live, in order, as a reply chain.

        Stopped (``stop_requested``, or a KeyboardInterrupt mid-request), it gives its
        claim back and raises :class:`StopRequestedError`."""
        self.account  # noqa: B018 - bad credentials fail here, before anything is claimed
        thread = claimed or self.claim_or_refuse(thread_id, wait=wait_for_lease)
        log.info("posting thread %s (%s), %d tweets", thread.id, thread.key, len(thread.tweets))
        tweets = list(thread.tweets)
        try:
            with self._heartbeat(thread.id):
                self._post_all(thread, tweets, on_posted)
        except (StopRequestedError, KeyboardInterrupt) as stop:
            self.store.release(thread.id, self.owner.id)
            live = sum(t.status == TweetStatus.POSTED for t in tweets)
            log.warning(
                "thread %s stopped with %d of %d posts live; its claim is given back",
                thread.id,
                live,
                len(tweets),
            )
            raise StopRequestedError(
                f"interrupted: {live} of {len(tweets)} tweets live; "
                f"threadbot resume {thread.id} continues",
                thread_id=thread.id,
            ) from stop
        self.store.transition(thread.id, ThreadStatus.POSTED, owner=self.owner.id)
        done = dataclasses.replace(
            thread,
            status=ThreadStatus.POSTED,
            tweets=tuple(tweets),
            claimed_by=None,
            claim_host=None,
            lease_until=None,
        )
        log.info("posted thread %s: %s", thread.id, self.url(done.first_post_id or ""))
        return done

    def _post_all(
        self, thread: ThreadRecord, tweets: list[TweetRecord], on_posted: OnPosted | None
    ) -> None:
        """Reconcile and post, in order; ``tweets`` is kept up to date as posts go live."""
        previous: str | None = None
        for index, tweet in enumerate(tweets):
            if tweet.status == TweetStatus.SENDING:
                tweet = tweets[index] = self._reconcile(thread, tweet, previous)
            if tweet.status == TweetStatus.POSTED:
                previous = tweet.x_id
                continue
            if previous is not None and self.limits.reply_pause_seconds > 0:
                # X rejects bursts of rapid replies.
                self.sleep(self.limits.reply_pause_seconds)
            self._check_stop(thread, tweet)
            previous = self._post(thread, tweet, previous)
            tweets[index] = dataclasses.replace(tweet, status=TweetStatus.POSTED, x_id=previous)
            if on_posted is not None:
                on_posted(tweet, self.url(previous))

    def _check_stop(self, thread: ThreadRecord, tweet: TweetRecord) -> None:
        if self.stop_requested():
            raise StopRequestedError(
                f"stopped before tweet {tweet.position} of thread {thread.id}", thread_id=thread.id
            )

    def _post(self, thread: ThreadRecord, tweet: TweetRecord, reply_to: str | None) -> str:
        if tweet.post_key is None:
            # Decided once, committed with `sending`, reused by every retry and resume.
            tweet = dataclasses.replace(tweet, post_key=self.client.new_key())
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(NetworkUnavailableError),
            stop=tenacity.stop_after_attempt(self.limits.max_attempts),
            wait=tenacity.wait_exponential_jitter(initial=1, max=60, jitter=1),
            sleep=self.sleep,
            reraise=True,
            before_sleep=lambda state: log.warning(
                "tweet %d of thread %s: %s; retrying",
                tweet.position,
                thread.id,
                state.outcome.exception() if state.outcome else "error",
            ),
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(thread, tweet, reply_to)
        except NetworkUnavailableError as error:
            self._stop(
                thread,
                tweet,
                ThreadStatus.FAILED,
                f"{error} (gave up after {self.limits.max_attempts} attempts)",
                keep_pending=True,
            )
            raise PublishError(
                f"{error}; gave up after {self.limits.max_attempts} attempts: "
                f"run `threadbot resume {thread.id}` when the network is back"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _media_ids(self, tweet: TweetRecord) -> list[str]:
        """The tweet's image on X: an upload from this or an earlier run is reused while
        X keeps it (24 h), so a retry or resume never uploads the same chart again."""
        if not tweet.has_media:
            return []
        media = self.store.media(tweet.thread_id, tweet.position)
        if media is None:
            return []
        fresh = media.uploaded_at is not None and self.clock() - media.uploaded_at < MEDIA_REUSE
        if media.x_media_id is not None and fresh:
            return [media.x_media_id]
        media_id = self.client.upload_media(media.png, media.alt_text)
        self.store.mark_uploaded(tweet.thread_id, tweet.position, media_id, self.clock())
        log.info("uploaded the chart of tweet %d of thread %s", tweet.position, tweet.thread_id)
        return [media_id]

    def _attempt(self, thread: ThreadRecord, tweet: TweetRecord, reply_to: str | None) -> str:
        while True:
            self._check_stop(thread, tweet)  # a retry or a rate-limit wait was interrupted
            try:
                media_ids = self._media_ids(tweet)
            except RateLimitedError as error:
                self._defer(thread, tweet, error)
                raise
            except NetworkError as error:
                # Unavailable: nothing was posted, tenacity retries the attempt.
                if not error.retryable:
                    self._stop(thread, tweet, ThreadStatus.FAILED, f"chart upload: {error}")
                raise
            now = self.clock()
            key = tweet.post_key
            self.store.mark_sending(
                thread.id, tweet.position, self.owner.id, self.lease.until(now), key, now=now
            )
            # The first `sending` is what a post found later must be newer than.
            tweet = dataclasses.replace(tweet, sending_at=tweet.sending_at or now)
            try:
                post_id = self.client.create_post(tweet.text, reply_to, media_ids, key=key)
            except DuplicateContentError as error:
                found = self._find_live(thread, tweet, reply_to)
                if found is None:
                    self._stop(thread, tweet, ThreadStatus.FAILED, str(error))
                    raise PublishError(
                        f"X calls tweet {tweet.position} of thread {thread.id} a duplicate, but "
                        "it is not among the account's recent posts: delete the older post "
                        f"with that text, then run `threadbot resume {thread.id}`"
                    ) from error
                self._adopt(tweet, found)
                return found
            except DailyCapError as error:
                self._defer(thread, tweet, error)
                raise
            except RateLimitedError as error:
                wait = self._seconds_until(error.reset_at)
                if wait > self.limits.max_rate_limit_wait_seconds:
                    self._defer(thread, tweet, error)
                    raise
                self.store.mark_pending(thread.id, tweet.position, str(error))
                log.warning(
                    "rate limited; waiting %.0f s until the window resets (Ctrl-C stops)", wait
                )
                self.sleep(wait)
                continue
            except NetworkUnavailableError:
                # X may have taken the post before the connection failed.
                found = self._look_up_lost(thread, tweet, reply_to)
                if found is not None:
                    self._adopt(tweet, found)
                    return found
                self.store.mark_pending(thread.id, tweet.position, "retrying")
                raise
            except NetworkError as error:  # auth, rejected, anything else refused
                self._stop(thread, tweet, ThreadStatus.FAILED, str(error))
                raise
            self.store.mark_posted(thread.id, tweet.position, post_id, self.clock())
            log.info(
                "posted tweet %d/%d of thread %s: %s",
                tweet.position,
                len(thread.tweets),
                thread.id,
                self.url(post_id),
            )
            return post_id

    def _reconcile(
        self, thread: ThreadRecord, tweet: TweetRecord, parent: str | None
    ) -> TweetRecord:
        """A tweet left in ``sending``: adopt its post if it is live, else send it again."""
        found = self._find_live(thread, tweet, parent)
        if found is not None:
            log.info(
                "tweet %d of thread %s was already live: adopting %s",
                tweet.position,
                tweet.thread_id,
                found,
            )
            self._adopt(tweet, found)
            return dataclasses.replace(tweet, status=TweetStatus.POSTED, x_id=found)
        self.store.mark_pending(
            tweet.thread_id, tweet.position, "not on the network after an interruption"
        )
        return dataclasses.replace(tweet, status=TweetStatus.PENDING)

    def _look_up_lost(
        self, thread: ThreadRecord, tweet: TweetRecord, parent: str | None
    ) -> str | None:
        """The look-up after a lost answer, retried like a post; if the network never
        answers it, the post's fate stays unknown (``sending``) and nothing is resent."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(NetworkUnavailableError),
            stop=tenacity.stop_after_attempt(self.limits.max_attempts),
            wait=tenacity.wait_exponential_jitter(initial=1, max=60, jitter=1),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self._check_stop(thread, tweet)
                    return self._find_live(thread, tweet, parent)
        except NetworkUnavailableError as error:
            message = (
                f"its answer was lost and the look-up failed too ({error}); "
                f"`threadbot resume {thread.id}` looks for it again"
            )
            self.store.transition(
                thread.id,
                ThreadStatus.FAILED,
                owner=self.owner.id,
                error=f"tweet {tweet.position}: {message}",
            )
            raise PublishError(
                f"tweet {tweet.position} of thread {thread.id}: {message}"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _find_live(
        self, thread: ThreadRecord, tweet: TweetRecord, parent: str | None
    ) -> str | None:
        """The network's id of *this* post, if the network has it (see rule 2 above)."""
        if tweet.post_key is not None:
            keyed = self.client.find_post(tweet.post_key)
            if keyed is not None:
                if not self._is_this_post(keyed, tweet, parent):
                    self._ambiguous(
                        thread,
                        tweet,
                        f"its key {tweet.post_key} names post {keyed.id}, which is not it "
                        "(another parent or text)",
                    )
                return keyed.id
            if self.network == "bluesky":
                return None  # the record key is the truth: no record, no post
        found = [
            post
            for post in self.client.recent_posts(self.account.id, LOOKUP_LIMIT)
            if self._is_this_post(post, tweet, parent)
        ]
        taken = self.store.recorded_elsewhere(
            self.network, [post.id for post in found], tweet.thread_id, tweet.position
        )
        found = [post for post in found if post.id not in taken]
        if len(found) > 1:
            ids = ", ".join(post.id for post in found)
            self._ambiguous(thread, tweet, f"{len(found)} posts on the network match it ({ids})")
        return found[0].id if found else None

    def _is_this_post(self, post: Post, tweet: TweetRecord, parent: str | None) -> bool:
        """Parent, text (links by target) and time: what makes a found post this one."""
        if post.reply_to != parent or not self.client.same_text(post.text, tweet.text):
            return False
        if tweet.sending_at is None or post.created_at is None:
            return True
        return post.created_at >= tweet.sending_at - CLOCK_TOLERANCE

    def _ambiguous(self, thread: ThreadRecord, tweet: TweetRecord, why: str) -> None:
        """Stop, never guess: the tweet stays ``sending`` (its fate unknown) until the
        owner has removed the wrong post, and resume looks again."""
        message = (
            f"tweet {tweet.position}'s answer was lost and {why}: delete the wrong post on "
            f"the network, then `threadbot resume {thread.id}`"
        )
        self.store.transition(thread.id, ThreadStatus.FAILED, owner=self.owner.id, error=message)
        log.error("thread %s stops: %s", thread.id, message)
        raise AmbiguousPostError(f"thread {thread.id}: {message}")

    def _adopt(self, tweet: TweetRecord, post_id: str) -> None:
        self.store.mark_posted(tweet.thread_id, tweet.position, post_id, self.clock())

    def _defer(self, thread: ThreadRecord, tweet: TweetRecord, error: RateLimitedError) -> None:
        self.store.mark_pending(thread.id, tweet.position, str(error))
        until = error.reset_at
        if until is not None:
            # Every daemon holds off this account until X's reset, not only this one.
            self.store.block_account(self.account_name, until, str(error), self.network)
        self.store.transition(
            thread.id,
            ThreadStatus.DEFERRED,
            owner=self.owner.id,
            error=str(error),
            not_before=until,
        )
        log.warning("thread %s deferred until %s: %s", thread.id, until or "unknown", error)

    def _stop(
        self,
        thread: ThreadRecord,
        tweet: TweetRecord,
        status: ThreadStatus,
        message: str,
        *,
        keep_pending: bool = False,
    ) -> None:
        if keep_pending:
            self.store.mark_pending(thread.id, tweet.position, message)
        else:
            self.store.mark_failed(thread.id, tweet.position, message)
        self.store.transition(
            thread.id, status, owner=self.owner.id, error=f"tweet {tweet.position}: {message}"
        )
        log.error("thread %s failed at tweet %d: %s", thread.id, tweet.position, message)

    def _seconds_until(self, moment: dt.datetime | None) -> float:
        if moment is None:
            return 60.0  # X sent no reset time: a short, bounded wait
        return max(0.0, (moment - self.clock()).total_seconds()) + 1.0
