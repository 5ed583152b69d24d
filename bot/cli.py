"""The ``threadbot`` command line. All CLI code lives here; the work lives elsewhere.

Exit codes: 0 done (warnings allowed), 1 validation errors or posting stopped, 2 bad
usage or input. Heavy imports (tweepy, SQLAlchemy) happen inside the commands that
need them, so ``preview`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot import __version__
from threads.errors import InputError, ThreadbotError

if TYPE_CHECKING:
    from bot.settings import LoadedSettings
    from bot.store import ThreadRecord
    from threads.pipeline import Prepared

EXIT_OK = 0
EXIT_VALIDATION = 1
EXIT_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn threadbot's errors into one line on stderr and the documented exit code."""
    try:
        yield
    except InputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INPUT)
    except ThreadbotError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_VALIDATION)


def config_option(function: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Config file (default: $THREADBOT_CONFIG, else config/threadbot.toml).",
    )(function)


def db_option(function: F) -> F:
    return click.option(
        "--db",
        default=None,
        metavar="PATH|URL",
        help="State store (default: $THREADBOT_DB, else [store] path, else the user data dir).",
    )(function)


def section_option(function: F) -> F:
    return click.option(
        "--section",
        metavar="N|HEADING",
        default=None,
        help="Only this section: its number (1 = first) or part of its heading.",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="threadbot")
@click.option(
    "-v", "--verbose", count=True, help="-v: log each event; -vv: debug (secrets redacted)."
)
def cli(verbose: int) -> None:
    """Turn blog articles into X threads: preview them, validate them, post them."""
    from bot.logs import configure_logging

    configure_logging(verbose)


def _prepare(
    article: str, section: str | None, config_path: str | None, *, for_posting: bool
) -> tuple[LoadedSettings, Prepared]:
    from bot.settings import load_settings
    from threads.pipeline import prepare
    from threads.templates import TemplateSet

    loaded = load_settings(config_path)
    templates = TemplateSet(loaded.templates_path)
    prepared = prepare(
        article,
        loaded.build_options,
        templates,
        section=section,
        config_path=str(loaded.path),
        for_posting=for_posting,
    )
    return loaded, prepared


@cli.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: panels for people; json: the documented machine-readable document.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Force colours on or off (default: on for a terminal).",
)
@config_option
def preview(
    article: str,
    section: str | None,
    output_format: str,
    color: bool | None,
    config_path: str | None,
) -> None:
    """Show the threads ARTICLE becomes, with lengths, costs and findings. Posts nothing.

    Exits 0 when the threads could be posted (warnings allowed), 1 when validation
    found errors, 2 when the article, config or templates are unusable.
    """
    from bot.rendering import write_json, write_text

    with _reported_errors():
        _, prepared = _prepare(article, section, config_path, for_posting=False)
    if output_format == "json":
        write_json(prepared, sys.stdout)
    else:
        write_text(prepared, sys.stdout, color=color)
    sys.exit(EXIT_OK if prepared.postable else EXIT_VALIDATION)


@cli.command()
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
    from bot.rendering import write_findings, write_text

    with _reported_errors():
        loaded, prepared = _prepare(article, section, config_path, for_posting=True)
    if dry_run:
        click.echo("dry run: these are the exact posts; nothing is sent or stored")
        write_text(prepared, sys.stdout, color=False)
        sys.exit(EXIT_OK if prepared.postable else EXIT_VALIDATION)
    if not prepared.postable:
        write_findings(prepared.findings, sys.stderr)
        click.echo("error: validation found errors: nothing was posted", err=True)
        sys.exit(EXIT_VALIDATION)
    with _reported_errors():
        publisher = _publisher(loaded, db)
        from bot.runtime import publish_prepared

        publish_prepared(prepared, publisher, _announce, _print_posted)
    sys.exit(EXIT_OK)


@cli.command()
@click.argument("thread_id", type=int)
@config_option
@db_option
def resume(thread_id: int, config_path: str | None, db: str | None) -> None:
    """Continue posting thread THREAD_ID from the first tweet not yet live.

    Tweets whose fate is unknown (the process died mid-request) are first looked up
    on X, so nothing is posted twice.
    """
    from bot.settings import load_settings

    with _reported_errors():
        loaded = load_settings(config_path)
        publisher = _publisher(loaded, db)
        record = publisher.store.get(thread_id)
        remaining = [(t.text, t.has_url) for t in record.tweets if t.status != "posted"]
        if record.status != "posted":
            publisher.check_budget(remaining)
        _announce(record)
        publisher.publish(thread_id, _print_posted)
    sys.exit(EXIT_OK)


@cli.command()
@click.argument("thread_id", type=int, required=False)
@config_option
@db_option
def status(thread_id: int | None, config_path: str | None, db: str | None) -> None:
    """List stored threads (or one) with status, tweet URLs, errors and spend."""
    from bot.rendering import write_status
    from bot.runtime import open_store
    from bot.settings import load_settings

    with _reported_errors():
        loaded = load_settings(config_path)
        store = open_store(loaded, db)
        records = [store.get(thread_id)] if thread_id is not None else store.all_threads()
        write_status(
            records, store, loaded.settings.prices, sys.stdout, detail=thread_id is not None
        )
    sys.exit(EXIT_OK)


@cli.command()
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

    with _reported_errors():
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
            client = _client(loaded)
            account = client.me()
            click.echo(f"credentials: ok, posting as @{account.username}")
    sys.exit(EXIT_VALIDATION if findings else EXIT_OK)


def _client(loaded: LoadedSettings) -> Any:
    from bot.credentials import load_credentials
    from bot.logs import add_secrets
    from bot.runtime import make_client

    credentials = load_credentials()
    add_secrets(credentials.values())
    return make_client(loaded, credentials)


def _publisher(loaded: LoadedSettings, db: str | None) -> Any:
    from bot.runtime import make_publisher, open_store

    client = _client(loaded)
    return make_publisher(loaded, open_store(loaded, db), client)


def _announce(record: ThreadRecord) -> None:
    live = record.live_count
    total = len(record.tweets)
    done = f", {live} already live" if live else ""
    click.echo(f"thread {record.id} ({record.key}): {total} tweets{done}")


def _print_posted(tweet: Any, url: str) -> None:
    click.echo(f"  {tweet.position}. {url}")


def main() -> None:
    cli.main(prog_name="threadbot")
