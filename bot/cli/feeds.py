"""`threadbot feed …`: preview a feed, follow feeds, list, remove and check them."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys

import click

from bot.cli.app import App, pass_app
from bot.cli.options import (
    account_option,
    config_option,
    db_option,
    format_option,
    networks_option,
    tz_option,
)
from threads.errors import ThreadbotError

_SECTIONS = re.compile(r"^(digest|all|first|[1-9][0-9]*)$")


def _sections(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not _SECTIONS.match(value):
        raise click.BadParameter("use digest, all, first, or a number of sections")
    return value


@click.group()
def feed() -> None:
    """Follow your blog's feeds: each new post's threads are validated and queued."""


@feed.command("preview")
@click.argument("source", metavar="FEED")
@format_option("text for people; json: {feed, entries: [{id, title, url, published, threads, …}]}.")
@click.option(
    "--no-fetch", is_flag=True, help="Use only the feed's text (full content, else the summary)."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the N newest entries."
)
@config_option
@pass_app
def preview_command(
    app: App, source: str, output_format: str, no_fetch: bool, limit: int | None
) -> None:
    """Every entry of FEED (a file or an http(s) URL), newest first, with its threads.

    Posts nothing, stores nothing. Exit 1 if an entry has validation errors.
    """
    from bot.feeds.preview import preview_feed
    from bot.views.feeds import feed_preview_document, write_feed_preview

    settings = app.feed_settings()
    preview = preview_feed(
        source,
        settings.options,
        settings.templates,
        fetch_pages=not no_fetch,
        limit=limit,
        config_path=settings.config_path,
    )
    if output_format == "json":
        click.echo(json.dumps(feed_preview_document(preview), ensure_ascii=False, indent=2))
    else:
        write_feed_preview(preview, sys.stdout)
    if preview.has_errors:
        raise ThreadbotError("an entry has validation errors: it would not be queued")


@feed.command("add")
@click.argument("url")
@click.option(
    "--slots", metavar="SPEC", help="Posting slots, e.g. 'Mon-Fri 09:00' (default: [feeds] slots)."
)
@tz_option
@click.option(
    "--sections",
    default="digest",
    show_default=True,
    callback=_sections,
    help="What a new post becomes: digest (one thread for the whole post, so each post "
    "is promoted once), or threads of all, the first, or the first N sections.",
)
@click.option(
    "--backfill",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Queue the N newest posts already in the feed (default: none, no flood).",
)
@click.option(
    "--poll-minutes", type=click.FloatRange(min=1), default=None, help="Poll this feed this often."
)
@click.option(
    "--approve/--no-approve",
    default=None,
    help="Queue its threads as pending, posted only after `threadbot approve` "
    "(default: [feeds] approve, false).",
)
@networks_option
@account_option
@config_option
@db_option
@pass_app
def add(
    app: App,
    url: str,
    slots: str | None,
    tz_name: str | None,
    sections: str,
    backfill: int,
    poll_minutes: float | None,
    approve: bool | None,
    networks: tuple[str, ...] | None,
) -> None:
    """Follow the feed at URL. What it holds now is marked seen; new posts are queued."""
    from bot.posting.planning import parse_slots

    if slots is not None:
        parse_slots(slots)  # a bad spec is refused now, not at the first poll
    tz = app.zone(tz_name)
    record = app.store.feeds.add(
        url,
        slots=slots,
        timezone=tz_name and str(tz),
        sections=sections,
        backfill=backfill,
        poll_minutes=poll_minutes,
        now=dt.datetime.now(dt.UTC),
        account=app.account_name if app.account else None,
        networks=",".join(networks) if networks else None,
        approve=approve,
    )
    held = approve if approve is not None else app.settings.settings.feeds.approve
    click.echo(
        f"following {record.url}: `threadbot run` checks it every "
        f"{poll_minutes or app.settings.settings.feeds.poll_minutes:g} min"
        f"{f', queueing the {backfill} newest posts' if backfill else ''}"
        f"{' for your approval (`threadbot approve`)' if held else ''}; "
        "`threadbot feed check` checks it now"
    )


@feed.command("list")
@format_option("text for people; json: {feeds: [{url, title, last_checked, …}]}.")
@tz_option
@config_option
@db_option
@pass_app
def list_command(app: App, output_format: str, tz_name: str | None) -> None:
    """Followed feeds: last check and result, next check, entries seen/queued/refused."""
    from bot.views.feeds import feed_list_document, horizons, write_feed_list

    store = app.store
    feeds = store.feeds.all()
    now = dt.datetime.now(dt.UTC)
    threads = ((t.article, t.due_at) for t in store.threads.summaries())
    reach = horizons(feeds, store.feeds.queued_entries(), threads, now)
    if output_format == "json":
        click.echo(json.dumps(feed_list_document(feeds, reach), ensure_ascii=False, indent=2))
        return
    write_feed_list(feeds, app.zone(tz_name), sys.stdout, now, reach)


@feed.command("remove")
@click.argument("url")
@config_option
@db_option
@pass_app
def remove(app: App, url: str) -> None:
    """Stop following URL (threads already queued from it stay queued)."""
    from bot.errors import StateConflictError

    if not app.store.feeds.remove(url):
        raise StateConflictError(f"{url} is not followed: `threadbot feed list` shows the feeds")
    click.echo(f"stopped following {url}")


@feed.command("check")
@click.argument("url", required=False)
@click.option("--dry-run", is_flag=True, help="Print what would be queued; store nothing.")
@config_option
@db_option
@pass_app
def check(app: App, url: str | None, dry_run: bool) -> None:
    """Poll followed feeds now (or only URL) and print what was queued, or would be."""
    from bot.errors import StateConflictError
    from bot.feeds.polling import poll_safely

    settings = app.feed_settings()
    feeds = app.store.feeds.all()
    if url is not None:
        feeds = [f for f in feeds if f.url == url]
        if not feeds:
            raise StateConflictError(f"{url} is not followed: `threadbot feed add {url}` first")
    now = dt.datetime.now(dt.UTC)
    for record in feeds:
        report = poll_safely(app.store, record, settings, now, dry_run=dry_run)
        verb = "would queue" if dry_run else "queued"
        click.echo(f"{record.url}: {report.result}")
        for entry, planned in report.queued:
            click.echo(f"  {verb} {entry.title}: {len(planned)} thread(s)")
            for thread, due in planned:
                local = due.astimezone(app.zone(record.timezone))
                click.echo(f"    {thread.id}  {local:%Y-%m-%d %H:%M %Z}")
        for entry, reason in report.refused:
            click.echo(f"  refused {entry.title}: {reason}")
        for entry in report.waiting:
            click.echo(f"  waiting {entry.title}: dated {entry.published:%Y-%m-%d %H:%M %Z}")
        for entry in report.edited:
            click.echo(f"  edited since seen (not queued again): {entry.title}")
        if report.seen:
            click.echo(f"  {report.seen} entries marked seen (present when the feed was added)")
