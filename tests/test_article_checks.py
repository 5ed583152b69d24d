"""The property checks themselves: they read the source as the page shows it, so what a
reader rightly tweets is never reported, and what leaks still is."""

from __future__ import annotations

from pathlib import Path

from threads.options import BuildOptions
from threads.pipeline import prepare
from threads.templates import TemplateSet

from .article_checks import problems

POST = """---
title: Checks
---

## Part

Most of the time is in expand\\_crate, which \\[an expert\\] can confirm. The table
holds 1.34 × 10<sup>5</sup> rows on a good day.
"""


def test_the_source_is_read_as_rendered(
    tmp_path: Path, options: BuildOptions, templates: TemplateSet
) -> None:
    """Escaped characters and raised numbers are in the source as the page shows them."""
    path = tmp_path / "checks.md"
    path.write_text(POST, encoding="utf-8")
    prepared = prepare(path, options, templates)
    texts = " ".join(t.text for thread in prepared.threads for t in thread.tweets)
    assert "expand_crate" in texts
    assert "10⁵" in texts
    assert problems(POST, prepared, expected_title="Checks") == []


def test_a_word_the_source_never_shows_is_still_reported(
    tmp_path: Path, options: BuildOptions, templates: TemplateSet
) -> None:
    path = tmp_path / "checks.md"
    path.write_text(POST, encoding="utf-8")
    prepared = prepare(path, options, templates)
    other = POST.replace("expand\\_crate", "expand\\_macros").replace("10<sup>5", "10<sup>6")
    found = problems(other, prepared, expected_title="Checks")
    assert any("'expand_crate' is not in the source" in line for line in found)
    assert any("'10⁵' is not in the source" in line for line in found)
