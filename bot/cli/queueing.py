"""Commands for the queue and the daemon: schedule, queue, cancel, reschedule, run."""

from __future__ import annotations

import datetime as dt
import sys

import click

from bot.cli.app import App, pass_app
from bot.cli.options import (
    account_option,
    config_option,
    db_option,
    digest_option,
    format_option,
    html_option,
    networks_option,
    no_link_check_option,
    now_option,
    section_option,
    thread_argument,
    tz_option,
)


def _fmt(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    from bot.views.queue import when

    return when(moment, tz)


@click.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@digest_option
@click.option("--at", "at", metavar="DATETIME", help="Post every chosen thread at this time.")
@click.option("--start", metavar="DATETIME", help="First thread at this time ...")
@click.option("--every", metavar="DURATION", help="... and the next ones this far apart (1d, 12h).")
@click.option("--slots", metavar="SPEC", help="Next free slots, e.g. 'Mon-Fri 09:00,18:00'.")
@tz_option
@now_option("Accept past times: post them when the daemon runs.")
@click.option(
    "--approve",
    "hold",
    is_flag=True,
    help="Hold the threads as pending: none posts before `threadbot approve`.",
)
@no_link_check_option
@networks_option
@account_option
@config_option
@db_option
@pass_app
def schedule(
    app: App,
    article: str,
    section: str | None,
    digest: bool,
    at: str | None,
    start: str | None,
    every: str | None,
    slots: str | None,
    tz_name: str | None,
    allow_past: bool,
    hold: bool,
    networks: tuple[str, ...] | None,
) -> None:
    """Queue ARTICLE's threads for `threadbot run` and print the plan.

    One thread per section on each network (--networks, default the config's), each
    split by that network's rules and posted at the section's slot ([schedule]
    stagger_minutes apart per network). Validates every network first and refuses on
    errors, queueing nothing. Times are in --tz (default: [schedule] timezone);
    whole-day intervals keep the local time across daylight-saving changes.
    """
    from bot.posting.scheduling import When, plan, queue_threads

    chosen = networks or app.settings.account(app.account).networks
    previews = []
    for network in chosen:
        prepared = app.prepare(article, section, for_posting=True, network=network, digest=digest)
        prepared = app.checked_links(prepared)
        app.refuse_unpostable(
            prepared, "scheduled" if len(chosen) == 1 else f"scheduled ({network})"
        )
        previews.append(prepared)
    tz = app.zone(tz_name)
    now = dt.datetime.now(dt.UTC)
    when = When(at=at, start=start, every=every, slots=slots)
    times = plan(
        when,
        len(previews[0].threads),
        tz,
        now,
        app.store,
        allow_past=allow_past,
        account=app.account_name,
    )
    stagger = dt.timedelta(minutes=app.settings.settings.schedule.stagger_minutes)
    queued = []
    for index, prepared in enumerate(previews):
        queued += queue_threads(
            prepared,
            [time + stagger * index for time in times],
            app.store,
            now,
            account=app.account_name,
            network=prepared.network,
            pending=hold,
        )
    total = 0.0
    for record, new in queued:
        note = "" if new else "  (already queued)"
        where = "" if len(chosen) == 1 else f"{record.network:<8} "
        click.echo(
            f"thread {record.id:>3}  {where}{record.key:<32} {_fmt(record.due_at, tz)}  "
            f"({_fmt(record.due_at, dt.UTC)})  ${record.cost_usd:.3f}{note}"
        )
        total += record.cost_usd if new else 0.0
    then = (
        "they wait for `threadbot approve` (see `threadbot queue`)"
        if hold
        else "`threadbot run` posts them"
    )
    click.echo(f"{sum(new for _, new in queued)} threads queued, ${total:.3f}; {then}")
    app.warn_example_identity(previews[0].article)


@click.command()
@tz_option
@format_option("text for people; json: {upcoming, recent, refused} with each thread's source.")
@html_option("Also write the queue as a calendar page (a week per row, in --tz).")
@config_option
@db_option
@pass_app
def queue(app: App, tz_name: str | None, output_format: str, html_path: str | None) -> None:
    """Upcoming threads by due time, then recent ones, in local time with status and URLs
    (one block per account when there are several)."""
    from bot.views.queue import queue_document, write_queue

    app.store_must_exist = True
    records = app.store.threads.summaries(scheduled_only=True)
    if html_path is not None:
        from pathlib import Path

        from bot.lifecycle import ThreadStatus
        from bot.views.calendar import write_calendar
        from bot.views.stats import numbers
        from threads.errors import InputError

        posted = {r.id: r.post_count for r in records if r.status == ThreadStatus.POSTED}
        latest = app.store.metrics.latest(posted)
        try:
            write_calendar(
                Path(html_path),
                records,
                app.store.feeds.refused(),
                app.zone(tz_name),
                dt.datetime.now(dt.UTC),
                links=app.links((r.account, r.network) for r in records),
                stats={
                    thread_id: numbers(posted[thread_id], snapshots)
                    for thread_id, snapshots in latest.items()
                },
            )
        except OSError as error:
            raise InputError(f"{html_path}: cannot write the page ({error.strerror})") from None
    if output_format == "json":
        import json

        refused = app.store.feeds.refused()
        links = app.links((r.account, r.network) for r in records)
        document = queue_document(records, refused, links=links, now=app.store.clock())
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    tz = app.zone(tz_name)
    write_queue(
        records,
        tz,
        sys.stdout,
        links=app.links((r.account, r.network) for r in records),
        now=app.store.clock(),
    )


@click.command()
@thread_argument()
@account_option
@config_option
@db_option
@pass_app
def cancel(app: App, thread: str, thread_network: str | None) -> None:
    """Take THREAD (its number or slug#N id) out of the queue (kept, marked cancelled)."""
    from bot.errors import StateConflictError
    from bot.lifecycle import ThreadStatus, check_cancel, lease_expired

    store = app.store
    thread_id = app.thread_id(thread, thread_network)
    record = store.threads.get(thread_id)
    now = store.clock()
    held = record.claimed_by is not None and not lease_expired(record.lease_until, now)
    check_cancel(thread_id, record.status, held=held)
    if not store.queue.transition(
        thread_id, ThreadStatus.CANCELLED, error="cancelled by the owner", lapsed_by=now
    ):
        raise StateConflictError(f"thread {thread_id} changed meanwhile: it was not cancelled")
    live = f" ({record.live_count} posts were already live)" if record.live_count else ""
    click.echo(f"thread {thread_id} cancelled{live}")


@click.command()
@thread_argument()
@click.option("--at", "at", required=True, metavar="DATETIME", help="The new due time.")
@tz_option
@now_option("Accept a past time: post when the daemon runs.")
@account_option
@config_option
@db_option
@pass_app
def reschedule(
    app: App,
    thread: str,
    thread_network: str | None,
    at: str,
    tz_name: str | None,
    allow_past: bool,
) -> None:
    """Give THREAD (its number or slug#N id) a new due time (also revives missed,
    failed or cancelled ones)."""
    from bot.errors import StateConflictError
    from bot.lifecycle import check_reschedule
    from bot.posting.scheduling import When, plan

    tz = app.zone(tz_name)
    thread_id = app.thread_id(thread, thread_network)
    record = app.store.threads.get(thread_id)
    check_reschedule(thread_id, record.status)
    now = dt.datetime.now(dt.UTC)
    (due,) = plan(When(at=at), 1, tz, now, app.store, allow_past=allow_past, account=record.account)
    if not app.store.queue.reschedule(thread_id, due):
        raise StateConflictError(f"thread {thread_id} changed meanwhile: it was not rescheduled")
    click.echo(f"thread {thread_id} due {_fmt(due, tz)} ({_fmt(due, dt.UTC)})")


@click.command()
@click.option(
    "--dry-run", is_flag=True, help="Print each thread at its due time instead of posting."
)
@click.option(
    "--max-threads",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Post at most N threads at once, each of a different account (default: one per "
    "configured account, up to 4).",
)
@no_link_check_option
@config_option
@db_option
@pass_app
def run(app: App, dry_run: bool, max_threads: int | None) -> None:
    """Run the scheduler daemon: post queued threads on time until SIGTERM/SIGINT.

    Threads queued from other processes are picked up within [schedule] poll_seconds.
    Threads that fell due while it was down are posted if within [schedule]
    grace_minutes, otherwise marked missed. Reads each posted thread's numbers at
    [stats] after (1h, 24h, 7d). Logs one line per event on stderr, each naming the
    daemon. Several daemons may share one PostgreSQL store, on one machine
    or several: each thread is posted by one of them, each account's threads in order.
    The store's schema must be this threadbot's (`threadbot db upgrade`).
    """
    import logging

    from bot import __version__
    from bot.lifecycle import Owner
    from bot.logs import label_process
    from bot.posting.daemon import Daemon

    loaded = app.settings
    options = loaded.settings.schedule
    tz = app.zone(options.timezone)
    factory = None
    app.store_schema = "exact"
    threads_at_once = max_threads or min(4, len(loaded.account_names))
    # Each thread in flight uses two connections (posting, lease heartbeat); plus sync.
    app.store_connections = 2 * threads_at_once + 2
    store = app.store
    if not dry_run:
        # Fail now on missing credentials of an account with threads queued, not at the
        # due time (an account with nothing queued is checked when it first has).
        _, queued = store.queue.lanes()
        default = loaded.account(None)
        for name, network in sorted(queued or {(default.name, n) for n in default.networks}):
            app.client_for(name, network)
        factory = app.publisher_for
    owner = Owner.this_process()
    label_process(owner.id)
    daemon_log = logging.getLogger("threadbot")
    if daemon_log.level > logging.INFO or daemon_log.level == logging.NOTSET:
        daemon_log.setLevel(logging.INFO)
    from bot.feeds.polling import poll_due
    from bot.posting.stats import CHECK_SECONDS, StatsCollector

    feed_settings = app.feed_settings()
    Daemon(
        store,
        factory,
        dry_run=dry_run,
        grace=dt.timedelta(minutes=options.grace_minutes),
        grace_by_account={
            name: dt.timedelta(minutes=loaded.account(name).grace_minutes)
            for name in loaded.account_names
        },
        poll_seconds=options.poll_seconds,
        out=sys.stdout,
        clock=store.clock,
        zone=tz,
        owner=owner,
        feed_poller=lambda now: poll_due(store, feed_settings, now),
        feed_check_seconds=loaded.settings.feeds.check_seconds,
        max_threads=threads_at_once,
        version=__version__,
        stats_collector=StatsCollector(store, app.new_client, loaded),
        stats_check_seconds=CHECK_SECONDS,
    ).run()
