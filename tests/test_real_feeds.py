"""Real feeds (sources and licences in tests/feeds/SOURCES-real.md): every entry with
text becomes threads with the entry's title, and no tweet shows markup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.feeds.preview import preview_feed
from threads.options import BuildOptions
from threads.templates import TemplateSet

from .article_checks import problems
from .conftest import ROOT

NAMES = [
    "atom-en-chaosmesh.xml",
    "atom-en-rustblog.xml",
    "jsonfeed-en-openassistant.json",
    "jsonfeed-en-recoil.json",
    "rss-content-en-fory.xml",
    "rss-content-en-recoil.xml",
    "rss-summary-de-innersource.xml",
    "rss-summary-en-datafusion.xml",
    "rss-summary-en-jest.xml",
    "rss-summary-ja-innersource-relative.xml",
]
# Problems that are the feed's own text, accepted with why.
KNOWN = {
    "Deploy Chaos Mesh on KubeSphere": "the post's HTML itself shows **NodePort ** unrendered",
    "Announcing Apache Arrow DataFusion is now Apache DataFusion": "an arrow '-->' in its prose",
}


def folder() -> Path | None:
    for candidate in (
        os.environ.get("THREADBOT_FEEDS", ""),
        str(ROOT.parent / "shared" / "blog-feeds"),
        str(ROOT.parent / "feeds"),
    ):
        if candidate and (Path(candidate) / NAMES[0]).is_file():
            return Path(candidate)
    return None


FOLDER = folder()
pytestmark = pytest.mark.skipif(
    FOLDER is None, reason="the real feeds are not present: set THREADBOT_FEEDS"
)


@pytest.mark.parametrize("name", NAMES)
def test_real_feed(name: str, options: BuildOptions, templates: TemplateSet) -> None:
    """Feed and entry titles right; entries with text make threads without markup."""
    assert FOLDER is not None
    preview = preview_feed(str(FOLDER / name), options, templates, fetch_pages=False)
    assert preview.feed.title
    assert "<" not in preview.feed.title
    assert preview.entries
    with_threads = 0
    for item in preview.entries:
        entry = item.entry
        assert entry.title
        assert "&amp;" not in entry.title
        if item.prepared is None:
            # Only entries without prose (a link, a teaser too short for a section) make none.
            assert item.problem is not None
            continue
        with_threads += 1
        assert item.prepared.article.title == entry.title
        source = (
            entry.title
            + "\n"
            + ((entry.content_html if entry.has_full_content else entry.summary_html) or "")
        )
        found = problems(source, item.prepared)
        if entry.title in KNOWN:
            continue
        assert [line for line in found if "prose words reach" not in line] == [], entry.title
    assert with_threads >= len(preview.entries) * 0.9 or name.startswith("rss-summary-ja")
