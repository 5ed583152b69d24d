"""``threadbot preview``: the threads an article becomes. Posts nothing, writes nothing."""

from __future__ import annotations

import sys

import click

from bot.cli.app import App, pass_app
from bot.cli.options import config_option, format_option, html_option, section_option
from threads.errors import InputError


@click.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@format_option("text: panels for people; json: the documented machine-readable document.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Force colours on or off (default: on for a terminal).",
)
@html_option("Also write a self-contained page showing the threads as X shows them.")
@config_option
@pass_app
@click.pass_context
def preview(
    ctx: click.Context,
    app: App,
    article: str,
    section: str | None,
    output_format: str,
    color: bool | None,
    html_path: str | None,
) -> None:
    """Show the threads ARTICLE becomes, with lengths, costs and findings. Posts nothing.

    Exits 0 when the threads could be posted (warnings allowed), 1 when validation
    found errors, 2 when the article, config or templates are unusable.
    """
    prepared = app.prepare(article, section, for_posting=False)
    settings = app.settings.settings
    limit = settings.threads.max_weighted_length
    if html_path is not None:
        from pathlib import Path

        from bot.views.html import write_html

        try:
            write_html(prepared, settings.site, settings.prices, limit, Path(html_path))
        except OSError as error:
            raise InputError(
                f"{html_path}: cannot write the HTML preview ({error.strerror})"
            ) from None
        click.echo(f"HTML preview: {html_path}", err=True)
    if output_format == "json":
        from bot.views.preview_json import write_json

        write_json(prepared, sys.stdout)
    else:
        from bot.views.preview_text import write_text

        write_text(prepared, sys.stdout, color=color, limit=limit)
    if not prepared.postable:
        ctx.exit(1)
