"""``threadbot preview``: the threads an article becomes. Posts nothing, writes nothing."""

from __future__ import annotations

import sys

import click

from bot.cli.app import App, pass_app
from bot.cli.options import (
    account_option,
    config_option,
    digest_option,
    format_option,
    html_option,
    section_option,
)
from threads.errors import InputError


@click.command()
@click.argument("article", type=click.Path(dir_okay=False))
@section_option
@digest_option
@click.option(
    "--network",
    type=click.Choice(["x", "bluesky", "mastodon"]),
    default=None,
    help="Split for this network's rules (default: every network in `networks`).",
)
@format_option(
    "text: panels for people; json: the documented machine-readable document "
    "(an array of them, one per network, for several networks)."
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Force colours on or off (default: on for a terminal).",
)
@html_option(
    "Also write a self-contained page showing the threads as the network shows them "
    "(for several networks, OUT.NETWORK.html beside it for each after the first)."
)
@click.option(
    "--check-links",
    is_flag=True,
    help="Also fetch the article, blog and about links live (a preview never does otherwise).",
)
@account_option
@config_option
@pass_app
@click.pass_context
def preview(
    ctx: click.Context,
    app: App,
    article: str,
    section: str | None,
    digest: bool,
    network: str | None,
    output_format: str,
    color: bool | None,
    html_path: str | None,
    check_links: bool,
) -> None:
    """Show the threads ARTICLE becomes, with lengths, costs and findings. Posts nothing.

    Exits 0 when the threads could be posted (warnings allowed), 1 when validation
    found errors, 2 when the article, config or templates are unusable.
    """
    networks = [network] if network else list(app.settings.account(app.account).networks)
    settings = app.settings.settings
    previews = []
    for index, name in enumerate(networks):
        prepared = app.prepare(article, section, for_posting=False, network=name, digest=digest)
        if check_links:
            prepared = app.checked_links(prepared, cached=False)
        previews.append(prepared)
        limit = _limit(app, name)
        if html_path is not None:
            from pathlib import Path

            from bot.views.html import write_html

            target = Path(html_path)
            if index:
                target = target.with_name(f"{target.stem}.{name}{target.suffix}")
            try:
                write_html(prepared, settings.site, settings.prices, limit, target)
            except OSError as error:
                raise InputError(
                    f"{target}: cannot write the HTML preview ({error.strerror})"
                ) from None
            label = f" ({name})" if len(networks) > 1 else ""
            click.echo(f"HTML preview{label}: {target}", err=True)
        if output_format != "json":
            from bot.views.preview_text import write_text

            write_text(prepared, sys.stdout, color=color, limit=limit)
    if output_format == "json":
        from bot.views.preview_json import write_json

        write_json(previews[0] if len(previews) == 1 else previews, sys.stdout)
    if not all(prepared.postable for prepared in previews):
        ctx.exit(1)


def _limit(app: App, network: str) -> int:
    return app.length_rule(network, online=False).limit
