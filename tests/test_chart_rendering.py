"""Chart drawing (bot.charts): the plotted values are the facts', and bytes repeat."""

from __future__ import annotations

import hashlib

from bot.charts import draw, render_png
from threads.charts import ChartSpec

BAR = ChartSpec(
    kind="bar",
    title="Market (USD billion)",
    labels=("2021", "2031 (forecast)"),
    values=(8.1, 20.0),
    value_labels=("USD 8.1 billion", "USD 20 billion"),
    forecast=(False, True),
    alt_text="Bar chart: market",
)
SHARE = ChartSpec(
    kind="share",
    title="Trade share",
    labels=("trade", "the rest"),
    values=(31.6, 68.4),
    value_labels=("31.6%", "68.4%"),
    forecast=(False, False),
    alt_text="Share chart: trade",
)


def test_bar_heights_are_the_figures() -> None:
    """Each bar's height is the fact's value, in order, with its label."""
    axes = draw(BAR).axes[0]
    assert [round(p.get_height(), 6) for p in axes.patches] == [8.1, 20.0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["2021", "2031 (forecast)"]


def test_share_segments_add_to_100() -> None:
    """The share chart's segments are the share and the rest."""
    axes = draw(SHARE).axes[0]
    assert [round(p.get_width(), 6) for p in axes.patches] == [31.6, 68.4]


def test_png_is_deterministic() -> None:
    """Same spec, same bytes: a PNG of 800 x 450 with no timestamp."""
    first, second = render_png(BAR), render_png(BAR)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(first[16:20], "big"), int.from_bytes(first[20:24], "big")
    assert (width, height) == (800, 450)
