"""The ``threadbot`` command line: the group, ``preview``, and the command registry.

Commands live in ``bot.cli_publish`` (publish, resume, status, check) and
``bot.cli_schedule`` (schedule, queue, cancel, reschedule, run); shared options and
error reporting in ``bot.cli_common``. Exit codes: 0 done (warnings allowed),
1 validation errors or posting stopped, 2 bad usage or input. Heavy imports (tweepy,
SQLAlchemy, APScheduler) happen inside the commands that need them, so ``preview``
starts fast.
"""

from __future__ import annotations

import sys

import click

from bot import __version__
from bot.cli_common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VALIDATION,
    config_option,
    prepare_article,
    reported_errors,
    section_option,
)
from bot.cli_publish import check, publish, resume, status
from bot.cli_schedule import cancel, queue, reschedule, run, schedule


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="threadbot")
@click.option(
    "-v", "--verbose", count=True, help="-v: log each event; -vv: debug (secrets redacted)."
)
def cli(verbose: int) -> None:
    """Turn blog articles into X threads: preview them, validate them, post them."""
    from bot.logs import configure_logging

    configure_logging(verbose)


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
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    metavar="OUT.html",
    help="Also write a self-contained page showing the threads as X shows them.",
)
@config_option
def preview(
    article: str,
    section: str | None,
    output_format: str,
    color: bool | None,
    html_path: str | None,
    config_path: str | None,
) -> None:
    """Show the threads ARTICLE becomes, with lengths, costs and findings. Posts nothing.

    Exits 0 when the threads could be posted (warnings allowed), 1 when validation
    found errors, 2 when the article, config or templates are unusable.
    """
    from bot.rendering import write_json, write_text

    with reported_errors():
        loaded, prepared = prepare_article(article, section, config_path, for_posting=False)
    if html_path is not None:
        from pathlib import Path

        from bot.html_preview import write_html

        try:
            write_html(prepared, loaded.settings.site, loaded.settings.prices, Path(html_path))
        except OSError as error:
            click.echo(
                f"error: {html_path}: cannot write the HTML preview ({error.strerror})", err=True
            )
            sys.exit(EXIT_INPUT)
        click.echo(f"HTML preview: {html_path}", err=True)
    if output_format == "json":
        write_json(prepared, sys.stdout)
    else:
        write_text(prepared, sys.stdout, color=color)
    sys.exit(EXIT_OK if prepared.postable else EXIT_VALIDATION)


for command in (publish, resume, status, check, schedule, queue, cancel, reschedule, run):
    cli.add_command(command)


def main() -> None:
    cli.main(prog_name="threadbot")
