"""HTML pages: the post's main content and metadata, never the site around it."""

from __future__ import annotations

import datetime as dt

import pytest

from threads.parsing import load_article, parse_article

from .conftest import ROOT

PAGE = ROOT / "tests" / "articles" / "saved-page.html"


def test_saved_page_main_content_and_metadata() -> None:
    """Title from the h1 inside og:title, canonical URL, date, lang; chrome left out."""
    article = load_article(PAGE)
    assert article.title == "Why Seoul Builds Data Centres"
    assert article.url == "https://blog.example.org/2025/seoul-data-centres/"
    assert article.date == dt.date(2025, 5, 1)
    assert article.language == "en"
    assert article.tags == ("korea",)
    assert article.description == "Power, fibre and proximity."
    assert [s.heading for s in article.sections] == ["Power and proximity", "What comes next"]
    text = " ".join(s.text for section in article.sections for s in section.sentences)
    for chrome in ("Home", "Latest news", "Another post", "Jane Doe", "Share on X", "©"):
        assert chrome not in text
    for non_prose in ("map of data", "Data centres around", "curl", "40 MW", "Example repository"):
        assert non_prose not in text
    assert [(s.text, s.role) for s in article.sections[0].sentences][-4:] == [
        ("Operators list three reasons:", "prose"),
        ("fibre in almost every building,", "item"),
        ("power that is reliable,", "item"),
        ("and short distances.", "item"),
    ]
    assert article.sections[0].facts[0].source_name == "Korea Data Center Council"
    assert article.skipped == {"code blocks": 1, "tables": 1}


@pytest.mark.parametrize(
    ("html", "title"),
    [
        (
            "<html><head><title>Post Title | Site</title></head><body><p>A b c d.</p></body></html>",
            "Post Title",
        ),
        (
            '<html><head><meta property="og:title" content="OG Title"></head><body><p>A b.</p></body></html>',
            "OG Title",
        ),
        (
            "<html><body><main><h1>Main H1</h1><p>Some prose here.</p></main></body></html>",
            "Main H1",
        ),
    ],
)
def test_title_sources(html: str, title: str) -> None:
    """og:title, the article's h1, else <title> without its site suffix."""
    assert parse_article(html, "page.html").title == title


def test_listing_page_takes_the_longest_article() -> None:
    """Of several <article>s, the post is the longest one."""
    html = (
        "<html><body><article><p>Teaser one.</p></article>"
        "<article><h2>Real</h2><p>The real post has far more prose than any teaser. "
        "It goes on for a while.</p></article></body></html>"
    )
    article = parse_article(html, "page.html")
    assert article.sections[0].heading == "Real"


def test_detected_by_content_without_extension() -> None:
    """A page saved without an extension is recognised as HTML."""
    article = parse_article(PAGE.read_text(encoding="utf-8"), "saved-page")
    assert article.title == "Why Seoul Builds Data Centres"


def test_odd_json_ld_is_ignored() -> None:
    """A JSON-LD block holding a string or number does not make the page unreadable."""
    html = (
        '<html><head><script type="application/ld+json">"just a string"</script>'
        '<script type="application/ld+json">42</script></head>'
        "<body><article><h1>T</h1><p>Some prose. More prose.</p></article></body></html>"
    )
    assert parse_article(html, "page.html").title == "T"


def test_superscripts() -> None:
    """Footnote references in <sup> go (a link to #fn… inside it, or around it); an
    exponent is raised; a note's number opening its paragraph goes."""
    html = (
        "<html><body><article><h2>Part</h2>"
        '<p>Teams<sup><a href="#fn1">1</a></sup> met in 2018<a href="#fn:2"><sup>2</sup></a>.'
        " It holds 10<sup>5</sup> rows on the 3<sup>rd</sup> day.</p>"
        "<p><sup>3</sup> Measured on a laptop.</p></article></body></html>"
    )
    article = parse_article(html, "page.html")
    assert [s.text for s in article.sections[0].sentences] == [
        "Teams met in 2018.",
        "It holds 10⁵ rows on the 3rd day.",
        "Measured on a laptop.",
    ]


def test_markdown_footnotes_left_unrendered_in_a_page() -> None:
    """A generator without a footnote extension leaves "[^1]" in the page: references go
    from the text (not from code), and "[^1]: …" paragraphs are notes, left out."""
    html = (
        "<html><body><article><h2>Part</h2>"
        "<ul><li>99 total rows[^1]</li><li>17 users[^note-2]</li></ul>"
        "<p>Compute it with a program such as this[^3]: it is short. The class <code>[^a]</code>"
        " stays.</p>"
        "<p>[^1]: <code>SELECT COUNT(*) FROM hits;</code></p>"
        "<p>[^3]: The full script is online.</p></article></body></html>"
    )
    article = parse_article(html, "page.html")
    assert [s.text for s in article.sections[0].sentences] == [
        "99 total rows",
        "17 users",
        "Compute it with a program such as this: it is short.",
        "The class [^a] stays.",
    ]
    assert article.skipped == {"footnotes": 2}
