"""Following feeds: one poll of one feed, from the HTTP request to the queued threads.

A poll claims the feed's next check (so two daemons never poll one feed at once), makes
one conditional GET (304: nothing parsed), reads the entries, decides what each one is
(:mod:`bot.feeds.entries`), builds and validates the new ones through the same
``prepare()`` as ``threadbot schedule`` (fetching the post's page when the feed only
has a summary), puts their threads into the feed's next free slots, and records it all
in one transaction (:meth:`Feeds.record_poll`). A failing feed backs off
exponentially, with jitter, never sooner than its ``Retry-After``; after a day of
failures it says so in ``feed list`` and the log.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from bot.errors import AlreadyPublishedError
from bot.feeds.articles import entry_article
from bot.feeds.entries import EntryAction, classify_entries
from bot.feeds.http import FeedFetchError, fetch_feed
from bot.lifecycle import UPCOMING, ThreadStatus
from bot.posting.freezing import existing_version, freeze_thread
from bot.posting.planning import next_slots, parse_slots
from bot.settings import DEFAULT_ACCOUNT, LinksSettings, LoadedSettings
from bot.store import EntryRow, EntryState, FeedRecord, Store
from bot.store.feeds import Feeds
from threads.building import Thread
from threads.errors import ThreadbotError
from threads.feeds import FeedEntry, parse_feed
from threads.networks import LengthRule
from threads.options import BuildOptions
from threads.pipeline import Prepared, prepare
from threads.templates import TemplateSet

log = logging.getLogger("threadbot.feeds")
MAX_BACKOFF = dt.timedelta(hours=6)
FAILING_REPORT_AFTER = dt.timedelta(days=1)


@dataclass
class PollReport:
    """What one poll did (or, in a dry run, would do)."""

    feed_url: str
    result: str
    queued: list[tuple[FeedEntry, list[tuple[Thread, dt.datetime]]]] = field(default_factory=list)
    refused: list[tuple[FeedEntry, str]] = field(default_factory=list)
    waiting: list[FeedEntry] = field(default_factory=list)
    seen: int = 0
    edited: list[FeedEntry] = field(default_factory=list)
    duplicates: list[FeedEntry] = field(default_factory=list)
    failed: bool = False


@dataclass(frozen=True)
class FeedSettings:
    """What polling needs from the config (:meth:`from_settings`)."""

    options: BuildOptions
    templates: TemplateSet
    config_path: str
    poll_minutes: float
    default_slots: str
    default_timezone: str
    # Each account's build options (its own [site] links) and default networks; a
    # feed posts as its account.
    account_options: dict[str, BuildOptions]
    account_networks: dict[str, tuple[str, ...]]
    # Each network's length rule, and the time between a section's threads on
    # successive networks.
    rules: dict[str, LengthRule]
    stagger: dt.timedelta = dt.timedelta(0)
    max_feed_bytes: int = 10_000_000
    # [feeds] approve: queue threads as `pending` unless the feed says otherwise.
    approve: bool = False
    # [links]: check a new post's links live when it is queued (None: off).
    links: LinksSettings | None = None

    @classmethod
    def from_settings(cls, loaded: LoadedSettings) -> FeedSettings:
        from bot.networks.registry import NETWORKS_BY_NAME

        settings = loaded.settings
        return cls(
            options=loaded.build_options,
            templates=TemplateSet(loaded.templates_path),
            config_path=str(loaded.path),
            poll_minutes=settings.feeds.poll_minutes,
            default_slots=settings.feeds.slots,
            default_timezone=settings.schedule.timezone,
            account_options={
                name: loaded.account(name).build_options for name in loaded.account_names
            },
            account_networks={name: loaded.account(name).networks for name in loaded.account_names},
            rules={name: info.rule(settings) for name, info in NETWORKS_BY_NAME.items()},
            stagger=dt.timedelta(minutes=settings.schedule.stagger_minutes),
            max_feed_bytes=settings.feeds.max_feed_bytes,
            approve=settings.feeds.approve,
            links=settings.links if settings.links.check else None,
        )

    def networks_for(self, feed: FeedRecord) -> tuple[str, ...]:
        """The feed's own networks, else its account's."""
        if feed.networks:
            return tuple(feed.networks.split(","))
        return self.account_networks[feed.account or DEFAULT_ACCOUNT]

    def options_for(self, account: str | None) -> BuildOptions:
        return self.account_options.get(account or DEFAULT_ACCOUNT, self.options)


def choose_threads(prepared: Prepared, sections: str) -> list[Thread]:
    """``digest`` (prepared as one), ``all``, ``first``, or the first N sections' threads."""
    if sections in ("all", "digest"):
        return list(prepared.threads)
    if sections == "first":
        return list(prepared.threads[:1])
    return list(prepared.threads[: int(sections)])


def poll_feed(
    store: Store,
    feed: FeedRecord,
    settings: FeedSettings,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    fetch_pages: bool = True,
) -> PollReport:
    """Poll ``feed`` once (the caller has claimed it, unless this is a dry run)."""
    feeds = store.feeds
    interval = dt.timedelta(minutes=feed.poll_minutes or settings.poll_minutes)
    known = feeds.known(feed.id)
    # An entry waiting for its date is in the feed unchanged: a 304 would hide it, so
    # once its date has come the feed is fetched whole.
    due_waiting = any(k.waiting_until and k.waiting_until <= now for k in known.values())
    try:
        response = fetch_feed(
            feed.url,
            etag=None if due_waiting else feed.etag,
            last_modified=None if due_waiting else feed.last_modified,
            max_bytes=settings.max_feed_bytes,
        )
        if response.not_modified:
            report = PollReport(feed.url, "not modified")
            if not dry_run:
                feeds.record_poll(
                    feed.id,
                    now=now,
                    next_check=now + interval,
                    result=report.result,
                    moved_to=response.moved_to,
                )
            return report
        parsed = parse_feed(response.body or b"", response.url)
    except (FeedFetchError, ThreadbotError) as error:
        return _failed(feeds, feed, now, interval, error, dry_run)

    decisions = classify_entries(
        parsed.entries,
        known,
        feeds.seen_canonical({e.canonical for e in parsed.entries if e.canonical}),
        first_poll=feed.seeded_at is None,
        backfill=feed.backfill,
        now=now,
    )
    report = PollReport(feed.url, "ok" + (f" ({parsed.warnings[0]})" if parsed.warnings else ""))
    tz = ZoneInfo(feed.timezone or settings.default_timezone)
    slots = parse_slots(feed.slots or settings.default_slots)
    # Slots held by threads waiting for approval are taken too: a yes keeps its slot.
    taken = [
        row.due_at
        for row in store.queue.due(*UPCOMING, ThreadStatus.PENDING)
        if row.due_at is not None
    ]
    pending = feed.approve if feed.approve is not None else settings.approve
    to_freeze: list[tuple[Prepared, Thread, dt.datetime]] = []
    new_rows: list[EntryRow] = []
    now_queued: list[str] = []
    now_refused: list[tuple[str, str]] = []

    def row(
        entry: FeedEntry, state: EntryState, content_hash: str, reason: str | None = None
    ) -> EntryRow:
        return EntryRow(
            key=entry.id,
            canonical_url=entry.canonical,
            url=entry.url,
            title=entry.title,
            published=entry.published,
            state=state,
            content_hash=content_hash,
            reason=reason,
        )

    for decision in decisions:
        entry = decision.entry
        if decision.action == EntryAction.SEEN:
            report.seen += 1
            new_rows.append(row(entry, EntryState.SEEN, decision.content_hash))
        elif decision.action == EntryAction.DUPLICATE:
            report.duplicates.append(entry)
            new_rows.append(
                row(
                    entry,
                    EntryState.SEEN,
                    decision.content_hash,
                    "the same post came through already",
                )
            )
        elif decision.action == EntryAction.EDITED:
            report.edited.append(entry)
            log.info(
                "edited: %s (%s) changed since it was seen; not queued again", entry.title, feed.url
            )
        elif decision.action == EntryAction.WAIT:
            report.waiting.append(entry)
            if entry.id not in known:
                new_rows.append(row(entry, EntryState.WAITING, decision.content_hash))
        elif decision.action == EntryAction.NEW:
            per_network, reason = _threads_for(entry, store, feed, settings, fetch_pages)
            if reason is not None:
                report.refused.append((entry, reason))
                state_row = row(entry, EntryState.REFUSED, decision.content_hash, reason)
            elif not any(threads for _, threads in per_network):
                # Every thread of it is queued already (scheduled by hand, say).
                state_row = row(entry, EntryState.QUEUED, decision.content_hash, "already queued")
            else:
                # A section's threads share its slot on every network (staggered).
                sections = sorted({t.section_index for _, ts in per_network for t in ts})
                times = next_slots(slots, tz, now, len(sections), taken)
                taken += times
                slot = dict(zip(sections, times, strict=True))
                going = [
                    (prepared, t, slot[t.section_index] + settings.stagger * index)
                    for index, (prepared, threads) in enumerate(per_network)
                    for t in threads
                ]
                report.queued.append((entry, [(t, due) for _, t, due in going]))
                to_freeze += going
                if not dry_run:
                    _check_links(store, feed, settings, going, now)
                state_row = row(entry, EntryState.QUEUED, decision.content_hash)
            if entry.id in known:  # a waiting entry whose date has come
                if state_row.state == EntryState.QUEUED:
                    now_queued.append(entry.id)
                else:
                    now_refused.append((entry.id, state_row.reason or "no threads"))
            else:
                new_rows.append(state_row)

    if dry_run:
        return report

    def queue(connection: Connection) -> None:
        for prepared, thread, due in to_freeze:
            freeze_thread(
                store,
                prepared,
                thread,
                now,
                account=feed.account or DEFAULT_ACCOUNT,
                network=prepared.network,
                due_at=due.astimezone(dt.UTC),
                connection=connection,
                pending=pending,
            )

    feeds.record_poll(
        feed.id,
        now=now,
        next_check=now + interval,
        result=_summary(report),
        title=parsed.title,
        etag=response.etag,
        last_modified=response.last_modified,
        moved_to=response.moved_to,
        new=new_rows,
        edited=[entry.id for entry in report.edited],
        now_queued=now_queued,
        now_refused=now_refused,
        queue=queue,
    )
    for entry, planned in report.queued:
        log.info(
            "queued: %s, %d thread(s) from %s", entry.title, len(planned), planned[0][1].isoformat()
        )
    for entry, reason in report.refused:
        log.info("refused: %s: %s", entry.title, reason)
    return report


def _check_links(
    store: Store,
    feed: FeedRecord,
    settings: FeedSettings,
    going: list[tuple[Prepared, Thread, dt.datetime]],
    now: dt.datetime,
) -> None:
    """A new post's links, checked as it is queued. A dead one does not refuse the post:
    a feed often announces a post before its page is deployed, so the thread is queued
    and its links are checked again before its first post (deferred while dead)."""
    if settings.links is None or not going:
        return
    from bot.posting.links import LinkGate, without_utm

    site = settings.options_for(feed.account).site
    gate = LinkGate(
        site_urls=[u for u in (site.blog_url, site.about_url, site.article_base_url) if u],
        daily=frozenset(without_utm(u) for u in (site.blog_url, site.about_url) if u),
        recheck=dt.timedelta(hours=settings.links.recheck_hours),
        timeout=settings.links.timeout_seconds,
        store=store,
    )
    texts = [tweet.text for _, thread, _ in going for tweet in thread.tweets]
    for finding in gate.findings(texts, now, where=feed.url):
        log.warning(
            "link %s: %s%s",
            finding.code,
            finding.message,
            "; queued, and checked again before its first post"
            if finding.severity == "error"
            else "",
        )


def _threads_for(
    entry: FeedEntry,
    store: Store,
    feed: FeedRecord,
    settings: FeedSettings,
    fetch_pages: bool,
) -> tuple[list[tuple[Prepared, list[Thread]]], str | None]:
    """A new entry's threads to queue on each of the feed's networks, through the same
    build and validation as ``schedule`` (the entry read once), or why there are none:
    an error on any network refuses the entry on all of them."""
    options = settings.options_for(feed.account)
    account = feed.account or DEFAULT_ACCOUNT
    try:
        article = entry_article(entry, options, fetch_pages=fetch_pages)
    except ThreadbotError as error:
        return [], str(error)
    networks = settings.networks_for(feed)
    per_network: list[tuple[Prepared, list[Thread]]] = []
    for network in networks:
        try:
            prepared = prepare(
                article,
                options,
                settings.templates,
                config_path=settings.config_path,
                for_posting=True,
                rule=settings.rules[network],
                digest=feed.sections == "digest",
            )
        except ThreadbotError as error:
            return [], str(error)
        if not prepared.postable:
            errors = [f for f in prepared.findings if f.severity == "error"]
            where = f"on {network}: " if len(networks) > 1 else ""
            return [], where + "; ".join(f"{f.code}: {f.message}" for f in errors[:3])
        try:
            # The one freeze-or-continue rule: a thread already queued or live under
            # this key is never frozen a second time.
            threads = [
                thread
                for thread in choose_threads(prepared, feed.sections)
                if existing_version(
                    store, thread, scheduling=True, account=account, network=network
                )
                is None
            ]
        except AlreadyPublishedError as error:
            return [], f"already posted: {error}"
        per_network.append((prepared, threads))
    return per_network, None


def _failed(
    feeds: Feeds,
    feed: FeedRecord,
    now: dt.datetime,
    interval: dt.timedelta,
    error: Exception,
    dry_run: bool,
) -> PollReport:
    """Back off exponentially with jitter, and never before the server's Retry-After."""
    report = PollReport(feed.url, f"failed: {error}", failed=True)
    if dry_run:
        return report
    backoff = min(interval * (2 ** min(feed.failures, 10)), MAX_BACKOFF)
    wait = backoff * random.uniform(0.5, 1.0)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        wait = max(wait, dt.timedelta(seconds=retry_after))
    feeds.record_poll(feed.id, now=now, next_check=now + wait, result=report.result, failed=True)
    since = feed.failing_since or now
    level = logging.WARNING if now - since >= FAILING_REPORT_AFTER else logging.INFO
    log.log(
        level,
        "feed failing%s: %s: %s",
        " for a day" if level == logging.WARNING else "",
        feed.url,
        error,
    )
    return report


def _summary(report: PollReport) -> str:
    parts = [report.result]
    if report.queued:
        parts.append(f"{len(report.queued)} queued")
    if report.refused:
        parts.append(f"{len(report.refused)} refused")
    if report.seen:
        parts.append(f"{report.seen} seen")
    if report.edited:
        parts.append(f"{len(report.edited)} edited")
    return ", ".join(parts)


def due_feeds(feeds: Feeds, now: dt.datetime) -> list[FeedRecord]:
    return [f for f in feeds.all() if f.next_check_at is None or f.next_check_at <= now]


def poll_due(
    store: Store, settings: FeedSettings, now: dt.datetime, *, dry_run: bool = False
) -> list[PollReport]:
    """Poll every feed whose check is due and that this process could claim."""
    feeds = store.feeds
    reports = []
    for feed in due_feeds(feeds, now):
        interval = dt.timedelta(minutes=feed.poll_minutes or settings.poll_minutes)
        if not dry_run and not feeds.claim_check(feed.id, now, now + interval):
            continue  # another daemon polls it
        reports.append(poll_safely(store, feed, settings, now, dry_run=dry_run))
    return reports


def poll_safely(
    store: Store, feed: FeedRecord, settings: FeedSettings, now: dt.datetime, *, dry_run: bool
) -> PollReport:
    """:func:`poll_feed`, with anything unexpected recorded as a failed poll of this feed:
    one broken feed never stops the others, and `feed list` shows it."""
    try:
        return poll_feed(store, feed, settings, now, dry_run=dry_run)
    except Exception as error:
        log.exception("feed poll failed: %s", feed.url)
        interval = dt.timedelta(minutes=feed.poll_minutes or settings.poll_minutes)
        return _failed(store.feeds, feed, now, interval, error, dry_run)
