"""What every ``threadbot`` command shares: exit codes, error reporting, options, wiring."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from threads.errors import InputError, ThreadbotError

if TYPE_CHECKING:
    from bot.publisher import Publisher
    from bot.settings import LoadedSettings
    from bot.store import ThreadRecord
    from bot.x_client import XClient
    from threads.pipeline import Prepared

EXIT_OK = 0
EXIT_VALIDATION = 1
EXIT_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def reported_errors() -> Iterator[None]:
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


def tz_option(function: F) -> F:
    return click.option(
        "--tz",
        "tz_name",
        default=None,
        metavar="ZONE",
        help="IANA time zone for the times given and shown (default: [schedule] timezone).",
    )(function)


def prepare_article(
    article: str, section: str | None, config_path: str | None, *, for_posting: bool
) -> tuple[LoadedSettings, Prepared]:
    from bot.fetching import fetch_article, is_url
    from bot.settings import load_settings
    from threads.article import Article
    from threads.pipeline import prepare
    from threads.templates import TemplateSet

    loaded = load_settings(config_path)
    templates = TemplateSet(loaded.templates_path)
    source: str | Article = article
    if is_url(article):
        options = loaded.build_options
        source = fetch_article(
            article,
            max_bytes=options.threads.max_article_bytes,
            language=options.sentence_language,
        )
    prepared = prepare(
        source,
        loaded.build_options,
        templates,
        section=section,
        config_path=str(loaded.path),
        for_posting=for_posting,
    )
    return loaded, prepared


def refuse_unpostable(prepared: Prepared, what: str) -> None:
    """Validation errors: print them on stderr and exit 1 before anything happens."""
    from bot.rendering import write_findings

    if not prepared.postable:
        write_findings(prepared.findings, sys.stderr)
        click.echo(f"error: validation found errors: nothing was {what}", err=True)
        sys.exit(EXIT_VALIDATION)


def x_client(loaded: LoadedSettings) -> XClient:
    from bot.credentials import load_credentials
    from bot.logs import add_secrets
    from bot.runtime import make_client

    credentials = load_credentials()
    add_secrets(credentials.values())
    return make_client(loaded, credentials)


def publisher_for(
    loaded: LoadedSettings, db: str | None, stop_requested: Callable[[], bool] | None = None
) -> Publisher:
    from bot.runtime import make_publisher, open_store

    client = x_client(loaded)
    publisher = make_publisher(loaded, open_store(loaded, db), client)
    if stop_requested is not None:
        publisher.stop_requested = stop_requested
    return publisher


def announce(record: ThreadRecord) -> None:
    live = record.live_count
    done = f", {live} already live" if live else ""
    click.echo(f"thread {record.id} ({record.key}): {len(record.tweets)} tweets{done}")


def print_posted(tweet: Any, url: str) -> None:
    click.echo(f"  {tweet.position}. {url}")
