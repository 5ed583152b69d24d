"""Which facts get a chart, and what it shows: the data and its alt text (no drawing).

A fact is chartable when its figures can be compared: the same currency amount at two or
more years (a series, with forecasts marked), or a percentage share of a named whole.
The alt text is written from the figures, so a reader who cannot see the image gets the
same numbers ("Bar chart: global K-pop market, USD 8.1 billion in 2021, forecast USD
20 billion in 2031"). Drawing is ``bot.charts``'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from threads.article import Fact, Figure

_SUBJECT = re.compile(
    r"(?:^|,\s*)(?:the\s+)?(?P<subject>[A-Za-z][\w\s’'&+-]{2,80}?)\s+"
    r"(?:was|were|is|are)?\s*(?:worth|reached|totall?ed|generated|stood at|hit|grew to|"
    r"amounted to|rose to|fell to)\b",
    re.IGNORECASE,
)
_FORECAST = re.compile(r"\b(expected|forecast|projected|predicted|will|by)\b", re.IGNORECASE)
_WHOLE = re.compile(r"%\s+of\s+(?P<whole>[^,.;]{3,80})")


class ChartSpec(BaseModel):
    """A chart's data and words; the same spec always draws the same bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["bar", "share"]
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_labels: tuple[str, ...]
    forecast: tuple[bool, ...]
    alt_text: str


def chart_for(fact: Fact, article_date: dt.date | None = None) -> ChartSpec | None:
    """The chart for ``fact``, or None when its figures do not compare."""
    return _series(fact, article_date) or _share(fact)


def _subject(text: str) -> str | None:
    match = _SUBJECT.search(text.split("According to", 1)[-1])
    if not match:
        return None
    subject = match.group("subject").strip()
    return re.sub(r"^[^,]*,\s*", "", subject).strip() or None


def _series(fact: Fact, article_date: dt.date | None) -> ChartSpec | None:
    amounts = [f for f in fact.figures if f.kind == "amount" and f.year is not None]
    if len(amounts) < 2:
        return None
    unit = (amounts[0].currency, amounts[0].unit)
    if any((f.currency, f.unit) != unit for f in amounts) or len({f.year for f in amounts}) < 2:
        return None
    amounts.sort(key=lambda f: f.year or 0)
    subject = _subject(fact.text) or "value"
    forecast = tuple(_is_forecast(fact.text, f, article_date) for f in amounts)
    parts = [
        f"{'forecast ' if is_forecast else ''}{_amount(f)} in {f.year}"
        for f, is_forecast in zip(amounts, forecast, strict=True)
    ]
    scale = f" ({amounts[0].currency} {amounts[0].unit})" if amounts[0].unit else ""
    return ChartSpec(
        kind="bar",
        title=f"{subject[0].upper()}{subject[1:]}{scale}",
        labels=tuple(
            f"{f.year}{' (forecast)' if fc else ''}"
            for f, fc in zip(amounts, forecast, strict=True)
        ),
        values=tuple(f.value for f in amounts),
        value_labels=tuple(_amount(f) for f in amounts),
        forecast=forecast,
        alt_text=f"Bar chart: {subject}, " + ", ".join(parts),
    )


def _share(fact: Fact) -> ChartSpec | None:
    shares = [f for f in fact.figures if f.kind == "percent" and 0 < f.value <= 100]
    if len(shares) != 1:
        return None
    share = shares[0]
    after = fact.text[fact.text.find(share.text) :]
    whole_match = _WHOLE.search(after)
    if whole_match is None:
        return None
    whole = whole_match.group("whole").strip()
    part = _subject(fact.text) or "share"
    year = next((f.year for f in fact.figures if f.year is not None), None)
    when = f" in {year}" if year else ""
    return ChartSpec(
        kind="share",
        title=f"{part[0].upper()}{part[1:]}: share of {whole}{when}",
        labels=(part, "the rest"),
        values=(share.value, round(100 - share.value, 6)),
        value_labels=(share.text, f"{100 - share.value:.1f}%"),
        forecast=(False, False),
        alt_text=f"Share chart: {part}, {share.text} of {whole}{when}",
    )


def _is_forecast(text: str, figure: Figure, article_date: dt.date | None) -> bool:
    if article_date is not None and figure.year is not None:
        return figure.year > article_date.year
    position = text.find(figure.text)
    before = text[max(0, position - 40) : position]
    return bool(_FORECAST.search(before))


def _amount(figure: Figure) -> str:
    value = f"{figure.value:g}"
    return " ".join(part for part in (figure.currency, value, figure.unit) if part)
