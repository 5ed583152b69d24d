"""Wiring for the commands that post: store, X client, publisher, and the publish flow.

Kept out of ``bot.cli`` so the CLI only parses and prints, and so tests and the daemon
can run the same flow.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from bot.credentials import Credentials
from bot.errors import AlreadyPublishedError, PublishError
from bot.publisher import Publisher, PublishLimits, content_hash
from bot.settings import API_URL_ENV, LoadedSettings
from bot.store import Store, ThreadRecord, TweetRecord
from bot.x_client import DEFAULT_API_URL, TweepyXClient, XClient
from threads.building import Thread
from threads.pipeline import Prepared


def open_store(loaded: LoadedSettings, db: str | None) -> Store:
    return Store(loaded.store_url(db))


def make_client(loaded: LoadedSettings, credentials: Credentials) -> TweepyXClient:
    return TweepyXClient(
        api_key=credentials.x_api_key.get_secret_value(),
        api_secret=credentials.x_api_secret.get_secret_value(),
        access_token=credentials.x_access_token.get_secret_value(),
        access_token_secret=credentials.x_access_token_secret.get_secret_value(),
        base_url=os.environ.get(API_URL_ENV) or DEFAULT_API_URL,
        timeout_seconds=loaded.settings.publishing.request_timeout_seconds,
    )


def make_publisher(loaded: LoadedSettings, store: Store, client: XClient) -> Publisher:
    publishing = loaded.settings.publishing
    budget = loaded.settings.budget
    limits = PublishLimits(
        reply_pause_seconds=publishing.reply_pause_seconds,
        max_rate_limit_wait_seconds=publishing.max_rate_limit_wait_seconds,
        max_attempts=publishing.max_attempts,
        max_posts_per_24h=budget.max_posts_per_24h,
        monthly_budget_usd=budget.monthly_usd,
    )
    return Publisher(store, client, limits, loaded.settings.prices)


def thread_hash(thread: Thread) -> str:
    """What makes two versions of a thread the same: its texts and its charts."""
    parts = [tweet.text for tweet in thread.tweets]
    parts += [tweet.chart.alt_text for tweet in thread.tweets if tweet.chart is not None]
    return content_hash(parts)


def frozen_media(thread: Thread) -> dict[int, tuple[bytes, str]]:
    """Each chart drawn once, at freeze time, so every retry uploads the same bytes."""
    media: dict[int, tuple[bytes, str]] = {}
    for position, tweet in enumerate(thread.tweets, start=1):
        if tweet.chart is not None:
            from bot.charts import render_png

            media[position] = (render_png(tweet.chart), tweet.chart.alt_text)
    return media


def freeze_or_continue(prepared: Prepared, thread: Thread, publisher: Publisher) -> ThreadRecord:
    """The stored record to post for ``thread``: a new frozen one, or the unfinished one
    with the same texts. A live thread is refused with its URL."""
    store = publisher.store
    digest = thread_hash(thread)
    for record in store.by_key(thread.id):
        if record.status == "posted":
            first = record.tweets[0].x_id or ""
            raise AlreadyPublishedError(
                f"{thread.id} is already live as thread {record.id}: {publisher.url(first)}"
            )
        if record.status in ("cancelled", "missed"):
            continue
        if record.content_hash == digest:
            return record
        raise PublishError(
            f"{thread.id} has an unfinished earlier version (thread {record.id}, "
            f"{record.live_count} of {len(record.tweets)} tweets live) with other text: "
            f"finish it with `threadbot resume {record.id}` first"
        )
    publisher.check_budget([(t.text, t.has_url) for t in thread.tweets])
    return freeze_thread(store, prepared, thread, publisher.clock())


def freeze_thread(
    store: Store,
    prepared: Prepared,
    thread: Thread,
    now: dt.datetime,
    due_at: dt.datetime | None = None,
) -> ThreadRecord:
    """Store ``thread`` exactly as built: texts, charts, cost, and a due time if queued."""
    return store.freeze(
        key=thread.id,
        article=prepared.article.path,
        section_index=thread.section_index,
        section=thread.section,
        content_hash=thread_hash(thread),
        tweets=[(t.text, t.has_url) for t in thread.tweets],
        cost_usd=thread.cost_usd,
        now=now,
        due_at=due_at,
        media=frozen_media(thread),
    )


def publish_prepared(
    prepared: Prepared,
    publisher: Publisher,
    on_start: Callable[[ThreadRecord], None],
    on_posted: Callable[[TweetRecord, str], None],
) -> list[ThreadRecord]:
    """Freeze and post each thread in turn; a budget refusal stops before anything posts."""
    records = []
    for thread in prepared.threads:
        record = freeze_or_continue(prepared, thread, publisher)
        if record.live_count:
            # Continuing: the budget check covers only what is still to post.
            publisher.check_remaining(record)
        on_start(record)
        records.append(publisher.publish(record.id, on_posted))
    return records
