"""The options several commands share, in one place. ``--config`` and ``--db`` go
straight to the :class:`~bot.cli.app.App` (commands never see them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _set_on_app(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            setattr(ctx.find_root().obj, attribute, value)

    return callback


def config_option(function: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        expose_value=False,
        callback=_set_on_app("config_path"),
        help="Config file (default: $THREADBOT_CONFIG, else config/threadbot.toml).",
    )(function)


def db_option(function: F) -> F:
    return click.option(
        "--db",
        default=None,
        metavar="PATH|URL",
        expose_value=False,
        callback=_set_on_app("db"),
        help="State store (default: $THREADBOT_DB, else [store] path, else the user data dir).",
    )(function)


def account_option(function: F) -> F:
    return click.option(
        "--account",
        default=None,
        metavar="NAME",
        expose_value=False,
        callback=_set_on_app("account"),
        help="Post as the [accounts.NAME] account: its links, budget, schedule and "
        "THREADBOT_<NAME>_X_* credentials (default: the top-level account).",
    )(function)


def _networks(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [name for name in names if name not in ("x", "bluesky", "mastodon")]
    if unknown or not names:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'nothing'}: give networks from x, bluesky, mastodon, "
            "comma-separated (e.g. x,bluesky)"
        )
    return names


def networks_option(function: F) -> F:
    return click.option(
        "--networks",
        default=None,
        metavar="x,bluesky,mastodon",
        callback=_networks,
        help="The networks to make threads for, comma-separated (default: the config's "
        "`networks`, or the account's).",
    )(function)


def section_option(function: F) -> F:
    return click.option(
        "--section",
        metavar="N|HEADING",
        default=None,
        help="Only this section: its number (1 = first) or part of its heading.",
    )(function)


def digest_option(function: F) -> F:
    return click.option(
        "--digest",
        is_flag=True,
        help="One thread for the whole post (its title and description, then each "
        "section's most central sentences) instead of one per section.",
    )(function)


def tz_option(function: F) -> F:
    return click.option(
        "--tz",
        "tz_name",
        default=None,
        metavar="ZONE",
        help="IANA time zone for the times given and shown (default: [schedule] timezone).",
    )(function)


def now_option(help_text: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return click.option("--now", "allow_past", is_flag=True, help=help_text)(function)

    return decorate


def format_option(help_text: str) -> Callable[[F], F]:
    """``--format text|json`` (default text), with what the JSON holds."""

    def decorate(function: F) -> F:
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help=help_text,
        )(function)

    return decorate


def html_option(help_text: str) -> Callable[[F], F]:
    """``--html OUT.html``: also write a self-contained page."""

    def decorate(function: F) -> F:
        return click.option(
            "--html",
            "html_path",
            type=click.Path(dir_okay=False, writable=True),
            default=None,
            metavar="OUT.html",
            help=help_text,
        )(function)

    return decorate


def no_link_check_option(function: F) -> F:
    return click.option(
        "--no-link-check",
        is_flag=True,
        expose_value=False,
        callback=lambda ctx, _param, value: (
            setattr(ctx.find_root().obj, "link_check", False) if value else None
        ),
        help="Do not fetch the article, blog and about links live before posting "
        "(offline use; as [links] check = false).",
    )(function)


def thread_argument(
    *, required: bool = True, nargs: int = 1, network_help: str | None = None
) -> Callable[[F], F]:
    """THREAD: a thread's number, or the id previews, `queue` and the calendar show
    (``kpop-asean-plus-three#5``), with ``--network`` (and ``--account``) when that id
    names threads on several networks or accounts. Resolved by ``App.thread_id``.
    ``network_help``: what ``--network`` also does for the command (without THREAD)."""

    def decorate(function: F) -> F:
        function = click.option(
            "--network",
            "thread_network",
            type=click.Choice(["x", "bluesky", "mastodon"]),
            default=None,
            help=network_help
            or "With a SLUG#N thread id: the network's thread, when it names several.",
        )(function)
        return click.argument("thread", metavar="THREAD", required=required, nargs=nargs)(function)

    return decorate
