"""The plain-text format: the example article, hard-wrapped text, and what is not a heading."""

from __future__ import annotations

from threads.parsing import parse_article

from .conftest import EXAMPLE


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_article(text, "post.txt", "text")


def test_example_sections_references_and_calls() -> None:
    """The example parses into its 7 sections, 5 references and 4 calls to action."""
    article = parse_article(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE, "text")
    assert [s.heading for s in article.sections] == [
        "Introduction: K-pop’s Global Expansion through Regional Ties",
        "ASEAN+3: A Platform for Cultural and Economic Integration",
        "Korean Investment and Influence in Southeast Asia",
        "K-pop as a High-Value Export and Soft Power Tool",
        "Economic Spillover in ASEAN Markets",
        "Institutional Support: Korea–ASEAN Policy Platforms",
        "Conclusion: K-pop and ASEAN+3—A Mutually Reinforcing Partnership",
    ]
    assert [s.line for s in article.sections] == [1, 4, 7, 9, 11, 14, 17]
    assert article.title == "K-pop’s Global Expansion through Regional Ties"
    assert article.slug == "kpop-asean-plus-three"
    assert [r.author for r in article.references] == [
        "ASEAN",
        "Asia Fund Managers",
        "Korea JoongAng Daily",
        "Polish Institute of International Affairs",
        "United Nations Conference on Trade and Development (UNCTAD)",
    ]
    assert article.references[1].date == "2022, November 29"
    assert article.references[0].date is None  # (n.d.)
    assert [(c.kind, c.handle) for c in article.calls_to_action] == [
        ("blog", None),
        ("about", None),
        ("x_profile", None),
        ("recommendation", "GONOGO_Korea"),
    ]
    recommendation = article.calls_to_action[-1]
    assert recommendation.label == "Looking for sharp perspectives on global trade and markets?"
    assert recommendation.reason == "as a resource I trust and regularly learn from"


def test_source_line_is_not_prose() -> None:
    """A `Source:` line credits the facts before it and is not posted as a sentence."""
    article = parse_article(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE, "text")
    spillover = article.sections[4]
    assert all("Source:" not in s.text for s in spillover.sentences)
    assert spillover.facts[0].source is not None
    assert spillover.facts[0].source.url.startswith("https://asiafundmanagers.com/")


def test_hard_wrapped_paragraphs_are_joined() -> None:
    """Wrapped lines of one paragraph are one paragraph, not a run of headings."""
    text = (
        "Markets in Motion\n"
        "\n"
        "Trade across the region grew quickly over the decade and it\n"
        "kept growing as new agreements came into force across\n"
        "the whole region.\n"
    )
    article = _parse(text)
    assert [s.heading for s in article.sections] == ["Markets in Motion"]
    assert [s.text for s in article.sections[0].sentences] == [
        "Trade across the region grew quickly over the decade and it kept growing as new "
        "agreements came into force across the whole region."
    ]


def test_prose_before_any_heading_gets_the_title() -> None:
    """Text with no heading at all becomes one section titled by the file name, made readable."""
    article = _parse("Just one paragraph of text.\n")
    assert len(article.sections) == 1
    assert article.sections[0].heading == article.title == "Post"
