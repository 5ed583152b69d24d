"""Facts: figures found in sentences and sources resolved to references."""

from __future__ import annotations

import pytest

from threads.article import Reference, Sentence
from threads.facts import extract_facts, extract_figures, named_source, resolve_source

REFERENCES = [
    Reference(author="ASEAN", title="ASEAN Plus Three", url="https://asean.org/apt"),
    Reference(
        author="United Nations Conference on Trade and Development (UNCTAD)",
        title="K-pop blueprint",
        url="https://unctad.org/news/k-pop",
    ),
    Reference(
        author="Asia Fund Managers",
        title="K-pop is making billions",
        url="https://asiafundmanagers.com/kpop/",
    ),
    Reference(
        author="Korea JoongAng Daily",
        title="Korea, ASEAN launch joint research platform on economic, trade policies",
        url="https://koreajoongangdaily.joins.com/news/1",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "reached USD 890.2 billion in 2019",
            [
                ("amount", "USD 890.2 billion", 890.2, "billion", "USD", 2019),
                ("year", "2019", 2019.0, None, None, 2019),
            ],
        ),
        ("accounting for 31.6% of trade", [("percent", "31.6%", 31.6, None, None, None)]),
        (
            "a compound annual growth rate (CAGR) of 7.3%",
            [("growth_rate", "7.3%", 7.3, None, None, None)],
        ),
        ("€1,200 million", [("amount", "€1,200 million", 1200.0, "million", "EUR", None)]),
        (
            "$5 and then 10 percent",
            [
                ("amount", "$5", 5.0, None, "USD", None),
                ("percent", "10 percent", 10.0, None, None, None),
            ],
        ),
        ("ASEAN+3 has 13 members", []),
        ("version 2019.1 shipped", []),
    ],
)
def test_extract_figures(text: str, expected: list[tuple[object, ...]]) -> None:
    """Amounts (with currency, scale and year), percentages, growth rates and years."""
    figures = extract_figures(text)
    assert [(f.kind, f.text, f.value, f.unit, f.currency, f.year) for f in figures] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("According to ASEAN, trade grew.", ("ASEAN", None)),
        ("According to the World Bank (WB), it grew.", ("World Bank", "WB")),
        (
            "The Polish Institute of International Affairs (PISM) notes that it helps.",
            ("Polish Institute of International Affairs", "PISM"),
        ),
        ("UNCTAD reports that exports rose.", ("UNCTAD", None)),
        ("Exports rose quickly.", None),
        ("We found that 40% of users churn.", None),
        ("Notable says nothing here.", None),
    ],
)
def test_named_source(text: str, expected: tuple[str, str | None] | None) -> None:
    """'According to X', 'X (ABBR) notes', 'X reports' name a source."""
    assert named_source(text) == expected


@pytest.mark.parametrize(
    ("name", "abbreviation", "author"),
    [
        ("ASEAN", None, "ASEAN"),
        ("UNCTAD", None, "United Nations Conference on Trade and Development (UNCTAD)"),
        (
            "United Nations Conference on Trade and Development",
            None,
            "United Nations Conference on Trade and Development (UNCTAD)",
        ),
        ("AsiaFundManagers.com", None, "Asia Fund Managers"),
        ("the Asia Fund Managers", None, "Asia Fund Managers"),
        ("Nobody Known", None, None),
    ],
)
def test_resolve_source(name: str, abbreviation: str | None, author: str | None) -> None:
    """A source resolves by name, abbreviation or domain, or not at all."""
    resolved = resolve_source(name, abbreviation, REFERENCES)
    assert (resolved.author if resolved else None) == author


def test_source_line_and_title_match() -> None:
    """A `Source:` line credits earlier unnamed facts; an unnamed fact may match a title."""
    sentences = [
        Sentence(text="The market was worth USD 8.1 billion in 2021.", line=3),
        Sentence(
            text="In March 2025, South Korea and ASEAN launched a joint research platform on trade policies.",
            line=7,
        ),
        Sentence(text="Fans are loyal.", line=8),
    ]
    facts = extract_facts(sentences, [(4, "AsiaFundManagers.com")], REFERENCES)
    assert [(f.line, f.source_name, f.source.author if f.source else None) for f in facts] == [
        (3, "AsiaFundManagers.com", "Asia Fund Managers"),
        (7, None, "Korea JoongAng Daily"),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Downloads were +986% y/y last quarter.", "change"),
        ("Revenue grew 140% after launch.", "change"),
        ("売上は300%増となった。", "change"),
        ("매출이 40% 증가했다.", "change"),
        ("Costs fell by 12% this year.", "change"),
        ("Exports made up 31.6% of trade.", "percent"),
        ("It grows at a CAGR of 7.3% a year.", "growth_rate"),
    ],
)
def test_change_is_not_a_share(text: str, kind: str) -> None:
    """A rise or fall is a change, not a share (so share-over-100 never fires on it)."""
    assert [f.kind for f in extract_figures(text) if f.kind != "year"] == [kind]


@pytest.mark.parametrize(
    ("text", "is_fact"),
    [
        ("On 3 March 2019 we moved the whole team to Berlin.", False),
        ("In 2019 revenue reached USD 3 million for the first time.", True),
        ("2022.", False),
        ("Up 40%.", False),
        ("UNCTAD reports that creative exports kept rising.", True),
    ],
)
def test_what_is_a_fact(text: str, is_fact: bool) -> None:
    """Event dates and fragments are not facts; figures and named sources are."""
    facts = extract_facts([Sentence(text=text, line=1)], [], REFERENCES)
    assert bool(facts) is is_fact


@pytest.mark.parametrize(
    "text",
    [
        "I've found that 40% of builds fail on the first try.",
        "We’ve seen that 40% of builds fail on the first try.",
        "It's clear that 40% of builds fail on the first try.",
    ],
)
def test_a_contraction_is_never_a_source(text: str) -> None:
    """ "I've found …" credits no one: a contraction of a pronoun is not a source."""
    assert named_source(text) is None
    facts = extract_facts([Sentence(text=text, line=1)], [], REFERENCES)
    assert [fact.source_name for fact in facts] == [None]
