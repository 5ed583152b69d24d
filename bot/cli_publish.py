"""CLI commands that post or inspect posting: publish, resume, status, check."""

from __future__ import annotations

import sys

import click

from bot.cli_common import (
    EXIT_OK,
    EXIT_VALIDATION,
    announce,
    config_option,
    db_option,
    prepare_article,
    print_posted,
    publisher_for,
    refuse_unpostable,
    reported_errors,
    section_option,
    x_client,
)


@click.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print exactly what would be posted; touch neither X nor the store.",
)
@config_option
@db_option
def publish(
    article: str,
    section: str | None,
    dry_run: bool,
    config_path: str | None,
    db: str | None,
) -> None:
    """Post ARTICLE's threads to X (each tweet a reply to the one before), exactly once.

    Validates first and refuses on errors (placeholder links are errors here). Prints
    each tweet's URL as it goes live. If posting stops (crash, network, X's limits),
    `threadbot resume THREAD_ID` continues from the first tweet not yet live.
    """
    from bot.rendering import write_text

    with reported_errors():
        loaded, prepared = prepare_article(article, section, config_path, for_posting=True)
    if dry_run:
        click.echo("dry run: these are the exact posts; nothing is sent or stored")
        write_text(prepared, sys.stdout, color=False)
        sys.exit(EXIT_OK if prepared.postable else EXIT_VALIDATION)
    refuse_unpostable(prepared, "posted")
    with reported_errors():
        from bot.runtime import publish_prepared

        publish_prepared(prepared, publisher_for(loaded, db), announce, print_posted)
    sys.exit(EXIT_OK)


@click.command()
@click.argument("thread_id", type=int)
@config_option
@db_option
def resume(thread_id: int, config_path: str | None, db: str | None) -> None:
    """Continue posting thread THREAD_ID from the first tweet not yet live.

    Tweets whose fate is unknown (the process died mid-request) are first looked up
    on X, so nothing is posted twice.
    """
    from bot.settings import load_settings

    with reported_errors():
        loaded = load_settings(config_path)
        publisher = publisher_for(loaded, db)
        record = publisher.store.get(thread_id)
        if record.status != "posted":
            publisher.check_remaining(record)
        announce(record)
        publisher.publish(thread_id, print_posted)
    sys.exit(EXIT_OK)


@click.command()
@click.argument("thread_id", type=int, required=False)
@config_option
@db_option
def status(thread_id: int | None, config_path: str | None, db: str | None) -> None:
    """List stored threads (or one) with status, tweet URLs, errors and spend."""
    from bot.rendering import write_status
    from bot.runtime import open_store
    from bot.settings import load_settings

    with reported_errors():
        loaded = load_settings(config_path)
        store = open_store(loaded, db)
        records = [store.get(thread_id)] if thread_id is not None else store.all_threads()
        prices = loaded.settings.prices
        write_status(records, store, prices, sys.stdout, detail=thread_id is not None)
    sys.exit(EXIT_OK)


@click.command()
@click.option("--online", is_flag=True, help="Also verify the credentials with X (one call).")
@config_option
def check(online: bool, config_path: str | None) -> None:
    """Check the config, templates and links are ready for posting.

    Placeholder links are errors here. With --online, one GET /2/users/me verifies
    the credentials and prints the account's handle.
    """
    from bot.rendering import write_findings
    from bot.settings import load_settings
    from threads.templates import TemplateSet
    from threads.validation import link_findings

    with reported_errors():
        loaded = load_settings(config_path)
        click.echo(f"config: {loaded.path}: ok")
        TemplateSet(loaded.templates_path)
        click.echo(f"templates: {loaded.templates_path}: ok")
        findings = link_findings(loaded.build_options, str(loaded.path), for_posting=True)
        if findings:
            write_findings(findings, sys.stdout)
        else:
            click.echo("links: ok")
        if online:
            account = x_client(loaded).me()
            click.echo(f"credentials: ok, posting as @{account.username}")
    sys.exit(EXIT_VALIDATION if findings else EXIT_OK)
