"""Show prepared threads without posting: as text panels (rich) or as JSON.

The JSON shape is a public interface (documented in README.md); change it only by adding
keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from bot.x_client import post_url
from threads.findings import Finding
from threads.options import Prices
from threads.pipeline import Prepared

if TYPE_CHECKING:
    from bot.store import Store, ThreadRecord


def to_json_document(prepared: Prepared) -> dict[str, Any]:
    """The documented JSON document for a preview."""
    return {
        "article": {
            "title": prepared.article.title,
            "sections": len(prepared.article.sections),
        },
        "threads": [
            {
                "id": thread.id,
                "section": thread.section,
                "tweets": [
                    {
                        "text": tweet.text,
                        "weighted_length": tweet.weighted_length,
                        "has_url": tweet.has_url,
                        "chart": (
                            {
                                "kind": tweet.chart.kind,
                                "title": tweet.chart.title,
                                "alt_text": tweet.chart.alt_text,
                            }
                            if tweet.chart
                            else None
                        ),
                    }
                    for tweet in thread.tweets
                ],
                "cost_usd": thread.cost_usd,
            }
            for thread in prepared.threads
        ],
        "findings": [finding.model_dump() for finding in prepared.findings],
    }


def write_json(prepared: Prepared, stream: IO[str]) -> None:
    json.dump(to_json_document(prepared), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def write_text(prepared: Prepared, stream: IO[str], *, color: bool | None = None) -> None:
    """Rich panels, one per thread, then the findings and a summary line."""
    # rich costs ~40 ms to import; JSON output never needs it.
    from rich.console import Console, Group
    from rich.markup import escape
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.text import Text

    console = Console(
        file=stream,
        width=None if color else 100,
        force_terminal=color,
        no_color=color is False,
        highlight=False,
        emoji=False,
    )
    limit = 280
    for thread in prepared.threads:
        parts: list[Text] = []
        total = len(thread.tweets)
        for position, tweet in enumerate(thread.tweets, start=1):
            marker = "  🔗 URL" if tweet.has_url else ""
            style = "bold red" if tweet.weighted_length > limit else "dim"
            header = Text(
                f"{position}/{total} · {tweet.weighted_length}/{limit}{marker}", style=style
            )
            parts.append(header)
            if tweet.chart is not None:
                parts.append(Text(f"📈 chart attached: {tweet.chart.alt_text}", style="cyan"))
            parts.append(Text(tweet.text + "\n"))
        with_url = sum(tweet.has_url for tweet in thread.tweets)
        console.print(
            Panel(
                Group(*parts),
                title=escape(f"{thread.id} · {thread.section}"),
                title_align="left",
                subtitle=(f"{total} tweets · {with_url} with a URL · ${thread.cost_usd:.3f}"),
                subtitle_align="right",
            )
        )
    findings = prepared.findings
    if findings:
        console.print(Text("Findings", style="bold"))
        for finding in findings:
            style = "bold red" if finding.severity == "error" else "yellow"
            line = Text()
            line.append(f"{finding.severity:<7}", style=style)
            line.append(f" {finding.code} · {finding.where}")
            console.print(line)
            console.print(Padding(Text(finding.message), (0, 0, 0, 8), expand=False))
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    tweets = sum(len(t.tweets) for t in prepared.threads)
    verdict = "postable" if prepared.postable else "NOT postable: fix the errors above"
    # One unwrapped line, so scripts can grep it.
    console.print(
        f"{len(prepared.threads)} threads · {tweets} tweets · ${prepared.cost_usd:.3f} · "
        f"{errors} errors, {warnings} warnings · {verdict} · preview only: nothing was posted",
        soft_wrap=True,
    )


def write_findings(findings: Sequence[Finding], stream: IO[str]) -> None:
    """Findings as plain lines: severity, code, where, then the message indented."""
    for finding in findings:
        stream.write(f"{finding.severity:<7} {finding.code} · {finding.where}\n")
        stream.write(f"        {finding.message}\n")


def write_status(
    records: Sequence[ThreadRecord],
    store: Store,
    prices: Prices,
    stream: IO[str],
    *,
    detail: bool = False,
) -> None:
    """One line per thread (every tweet with ``detail``), then posts and spend."""
    username = store.get_meta("x_username")

    def url(post_id: str | None) -> str:
        if not post_id:
            return "-"
        return post_url(username, post_id) if username else f"post {post_id}"

    if not records:
        stream.write("no threads in the store: `threadbot publish ARTICLE` posts some\n")
    for record in records:
        live = record.live_count
        stream.write(
            f"{record.id:>4}  {record.status:<9} {live}/{len(record.tweets)} live  "
            f"{record.key}  {url(record.tweets[0].x_id if record.tweets else None)}\n"
        )
        if record.not_before and record.status == "deferred":
            stream.write(f"      deferred until {record.not_before:%Y-%m-%d %H:%M} UTC\n")
        if record.last_error and record.status != "posted":
            stream.write(f"      error: {record.last_error}\n")
        if detail:
            for tweet in record.tweets:
                stream.write(
                    f"      {tweet.position:>2}. {tweet.status:<8} attempts {tweet.attempts}  "
                    f"{url(tweet.x_id)}\n"
                )
                if tweet.last_error and tweet.status != "posted":
                    stream.write(f"          {tweet.last_error}\n")
    now = dt.datetime.now(dt.UTC)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = store.posted_since(month_start)
    day = store.posted_since(now - dt.timedelta(hours=24))
    spent = sum(prices.post_with_url_usd if has_url else prices.post_usd for _, has_url in month)
    stream.write(f"this month: {len(month)} posts, ${spent:.3f} · last 24 h: {len(day)} posts\n")
