"""Hostile or odd input never escapes as a traceback: an article, or one ArticleError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threads.errors import ArticleError
from threads.parsing import parse_article

PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "---\n",
        "+++\n",
        "title: x\n",
        "{% raw %}",
        "{{< x >}}",
        "{{ y }}",
        "<div>",
        "</div>",
        "<p>",
        "<script>",
        "```\n",
        "> ",
        "- ",
        "1. ",
        "[a](b)",
        "[^1]",
        "|a|b|\n|-|-|\n",
        ".. note::\n",
        "====\n",
        ":date: 2020\n",
        "**",
        "_",
        "`",
        "\n\n",
        "@bep ",
        "https://x.org ",
        "한국어. ",
        "日本語。",
        "Text. ",
        "USD 3 billion in 2020. ",
        "\u200d",
        "\ufeff",
        "🧵",
        "<!--",
        "-->",
        "{:toc}",
        "import X from 'y';\n",
        "<Tabs>\n",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["text", "markdown", "html", "rst"]))
def test_any_text_is_an_article_or_one_error(text: str, article_format: str) -> None:
    """Every reader returns an article or raises ArticleError, never anything else."""
    try:
        article = parse_article(text, "post", article_format)  # type: ignore[arg-type]
    except ArticleError as error:
        message = str(error)
    else:
        message = ""
        assert article.sections
    assert "\n" not in message


@pytest.mark.parametrize("depth", [2_000, 20_000])
def test_deep_nesting(depth: int) -> None:
    """Deeply nested quotes and lists are read (or refused) without a recursion crash."""
    for text, fmt in ((">" * depth + " deep.\n", "markdown"), ("<div>" * depth + "x.", "html")):
        with contextlib.suppress(ArticleError):
            parse_article(text, "post", fmt)  # type: ignore[arg-type]
