"""@handles from an article are mentions on X only when the owner allows them."""

from __future__ import annotations

import pytest

from threads.building import build_threads
from threads.mentions import unlink_mentions, unlinked_mentions
from threads.options import BuildOptions, MentionOptions
from threads.parsing import parse_article
from threads.templates import TemplateSet
from threads.validation import validate


@pytest.mark.parametrize(
    ("text", "allowed", "expected"),
    [
        ("Thanks to @bep and @mdo.", set(), "Thanks to bep and mdo."),
        ("Thanks to @bep and @mdo.", {"bep"}, "Thanks to @bep and mdo."),
        ("Mail me at jane@example.com today.", set(), "Mail me at jane@example.com today."),
        (
            "See https://medium.com/@writer/post now.",
            set(),
            "See https://medium.com/@writer/post now.",
        ),
        ("Ask @GONOGO_Korea.", {"gonogo_korea"}, "Ask @GONOGO_Korea."),
        ("Full-width ＠handle too.", set(), "Full-width handle too."),
    ],
)
def test_unlink_mentions(text: str, allowed: set[str], expected: str) -> None:
    """Only handles X would link lose their sign; emails and URLs stay as they are."""
    assert unlink_mentions(text, allowed) == expected


def test_article_handles_are_posted_without_at(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """A GitHub handle in the prose is posted without @ and listed in an info finding."""
    article = parse_article(
        "## Release\n\nThis release was led by @bep with help from @GONOGO_Korea. "
        "Thanks to both of them.\n",
        "post.md",
    )
    threads = build_threads(article, options, templates)
    texts = " ".join(t.text for t in threads[0].tweets if t.kind != "closing")
    assert "led by bep with help from @GONOGO_Korea" in texts
    findings = [f for f in validate(article, threads, options) if f.code == "mention-unlinked"]
    assert [f.severity for f in findings] == ["info"]
    assert "@bep" in findings[0].message
    assert "GONOGO" not in findings[0].message


def test_allow_list_keeps_a_mention(options: BuildOptions, templates: TemplateSet) -> None:
    """[mentions] allow lets a handle through as a real mention."""
    allowing = options.model_copy(update={"mentions": MentionOptions(allow=("@bep",))})
    article = parse_article("## A\n\nLed by @bep this time. It went well.\n", "post.md")
    threads = build_threads(article, allowing, templates)
    assert "Led by @bep" in threads[0].tweets[0].text
    assert unlinked_mentions("Led by @bep", allowing.allowed_mentions()) == []
