"""Reading what posted threads did: each live post's counts, as snapshots in the store.

Reads cost money on X (``[prices] read_usd`` a post, billed once per post per UTC day), so
:func:`collect` never reads a post twice in one UTC day (the store's day, from ``now``:
such a post costs no request at all), reads as many posts per request as the network
takes (``metrics_batch``: X 100, Bluesky 25, Mastodon 1), asks X's non-public metrics
(impressions, link clicks) only for posts young enough to have them — and, when X refuses
some anyway, asks again publicly for just those — and records each request's snapshots
as soon as it is answered, so a later failure never loses a read already paid for. It
refuses, in one line, what would take an account's reads past ``[stats] monthly_usd`` or
its posts and reads past ``[budget] monthly_usd``.

:class:`StatsCollector` is the daemon's job: the threads one of ``[stats] after`` has
come for since they posted, read lane by lane, each lane's refusal or failure said once
and a failing lane left alone until its network's limit lifts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.errors import MetricsRefusedError, NetworkError, RateLimitedError
from bot.networks.registry import network as network_info
from bot.store import MetricsRecord, PostRecord, Store, ThreadRecord
from bot.store.metrics import month_start
from threads.errors import ThreadbotError

if TYPE_CHECKING:
    from bot.networks import Network, PostMetrics
    from bot.settings import LoadedSettings, StatsSettings
    from threads.options import Prices

log = logging.getLogger("threadbot.stats")

# How often the daemon looks for threads due to be read: [stats] after counts in hours.
CHECK_SECONDS = 60.0
# A lane whose read failed (not a rate limit with its reset) is left alone this long.
BACKOFF = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Collected:
    """What one :func:`collect` did."""

    # The snapshots recorded, in the order read.
    read: tuple[MetricsRecord, ...] = ()
    # Live posts not read because they were read already this UTC day (no request).
    skipped: int = 0
    requests: int = 0
    cost_usd: float = 0.0
    # The one line saying which reads the monthly caps refused (None: none).
    refused: str | None = None
    # The network's error that stopped the reading (what was read before it is kept).
    error: NetworkError | None = None


def usd(amount: float) -> str:
    """``$1.00``, ``$0.05``, ``$0.009``: cents, or tenths of a cent where a read's price
    shows."""
    text = f"{amount:.3f}"
    return "$" + (text[:-1] if text.endswith("0") else text)


def readable(post: PostRecord) -> bool:
    """A post to read: live, with its id, and not being taken down."""
    return post.is_live and post.post_id is not None and post.deleting_at is None


def collect(
    store: Store,
    client: Network,
    threads: Sequence[ThreadRecord],
    prices: Prices,
    settings: StatsSettings,
    now: dt.datetime,
    *,
    budget_usd: float | None = None,
) -> Collected:
    """Read the counts of ``threads``' live posts (all of one account on one network,
    through ``client``) and record them as snapshots at ``now``. Threads are read in the
    order given, whole, while they fit the month's caps (``settings.monthly_usd`` for
    reads; ``budget_usd``, the account's [budget] monthly_usd, for posts and reads)."""
    if not threads:
        return Collected()
    lanes = {(thread.account, thread.network) for thread in threads}
    assert len(lanes) == 1, "one account on one network per client"
    ((account, network),) = lanes
    info = network_info(network)
    wanted = [(thread, post) for thread in threads for post in thread.posts if readable(post)]
    already = store.metrics.read_today(network, [p.post_id for _, p in wanted if p.post_id], now)
    fresh = [(thread, post) for thread, post in wanted if post.post_id not in already]
    skipped = len(wanted) - len(fresh)
    price = info.read_cost(prices)
    refused = None
    if price and fresh:
        fresh, refused = _within_caps(
            store, fresh, price, account, network, settings, now, budget_usd, prices
        )
    reader = _Reader(store, client, info.metrics_batch, price, now, fresh)
    # X keeps non-public metrics of the account's posts 30 days: younger ones are asked
    # for them; a post X counts as older after all is refused, then read publicly.
    young = now - dt.timedelta(days=info.private_metrics_days)
    private: list[PostRecord] = []
    public: list[PostRecord] = []
    for _, post in fresh:
        has_private = info.private_metrics_days and post.posted_at and post.posted_at > young
        (private if has_private else public).append(post)
    try:
        reader.read(private, private=True)
        reader.read(public, private=False)
    except NetworkError as error:
        return reader.result(skipped, refused, error)
    return reader.result(skipped, refused, None)


def _within_caps(
    store: Store,
    fresh: list[tuple[ThreadRecord, PostRecord]],
    price: float,
    account: str,
    network: str,
    settings: StatsSettings,
    now: dt.datetime,
    budget_usd: float | None,
    prices: Prices,
) -> tuple[list[tuple[ThreadRecord, PostRecord]], str | None]:
    """The posts whose threads fit this month's caps, whole and in order, and the one
    line saying what did not (None: everything fits)."""
    since = month_start(now)
    read_spent = store.metrics.spent(account, network, since)
    room = settings.monthly_usd - read_spent
    cap = f"[stats] monthly_usd = {usd(settings.monthly_usd)} (${read_spent:.3f} read this month)"
    if budget_usd is not None:
        info = network_info(network)
        posts_spent = sum(
            info.cost(prices, p.has_url) for p in store.posts.since(since, account, network)
        )
        budget_room = budget_usd - posts_spent - read_spent
        if budget_room < room:
            room = budget_room
            cap = (
                f"[budget] monthly_usd = {usd(budget_usd)} (${posts_spent + read_spent:.3f} "
                "spent on posts and reads this month)"
            )
    fitting: list[tuple[ThreadRecord, PostRecord]] = []
    cost = 0.0
    for index, (thread, _) in enumerate(fresh):
        if index and fresh[index - 1][0].id == thread.id:
            continue  # a thread is counted at its first post
        posts = [pair for pair in fresh[index:] if pair[0].id == thread.id]
        if cost + len(posts) * price > room + 1e-9:
            left = len(fresh) - len(fitting)
            next_month = (since + dt.timedelta(days=32)).replace(day=1)
            label = network_info(network).label
            return fitting, (
                f"reading {left} {label} post(s) of account {account} (${left * price:.3f}) "
                f"would exceed {cap}: raise it in the config, or wait until {next_month:%Y-%m-%d}"
            )
        fitting += posts
        cost += len(posts) * price
    return fitting, None


@dataclass
class _Reader:
    """Reads posts batch by batch, recording each batch's snapshots as it comes."""

    store: Store
    client: Network
    batch: int
    price: float
    now: dt.datetime
    fresh: list[tuple[ThreadRecord, PostRecord]]
    requests: int = 0
    recorded: list[MetricsRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.where = {post.post_id: (thread, post) for thread, post in self.fresh}

    def read(self, posts: Sequence[PostRecord], *, private: bool) -> None:
        ids = [post.post_id for post in posts if post.post_id is not None]
        for start in range(0, len(ids), self.batch):
            chunk = ids[start : start + self.batch]
            try:
                self.requests += 1
                self.keep(self.client.metrics(chunk, private=private))
            except MetricsRefusedError as refused:
                # X would not say these posts' private numbers: keep what it did say
                # (paid for), then ask for just the refused ones publicly.
                self.keep(refused.read)
                again = [post_id for post_id in chunk if post_id in set(refused.post_ids)]
                for each in range(0, len(again), self.batch):
                    self.requests += 1
                    self.keep(self.client.metrics(again[each : each + self.batch]))

    def keep(self, counts: Sequence[PostMetrics]) -> None:
        where = self.where
        snapshots = [
            MetricsRecord(
                thread_id=where[c.post_id][0].id,
                position=where[c.post_id][1].position,
                post_id=c.post_id,
                read_at=self.now,
                impressions=c.impressions,
                likes=c.likes,
                reposts=c.reposts,
                replies=c.replies,
                quotes=c.quotes,
                link_clicks=c.link_clicks,
                cost_usd=self.price,
            )
            for c in counts
            if c.post_id in where
        ]
        self.store.metrics.record(snapshots)
        self.recorded += snapshots

    def result(self, skipped: int, refused: str | None, error: NetworkError | None) -> Collected:
        return Collected(
            read=tuple(self.recorded),
            skipped=skipped,
            requests=self.requests,
            cost_usd=sum((s.cost_usd for s in self.recorded), 0.0),
            refused=refused,
            error=error,
        )


class StatsCollector:
    """The daemon's job (every :data:`CHECK_SECONDS`): read the threads due per
    ``[stats] after``, each account and network through a client of its own (the
    daemon's stats thread never shares one with a posting thread)."""

    def __init__(
        self,
        store: Store,
        client_for: Callable[[str, str], Network],
        settings: LoadedSettings,
    ) -> None:
        self.store = store
        self.client_for = client_for
        self.settings = settings
        self._clients: dict[tuple[str, str], Network] = {}
        # A lane whose read failed, left alone until then.
        self._resting: dict[tuple[str, str], dt.datetime] = {}
        # What each lane last said (a refusal or a failure): said again only when changed.
        self._said: dict[tuple[str, str], str] = {}

    def __call__(self, now: dt.datetime) -> int:
        """Read what is due at ``now``; returns how many posts were read."""
        stats = self.settings.settings.stats
        offsets = stats.offsets
        if not offsets:
            return 0
        due = self.store.metrics.due(offsets, now, horizon=2 * max(offsets))
        lanes: dict[tuple[str, str], list[ThreadRecord]] = {}
        for thread in due:
            lanes.setdefault((thread.account, thread.network), []).append(thread)
        read = 0
        for lane, threads in sorted(lanes.items()):
            if self._resting.get(lane, now) > now:
                continue
            try:
                client = self._client(lane)
                budget = self.settings.account(lane[0]).budget.monthly_usd
            except ThreadbotError as error:
                self._say(lane, f"stats: account {lane[0]} on {lane[1]}: not read: {error}")
                self._resting[lane] = now + BACKOFF
                continue
            prices = self.settings.settings.prices
            done = collect(self.store, client, threads, prices, stats, now, budget_usd=budget)
            read += len(done.read)
            if done.read:
                log.info(
                    "stats: read %d posts of %d threads (account %s on %s) in %d requests, $%.3f",
                    len(done.read),
                    len({s.thread_id for s in done.read}),
                    *lane,
                    done.requests,
                    done.cost_usd,
                )
            if done.error is not None:
                until = (
                    done.error.reset_at if isinstance(done.error, RateLimitedError) else None
                ) or now + BACKOFF
                self._resting[lane] = until
                self._say(lane, f"stats: account {lane[0]} on {lane[1]}: {done.error}")
            elif done.refused is not None:
                self._say(lane, f"stats: {done.refused}")
            else:
                self._said.pop(lane, None)
        return read

    def _client(self, lane: tuple[str, str]) -> Network:
        if lane not in self._clients:
            self._clients[lane] = self.client_for(*lane)
        return self._clients[lane]

    def _say(self, lane: tuple[str, str], message: str) -> None:
        if self._said.get(lane) != message:
            self._said[lane] = message
            log.warning("%s", message)
