"""The application object every command gets in ``ctx.obj``: settings, store, network
client, publisher and ``prepare()``, each built on first use (so ``preview`` never opens
a store or imports a network library)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from threads.errors import ThreadbotError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.feeds import FeedSettings
    from bot.networks import Network
    from bot.publisher import Publisher
    from bot.settings import LoadedSettings
    from bot.store import SchemaPolicy, Store, ThreadRecord, TweetRecord
    from bot.views import Link
    from bot.views.status import Spend
    from threads.networks import LengthRule
    from threads.pipeline import Prepared


class App:
    """Wiring, from the options the commands were given (``--config``, ``--db``)."""

    def __init__(self) -> None:
        self.config_path: str | None = None
        self.db: str | None = None
        # --account: whose threads publish, schedule and feed add make (None: default).
        self.account: str | None = None
        # How the store treats an older schema: the daemon wants its own exactly.
        self.store_schema: SchemaPolicy = "auto"
        self.store_connections = 4
        # Commands that only read (status, queue, daemons, feed list) never create a store.
        self.store_must_exist = False
        self._clients: dict[tuple[str, str], Network] = {}
        self._publishers: dict[tuple[str, str], Publisher] = {}

    @cached_property
    def settings(self) -> LoadedSettings:
        from bot.settings import load_settings

        return load_settings(self.config_path)

    @cached_property
    def store(self) -> Store:
        from bot.store import Store

        return Store(
            self.settings.store_url(self.db),
            schema=self.store_schema,
            connections=self.store_connections,
            must_exist=self.store_must_exist,
        )

    @property
    def client(self) -> Network:
        return self.client_for(self.account_name)

    @property
    def account_name(self) -> str:
        """The --account chosen (checked against the config), else the default."""
        return self.settings.account(self.account).name

    def client_for(self, account: str, network: str = "x") -> Network:
        """The account's client on ``network``, with its credentials from the environment
        (redacted from logs); one per account and network per process."""
        if (account, network) not in self._clients:
            self.settings.account(account)  # an unknown name fails before the environment
            timeout = self.settings.settings.publishing.request_timeout_seconds
            if network == "x":
                client = self._x_client(account, timeout)
            else:
                client = self._other_client(account, network, timeout)
            self._clients[account, network] = client
        return self._clients[account, network]

    def _x_client(self, account: str, timeout: float) -> Network:
        from bot.credentials import load_credentials
        from bot.logs import add_secrets
        from bot.networks.x import DEFAULT_API_URL
        from bot.networks.x.client import TweepyXClient
        from bot.settings import API_URL_ENV

        credentials = load_credentials(account)
        add_secrets(credentials.values())
        return TweepyXClient(
            api_key=credentials.x_api_key.get_secret_value(),
            api_secret=credentials.x_api_secret.get_secret_value(),
            access_token=credentials.x_access_token.get_secret_value(),
            access_token_secret=credentials.x_access_token_secret.get_secret_value(),
            base_url=os.environ.get(API_URL_ENV) or DEFAULT_API_URL,
            timeout_seconds=timeout,
        )

    def _other_client(self, account: str, network: str, timeout: float) -> Network:
        from bot.credentials import (
            BlueskyCredentials,
            MastodonCredentials,
            load_network_credentials,
        )
        from bot.logs import add_secrets
        from bot.settings import BLUESKY_URL_ENV, MASTODON_URL_ENV

        settings = self.settings.settings
        credentials = load_network_credentials(network, account)
        add_secrets(credentials.values())
        if isinstance(credentials, BlueskyCredentials):
            from bot.networks.bluesky.client import BlueskyClient

            return BlueskyClient(
                handle=credentials.bluesky_handle,
                app_password=credentials.bluesky_app_password.get_secret_value(),
                pds_url=os.environ.get(BLUESKY_URL_ENV) or settings.bluesky.pds_url,
                timeout_seconds=timeout,
                link_display=settings.bluesky.link_display,
            )
        assert isinstance(credentials, MastodonCredentials)
        from bot.networks.mastodon.client import MastodonClient
        from threads.errors import ConfigError

        instance_url = os.environ.get(MASTODON_URL_ENV) or settings.mastodon.instance_url
        if not instance_url:
            raise ConfigError(
                self.settings.path,
                "required to post to Mastodon: your instance's https:// address",
                field="mastodon.instance_url",
            )
        return MastodonClient(
            instance_url=instance_url,
            access_token=credentials.mastodon_access_token.get_secret_value(),
            visibility=settings.mastodon.visibility,
            timeout_seconds=timeout,
        )

    def publisher(self, stop_requested: Callable[[], bool] | None = None) -> Publisher:
        return self.publisher_for(self.account_name, stop_requested)

    def publisher_for(
        self,
        account: str,
        stop_requested: Callable[[], bool] | None = None,
        network: str = "x",
    ) -> Publisher:
        """One publisher per account and network per process (one identity look-up, one
        lease owner), with the account's budget; its clock is the store's (the
        database's, when shared)."""
        if (account, network) not in self._publishers:
            from bot.lifecycle import Lease
            from bot.publisher import Publisher, PublishLimits

            publishing = self.settings.settings.publishing
            budget = self.settings.account(account).budget
            limits = PublishLimits(
                reply_pause_seconds=publishing.reply_pause_seconds,
                max_rate_limit_wait_seconds=publishing.max_rate_limit_wait_seconds,
                max_attempts=publishing.max_attempts,
                max_posts_per_24h=budget.max_posts_per_24h,
                monthly_budget_usd=budget.monthly_usd,
            )
            client = self.client_for(account, network)  # credentials fail before the store
            store = self.store
            self._publishers[account, network] = Publisher(
                store,
                client,
                limits,
                self.settings.settings.prices,
                lease=Lease(publishing.lease_seconds),
                account_name=account,
                network=network,
                clock=store.clock,
            )
        publisher = self._publishers[account, network]
        if stop_requested is not None:
            publisher.stop_requested = stop_requested
        return publisher

    def prepare(
        self,
        article: str,
        section: str | None,
        *,
        for_posting: bool,
        network: str = "x",
        digest: bool = False,
    ) -> Prepared:
        """The one path from an article to validated threads (``threads.pipeline``),
        split for ``network``; an http(s) ARTICLE is fetched first (``bot.fetching``)."""
        from bot.fetching import fetch_article, is_url
        from threads.article import Article
        from threads.pipeline import prepare
        from threads.templates import TemplateSet

        loaded = self.settings
        options = loaded.account(self.account).build_options
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
            rule=self.length_rule(network, online=for_posting) if network != "x" else None,
            digest=digest,
        )

    def length_rule(self, network: str, *, online: bool) -> LengthRule:
        """The network's length rule from the config; for Mastodon without a configured
        `max_characters`, the instance's own when ``online`` (posting, scheduling)."""
        from bot.settings import length_rule

        settings = self.settings.settings
        if online and network == "mastodon" and settings.mastodon.max_characters is None:
            client = self.client_for(self.account_name, "mastodon")
            instance_rule = getattr(client, "length_rule", None)
            if instance_rule is not None:
                rule: LengthRule = instance_rule()
                return rule
        return length_rule(settings, network)

    def feed_settings(self) -> FeedSettings:
        """What polling feeds needs: the build options, templates and [feeds]."""
        from bot.feeds import FeedSettings
        from bot.settings import length_rule
        from threads.templates import TemplateSet

        loaded = self.settings
        feeds = loaded.settings.feeds
        return FeedSettings(
            options=loaded.build_options,
            account_options={
                name: loaded.account(name).build_options for name in loaded.account_names
            },
            account_networks={name: loaded.account(name).networks for name in loaded.account_names},
            rules={
                network: length_rule(loaded.settings, network)
                for network in ("bluesky", "mastodon")
            },
            stagger=dt.timedelta(minutes=loaded.settings.schedule.stagger_minutes),
            templates=TemplateSet(loaded.templates_path),
            config_path=str(loaded.path),
            poll_minutes=feeds.poll_minutes,
            default_slots=feeds.slots,
            default_timezone=loaded.settings.schedule.timezone,
            max_feed_bytes=feeds.max_feed_bytes,
        )

    def zone(self, tz_name: str | None) -> ZoneInfo:
        """--tz, else the chosen account's [schedule] timezone."""
        from bot.planning import zone

        return zone(tz_name or self.settings.account(self.account).timezone)

    # -- what the views need ----------------------------------------------------------

    def link(self, account: str = "default", network: str = "x") -> Link:
        """Post URLs from the handle the store remembers for the account on the network
        (no network call); threadbot before accounts kept X's in the meta table."""
        state = self.store.account_state(account, network)
        username = state.username
        if not username and (account, network) == ("default", "x"):
            username = self.store.get_meta("x_username")
        if not username:
            return None
        if network == "bluesky":
            from bot.networks.bluesky import post_url as bluesky_url

            return lambda post_id: bluesky_url(username, post_id)
        if network == "mastodon":
            from bot.networks.mastodon import post_url as mastodon_url

            # The instance the posts were made on (remembered when posting), else the
            # configured one.
            instance = (
                state.home_url
                or self.settings.settings.mastodon.instance_url
                or "https://mastodon.social"
            )
            return lambda post_id: mastodon_url(instance, username, post_id)
        from bot.networks.x import post_url

        return lambda post_id: post_url(username, post_id)

    def links(self, lanes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Link]:
        """Post URLs for each (account, network) listed."""
        return {lane: self.link(*lane) for lane in set(lanes)}

    def spend(self, accounts: Iterable[str], now: dt.datetime | None = None) -> dict[str, Spend]:
        """Each account's posts and money this month and in the last 24 hours."""
        from bot.views.status import Spend

        now = now or dt.datetime.now(dt.UTC)
        prices = self.settings.settings.prices
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        spent = {}
        for account in set(accounts) or {"default"}:
            month = self.store.posted_since(month_start, account)
            day = self.store.posted_since(now - dt.timedelta(hours=24), account)
            spent[account] = Spend(
                month_posts=len(month),
                # Only X bills posts; Bluesky and Mastodon posts cost nothing.
                month_usd=sum(prices.cost(p.has_url) for p in month if p.network == "x"),
                day_posts=len(day),
            )
        return spent

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

        publisher = self.publisher_for(self.account_name, network=prepared.network)
        records = []
        for thread in prepared.threads:
            record = existing_version(
                self.store,
                thread,
                scheduling=False,
                url=publisher.url,
                account=publisher.account_name,
                network=publisher.network,
            )
            if record is None:
                publisher.check_budget([(t.text, t.has_url) for t in thread.tweets])
                record = freeze_thread(
                    self.store,
                    prepared,
                    thread,
                    publisher.clock(),
                    account=publisher.account_name,
                    network=publisher.network,
                )
            elif record.live_count:
                # Continuing: the budget check covers only what is still to post.
                publisher.check_remaining(record)
            announce(record)
            with posting_until_interrupted(publisher):
                records.append(publisher.publish(record.id, print_posted, wait_for_lease=True))
        return records


@contextmanager
def posting_until_interrupted(publisher: Publisher) -> Iterator[None]:
    """Ctrl-C (or SIGTERM) while posting is an ordinary way to stop: the post in flight
    finishes (a second Ctrl-C stops at once, leaving it to be looked up), the claim is
    given back, and one line says what is live and how to continue; exit 130."""
    from bot.errors import StopRequestedError

    stop = threading.Event()

    def on_signal(_number: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # the second Ctrl-C: now
        stop.set()
        click.echo("stopping after the post in flight (Ctrl-C again: at once)", err=True)

    previous = {number: signal.signal(number, on_signal) for number in STOP_SIGNALS}
    before = (publisher.stop_requested, publisher.sleep)

    def sleep(seconds: float) -> None:
        stop.wait(seconds)  # pauses and backoffs end early on a stop

    publisher.stop_requested = stop.is_set
    publisher.sleep = sleep
    try:
        yield
    except StopRequestedError as stopped:
        click.echo(str(stopped), err=True)
        click.get_current_context().exit(130)
    finally:
        publisher.stop_requested, publisher.sleep = before
        for number, handler in previous.items():
            signal.signal(number, handler)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def announce(record: ThreadRecord) -> None:
    live = record.live_count
    done = f", {live} already live" if live else ""
    click.echo(f"thread {record.id} ({record.key}): {len(record.tweets)} tweets{done}")


def print_posted(tweet: TweetRecord, url: str) -> None:
    click.echo(f"  {tweet.position}. {url}")


pass_app = click.make_pass_decorator(App)
