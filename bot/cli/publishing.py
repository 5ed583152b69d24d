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
    app.refuse_unpostable(prepared, "posted")
    app.publish(prepared)


@click.command()
@thread_argument()
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
@click.option("--online", is_flag=True, help="Also verify the credentials with X (one call).")
@account_option
@config_option
@pass_app
@click.pass_context
def check(ctx: click.Context, app: App, online: bool) -> None:
    """Check the config, templates and links are ready for posting.

    Placeholder links are errors here. With --online, one GET /2/users/me verifies
    the credentials and prints the account's handle.
    """
    from bot.views.findings import write_findings
    from threads.templates import TemplateSet
    from threads.validation import link_findings

    loaded = app.settings
    click.echo(f"config: {loaded.path}: ok")
    TemplateSet(loaded.templates_path)
    click.echo(f"templates: {loaded.templates_path}: ok")
    findings = link_findings(loaded.build_options, str(loaded.path), for_posting=True)
    if findings:
        write_findings(findings, sys.stdout)
    else:
        click.echo("links: ok")
    if online:
        account = app.client_for(app.account_name, "x").me()
        click.echo(f"credentials: ok, posting as @{account.username}")
    if findings:
        ctx.exit(1)
