"""`threadbot stats [THREAD]`: what posted threads did, read fresh (at most once per post
per UTC day) or, with --no-read, as stored."""

from __future__ import annotations

import sys

import click

from bot.cli.app import App, pass_app
from bot.cli.options import (
    account_option,
    config_option,
    db_option,
    format_option,
    thread_argument,
    tz_option,
)
from threads.errors import ThreadbotError


@click.command()
@thread_argument(
    required=False,
    network_help="Only threads on this network (with a SLUG#N thread id: the network's "
    "thread, when it names several).",
)
@click.option(
    "--no-read",
    is_flag=True,
    help="Show the stored numbers only: no request, no cost, no credentials needed.",
)
@format_option(
    "text for people; json: {threads, read, month, errors}, each thread with its numbers "
    "and its posts' (README)."
)
@tz_option
@account_option
@config_option
@db_option
@pass_app
def stats(
    app: App,
    thread: str | None,
    thread_network: str | None,
    no_read: bool,
    output_format: str,
    tz_name: str | None,
) -> None:
    """What each posted thread did (or THREAD, its number or slug#N id): impressions,
    engagements, the closing post's link clicks and read-through — each post's
    impressions as a share of the first's.

    Reads each live post's numbers first, as many a request as the network takes, never
    a post twice in one UTC day (X bills reads: [prices] read_usd a post, within [stats]
    monthly_usd); --no-read shows what is stored. Without THREAD: every posted thread
    of --account (default: the top-level account), newest first.
    """
    import json

    from bot.errors import BudgetExceededError
    from bot.networks.registry import NETWORKS_BY_NAME
    from bot.posting.stats import collect
    from bot.store.metrics import month_start
    from bot.views.stats import MonthReads, Reading, first_posted, stats_document, write_stats

    app.store_must_exist = True
    store = app.store
    if thread is not None:
        threads = [store.threads.get(app.thread_id(thread, thread_network))]
    else:
        threads = store.metrics.posted(app.account_name, thread_network)
        threads.sort(key=lambda t: (first_posted(t) or t.created_at, t.id), reverse=True)
    lanes: dict[tuple[str, str], list[int]] = {}
    for index, record in enumerate(threads):
        lanes.setdefault((record.account, record.network), []).append(index)
    loaded = app.settings
    now = store.clock()
    problems: list[ThreadbotError] = []
    reading = None
    if not no_read:
        # Every lane's credentials first: a missing one stops before anything is read.
        clients = {lane: app.client_for(*lane) for lane in lanes}
        done = []
        for lane, indexes in lanes.items():
            result = collect(
                store,
                clients[lane],
                [threads[i] for i in indexes],
                loaded.settings.prices,
                loaded.settings.stats,
                now,
                budget_usd=loaded.account(lane[0]).budget.monthly_usd,
            )
            done.append(result)
            if result.refused is not None:
                problems.append(BudgetExceededError(result.refused))
            if result.error is not None:
                problems.append(result.error)
        reading = Reading(
            posts=sum(len(r.read) for r in done),
            requests=sum(r.requests for r in done),
            usd=sum(r.cost_usd for r in done),
            skipped=sum(r.skipped for r in done),
        )
    ids = [record.id for record in threads]
    latest = store.metrics.latest(ids)
    read_usd = store.metrics.cost_by_thread(ids)
    accounts = {record.account for record in threads} or {app.account_name}
    month = {
        account: MonthReads(
            read_usd=store.metrics.spent(account, None, month_start(now)),
            monthly_usd=loaded.settings.stats.monthly_usd,
        )
        for account in accounts
    }
    if output_format == "json":
        document = stats_document(
            threads,
            latest,
            read_usd,
            links=app.links(lanes),
            reading=reading,
            month=month,
            errors=[str(problem) for problem in problems],
        )
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        write_stats(
            threads,
            latest,
            read_usd,
            sys.stdout,
            tz=app.zone(tz_name),
            labels={name: info.label for name, info in NETWORKS_BY_NAME.items()},
            reading=reading,
            month=month,
        )
    # Shown first, then said: what the caps refused or the network failed is exit 1.
    for problem in problems[:-1]:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise problems[-1]
