"""The application object every command gets in ``ctx.obj``: settings, store, network
client, publisher and ``prepare()``, each built on first use (so ``preview`` never opens
a store or imports a network library)."""

from __future__ import annotations

import datetime as dt
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

    from bot.feeds.polling import FeedSettings
    from bot.networks import Network
    from bot.posting.links import LinkGate
    from bot.posting.publisher import Publisher
    from bot.settings import LoadedSettings
    from bot.store import PostRecord, SchemaPolicy, Store, ThreadRecord
    from bot.views import Link
    from bot.views.status import Spend
    from threads.article import Article
    from threads.findings import Finding
    from threads.networks import LengthRule
    from threads.pipeline import Prepared
    from threads.templates import TemplateSet


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
        self._articles: dict[str, Article] = {}
        # --no-link-check: links are not fetched live (as [links] check = false).
        self.link_check = True

    def close(self) -> None:
        """Close what the command opened: the network clients' connections (httpx's),
        the store's."""
        for client in self._clients.values():
            close = getattr(client, "close", None)
            if close is not None:
                close()
        store = self.__dict__.get("store")
        if store is not None:
            store.engine.dispose()
        for client in self._clients.values():
            close = getattr(client, "close", None)
            if close is not None:
                close()

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
    def account_name(self) -> str:
        """The --account chosen (checked against the config), else the default."""
        return self.settings.account(self.account).name

    def client_for(self, account: str, network: str) -> Network:
        """The account's adapter on ``network``, with its credentials from the environment
        (redacted from logs); one per account and network per process."""
        if (account, network) not in self._clients:
            self._clients[account, network] = self.new_client(account, network)
        return self._clients[account, network]

    def new_client(self, account: str, network: str) -> Network:
        """A new adapter for the account on ``network``, shared with no one (the daemon
        reads posts' counts on a thread of its own, with clients of its own)."""
        from bot.credentials import load_credentials
        from bot.logs import add_secrets
        from bot.networks.registry import network as network_info

        self.settings.account(account)  # an unknown name fails before the environment
        info = network_info(network)
        credentials = load_credentials(info.credentials(), account, info.where)
        add_secrets(credentials.values())
        settings = self.settings.settings
        return info.connect(
            settings,
            credentials,
            settings.publishing.request_timeout_seconds,
            str(self.settings.path),
        )

    def publisher_for(
        self, account: str, network: str, stop_requested: Callable[[], bool] | None = None
    ) -> Publisher:
        """One publisher per account and network per process (one identity look-up, one
        lease owner), with the account's budget; its clock is the store's (the
        database's, when shared)."""
        if (account, network) not in self._publishers:
            from bot.lifecycle import Lease
            from bot.posting.publisher import Publisher, PublishLimits

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
            gate = self.link_gate(account)
            if gate is not None:
                self._publishers[account, network].link_gate = gate.before_first_post
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
        network: str,
        digest: bool = False,
    ) -> Prepared:
        """The one path from an article to validated threads (``threads.pipeline``),
        split for ``network``; an http(s) ARTICLE is fetched first (``bot.web.pages``)."""
        from threads.pipeline import prepare

        loaded = self.settings
        options = loaded.account(self.account).build_options
        return prepare(
            self.article(article),
            options,
            self.templates,
            section=section,
            config_path=str(loaded.path),
            for_posting=for_posting,
            rule=self.length_rule(network, online=for_posting),
            digest=digest,
        )

    def link_gate(self, account: str | None, *, cached: bool = True) -> LinkGate | None:
        """The live check of ``account``'s own links ([links]; None when off). With
        ``cached``, checks are kept in the store (a preview never opens one)."""
        links = self.settings.settings.links
        if not (links.check and self.link_check):
            return None
        from bot.posting.links import LinkGate, without_utm

        site = self.settings.account(account).build_options.site
        return LinkGate(
            site_urls=[u for u in (site.blog_url, site.about_url, site.article_base_url) if u],
            daily=frozenset(without_utm(u) for u in (site.blog_url, site.about_url) if u),
            recheck=dt.timedelta(hours=links.recheck_hours),
            timeout=links.timeout_seconds,
            store=self.store if cached else None,
        )

    def checked_links(self, prepared: Prepared, *, cached: bool = True) -> Prepared:
        """``prepared`` with the live check of its links among its findings (unchanged
        when link checks are off)."""
        import dataclasses

        gate = self.link_gate(self.account, cached=cached)
        if gate is None:
            return prepared
        texts = [tweet.text for thread in prepared.threads for tweet in thread.tweets]
        now = dt.datetime.now(dt.UTC) if not cached else self.store.clock()
        found = gate.findings(texts, now, where=prepared.article.path)
        return dataclasses.replace(prepared, findings=[*found, *prepared.findings])

    def thread_id(self, reference: str, network: str | None = None) -> int:
        """The thread ``reference`` names: its number, or its ``slug#N`` id — the
        version still in play (not cancelled, missed or deleted) of the chosen account
        (``--account``) and ``network``, else the newest."""
        from bot.errors import InputError, ThreadNotFoundError
        from bot.lifecycle import SET_ASIDE

        if reference.strip().isdigit():
            return int(reference)
        versions = [
            record
            for record in self.store.threads.versions(reference.strip())
            if (self.account is None or record.account == self.account)
            and (network is None or record.network == network)
        ]
        if not versions:
            raise ThreadNotFoundError(
                f"no thread {reference}: `threadbot queue` and `threadbot status` list them"
            )
        in_play = [record for record in versions if record.status not in SET_ASIDE] or versions
        lanes = {(record.account, record.network) for record in in_play}
        if len(lanes) > 1:
            listing = ", ".join(
                f"{record.id} ({record.account} on {record.network})" for record in in_play
            )
            raise InputError(
                f"{reference} names threads {listing}: add --network or --account, "
                "or give the number"
            )
        return max(record.id for record in in_play)

    def article(self, article: str) -> Article:
        """ARTICLE read (or fetched) and parsed once per command, however many
        networks it is split for."""
        if article not in self._articles:
            from bot.web.pages import fetch_article, is_url
            from threads.parsing import load_article

            options = self.settings.account(self.account).build_options
            read = fetch_article if is_url(article) else load_article
            self._articles[article] = read(
                article,
                max_bytes=options.threads.max_article_bytes,
                language=options.sentence_language,
            )
        return self._articles[article]

    @cached_property
    def templates(self) -> TemplateSet:
        from threads.templates import TemplateSet

        return TemplateSet(self.settings.templates_path)

    def length_rule(self, network: str, *, online: bool) -> LengthRule:
        """The network's length rule from the config; when ``online`` (posting,
        scheduling) and the network says so, the server's own limit (a Mastodon instance's
        when `max_characters` is not set)."""
        from bot.networks.registry import network as network_info

        info = network_info(network)
        settings = self.settings.settings
        if online and info.asks_server_limit(settings):
            server_rule = getattr(self.client_for(self.account_name, network), "length_rule", None)
            if server_rule is not None:
                rule: LengthRule = server_rule()
                return rule
        return info.rule(settings)

    def feed_settings(self) -> FeedSettings:
        """What polling feeds needs: the build options, templates and [feeds]."""
        from bot.feeds.polling import FeedSettings

        return FeedSettings.from_settings(self.settings)

    def zone(self, tz_name: str | None) -> ZoneInfo:
        """--tz, else the chosen account's [schedule] timezone."""
        from bot.posting.planning import zone

        return zone(tz_name or self.settings.account(self.account).timezone)

    # -- what the views need ----------------------------------------------------------

    def link(self, account: str, network: str) -> Link:
        """Post URLs from the handle (and home) the store remembers for the account on the
        network — no network call; threadbot before accounts kept X's in the meta table."""
        from bot.networks.registry import network as network_info
        from bot.settings import DEFAULT_ACCOUNT

        info = network_info(network)
        state = self.store.accounts.state(account, network)
        username = state.username
        if not username and (account, network) == (DEFAULT_ACCOUNT, "x"):
            username = self.store.get_meta("x_username")
        if not username:
            return None
        # The home the posts were made on (remembered when posting), else the configured.
        home = state.home_url or info.home(self.settings.settings)
        return lambda post_id: info.post_url(home, username, post_id)

    def links(self, lanes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Link]:
        """Post URLs for each (account, network) listed."""
        return {lane: self.link(*lane) for lane in set(lanes)}

    def spend(self, accounts: Iterable[str], now: dt.datetime | None = None) -> dict[str, Spend]:
        """Each account's posts and money this month and in the last 24 hours (two queries
        each: posts, and reads of their counts): posts count on every network, money only
        where the network bills."""
        from bot.networks.registry import network as network_info
        from bot.settings import DEFAULT_ACCOUNT
        from bot.views.status import Spend

        now = now or dt.datetime.now(dt.UTC)
        prices = self.settings.settings.prices
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        day_ago = now - dt.timedelta(hours=24)
        spent = {}
        for account in set(accounts) or {DEFAULT_ACCOUNT}:
            posted = self.store.posts.since(min(month_start, day_ago), account)
            month = [p for p in posted if p.posted_at >= month_start]
            spent[account] = Spend(
                month_posts=len(month),
                month_usd=sum(network_info(p.network).cost(prices, p.has_url) for p in month),
                day_posts=sum(p.posted_at >= day_ago for p in posted),
                month_read_usd=self.store.metrics.spent(account, None, month_start),
            )
        return spent

    # -- flows the commands share ----------------------------------------------------------

    def warn_example_identity(self, article: Article) -> list[Finding]:
        """Say so on stderr while the config carries the shipped example's identity
        (its recommended account, about an ``article`` that never mentions it)."""
        from bot.views.findings import write_findings
        from threads.validation import identity_findings

        loaded = self.settings
        options = loaded.account(self.account).build_options
        found = identity_findings(options, str(loaded.path), article)
        write_findings(found, sys.stderr)
        return found

    def refuse_unpostable(self, prepared: Prepared, what: str) -> None:
        """Validation errors: print them on stderr and stop (exit 1) before anything happens."""
        from bot.views.findings import write_findings

        if not prepared.postable:
            write_findings(prepared.findings, sys.stderr)
            raise ThreadbotError(f"validation found errors: nothing was {what}")

    def publish(self, prepared: Prepared) -> list[ThreadRecord]:
        """Freeze (or continue) and post each thread in turn; a budget refusal stops before
        anything of that thread posts."""
        from bot.posting.freezing import existing_version, freeze_thread

        publisher = self.publisher_for(self.account_name, prepared.network)
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
    click.echo(f"thread {record.id} ({record.key}): {len(record.posts)} posts{done}")


def print_posted(post: PostRecord, url: str) -> None:
    click.echo(f"  {post.position}. {url}")


pass_app = click.make_pass_decorator(App)
