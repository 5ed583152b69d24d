"""Post a frozen thread to X exactly once per tweet, surviving crashes and X's errors.

The rules, in the order a tweet meets them:

1. A tweet left in ``sending`` (the process died mid-request) is looked up among the
   account's recent posts first; found, its id is adopted; not found, it is sent again.
2. ``sending`` is committed before each request and the X id right after it.
3. 5xx, dropped connections and timeouts are retried with exponential backoff and
   jitter (tenacity), a bounded number of times; before each retry the post is looked
   up, since X may have accepted it before the connection failed.
4. "Duplicate content" (403) leads to the same look-up, never to a blind retry.
5. A 429 inside the 15-minute window waits for ``x-rate-limit-reset`` (bounded,
   logged, Ctrl-C stops it); a daily cap stops and records when it lifts.
6. 401/403 and 400 stop the thread as failed, with what to do.

A thread's status always says which tweets are live; ``threadbot resume`` continues.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tenacity

from bot.errors import (
    AlreadyPublishedError,
    BudgetExceededError,
    DailyCapError,
    DuplicateContentError,
    PublishError,
    RateLimitedError,
    StopRequestedError,
    XApiError,
    XUnavailableError,
)
from bot.store import Store, ThreadRecord, TweetRecord
from bot.x_client import Account, XClient, post_url, same_text
from threads.options import Prices

log = logging.getLogger("threadbot.publish")

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
OnPosted = Callable[[TweetRecord, str], None]
LOOKUP_LIMIT = 100
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
    """Posts threads from the store through an :class:`XClient`."""

    def __init__(
        self,
        store: Store,
        client: XClient,
        limits: PublishLimits,
        prices: Prices,
        *,
        clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
        stop_requested: Callable[[], bool] = lambda: False,
    ) -> None:
        self.store = store
        self.client = client
        self.limits = limits
        self.prices = prices
        self.clock = clock
        self.sleep = sleep
        self.stop_requested = stop_requested
        self._account: Account | None = None

    @property
    def account(self) -> Account:
        """The posting account, looked up once per process."""
        if self._account is None:
            self._account = self.client.me()
            self.store.set_meta("x_username", self._account.username)
        return self._account

    def url(self, post_id: str) -> str:
        return post_url(self.account.username, post_id)

    # -- budget -------------------------------------------------------------------

    def check_budget(self, tweets: Sequence[tuple[str, bool]]) -> None:
        """Refuse (with the numbers) a thread that would break the post cap or budget."""
        now = self.clock()
        window = self.store.posted_since(now - dt.timedelta(hours=24))
        cap = self.limits.max_posts_per_24h
        if len(window) + len(tweets) > cap:
            surplus = len(window) + len(tweets) - cap
            fits_at = (
                window[surplus - 1][0] + dt.timedelta(hours=24) if surplus <= len(window) else None
            )
            when = f"; it fits from {fits_at:%Y-%m-%d %H:%M} UTC" if fits_at else ""
            raise BudgetExceededError(
                f"{len(tweets)} posts would exceed max_posts_per_24h = {cap}: {len(window)} "
                f"posted in the last 24 h{when}",
                fits_at,
            )
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        spent = sum(self._price(has_url) for _, has_url in self.store.posted_since(month_start))
        cost = sum(self._price(has_url) for _, has_url in tweets)
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
        self.check_budget([(t.text, t.has_url) for t in thread.tweets if t.status != "posted"])

    def _price(self, has_url: bool) -> float:
        return self.prices.post_with_url_usd if has_url else self.prices.post_usd

    # -- posting --------------------------------------------------------------------

    def publish(self, thread_id: int, on_posted: OnPosted | None = None) -> ThreadRecord:
        """Post every tweet of the thread not yet live, in order, as a reply chain."""
        thread = self.store.get(thread_id)
        if thread.status == "posted":
            first = thread.tweets[0].x_id or ""
            raise AlreadyPublishedError(f"thread {thread.id} is already live: {self.url(first)}")
        self.account  # noqa: B018 - bad credentials fail here, before anything posts
        self.store.set_thread_status(thread.id, "posting")
        log.info("posting thread %s (%s), %d tweets", thread.id, thread.key, len(thread.tweets))
        for tweet in thread.tweets:
            if tweet.status == "sending":
                self._reconcile(tweet)
        previous: str | None = None
        for tweet in self.store.get(thread.id).tweets:
            if tweet.status == "posted":
                previous = tweet.x_id
                continue
            if self.stop_requested():
                raise StopRequestedError(
                    f"stopped before tweet {tweet.position} of thread {thread.id}"
                )
            if previous is not None and self.limits.reply_pause_seconds > 0:
                # X rejects bursts of rapid replies.
                self.sleep(self.limits.reply_pause_seconds)
            previous = self._post(thread, tweet, previous)
            if on_posted is not None:
                on_posted(tweet, self.url(previous))
        self.store.set_thread_status(thread.id, "posted")
        log.info(
            "posted thread %s: %s",
            thread.id,
            self.url(self.store.get(thread.id).tweets[0].x_id or ""),
        )
        return self.store.get(thread.id)

    def _post(self, thread: ThreadRecord, tweet: TweetRecord, reply_to: str | None) -> str:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(XUnavailableError),
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
        except XUnavailableError as error:
            self._stop(
                thread,
                tweet,
                "failed",
                f"{error} (gave up after {self.limits.max_attempts} attempts)",
                keep_pending=True,
            )
            raise PublishError(
                f"{error}; gave up after {self.limits.max_attempts} attempts: "
                f"run `threadbot resume {thread.id}` when X is back"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _media_ids(self, tweet: TweetRecord) -> list[str]:
        """The tweet's image on X: an upload from this or an earlier run is reused while
        X keeps it (24 h), so a retry or resume never uploads the same chart again."""
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
            try:
                media_ids = self._media_ids(tweet)
            except RateLimitedError as error:
                self._defer(thread, tweet, error)
                raise
            except XApiError as error:
                # Unavailable: nothing was posted, tenacity retries the attempt.
                if not error.retryable:
                    self._stop(thread, tweet, "failed", f"chart upload: {error}")
                raise
            self.store.mark_sending(thread.id, tweet.position)
            try:
                post_id = self.client.create_post(tweet.text, reply_to, media_ids)
            except DuplicateContentError as error:
                found = self._find_live(tweet.text)
                if found is None:
                    self._stop(thread, tweet, "failed", str(error))
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
            except XUnavailableError:
                # X may have taken the post before the connection failed.
                found = self._find_live(tweet.text)
                if found is not None:
                    self._adopt(tweet, found)
                    return found
                self.store.mark_pending(thread.id, tweet.position, "retrying")
                raise
            except XApiError as error:  # auth, rejected, anything else X refused
                self._stop(thread, tweet, "failed", str(error))
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

    def _reconcile(self, tweet: TweetRecord) -> None:
        """A tweet left in ``sending``: adopt its post if X has it, else send it again."""
        found = self._find_live(tweet.text)
        if found is not None:
            log.info(
                "tweet %d of thread %s was already live: adopting %s",
                tweet.position,
                tweet.thread_id,
                found,
            )
            self._adopt(tweet, found)
        else:
            self.store.mark_pending(
                tweet.thread_id, tweet.position, "not on X after an interruption"
            )

    def _find_live(self, text: str) -> str | None:
        for post in self.client.recent_posts(self.account.id, LOOKUP_LIMIT):
            if same_text(post.text, text):
                return post.id
        return None

    def _adopt(self, tweet: TweetRecord, post_id: str) -> None:
        self.store.mark_posted(tweet.thread_id, tweet.position, post_id, self.clock())

    def _defer(self, thread: ThreadRecord, tweet: TweetRecord, error: RateLimitedError) -> None:
        self.store.mark_pending(thread.id, tweet.position, str(error))
        until = error.reset_at
        self.store.set_thread_status(thread.id, "deferred", error=str(error), not_before=until)
        log.warning("thread %s deferred until %s: %s", thread.id, until or "unknown", error)

    def _stop(
        self,
        thread: ThreadRecord,
        tweet: TweetRecord,
        status: str,
        message: str,
        *,
        keep_pending: bool = False,
    ) -> None:
        if keep_pending:
            self.store.mark_pending(thread.id, tweet.position, message)
        else:
            self.store.mark_failed(thread.id, tweet.position, message)
        self.store.set_thread_status(thread.id, status, error=f"tweet {tweet.position}: {message}")
        log.error("thread %s failed at tweet %d: %s", thread.id, tweet.position, message)

    def _seconds_until(self, moment: dt.datetime | None) -> float:
        if moment is None:
            return 60.0  # X sent no reset time: a short, bounded wait
        return max(0.0, (moment - self.clock()).total_seconds()) + 1.0
