"""The HTML preview: each thread as followers will see it on X, in one self-contained page.

Text is linked exactly where X links it — URLs found by ``threads.urls`` (so a bare
``AsiaFundManagers.com`` is a link, as on X), @mentions and #hashtags — and long URLs
are shortened for display the way X shows them. Charts are embedded as data: URIs, so
the file needs no network to view.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from threads.findings import Finding
from threads.links import SiteLinks
from threads.options import Prices
from threads.pipeline import Prepared
from threads.urls import find_url_spans

DISPLAY_URL_LENGTH = 26
_MENTION = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠])")
_HASHTAG = re.compile(r"(?<![&\w])[#＃](\w*[^\W\d_]\w*)")


def display_url(url: str) -> str:
    """How X shows a URL: no scheme, no www., cut at 26 characters with an ellipsis."""
    shown = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
    shown = re.sub(r"^www\.", "", shown, flags=re.IGNORECASE)
    return shown if len(shown) <= DISPLAY_URL_LENGTH else shown[: DISPLAY_URL_LENGTH - 1] + "…"


def _href(url: str) -> str:
    return url if re.match(r"^https?://", url, re.IGNORECASE) else f"https://{url}"


def linkify(text: str) -> Markup:
    """Escaped ``text`` with URLs, @mentions and #hashtags linked where X links them."""
    out: list[str] = []
    position = 0
    for span in find_url_spans(text):
        out.append(_entities(text[position : span.start]))
        out.append(
            f'<a class="url" href="{escape(_href(span.url))}" title="{escape(span.url)}">'
            f"{escape(display_url(span.url))}</a>"
        )
        position = span.end
    out.append(_entities(text[position:]))
    return Markup("".join(out))


def _entities(text: str) -> str:
    escaped = str(escape(text))
    escaped = _MENTION.sub(
        lambda m: f'<a class="mention" href="https://x.com/{m.group(1)}">{m.group(0)}</a>',
        escaped,
    )
    return _HASHTAG.sub(
        lambda m: f'<a class="hashtag" href="https://x.com/hashtag/{m.group(1)}">{m.group(0)}</a>',
        escaped,
    )


def account(site: SiteLinks) -> tuple[str, str]:
    """(display name, @handle) for the preview, from [site]."""
    handle = "@your_handle"
    if site.x_profile_url:
        path = urlsplit(site.x_profile_url).path.strip("/").split("/")[0]
        if path:
            handle = f"@{path}"
    return site.display_name or handle.lstrip("@"), handle


def _card(urls: Sequence[str]) -> dict[str, str] | None:
    if not urls:
        return None
    url = _href(urls[0])
    return {"url": url, "domain": urlsplit(url).hostname or url}


def render_html(prepared: Prepared, site: SiteLinks, prices: Prices, limit: int) -> str:
    import jinja2

    environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    source = resources.files("bot.views").joinpath("preview.html.j2").read_text(encoding="utf-8")
    template = environment.from_string(source)
    charts: dict[Any, str] = {}

    def chart_data(chart: Any) -> dict[str, str] | None:
        if chart is None:
            return None
        if chart not in charts:
            from bot.charts import render_png

            charts[chart] = base64.b64encode(render_png(chart)).decode("ascii")
        return {"png": charts[chart], "alt_text": chart.alt_text}

    network = prepared.network
    threads = [
        {
            "id": thread.id,
            "anchor": thread.id.replace("#", "-"),
            "section": thread.section,
            "cost": thread.cost_usd,
            "chosen": f"{thread.chosen_sentences} of {thread.section_sentences} sentences",
            "tweets": [
                {
                    "html": linkify(tweet.text),
                    "weighted_length": tweet.weighted_length,
                    "has_url": tweet.has_url,
                    "cost": prices.cost(tweet.has_url) if network == "x" else 0.0,
                    "chart": chart_data(tweet.chart),
                    # Bluesky shows a post's first link as a card under it.
                    "card": _card(tweet.urls) if network == "bluesky" else None,
                }
                for tweet in thread.tweets
            ],
        }
        for thread in prepared.threads
    ]
    name, handle = account(site)
    findings: list[Finding] = prepared.findings
    errors = sum(f.severity == "error" for f in findings)
    return template.render(
        title=prepared.article.title,
        threads=threads,
        tweet_count=sum(len(thread.tweets) for thread in prepared.threads),
        cost=prepared.cost_usd,
        findings=findings,
        errors=errors,
        warnings=len(findings) - errors,
        display_name=name,
        handle=handle,
        initial=(name[:1] or "?").upper(),
        limit=limit,
        network=network,
        network_name={"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}[network],
    )


def write_html(prepared: Prepared, site: SiteLinks, prices: Prices, limit: int, path: Path) -> None:
    path.write_text(render_html(prepared, site, prices, limit), encoding="utf-8")
