"""Hostile or odd input never escapes as a traceback: an article, or one ArticleError."""

from __future__ import annotations

import contextlib
import time

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
        "<sup>",
        "</sup>",
        '<sup><a href="#f1">1</a></sup>',
        "[^1]: ",
        "{% filename %}",
        "{% endfilename %}",
        " ```\n",
        "<!--\n.. title: x\n-->\n",
        "----\n",
        "=x= ",
        "[[a.png]]",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["text", "markdown", "html", "rst", "org"]))
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


def _alias_bomb(depth: int = 10, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, depth):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return (
        "---\ntitle: Bomb\n"
        + "\n".join(lines)
        + f"\ntags: *a{depth - 1}\n---\n\n## A\n\nProse here. More.\n"
    )


def test_yaml_alias_bomb_is_refused_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Aliases nested ten deep (9**10 values) are refused in one line, exit 2, at once."""
    from click.testing import CliRunner

    from bot.cli import cli

    with pytest.raises(ArticleError, match=r"post.md:2: front matter's YAML aliases") as caught:
        parse_article(_alias_bomb(), "post.md", "markdown")
    assert "\n" not in str(caught.value)
    path = tmp_path / "bomb.md"
    path.write_text(_alias_bomb(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["preview", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "YAML aliases" in result.stderr


def test_yaml_aliases_that_real_front_matter_uses_still_read() -> None:
    """A few anchors and aliases (shared tags) are ordinary YAML and still read."""
    text = "---\ntitle: Shared\nbase: &tags [go, hugo]\ntags: *tags\n---\n\n## A\n\nProse here. More.\n"
    assert parse_article(text, "post.md", "markdown").tags == ("go", "hugo")


def _seconds_to_read(headings: int) -> float:
    text = "".join(f"## Heading {i}\n\nShort one {i}.\n\n" for i in range(headings))
    # CPU time of this process: other processes on a busy machine do not count.
    start = time.process_time()
    article = parse_article(text, "post.md", "markdown")
    elapsed = time.process_time() - start
    assert len(article.sections) == 1  # every one-sentence section joined the first
    return elapsed


def test_many_short_sections_merge_in_linear_time() -> None:
    """8x the headings takes about 8x the time, not 64x (the timing lives in the bench)."""
    _seconds_to_read(500)  # warm the parser and caches
    small = min(_seconds_to_read(1_000) for _ in range(3))
    large = min(_seconds_to_read(8_000) for _ in range(2))  # a busy machine's blip is no trend
    assert large / small < 24, f"1,000 headings {small:.3f} s, 8,000 headings {large:.3f} s"


@pytest.mark.parametrize(
    "body",
    [
        "In Go templates, write `{{ %` to start one and `}}` to end it. The rest stays.",
        "Hugo's `{{% note %}}` and Liquid's `{% raw %}` are written in code spans. All stay.",
        "A span over\ntwo lines, `{{ x\n}}`, keeps its text. And this.",
    ],
)
def test_code_spans_are_never_touched_by_the_dialect_pass(body: str) -> None:
    """Template syntax inside a code span is shown as written: no lone backtick tweet."""
    article = parse_article(f"## Section\n\n{body}\n", "post.md", "markdown")
    text = " ".join(s.text for s in article.sections[0].sentences)
    assert text == " ".join(body.replace("`", "").split())


def test_html_title_is_not_a_section_h1() -> None:
    """With several h1s, the <title> (less its site suffix) is the post's title."""
    page = (
        "<html><head><title>This Week in Rust 500 · This Week in Rust</title></head><body>"
        "<article><h1>Quote of the Week</h1><p>A quote that is long enough to be read. It has two sentences.</p>"
        "<h1>Updates</h1><p>Many updates happened this week. More will follow next week.</p>"
        "</article></body></html>"
    )
    article = parse_article(page, "twir.html", "html")
    assert article.title == "This Week in Rust 500"
    assert [s.heading for s in article.sections] == ["Quote of the Week", "Updates"]
    single = "<html><head><title>Site</title></head><body><h1>My post</h1><p>Words here.</p></body></html>"
    assert parse_article(single, "post.html", "html").title == "My post"
