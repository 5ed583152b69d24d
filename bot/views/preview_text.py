"""The preview as text panels for people (rich, imported only here)."""

from __future__ import annotations

from typing import IO

from threads.pipeline import Prepared

_NETWORK_LINES = {
    "bluesky": "Bluesky: each post at most 300 grapheme clusters and 3,000 bytes",
    "mastodon": "Mastodon: each post within the instance's limit, every URL counted as 23",
}


def write_text(
    prepared: Prepared, stream: IO[str], *, color: bool | None = None, limit: int
) -> None:
    """Rich panels, one per thread, then the findings and a summary line.

    ``limit`` is the configured weighted length limit (``[threads] max_weighted_length``).
    """
    # rich costs ~40 ms to import; JSON output never needs it.
    from rich.console import Console, Group
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
    if prepared.network != "x":
        console.print(Text(f"{_NETWORK_LINES[prepared.network]} (limit {limit})", style="bold"))
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
                # Text, not a string: rich reads a string title as markup, with emoji
                # codes (":bug:" in a heading would show as 🐛, and load rich's table).
                title=Text(f"{thread.id} · {thread.section}"),
                title_align="left",
                subtitle=Text(
                    f"{total} tweets · {with_url} with a URL · ${thread.cost_usd:.3f} · "
                    f"{thread.chosen_sentences} of {thread.section_sentences} sentences"
                ),
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
