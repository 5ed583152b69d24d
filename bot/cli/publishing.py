"""Commands that post or inspect posting: publish, resume, status, check."""

from __future__ import annotations

import sys

import click

from bot.cli.app import App, announce, pass_app, posting_until_interrupted, print_posted
from bot.cli.options import (
    account_option,
    config_option,
    db_option,
    digest_option,
    no_link_check_option,
    section_option,
    thread_argument,
)


@click.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@digest_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print exactly what would be posted; touch neither X nor the store.",
)
@click.option(
    "--network",
    type=click.Choice(["x", "bluesky", "mastodon"]),
    default="x",
    show_default=True,
    help="Post to this network, split by its rules.",
)
@no_link_check_option
@account_option
@config_option
@db_option
@pass_app
@click.pass_context
def publish(
    ctx: click.Context,
    app: App,
    article: str,
    section: str | None,
    digest: bool,
    dry_run: bool,
    network: str,
) -> None:
    """Post ARTICLE's threads to X (each tweet a reply to the one before), exactly once.

    Validates first and refuses on errors (placeholder links are errors here). Prints
    each tweet's URL as it goes live. If posting stops (crash, network, X's limits),
    `threadbot resume THREAD_ID` continues from the first tweet not yet live.
    """
    prepared = app.prepare(article, section, for_posting=True, network=network, digest=digest)
    if dry_run:
        from bot.views.preview_text import write_text

        click.echo("dry run: these are the exact posts; nothing is sent or stored")
        limit = app.length_rule(network, online=False).limit
        write_text(prepared, sys.stdout, color=False, limit=limit)
        if not prepared.postable:
            ctx.exit(1)
        return
    prepared = app.checked_links(prepared)
    app.refuse_unpostable(prepared, "posted")
    app.warn_example_identity(prepared.article)
    app.publish(prepared)


@click.command()
@thread_argument()
@no_link_check_option
@account_option
@config_option
@db_option
@pass_app
def resume(app: App, thread: str, thread_network: str | None) -> None:
    """Continue posting THREAD (its number or slug#N id) from the first tweet not yet live.

    Tweets whose fate is unknown (the process died mid-request) are first looked up
    on the network, so nothing is posted twice. A thread another process is posting is
    waited for until its lease expires; one whose process was stopped (Ctrl-C) or
    killed gave its claim back or let it lapse, and resumes at once. Ctrl-C stops it
    again after the post in flight (exit 130).
    """
    from bot.lifecycle import ThreadStatus

    thread_id = app.thread_id(thread, thread_network)
    record = app.store.threads.get(thread_id)
    publisher = app.publisher_for(record.account, network=record.network)
    if record.status != ThreadStatus.POSTED:
        publisher.check_remaining(record)
    announce(record)
    with posting_until_interrupted(publisher):
        publisher.publish(thread_id, print_posted, wait_for_lease=True)


@click.command()
@thread_argument(required=False)
@account_option
@config_option
@db_option
@pass_app
def status(app: App, thread: str | None, thread_network: str | None) -> None:
    """List stored threads (or one) with status, tweet URLs, errors and spend, grouped by
    account when there are several."""
    from bot.views.status import write_status

    app.store_must_exist = True
    store = app.store
    thread_id = app.thread_id(thread, thread_network) if thread is not None else None
    records = [store.threads.get(thread_id)] if thread_id is not None else store.threads.summaries()
    accounts = [r.account for r in records]
    write_status(
        records,
        app.spend(accounts),
        sys.stdout,
        links=app.links((r.account, r.network) for r in records),
        detail=thread_id is not None,
        now=store.clock(),
    )


@click.command()
@click.option(
    "--online",
    is_flag=True,
    help="Also log in to every network the account posts to, and fetch its links live.",
)
@account_option
@config_option
@pass_app
@click.pass_context
def check(ctx: click.Context, app: App, online: bool) -> None:
    """Check the config, templates and links are ready for posting.

    Placeholder links are errors here; the shipped example's identity is a warning.
    With --online, each network the account posts to (its `networks`) is asked who
    the credentials belong to (one call each), and the blog and about links are fetched
    live. Exit 1 when something is not ready.
    """

    from bot.views.findings import write_findings
    from threads.templates import TemplateSet
    from threads.validation import identity_findings, link_findings

    loaded = app.settings
    click.echo(f"config: {loaded.path}: ok")
    TemplateSet(loaded.templates_path)
    click.echo(f"templates: {loaded.templates_path}: ok")
    options = loaded.account(app.account).build_options
    findings = link_findings(options, str(loaded.path), for_posting=True)
    findings += identity_findings(options, str(loaded.path))
    failed = any(finding.severity == "error" for finding in findings)
    if findings:
        write_findings(findings, sys.stdout)
    else:
        click.echo("links: ok")
    if online:
        failed |= _check_online(app)
    if failed:
        ctx.exit(1)


def _check_online(app: App) -> bool:
    """Log in to each of the account's networks and fetch its links; whether any failed."""
    import datetime as dt

    from bot.posting.links import LinkGate, without_utm
    from threads.errors import ThreadbotError

    failed = False
    for network in app.settings.account(app.account).networks:
        try:
            account = app.client_for(app.account_name, network).me()
        except ThreadbotError as error:
            click.echo(f"{network}: not ready: {error}")
            failed = True
        else:
            click.echo(f"{network}: credentials ok, posting as @{account.username}")
    if not app.settings.settings.links.check:
        click.echo("links: not fetched ([links] check = false)")
        return failed
    site = app.settings.account(app.account).build_options.site
    urls = [without_utm(url) for url in (site.blog_url, site.about_url) if url]
    gate = LinkGate(
        site_urls=urls,
        daily=frozenset(),
        recheck=dt.timedelta(0),
        timeout=app.settings.settings.links.timeout_seconds,
    )
    for check in gate.checks(urls, dt.datetime.now(dt.UTC)):
        if check.ok:
            card = f" ({check.card_warning})" if check.card_warning else ""
            click.echo(f"link {check.url}: answers{card}")
        else:
            click.echo(f"link {check.url}: {check.reason}")
            failed = True
    return failed
