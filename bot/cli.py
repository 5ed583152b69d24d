"""The ``threadbot`` command line. All CLI code lives here; the work lives elsewhere.

Exit codes: 0 done (warnings allowed), 1 validation errors, 2 bad usage or input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from bot import __version__
from threads.errors import InputError, ThreadbotError

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="threadbot")
def cli() -> None:
    """Turn blog articles into X threads: preview them, validate them, post them."""


@cli.command()
@click.argument("article", type=click.Path(dir_okay=False))
@click.option(
    "--section",
    metavar="N|HEADING",
    default=None,
    help="Only this section: its number (1 = first) or part of its heading.",
)
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
    from bot.settings import load_settings
    from threads.pipeline import prepare
    from threads.templates import TemplateSet

    with _reported_errors():
        loaded = load_settings(config_path)
        templates = TemplateSet(loaded.templates_path)
        prepared = prepare(
            article,
            loaded.build_options,
            templates,
            section=section,
            config_path=str(loaded.path),
        )
    stdout = sys.stdout
    if output_format == "json":
        write_json(prepared, stdout)
    else:
        write_text(prepared, stdout, color=color)
    sys.exit(EXIT_OK if prepared.postable else EXIT_VALIDATION)


def main() -> None:
    cli.main(prog_name="threadbot")
