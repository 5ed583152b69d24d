"""The application object every command gets in ``ctx.obj``: settings, store, network
client, publisher and ``prepare()``, each built on first use (so ``preview`` never opens
a store or imports a network library)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import click

from threads.errors import ThreadbotError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.feeds import FeedSettings
    from bot.networks import Network
    from bot.publisher import Publisher
    from bot.settings import LoadedSettings
    from bot.store import Store, ThreadRecord, TweetRecord
    from bot.views import Link
    from bot.views.status import Spend
    from threads.pipeline import Prepared


class App:
    """Wiring, from the options the commands were given (``--config``, ``--db``)."""

    def __init__(self) -> None:
        self.config_path: str | None = None
        self.db: str | None = None
        self._publisher: Publisher | None = None

    @cached_property
    def settings(self) -> LoadedSettings:
        from bot.settings import load_settings

        return load_settings(self.config_path)

    @cached_property
    def store(self) -> Store:
        from bot.store import Store

        return Store(self.settings.store_url(self.db))

    @cached_property
    def client(self) -> Network:
        """The X client, with credentials from the environment (redacted from logs)."""
        from bot.credentials import load_credentials
        from bot.logs import add_secrets
        from bot.networks.x import DEFAULT_API_URL
        from bot.networks.x.client import TweepyXClient
        from bot.settings import API_URL_ENV

        credentials = load_credentials()
        add_secrets(credentials.values())
        return TweepyXClient(
            api_key=credentials.x_api_key.get_secret_value(),
            api_secret=credentials.x_api_secret.get_secret_value(),
            access_token=credentials.x_access_token.get_secret_value(),
            access_token_secret=credentials.x_access_token_secret.get_secret_value(),
            base_url=os.environ.get(API_URL_ENV) or DEFAULT_API_URL,
            timeout_seconds=self.settings.settings.publishing.request_timeout_seconds,
        )

    def publisher(self, stop_requested: Callable[[], bool] | None = None) -> Publisher:
        """One publisher per process (one identity look-up, one lease owner)."""
        if self._publisher is None:
            from bot.lifecycle import Lease
            from bot.publisher import Publisher, PublishLimits

            publishing = self.settings.settings.publishing
            budget = self.settings.settings.budget
            limits = PublishLimits(
                reply_pause_seconds=publishing.reply_pause_seconds,
                max_rate_limit_wait_seconds=publishing.max_rate_limit_wait_seconds,
                max_attempts=publishing.max_attempts,
                max_posts_per_24h=budget.max_posts_per_24h,
                monthly_budget_usd=budget.monthly_usd,
            )
            client = self.client  # missing credentials fail before the store is opened
            self._publisher = Publisher(
                self.store,
                client,
                limits,
                self.settings.settings.prices,
                lease=Lease(publishing.lease_seconds),
            )
        if stop_requested is not None:
            self._publisher.stop_requested = stop_requested
        return self._publisher

    def prepare(self, article: str, section: str | None, *, for_posting: bool) -> Prepared:
        """The one path from an article to validated threads (``threads.pipeline``);
        an http(s) ARTICLE is fetched first (``bot.fetching``)."""
        from bot.fetching import fetch_article, is_url
        from threads.article import Article
        from threads.pipeline import prepare
        from threads.templates import TemplateSet

        loaded = self.settings
        options = loaded.build_options
        source: str | Article = article
        if is_url(article):
            source = fetch_article(
                article,
                max_bytes=options.threads.max_article_bytes,
                language=options.sentence_language,
            )
        return prepare(
            source,
            options,
            TemplateSet(loaded.templates_path),
            section=section,
            config_path=str(loaded.path),
            for_posting=for_posting,
        )

    def feed_settings(self) -> FeedSettings:
        """What polling feeds needs: the build options, templates and [feeds]."""
        from bot.feeds import FeedSettings
        from threads.templates import TemplateSet

        loaded = self.settings
        feeds = loaded.settings.feeds
        return FeedSettings(
            options=loaded.build_options,
            templates=TemplateSet(loaded.templates_path),
            config_path=str(loaded.path),
            poll_minutes=feeds.poll_minutes,
            default_slots=feeds.slots,
            default_timezone=loaded.settings.schedule.timezone,
            max_feed_bytes=feeds.max_feed_bytes,
        )

    def zone(self, tz_name: str | None) -> ZoneInfo:
        from bot.planning import zone

        return zone(tz_name or self.settings.settings.schedule.timezone)

    # -- what the views need ----------------------------------------------------------

    def link(self) -> Link:
        """Post URLs from the account name the store remembers (no network call)."""
        from bot.networks.x import post_url

        username = self.store.get_meta("x_username")
        if not username:
            return None
        return lambda post_id: post_url(username, post_id)

    def spend(self, now: dt.datetime | None = None) -> Spend:
        from bot.views.status import Spend

        now = now or dt.datetime.now(dt.UTC)
        prices = self.settings.settings.prices
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month = self.store.posted_since(month_start)
        day = self.store.posted_since(now - dt.timedelta(hours=24))
        return Spend(
            month_posts=len(month),
            month_usd=sum(prices.cost(p.has_url) for p in month),
            day_posts=len(day),
        )

    # -- flows the commands share ----------------------------------------------------------

    def refuse_unpostable(self, prepared: Prepared, what: str) -> None:
        """Validation errors: print them on stderr and stop (exit 1) before anything happens."""
        from bot.views.findings import write_findings

        if not prepared.postable:
            write_findings(prepared.findings, sys.stderr)
            raise ThreadbotError(f"validation found errors: nothing was {what}")

    def publish(self, prepared: Prepared) -> list[ThreadRecord]:
        """Freeze (or continue) and post each thread in turn; a budget refusal stops before
        anything of that thread posts."""
        from bot.freezing import existing_version, freeze_thread

        publisher = self.publisher()
        records = []
        for thread in prepared.threads:
            record = existing_version(self.store, thread, scheduling=False, url=publisher.url)
            if record is None:
                publisher.check_budget([(t.text, t.has_url) for t in thread.tweets])
                record = freeze_thread(self.store, prepared, thread, publisher.clock())
            elif record.live_count:
                # Continuing: the budget check covers only what is still to post.
                publisher.check_remaining(record)
            announce(record)
            records.append(publisher.publish(record.id, print_posted, wait_for_lease=True))
        return records


def announce(record: ThreadRecord) -> None:
    live = record.live_count
    done = f", {live} already live" if live else ""
    click.echo(f"thread {record.id} ({record.key}): {len(record.tweets)} tweets{done}")


def print_posted(tweet: TweetRecord, url: str) -> None:
    click.echo(f"  {tweet.position}. {url}")


pass_app = click.make_pass_decorator(App)
