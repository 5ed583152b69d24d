"""The owner's say before anything posts: ``approve`` and ``reject`` threads held as
``pending`` (``feed add --approve``, ``[feeds] approve``, ``schedule --approve``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli.app import App, pass_app
from bot.cli.options import (
    account_option,
    config_option,
    db_option,
    now_option,
    thread_argument,
    tz_option,
)

if TYPE_CHECKING:
    from bot.store import ThreadRecord


def _pending(
    app: App, threads: tuple[str, ...], network: str | None, feed: str | None, every: bool
) -> list[ThreadRecord]:
    """The pending threads named: THREAD…, every one (--all), or a feed's (--feed)."""
    from bot.errors import InputError
    from bot.lifecycle import ThreadStatus

    store = app.store
    if sum((bool(threads), every, feed is not None)) != 1:
        raise InputError("say which: THREAD…, --all, or --feed URL (one of them)")
    if threads:
        return [store.threads.get(app.thread_id(thread, network)) for thread in threads]
    summaries = [
        record
        for record in store.threads.summaries(scheduled_only=True)
        if record.status == ThreadStatus.PENDING
        and (app.account is None or record.account == app.account)
        and (network is None or record.network == network)
    ]
    if feed is not None:
        followed = store.feeds.get(feed)
        if followed is None:
            raise InputError(f"{feed} is not followed: `threadbot feed list` shows the feeds")
        articles = {url for url, _ in store.feeds.queued_entries().get(followed.id, [])}
        summaries = [record for record in summaries if record.article in articles]
    return [store.threads.get(record.id) for record in summaries]


@click.command()
@thread_argument(required=False, nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every thread waiting for approval.")
@click.option("--feed", metavar="URL", help="Every pending thread of this followed feed.")
@click.option("--at", "at", metavar="DATETIME", help="Post at this time instead of its slot.")
@now_option("With --at: accept a past time (post as soon as a daemon runs).")
@tz_option
@account_option
@config_option
@db_option
@pass_app
def approve(
    app: App,
    thread: tuple[str, ...],
    thread_network: str | None,
    every: bool,
    feed: str | None,
    at: str | None,
    allow_past: bool,
    tz_name: str | None,
) -> None:
    """Let pending THREADs post at their slot; one whose slot has passed takes the
    next free slot (its feed's slots, else [feeds] slots).

    THREAD is a number or the slug#N id `queue` shows. Exit 1 when one named was not
    pending (the others are approved).
    """
    from bot.lifecycle import UPCOMING, ThreadStatus
    from bot.posting.planning import next_slots, parse_slots
    from bot.views.queue import when
    from threads.errors import ThreadbotError

    store = app.store
    chosen = _pending(app, thread, thread_network, feed, every)
    if not chosen:
        click.echo("nothing waits for approval")
        return
    now = store.clock()
    feeds = {record.id: record for record in store.feeds.all()}
    entries = store.feeds.queued_entries()
    refused = 0
    for record in chosen:
        tz = app.zone(tz_name)
        if record.status != ThreadStatus.PENDING:
            click.echo(f"thread {record.id} is {record.status}, not pending: left as it is")
            refused += 1
            continue
        due = record.due_at
        note = ""
        if at is not None:
            from bot.posting.scheduling import When, plan

            (due,) = plan(
                When(at=at), 1, tz, now, store, allow_past=allow_past, account=record.account
            )
        elif due is None or due < now:
            source = next(
                (
                    feeds[feed_id]
                    for feed_id, queued in entries.items()
                    if feed_id in feeds and any(url == record.article for url, _ in queued)
                ),
                None,
            )
            slots = (source.slots if source else None) or app.settings.settings.feeds.slots
            if source is not None and source.timezone and tz_name is None:
                from zoneinfo import ZoneInfo

                tz = ZoneInfo(source.timezone)
            taken = [
                queued.due_at
                for queued in store.queue.due(*UPCOMING, ThreadStatus.PENDING)
                if queued.due_at is not None and queued.account == record.account
            ]
            (due,) = next_slots(parse_slots(slots), tz, now, 1, taken)
            note = "  (its slot had passed: the next free one)"
        if store.queue.decide(record.id, approved=True, due_at=due):
            click.echo(f"thread {record.id} approved: {record.key} due {when(due, tz)}{note}")
        else:
            click.echo(f"thread {record.id} changed meanwhile: not approved")
            refused += 1
    if refused:
        raise ThreadbotError(f"{refused} of {len(chosen)} threads were not pending")


@click.command()
@thread_argument(nargs=-1)
@account_option
@config_option
@db_option
@pass_app
def reject(app: App, thread: tuple[str, ...], thread_network: str | None) -> None:
    """Cancel pending THREADs (kept, marked cancelled; `reschedule` revives one).

    Exit 1 when one named was not pending (the others are rejected)."""
    from threads.errors import ThreadbotError

    refused = 0
    for record in _pending(app, thread, thread_network, None, False):
        if app.store.queue.decide(record.id, approved=False, due_at=None):
            click.echo(f"thread {record.id} rejected: {record.key}")
        else:
            click.echo(f"thread {record.id} is {record.status}, not pending: left as it is")
            refused += 1
    if refused:
        raise ThreadbotError(f"{refused} of {len(thread)} threads were not pending")
