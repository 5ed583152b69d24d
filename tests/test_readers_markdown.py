"""Markdown through CommonMark: each construct becomes the prose a reader sees, or nothing."""

from __future__ import annotations

import pytest

from threads.parsing import parse_article


def sentences(body: str) -> list[str]:
    article = parse_article(f"## Section\n\n{body}\n", "post.md", "markdown")
    return [s.text for s in article.sections[0].sentences]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Code spans keep their text exactly; emphasis is markup, never characters.
        (
            "Use `relative_url` with `option_zip_none` and `1970_00_estructura_01`.",
            ["Use relative_url with option_zip_none and 1970_00_estructura_01."],
        ),
        ("It is **very\nbold** and _quite_ ~~old~~ new.", ["It is very bold and quite old new."]),
        ("A [link that\nwraps](https://x.org/a) works.", ["A link that wraps works."]),
        ("See [the docs][ref] now.\n\n[ref]: https://x.org/docs", ["See the docs now."]),
        ("![A chart of sales](chart.png) Sales rose.", ["Sales rose."]),
        ("> Quoted words stay.\n> Markers go.", ["Quoted words stay.", "Markers go."]),
        ("Text with a note[^1].\n\n[^1]: The note itself.", ["Text with a note."]),
        ("Stars \\*stay\\* and \\_underscores\\_ too.", ["Stars *stay* and _underscores_ too."]),
        ("A <span class='x'>span</span> and<br>a break.", ["A span and a break."]),
        ("Before.\n\n```python\nx = 1\n```\n\nAfter.", ["Before.", "After."]),
        ("Before.\n\n    indented = code\n\nAfter.", ["Before.", "After."]),
        ("Before.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter.", ["Before.", "After."]),
        ("Before.\n\n<style>p { color: red }</style>\n\nAfter.", ["Before.", "After."]),
        ("Before.\n\n<!-- TOC -->\n\nAfter.", ["Before.", "After."]),
        ("Before.\n\n[Read more](https://x.org/more)\n\nAfter.", ["Before.", "After."]),
        ("Before.\n\nhttps://zenn.dev/books/b820d588f4856bcf836c\n\nAfter.", ["Before.", "After."]),
        # Inline <sup>: footnote references go, exponents are raised, a note's number goes.
        (
            'Two teams<sup id="a1">[1](#f1)</sup> met in 2018<sup>[2](#f2),</sup><sup>[3](#f3)</sup>.',
            ["Two teams met in 2018."],
        ),
        (
            "It is 1.34 × 10<sup>5</sup> rows, or 2<sup>*n*</sup>, on the 3<sup>rd</sup> day.",
            ["It is 1.34 × 10⁵ rows, or 2ⁿ, on the 3rd day."],
        ),
        ("<sup>4</sup> Measured on a laptop.", ["Measured on a laptop."]),
        # Pandoc attributes (Quarto, R Markdown, attr_list) belong to what they follow.
        (
            'Before.\n\n![](katy.jpg){fig-alt="Katy Perry, apprehensive"}\n\nAfter.',
            ["Before.", "After."],
        ),
        (
            "Run `ls`{.bash} and read [the log](log.txt){target=_blank}.",
            ["Run ls and read the log."],
        ),
    ],
)
def test_inline_and_block_constructs(body: str, expected: list[str]) -> None:
    """Each construct is reduced to the words a reader sees; non-prose is left out."""
    assert sentences(body) == expected


def test_list_items_follow_their_lead_in() -> None:
    """List items stay items after the lead-in and are packed as lines of one tweet."""
    article = parse_article(
        "## Tools\n\nWe used three tools:\n\n- Fuzzing\n- Pygments\n- Sphinx\n",
        "post.md",
        "markdown",
    )
    sentences_ = article.sections[0].sentences
    assert [(s.text, s.role) for s in sentences_] == [
        ("We used three tools:", "prose"),
        ("Fuzzing", "item"),
        ("Pygments", "item"),
        ("Sphinx", "item"),
    ]


def test_skipped_content_is_counted() -> None:
    """Code, tables, HTML blocks and footnotes are counted for the content-skipped note."""
    article = parse_article(
        "## A\n\nText[^1].\n\n```\ncode\n```\n\n| a |\n|---|\n| 1 |\n\n<div>x</div>\n\n[^1]: n\n",
        "post.md",
        "markdown",
    )
    assert article.skipped == {"code blocks": 1, "tables": 1, "HTML blocks": 1, "footnotes": 1}


def test_heading_ids_and_emoji_headings() -> None:
    """{#id} goes from a heading; an emoji-led heading is a heading, not a call to action."""
    text = (
        "# Post\n\n## Quick start {#quick-start}\n\nStart here with the setup steps. Then go on.\n\n"
        "## 🚀 [IRS Direct File Pilot](https://x.org)\n\nThe pilot cost USD 2.5 million "
        "in 2024. It grew quickly after launch.\n"
    )
    article = parse_article(text, "post.md", "markdown")
    assert [s.heading for s in article.sections] == ["Quick start", "🚀 IRS Direct File Pilot"]
    assert article.calls_to_action == ()
    assert article.sections[1].facts[0].figures[0].text == "USD 2.5 million"


def test_references_heading_ends_at_the_next_heading() -> None:
    """A References section holds references; the section after it is prose again."""
    text = (
        "## Body\n\nThe body says something useful here. It says more.\n\n## References\n\n"
        "- [Census report](https://kdca.or.kr/census)\n\n## After\n\n"
        "This section comes after the references. It is kept.\n"
    )
    article = parse_article(text, "post.md", "markdown")
    assert [s.heading for s in article.sections] == ["Body", "After"]
    assert [r.url for r in article.references] == ["https://kdca.or.kr/census"]


def test_deeper_headings_stay_inside_their_section() -> None:
    """Sections start at the shallowest level in use; deeper headings become lines."""
    text = (
        "## One\n\nFirst part of the first section.\n\n### Detail\n\nMore words about it.\n\n"
        "## Two\n\nThe second section has its own prose. It is a thread.\n"
    )
    article = parse_article(text, "post.md", "markdown")
    assert [s.heading for s in article.sections] == ["One", "Two"]
    assert [(s.text, s.role) for s in article.sections[0].sentences] == [
        ("First part of the first section.", "prose"),
        ("Detail", "subheading"),
        ("More words about it.", "prose"),
    ]


def test_short_section_joins_its_neighbour() -> None:
    """A one-short-sentence section is no thread of its own: it joins the previous one."""
    text = (
        "## Main\n\nA long enough section with real prose in it. And a second sentence.\n\n"
        "## Thanks\n\nThanks for reading!\n"
    )
    article = parse_article(text, "post.md", "markdown")
    assert [s.heading for s in article.sections] == ["Main"]
    assert [s.text for s in article.sections[0].sentences][-2:] == ["Thanks", "Thanks for reading!"]


@pytest.mark.parametrize(
    ("text", "title", "headings"),
    [
        # A chapter (GitBook, MkDocs): "# Title" at the top, its sections "#" too.
        (
            "# A chapter\n\nThe intro says what comes. It is short.\n\n# One\n\nIts prose. And more.\n\n"
            "# Two\n\nMore prose here. The end.\n",
            "A chapter",
            ["A chapter", "One", "Two"],
        ),
        # Front matter names the title: the top heading is a section.
        (
            "---\ntitle: From front matter\n---\n\n# One\n\nIts prose. And more.\n\n"
            "# Two\n\nMore prose here. The end.\n",
            "From front matter",
            ["One", "Two"],
        ),
        # Prose first: no heading is at the top, so the file name titles the post.
        (
            "The post starts with prose. It goes on.\n\n# One\n\nIts prose. And more.\n\n"
            "# Two\n\nMore prose here. The end.\n",
            "My chapter",
            ["My chapter", "One", "Two"],
        ),
    ],
)
def test_a_heading_at_the_top_titles_a_post_without_one(
    text: str, title: str, headings: list[str]
) -> None:
    article = parse_article(text, "my-chapter.md", "markdown")
    assert article.title == title
    assert [s.heading for s in article.sections] == headings
