"""The scheduler daemon: the store is the truth, APScheduler is the clock.

Every ``poll_seconds`` a sync job reads the store and keeps one in-memory ``date`` job
per scheduled thread at its due time (so a thread queued by another process is seen
within a poll, and posting starts when the due time comes, not at the next poll).
Nothing is persisted in APScheduler: its job store is never shared between processes.

At its due time a thread is claimed by lease (``Store.claim(due_only=True)``: of several
daemons on one store exactly one posts it, none waits on another's row, and an
account's threads go one at a time, in due order; see :mod:`bot.lifecycle`), checked
against the account's budget (deferred to when it fits), then posted by that account's
publisher, which renews the lease while it posts. Up to ``max_threads`` threads post
at once, necessarily of different accounts.

Time is the store's (:meth:`Store.clock`: the database's on PostgreSQL): due checks and
leases use it, and APScheduler's wall-clock jobs are shifted by this machine's measured
offset from it, so a machine whose clock is off neither posts early nor takes over a
lease early. The daemon registers itself in the store and beats every poll
(`threadbot daemons`). If the store stops answering, the thread in hand stops (nothing
more can be recorded, so nothing more is sent); polls retry with growing pauses, and
the thread is finished — by this daemon or another — once its lease has expired.

A thread left ``posting`` — by a daemon, `publish` or `resume`, killed or interrupted,
scheduled or published by hand — holds its account's lane: it is taken over once its
claim was given back or its lease expired, on any host (no pid checks), reconciled
before anything is sent, and finished before the account's later threads. A thread
that fell due while the daemon was down is posted if within the grace period,
otherwise marked ``missed`` and logged. A thread already partly live is always
finished. SIGTERM/SIGINT: the tweet in flight finishes, its state is recorded, the
claim is given back (the next daemon finishes the thread first), the daemon exits 0.

A daemon with nothing it may claim sleeps until its next poll: a claim that fails
never triggers another poll, and why a lane waits (the thread holding it, since and
until when, or a rate limit) is logged once per change, not per poll.

With more lanes due than ``max_threads``, runs wait for a worker; a poll meanwhile
hands none out twice, and a run whose lane another daemon took since the poll ends
without a claim. Of lanes due at the same time, each daemon tries its claims in an
order of its own (within a millisecond of the due time), so daemons side by side
seldom reach for the same thread at once.

``--dry-run`` prints each thread at its due time exactly as it would be posted and
changes nothing: no X, no claims, no status.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from bot.errors import BudgetExceededError, StoreUnavailableError
from bot.lifecycle import UPCOMING, WAITING, Owner, ThreadStatus, lease_expired
from bot.posting.outcomes import Outcome, Verdict, verdict
from bot.posting.planning import DueAction, due_action
from bot.posting.publisher import Publisher, utc_now
from bot.store import QueuedThread, Store, ThreadRecord
from threads.errors import ThreadbotError

log = logging.getLogger("threadbot.daemon")


class Daemon:
    """Runs until stopped; see the module docstring for the rules."""

    def __init__(
        self,
        store: Store,
        publisher_factory: Callable[[str, str, Callable[[], bool]], Publisher] | None,
        *,
        dry_run: bool,
        grace: dt.timedelta,
        poll_seconds: float = 2.0,
        out: IO[str],
        clock: Callable[[], dt.datetime] = utc_now,
        zone: dt.tzinfo = dt.UTC,
        owner: Owner | None = None,
        feed_poller: Callable[[dt.datetime], object] | None = None,
        feed_check_seconds: float = 30.0,
        max_threads: int = 1,
        version: str = "",
        grace_by_account: dict[str, dt.timedelta] | None = None,
        stats_collector: Callable[[dt.datetime], object] | None = None,
        stats_check_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.dry_run = dry_run
        self.grace = grace
        self.poll_seconds = poll_seconds
        self.out = out
        self.clock = clock
        self.zone = zone
        self.owner = owner or Owner.this_process()
        self.stopping = threading.Event()
        self._printed: set[int] = set()
        self._publishers: dict[tuple[str, str], Publisher] = {}
        self._publisher_factory = publisher_factory
        self.max_threads = max_threads
        self.grace_by_account = grace_by_account or {}
        self.version = version
        # Threads this process is posting now (its own leases it must not take over).
        self._in_hand: set[int] = set()
        # Threads whose job APScheduler has handed to a worker (waiting for one, or
        # running), and whether the latest sync still wants each: a second job for one
        # would only be skipped, and a run the store has since made pointless (another
        # daemon took its lane) ends without a claim.
        self._handed: dict[int, bool] = {}
        self._lock = threading.Lock()
        # The store's clock minus this machine's, measured every poll.
        self._offset = dt.timedelta(0)
        self._store_down: tuple[dt.datetime, float] | None = None
        self._running = 0  # run_thread calls in progress (shutdown waits for them)
        self._scheduler: Any = None
        self._synced_once = False
        # Why each lane last waited (logged once per change, not per poll).
        self._waits: dict[tuple[str, str], str] = {}
        self.feed_poller = feed_poller
        self.feed_check_seconds = feed_check_seconds
        # Reads posted threads' numbers at [stats] after (bot.posting.stats).
        self.stats_collector = stats_collector
        self.stats_check_seconds = stats_check_seconds

    def publisher(self, account: str, network: str) -> Publisher:
        """The account's publisher on ``network`` (its client, budget and credentials),
        made once."""
        with self._lock:
            if (account, network) not in self._publishers:
                assert self._publisher_factory is not None, "a dry run never posts"
                publisher = self._publisher_factory(account, network, self.stopping.is_set)
                publisher.owner = self.owner
                self._publishers[account, network] = publisher
            return self._publishers[account, network]

    # -- life cycle -----------------------------------------------------------------

    def run(self) -> None:
        """Block until SIGTERM/SIGINT; exit after the tweet in flight."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler

        self._scheduler = BlockingScheduler(
            timezone=dt.UTC,
            # One posting at a time; never skip a late job (the store decides
            # lateness); never stack runs of the same job.
            executors={
                "default": ThreadPoolExecutor(self.max_threads),
                "sync": ThreadPoolExecutor(1),
                "feeds": ThreadPoolExecutor(1),
            },
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._scheduler.add_job(
            self.sync,
            "interval",
            seconds=self.poll_seconds,
            id="sync",
            replace_existing=True,
            next_run_time=dt.datetime.now(dt.UTC),
            executor="sync",
        )
        if self.feed_poller is not None and not self.dry_run:
            # Feeds are polled on their own thread: a slow feed never delays a post.
            self._scheduler.add_job(
                self.poll_feeds,
                "interval",
                seconds=self.feed_check_seconds,
                id="feeds",
                replace_existing=True,
                next_run_time=dt.datetime.now(dt.UTC),
                executor="feeds",
            )
        elif self.feed_poller is not None:
            log.info("feeds: not polled in a dry run (`threadbot feed check --dry-run` shows them)")
        if self.stats_collector is not None and not self.dry_run:
            # Posts' numbers are read on a thread of their own: a slow read never delays a post.
            self._scheduler.add_executor(ThreadPoolExecutor(1), "stats")
            self._scheduler.add_job(
                self.collect_stats,
                "interval",
                seconds=self.stats_check_seconds,
                id="stats",
                replace_existing=True,
                next_run_time=dt.datetime.now(dt.UTC),
                executor="stats",
            )
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._on_signal)
        queued, _ = self.store.queue.lanes()
        mode = "dry run: printing, not posting" if self.dry_run else "posting"
        log.info(
            "loaded: %d threads queued (%s, daemon %s, up to %d threads at once)",
            queued,
            mode,
            self.owner.id,
            self.max_threads,
        )
        if not self.dry_run:
            self.store.daemons.register(
                self.owner.id, self.owner.host, os.getpid(), self.max_threads, self.version
            )
        try:
            self._scheduler.start()
            # Shut down without waiting (see _on_signal): the threads in flight finish
            # their tweet here, then their state is recorded before the daemon says so.
            while self._running:
                time.sleep(0.05)
        finally:
            if not self.dry_run:
                with contextlib.suppress(StoreUnavailableError):
                    self.store.daemons.beat(self.owner.id, stopped=True)
        log.info("stopped")

    def poll_feeds(self) -> None:
        """Poll the followed feeds whose check is due; what they queue, sync picks up."""
        if self.stopping.is_set() or self.feed_poller is None:
            return
        try:
            self.feed_poller(self.clock())
        except ThreadbotError as error:
            log.warning("feeds: %s", error)

    def collect_stats(self) -> None:
        """Read the numbers of the posted threads due per [stats] after."""
        if self.stopping.is_set() or self.stats_collector is None:
            return
        try:
            self.stats_collector(self.clock())
        except ThreadbotError as error:
            log.warning("stats: %s", error)

    def _on_signal(self, number: int, _frame: Any) -> None:
        log.info("%s: finishing the tweet in flight, then stopping", signal.Signals(number).name)
        self.stopping.set()
        if self._scheduler is not None and self._scheduler.running:
            # Not wait=True: APScheduler would hold its job store lock while waiting for
            # the jobs, and a running sync needs that lock (a deadlock the bench found).
            self._scheduler.shutdown(wait=False)

    # -- the clock's work -----------------------------------------------------------------

    def sync(self) -> dict[int, dt.datetime]:
        """Mirror the store into date jobs; mark threads missed while the daemon was down.
        Returns what it wants run: thread id → when.

        Only threads due before the next-but-one poll get a job, and of those only each
        account's next one (an account's threads go one at a time, in order; a thread
        left by a dead daemon comes first): the rest are seen again by later polls, so a
        long queue or backlog costs one query per poll, not a claim per thread.
        """
        if self.stopping.is_set():
            return {}
        local = dt.datetime.now(dt.UTC)
        if self._store_down is not None and local < self._store_down[0]:
            return {}  # backing off: the store did not answer the last poll
        try:
            now = self.clock()
            self._offset = now - local
            horizon = now + dt.timedelta(seconds=3 * self.poll_seconds)
            rows = self.store.queue.due(*UPCOMING, due_by=horizon)
            if not self.dry_run and self._scheduler is not None:
                self.store.daemons.beat(self.owner.id)
        except StoreUnavailableError as error:
            pause = min(60.0, (self._store_down[1] * 2) if self._store_down else 1.0)
            self._store_down = (local + dt.timedelta(seconds=pause), pause)
            log.warning("store unavailable: %s; next try in %.0f s", error, pause)
            return {}
        if self._store_down is not None:
            log.info("store reachable again")
            self._store_down = None
        # job id → (when, account, network)
        wanted: dict[str, tuple[dt.datetime, str, str]] = {}
        # (account, network) lanes being posted, or whose next thread is chosen: each
        # lane's threads go one at a time; one network never holds up another.
        taken: set[tuple[str, str]] = set()
        holders: dict[tuple[str, str], QueuedThread] = {}
        for thread in rows:
            if thread.status != ThreadStatus.POSTING:
                continue
            lane = (thread.account, thread.network)
            taken.add(lane)
            holders[lane] = thread
            due = self._due(thread, now)
            if due is not None:  # a takeover: it is its lane's next
                wanted[f"thread-{thread.id}"] = (due, *lane)
        for thread in rows:
            if thread.status == ThreadStatus.POSTING:
                continue
            if self.dry_run and thread.id in self._printed:
                continue  # a dry run changes nothing: the account's next is the next unprinted
            due = self._due(thread, now)
            if due is None:
                continue
            action = due_action(due, now, self._grace(thread), started=thread.live_count > 0)
            if action == DueAction.MISSED:
                self._miss(thread, due, now)
                continue
            lane = (thread.account, thread.network)
            if due <= now and lane in holders and thread.id not in self._in_hand:
                self._log_wait(lane, thread, holders[lane])
            if due <= horizon and lane not in taken:
                taken.add(lane)
                wanted[f"thread-{thread.id}"] = (max(due, now), *lane)
        if not self._synced_once:
            self._synced_once = True
            log.info(
                "ready: %d threads due within %.0f s, %d starting (an account's go one at a time)",
                len(rows),
                3 * self.poll_seconds,
                len(wanted),
            )
        runs = {int(job_id.removeprefix("thread-")): at for job_id, (at, *_) in wanted.items()}
        if self._scheduler is None:
            return runs
        # Only thread jobs mirror the store; the sync and feeds jobs are the clock's own.
        existing = {
            job.id: job for job in self._scheduler.get_jobs() if job.id.startswith("thread-")
        }
        with self._lock:
            for thread_id in self._handed:
                self._handed[thread_id] = thread_id in runs
        for job_id, job in existing.items():
            if job_id not in wanted:
                with contextlib.suppress(LookupError):  # handed to a worker meanwhile
                    job.remove()
                    with self._lock:
                        self._handed.pop(int(job_id.removeprefix("thread-")), None)
        for job_id, (run_at, account, network) in wanted.items():
            job = existing.get(job_id)
            thread_id = int(job_id.removeprefix("thread-"))
            # The store's time on this machine's clock (APScheduler's), in this daemon's
            # turn among threads due at the same time.
            run_date = run_at - self._offset + self._turn(thread_id)
            if job is not None and job.next_run_time == run_date:
                continue
            with self._lock:
                if job is None and thread_id in self._handed:
                    continue  # its run waits for a worker, or runs
                self._handed[thread_id] = True
            self._scheduler.add_job(
                self.run_thread,
                "date",
                run_date=run_date,
                args=[thread_id, account, network],
                id=job_id,
                replace_existing=True,
            )
        return runs

    def _turn(self, thread_id: int) -> dt.timedelta:
        """Under a millisecond, and different on each daemon: of many lanes due at the
        same time, each daemon tries its claims in an order of its own, so daemons
        posting side by side seldom reach for the same thread at once (one would win,
        the others' claims would be work for nothing)."""
        digest = hashlib.blake2b(f"{self.owner.id}/{thread_id}".encode(), digest_size=4)
        return dt.timedelta(microseconds=int.from_bytes(digest.digest()) % 1000)

    def _due(self, thread: QueuedThread, now: dt.datetime) -> dt.datetime | None:
        if thread.status == ThreadStatus.POSTING:
            if thread.id in self._in_hand:
                return None
            # A claim given back (Ctrl-C, a shutdown) or expired — someone else's, or this
            # daemon's own, left when the store stopped answering mid-thread; scheduled
            # or published by hand: finish it, before the lane's next thread.
            if lease_expired(thread.lease_until, now):
                return now
            return None
        if thread.due_at is None:
            return None  # frozen by `publish`, never scheduled
        if thread.status == ThreadStatus.DEFERRED:
            return thread.not_before or thread.due_at
        return thread.due_at

    def _log_wait(self, lane: tuple[str, str], waiting: QueuedThread, holder: QueuedThread) -> None:
        """Say once (per holder and lease) why a due thread does not start."""
        if holder.lease_until is None:
            state = "its claim was given back: finishing it first"
        else:
            state = f"claimed by {holder.claimed_by} until {self._local(holder.lease_until)}"
        since = f" since {self._local(holder.claimed_at)}" if holder.claimed_at else ""
        why = f"thread {holder.id} is posting{since}; {state}"
        if self._waits.get(lane) == why:
            return
        self._waits[lane] = why
        log.info(
            "waiting: thread %s (account %s on %s) is behind thread %s: %s",
            waiting.id,
            lane[0],
            lane[1],
            holder.id,
            why,
        )

    def _grace(self, thread: QueuedThread) -> dt.timedelta:
        """How late the thread's account lets a thread go out ([schedule] grace_minutes)."""
        return self.grace_by_account.get(thread.account, self.grace)

    def _miss(self, thread: QueuedThread, due: dt.datetime, now: dt.datetime) -> None:
        late = now - due
        grace = self._grace(thread)
        message = (
            f"due {self._local(due)} but the daemon was not running; {late} late is beyond "
            f"the grace of {grace}: `threadbot reschedule {thread.id} --at …` revives it"
        )
        if self.dry_run:
            if thread.id not in self._printed:
                self._printed.add(thread.id)
                log.warning("would mark missed: thread %s (%s): %s", thread.id, thread.key, message)
            return
        if self.store.queue.transition(thread.id, ThreadStatus.MISSED, error=message):
            log.warning("missed: thread %s (%s): %s", thread.id, thread.key, message)

    def run_thread(
        self, thread_id: int, account: str | None = None, network: str | None = None
    ) -> None:
        """At the due time: print (dry run) or claim by lease, check the budget, post."""
        with self._lock:
            if not self._handed.get(thread_id, True) or self.stopping.is_set():
                self._handed.pop(thread_id, None)
                return  # the latest sync no longer wants it: no claim (none would succeed)
            self._running += 1
        claimed = False
        try:
            if self.dry_run:
                self._print(self.store.threads.get(thread_id))
                return
            claimed = self._claim_and_post(thread_id, account, network)
        except StoreUnavailableError as error:
            # Nothing more can be recorded, so nothing more is sent; the lease runs out
            # and the thread is finished (and reconciled) by whoever claims it next.
            log.error("store unavailable: thread %s stops here: %s", thread_id, error)
        finally:
            with self._lock:
                self._in_hand.discard(thread_id)
                self._handed.pop(thread_id, None)
                self._running -= 1
            if claimed:
                # Only a thread that ran frees its lane: a claim that failed waits for
                # the next poll (polling again at once would spin).
                self._poll_soon()

    def _claim_and_post(self, thread_id: int, account: str | None, network: str | None) -> bool:
        """Claim and post; False when the claim was not had (nothing ran)."""
        # Only queued threads that are due by the store's clock, in their account's order
        # (or one whose poster's lease expired): a thread another daemon stopped as
        # failed meanwhile stays failed until someone revives it.
        with self._lock:
            if thread_id in self._in_hand:
                return False
            self._in_hand.add(thread_id)
        if account is None or network is None:
            stored = self.store.threads.get(thread_id)
            account, network = stored.account, stored.network
        publisher = self.publisher(account, network)
        claim = publisher.claim(thread_id, WAITING, due_only=True)
        if claim is None:
            return False  # held, not due, behind its lane's, or rate-limited: sync says why
        thread = claim.thread
        self._waits.pop((thread.account, thread.network), None)
        live = thread.live_count
        done = f", {live} already live" if live else ""
        log.info(
            "due: thread %s (%s, account %s on %s), %d posts%s",
            thread.id,
            thread.key,
            thread.account,
            thread.network,
            len(thread.posts),
            done,
        )
        try:
            publisher.check_remaining(thread)
            posted = publisher.publish(
                on_posted=lambda post, url: log.info(
                    "posted: thread %s post %d: %s", thread_id, post.position, url
                ),
                claim=claim,
            )
        except StoreUnavailableError:
            raise
        except ThreadbotError as error:
            # publish settled what the error means for the thread; the budget check,
            # before it, is settled here: the same decision either way.
            decided = (
                publisher.settle(claim, error)
                if isinstance(error, BudgetExceededError)
                else verdict(error, now=self.clock(), max_wait_seconds=0)
            )
            self._log_outcome(thread_id, error, decided)
            return True
        log.info(
            "posted: thread %s complete: %s", thread_id, publisher.url(posted.first_post_id or "")
        )
        return True

    def _log_outcome(self, thread_id: int, error: ThreadbotError, decided: Verdict) -> None:
        if decided.outcome == Outcome.RELEASE:
            log.info(
                "paused: thread %s stops for shutdown, its claim given back; the next daemon "
                "finishes it before the account's later threads",
                thread_id,
            )
        elif decided.outcome == Outcome.LET_GO:
            log.warning("lost: thread %s: %s", thread_id, error)
        elif decided.outcome in (Outcome.DEFER, Outcome.WAIT):
            log.warning(
                "deferred: thread %s until %s: %s", thread_id, self._local(decided.until), error
            )
        else:
            log.error("failed: thread %s: %s", thread_id, error)

    def _poll_soon(self) -> None:
        """A thread ended: look at the queue now, so the account's next thread (held
        back behind this one) goes without waiting for the next poll."""
        if self._scheduler is None or self.stopping.is_set():
            return
        with contextlib.suppress(Exception):  # the scheduler may be shutting down
            self._scheduler.modify_job("sync", next_run_time=dt.datetime.now(dt.UTC))

    def _print(self, thread: ThreadRecord) -> None:
        if thread.id in self._printed:
            return
        self._printed.add(thread.id)
        due = thread.due_at or self.clock()
        lines = [
            f"── thread {thread.id} ({thread.key}) due {self._local(due)} · dry run, not posted ──"
        ]
        for post in thread.posts:
            lines.append(f"[{post.position}/{len(thread.posts)}]")
            lines.append(post.text)
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
        log.info("due: thread %s printed (dry run)", thread.id)

    def _local(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return "unknown"
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M %Z")
