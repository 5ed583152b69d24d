"""Which facts get charts, with what data and alt text (threads.charts)."""

from __future__ import annotations

import pytest

from threads.article import Fact
from threads.charts import chart_for
from threads.facts import extract_figures
from threads.parsing import load_article

from .conftest import EXAMPLE


def _fact(text: str) -> Fact:
    return Fact(text=text, figures=extract_figures(text))


def test_example_market_size_and_trade_share() -> None:
    """The example's two comparable facts get a bar chart and a share chart, alt text from figures."""
    article = load_article(EXAMPLE)
    charts = {s.heading: chart_for(f, article.date) for s in article.sections for f in s.facts}
    market = charts["Economic Spillover in ASEAN Markets"]
    assert market is not None
    assert (
        market.alt_text
        == "Bar chart: global K-pop market, USD 8.1 billion in 2021, forecast USD 20 billion in 2031"
    )
    assert (market.labels, market.values, market.forecast) == (
        ("2021", "2031 (forecast)"),
        (8.1, 20.0),
        (False, True),
    )
    share = charts["ASEAN+3: A Platform for Cultural and Economic Integration"]
    assert share is not None
    assert (
        share.alt_text
        == "Share chart: trade between ASEAN and its Plus Three partners, 31.6% of ASEAN’s total merchandise trade in 2019"
    )
    assert share.values == (31.6, 68.4)
    assert (
        charts["K-pop as a High-Value Export and Soft Power Tool"] is None
    )  # one amount: nothing to compare


@pytest.mark.parametrize(
    "text",
    [
        "Exports were worth USD 5 billion in 2020 and EUR 6 billion in 2021.",  # different currencies
        "Exports were worth USD 5 billion and USD 6 billion.",  # no years
        "Margins were 120% of costs.",  # not a share
        "Growth was 5% and 7% in two years.",  # two percentages, no whole
    ],
)
def test_incomparable_figures_get_no_chart(text: str) -> None:
    """Figures that do not compare are not charted."""
    assert chart_for(_fact(text)) is None
