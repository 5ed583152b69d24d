"""Static-site dialects: template syntax goes, the prose around and inside it stays."""

from __future__ import annotations

import pytest

from threads.parsing import parse_article
from threads.readers.dialects import strip_dialects


def prose(body: str, name: str = "post.md") -> list[str]:
    article = parse_article(f"## Section\n\n{body}\n", name, "markdown")
    return [s.text for s in article.sections[0].sentences]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Jekyll / Liquid
        ("{% raw %}\nKeep {{ this }} literally.\n{% endraw %}", ["Keep {{ this }} literally."]),
        (
            "Before.\n\n{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\nAfter.",
            ["Before.", "After."],
        ),
        ("Read {% include note.html %}this part.", ["Read this part."]),
        ("See [the post]({% post_url 2020-01-01-x %}) today.", ["See the post today."]),
        ("See [the docs]({{ site.main }}/docs) now.", ["See the docs now."]),
        ("Hi {{ page.author }}there.", ["Hi there."]),
        ("Kept.\n{% comment %}\nHidden text.\n{% endcomment %}", ["Kept."]),
        ("A paragraph with a class.\n{: .lead}", ["A paragraph with a class."]),
        ("* TOC\n{:toc}\n\nThe body starts here.", ["The body starts here."]),
        # Hugo
        ('{{< imgproc cat Resize "600x" >}}\n\nA cat.', ["A cat."]),
        ("{{< note >}}\nInner prose stays.\n{{< /note >}}", ["Inner prose stays."]),
        ("{{% notice tip %}}Tip text stays.{{% /notice %}}", ["Tip text stays."]),
        (
            "Before.\n\n{{< highlight go >}}\nfmt.Println(1)\n{{< /highlight >}}\n\nAfter.",
            ["Before.", "After."],
        ),
        (
            'Before.\n\n{{< figure src="a.png" caption="A caption" >}}\n\nAfter.',
            ["Before.", "After."],
        ),
        # MDX: Astro and Docusaurus posts
        ("import Tabs from '@theme/Tabs';\n\nThe prose.", ["The prose."]),
        ("export const meta = {\n  title: 'x',\n};\n\nThe prose.", ["The prose."]),
        ('<Tabs>\n<TabItem value="a">\n\nInside a tab.\n\n</TabItem>\n</Tabs>', ["Inside a tab."]),
        ("{/* a comment */}\n\nThe prose.", ["The prose."]),
        ("Intro text.\n\n<!--truncate-->\n\nMore text.", ["Intro text.", "More text."]),
        (":::note Heads up\n\nAdmonition prose.\n\n:::", ["Admonition prose."]),
        ("[[toc]]\n\nVitePress prose.", ["VitePress prose."]),
        # GitBook/HonKit: a code label is the code's caption, not prose
        (
            "Run it.\n\n{% filename %}command-line{% endfilename %}\n```\n$ ls\n```\n\nAfter.",
            ["Run it.", "After."],
        ),
    ],
)
def test_dialect_construct(body: str, expected: list[str]) -> None:
    """Each construct is removed cleanly; prose inside paired constructs is kept."""
    assert prose(body) == expected


def test_line_numbers_survive_the_pre_pass() -> None:
    """Removed constructs leave their newlines, so messages point at the file's lines."""
    text = "{% comment %}\na\nb\n{% endcomment %}\n{{< x\n  y >}}\nLine seven."
    stripped = strip_dialects(text)
    assert stripped.count("\n") == text.count("\n")
    assert stripped.splitlines()[6] == "Line seven."


def test_a_lone_brace_pair_never_swallows_paragraphs() -> None:
    """`{{` in one section and `}}` in another: every section and its prose survive."""
    text = (
        "## One\n\nIn an f-string, write `{{` to get a brace. More here.\n\n"
        "## Two\n\nThe middle costs USD 3 million in 2020. And more.\n\n"
        "## Three\n\nAnd `}}` closes it. Yes it does.\n"
    )
    article = parse_article(text, "post.md", "markdown")
    assert [s.heading for s in article.sections] == ["One", "Two", "Three"]
    assert article.sections[1].facts[0].figures[0].text == "USD 3 million"


def test_fenced_code_keeps_its_template_syntax() -> None:
    """Inside fenced code, Liquid is code (left alone, and skipped as code)."""
    text = "Before. More.\n\n```jinja\n{% if x %}\n\n{{ y }}\n```\n\nAfter {{ site.url }} this."
    assert strip_dialects(text).count("{% if x %}") == 1
    assert prose(text) == ["Before.", "More.", "After this."]


def test_a_closing_fence_may_be_indented_up_to_three_spaces() -> None:
    """CommonMark: " ```" closes a fence opened at the margin, so the template tag after
    it is outside the code and goes (it was read as code, the next fence as its end)."""
    text = (
        "Before.\n\n```\none\n ```\n\n{% include note.html %}The middle stays.\n\n"
        "```\ntwo\n```\n\nAfter.\n\n~~~~\nthree\n   ~~~~~~\n\nEnd {% x %}here."
    )
    assert prose(text) == ["Before.", "The middle stays.", "After.", "End here."]


def test_a_callout_title_stands_apart_from_the_callouts_prose() -> None:
    """Quarto's "## Title" inside a callout is a paragraph of its own (on the fence's
    line), never run into the callout's first sentence; line numbers are kept."""
    text = "Before. More.\n\n::: {.callout-tip}\n## Why not pandas?\nIt is slower here.\n:::\n"
    stripped = strip_dialects(text)
    assert stripped.count("\n") == text.count("\n")
    assert prose(text) == ["Before.", "More.", "Why not pandas?", "It is slower here."]
    article = parse_article(f"## Section\n\n{text}", "post.qmd")
    assert [s.line for s in article.sections[0].sentences][-2:] == [5, 7]
