"""CLI commands for the queue and the daemon: schedule, queue, cancel, reschedule, run."""

from __future__ import annotations

import datetime as dt
import sys

import click

from bot.cli_common import (
    EXIT_OK,
    config_option,
    db_option,
    prepare_article,
    publisher_for,
    refuse_unpostable,
    reported_errors,
    section_option,
    tz_option,
)


def _fmt(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


@click.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@click.option("--at", "at", metavar="DATETIME", help="Post every chosen thread at this time.")
@click.option("--start", metavar="DATETIME", help="First thread at this time ...")
@click.option("--every", metavar="DURATION", help="... and the next ones this far apart (1d, 12h).")
@click.option("--slots", metavar="SPEC", help="Next free slots, e.g. 'Mon-Fri 09:00,18:00'.")
@tz_option
@click.option(
    "--now", "allow_past", is_flag=True, help="Accept past times: post them when the daemon runs."
)
@config_option
@db_option
def schedule(
    article: str,
    section: str | None,
    at: str | None,
    start: str | None,
    every: str | None,
    slots: str | None,
    tz_name: str | None,
    allow_past: bool,
    config_path: str | None,
    db: str | None,
) -> None:
    """Queue ARTICLE's threads for `threadbot run` and print the plan.

    Validates first and refuses on errors. Times are in --tz (default: [schedule]
    timezone); whole-day intervals keep the local time across daylight-saving changes.
    """
    from bot.planning import zone
    from bot.runtime import open_store
    from bot.scheduling import When, plan, queue_threads

    with reported_errors():
        loaded, prepared = prepare_article(article, section, config_path, for_posting=True)
    refuse_unpostable(prepared, "scheduled")
    with reported_errors():
        tz = zone(tz_name or loaded.settings.schedule.timezone)
        store = open_store(loaded, db)
        now = dt.datetime.now(dt.UTC)
        when = When(at=at, start=start, every=every, slots=slots)
        times = plan(when, len(prepared.threads), tz, now, store, allow_past=allow_past)
        queued = queue_threads(prepared, times, store, now)
    total = 0.0
    for record, new in queued:
        note = "" if new else "  (already queued)"
        click.echo(
            f"thread {record.id:>3}  {record.key:<32} {_fmt(record.due_at, tz)}  "
            f"({_fmt(record.due_at, dt.UTC)})  ${record.cost_usd:.3f}{note}"
        )
        total += record.cost_usd if new else 0.0
    click.echo(
        f"{sum(new for _, new in queued)} threads queued, ${total:.3f}; `threadbot run` posts them"
    )
    sys.exit(EXIT_OK)


@click.command()
@tz_option
@config_option
@db_option
def queue(tz_name: str | None, config_path: str | None, db: str | None) -> None:
    """Upcoming threads by due time, then recent ones, in local time with status and URLs."""
    from bot.planning import zone
    from bot.runtime import open_store
    from bot.settings import load_settings
    from bot.x_client import post_url

    with reported_errors():
        loaded = load_settings(config_path)
        tz = zone(tz_name or loaded.settings.schedule.timezone)
        store = open_store(loaded, db)
        upcoming = store.schedule_rows("scheduled", "deferred", "posting")
        recent = [
            t
            for t in store.all_threads()
            if t.due_at and t.status not in ("scheduled", "deferred", "posting")
        ]
    username = store.get_meta("x_username")
    click.echo("upcoming:" if upcoming else "upcoming: none")
    for record in upcoming:
        when = (
            record.not_before
            if record.status == "deferred" and record.not_before
            else record.due_at
        )
        click.echo(f"  {record.id:>4}  {_fmt(when, tz)}  {record.status:<9} {record.key}")
    click.echo("recent:" if recent else "recent: none")
    for thread in recent[-20:]:
        first = thread.tweets[0].x_id if thread.tweets else None
        link = post_url(username, first) if username and first else ""
        line = f"  {thread.id:>4}  {_fmt(thread.due_at, tz)}  {thread.status:<9} {thread.key}"
        click.echo(f"{line}  {link}" if link else line)
        if thread.last_error and thread.status in ("failed", "missed"):
            click.echo(f"        {thread.last_error}")
    sys.exit(EXIT_OK)


@click.command()
@click.argument("thread_id", type=int)
@config_option
@db_option
def cancel(thread_id: int, config_path: str | None, db: str | None) -> None:
    """Take thread THREAD_ID out of the queue (it is kept, marked cancelled)."""
    from bot.errors import PublishError
    from bot.runtime import open_store
    from bot.settings import load_settings

    with reported_errors():
        store = open_store(load_settings(config_path), db)
        record = store.get(thread_id)
        if record.status in ("posting", "posted"):
            raise PublishError(f"thread {thread_id} is {record.status}: it cannot be cancelled")
        store.set_thread_status(thread_id, "cancelled", error="cancelled by the owner")
    live = f" ({record.live_count} tweets were already live)" if record.live_count else ""
    click.echo(f"thread {thread_id} cancelled{live}")
    sys.exit(EXIT_OK)


@click.command()
@click.argument("thread_id", type=int)
@click.option("--at", "at", required=True, metavar="DATETIME", help="The new due time.")
@tz_option
@click.option(
    "--now", "allow_past", is_flag=True, help="Accept a past time: post when the daemon runs."
)
@config_option
@db_option
def reschedule(
    thread_id: int,
    at: str,
    tz_name: str | None,
    allow_past: bool,
    config_path: str | None,
    db: str | None,
) -> None:
    """Give thread THREAD_ID a new due time (also revives missed, failed or cancelled ones)."""
    from bot.errors import PublishError
    from bot.planning import zone
    from bot.runtime import open_store
    from bot.scheduling import When, plan
    from bot.settings import load_settings

    with reported_errors():
        loaded = load_settings(config_path)
        tz = zone(tz_name or loaded.settings.schedule.timezone)
        store = open_store(loaded, db)
        record = store.get(thread_id)
        if record.status in ("posting", "posted"):
            raise PublishError(f"thread {thread_id} is {record.status}: it cannot be rescheduled")
        now = dt.datetime.now(dt.UTC)
        (due,) = plan(When(at=at), 1, tz, now, store, allow_past=allow_past)
        store.reschedule(thread_id, due)
    click.echo(f"thread {thread_id} due {_fmt(due, tz)} ({_fmt(due, dt.UTC)})")
    sys.exit(EXIT_OK)


@click.command()
@click.option(
    "--dry-run", is_flag=True, help="Print each thread at its due time instead of posting."
)
@config_option
@db_option
def run(dry_run: bool, config_path: str | None, db: str | None) -> None:
    """Run the scheduler daemon: post queued threads on time until SIGTERM/SIGINT.

    Threads queued from other processes are picked up within [schedule] poll_seconds.
    Threads that fell due while it was down are posted if within [schedule]
    grace_minutes, otherwise marked missed. Logs one line per event on stderr.
    """
    import logging

    from bot.daemon import Daemon
    from bot.planning import zone
    from bot.runtime import open_store
    from bot.settings import load_settings

    with reported_errors():
        loaded = load_settings(config_path)
        options = loaded.settings.schedule
        tz = zone(options.timezone)
        store = open_store(loaded, db)
        factory = None
        if not dry_run:
            publisher_for(loaded, db)  # fail now on missing credentials, not at the due time

            def factory(stop):  # type: ignore[no-untyped-def]
                return publisher_for(loaded, db, stop)

        daemon_log = logging.getLogger("threadbot")
        if daemon_log.level > logging.INFO or daemon_log.level == logging.NOTSET:
            daemon_log.setLevel(logging.INFO)
        Daemon(
            store,
            factory,
            dry_run=dry_run,
            grace=dt.timedelta(minutes=options.grace_minutes),
            poll_seconds=options.poll_seconds,
            out=sys.stdout,
            zone=tz,
        ).run()
    sys.exit(EXIT_OK)
