"""The Markdown format: front matter, headings, lists, inline markup, and its errors."""

from __future__ import annotations

import datetime as dt

import pytest

from threads.errors import ArticleError
from threads.parsing import parse_article

ARTICLE = """---
title: Seoul's Data Centres
url: https://blog.example.org/seoul-data-centres
date: 2025-05-01
tags: [korea, cloud]
---
# Ignored Because Front Matter Has A Title

## Why Seoul

Seoul is a **cloud hub** for the region. According to [KDCA](https://kdca.example),
capacity reached USD 3.2 billion in 2024.

- Power is cheap.
- Fibre is `everywhere`.

```
code = "not prose"
```

## What Next

Growth continues in the south. Busan is next in line for new sites.

## References

- KDCA. (2024, May 2). Data centre census. https://kdca.or.kr/census

🔎 Want more on Asian tech?
I recommend @asia_tech as a daily read.
"""


def test_markdown_article() -> None:
    """Front matter, sections, lists as paragraphs, stripped markup, references and calls."""
    article = parse_article(ARTICLE, "seoul.md", "markdown")
    assert article.title == "Seoul's Data Centres"
    assert article.url == "https://blog.example.org/seoul-data-centres"
    assert article.date == dt.date(2025, 5, 1)
    assert article.tags == ("korea", "cloud")
    assert [s.heading for s in article.sections] == ["Why Seoul", "What Next"]
    first = article.sections[0]
    assert [s.text for s in first.sentences] == [
        "Seoul is a cloud hub for the region.",
        "According to KDCA, capacity reached USD 3.2 billion in 2024.",
        "Power is cheap.",
        "Fibre is everywhere.",
    ]
    assert first.facts[0].source_name == "KDCA"
    assert first.facts[0].source is not None
    assert first.facts[0].source.url == "https://kdca.or.kr/census"
    assert [(c.kind, c.handle, c.label) for c in article.calls_to_action] == [
        ("recommendation", "asia_tech", "Want more on Asian tech?")
    ]


def test_h1_is_title_without_front_matter() -> None:
    """Without front matter the single `#` heading is the title, not a section."""
    article = parse_article("# My Title\n\n## Part\n\nText here.\n", "t.md", "markdown")
    assert article.title == "My Title"
    assert [s.heading for s in article.sections] == ["Part"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\n## A\n\nB.\n", "t.md:"),
        ("+++\ntitle = [unclosed\n+++\n## A\n\nB.\n", "t.md:2: front matter is not valid TOML"),
        ("## Only a heading\n", "t.md: no sections found"),
    ],
)
def test_markdown_errors(text: str, message: str) -> None:
    """Front matter that cannot be read, or an article without prose, names file and line."""
    with pytest.raises(ArticleError) as caught:
        parse_article(text, "t.md", "markdown")
    assert str(caught.value).startswith(message)
