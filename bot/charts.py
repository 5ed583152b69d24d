"""Draw a ChartSpec as a PNG with matplotlib (Agg, no display), byte-for-byte repeatable.

Same spec, same bytes: fixed size and DPI, the DejaVu font matplotlib ships, and no
timestamp or version in the PNG metadata — so charts can be tested and a re-run of a
publish never uploads a different image for the same tweet.
"""

from __future__ import annotations

import io
from typing import Any

from threads.charts import ChartSpec

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100  # 800 x 450: X's 16:9 card
_INK, _BAR, _FORECAST, _REST = "#0f1419", "#1d9bf0", "#8ecdf8", "#cfd9de"


def draw(spec: ChartSpec) -> Any:
    """The matplotlib Figure for ``spec`` (tests read the plotted values from it)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    axes = figure.add_subplot()
    axes.set_title(spec.title, fontsize=13, color=_INK, loc="left", wrap=True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    if spec.kind == "bar":
        colors = [_FORECAST if forecast else _BAR for forecast in spec.forecast]
        bars = axes.bar(spec.labels, spec.values, color=colors, width=0.55)
        for bar, label in zip(bars, spec.value_labels, strict=True):
            axes.annotate(
                label,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=11,
                color=_INK,
            )
        axes.set_yticks([])
        axes.set_ylim(0, max(spec.values) * 1.2)
    else:
        left = 0.0
        for value, label, text, color in zip(
            spec.values, spec.labels, spec.value_labels, (_BAR, _REST), strict=True
        ):
            axes.barh([0], [value], left=left, color=color, height=0.5, label=f"{label}: {text}")
            if value >= 10:  # a narrow segment keeps its number in the legend only
                axes.text(
                    left + value / 2, 0, text, ha="center", va="center", fontsize=14, color=_INK
                )
            left += value
        axes.set_xlim(0, 100)
        axes.set_yticks([])
        axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=11)
    figure.tight_layout()
    return figure


def render_png(spec: ChartSpec) -> bytes:
    buffer = io.BytesIO()
    draw(spec).savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
