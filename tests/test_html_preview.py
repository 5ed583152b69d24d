"""The HTML preview: entity linking like X, and the page checked in a real Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.views.html import display_url, linkify
from threads.urls import find_urls

from .conftest import CONFIG, EXAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "Hi @GONOGO_Korea!",
            'Hi <a class="mention" href="https://x.com/GONOGO_Korea">@GONOGO_Korea</a>!',
        ),
        (
            "#kpop and #2024",
            '<a class="hashtag" href="https://x.com/hashtag/kpop">#kpop</a> and #2024',
        ),
        (
            "see AsiaFundManagers.com",
            'see <a class="url" href="https://AsiaFundManagers.com" title="AsiaFundManagers.com">AsiaFundManagers.com</a>',
        ),
        ("a < b & c", "a &lt; b &amp; c"),
        ("mail me@example.com", "mail me@example.com"),
        (
            "https://x.com/a#frag @x",
            '<a class="url" href="https://x.com/a#frag" title="https://x.com/a#frag">x.com/a#frag</a> <a class="mention" href="https://x.com/x">@x</a>',
        ),
    ],
)
def test_linkify_links_what_x_links(text: str, html: str) -> None:
    """URLs (bare domains too), @mentions and #hashtags are linked; everything else escaped."""
    assert str(linkify(text)) == html


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://www.example.com/", "example.com/"),
        (
            "http://example.com/blog/kpop-asean-plus-three?utm_source=x",
            "example.com/blog/kpop-ase…",
        ),
        ("pism.pl/publications", "pism.pl/publications"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    """Long URLs are shown without scheme or www., cut at 26 characters."""
    assert display_url(url) == shown


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("html") / "preview.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "preview",
            str(EXAMPLE),
            "--config",
            str(CONFIG),
            "--format",
            "json",
            "--html",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == f"HTML preview: {out}\n"
    return out, json.loads(result.stdout)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.mark.e2e
@pytest.mark.parametrize("width", [375, 1280])
def test_page_in_chromium(
    browser, page_file: tuple[Path, dict[str, object]], width: int, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Every tweet in order with X's links, nothing overflowing, every image with alt text."""
    path, document = page_file
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    expected = [(t["id"], [tw["text"] for tw in t["tweets"]]) for t in document["threads"]]  # type: ignore[index]
    shown = page.eval_on_selector_all(
        "section.thread",
        "sections => sections.map(s => [s.dataset.thread, [...s.querySelectorAll('.tweet .text')].map(t => t.textContent)])",
    )
    assert [tuple(item) for item in shown] == [
        (i, [display_text(t) for t in texts]) for i, texts in expected
    ]
    hrefs = page.eval_on_selector_all(
        ".tweet .text", "ts => ts.map(t => [...t.querySelectorAll('a.url')].map(a => a.title))"
    )
    assert hrefs == [find_urls(text) for _, texts in expected for text in texts]
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main, .thread, .tweet, .text, .media, .finding')]
              .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)"""
    )
    assert overflowing == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.alt, i.naturalWidth])")
    assert len(images) == 2
    assert all(alt and natural == 800 for alt, natural in images)
    assert [r for r in requests if not r.startswith(("file:", "data:"))] == []  # self-contained
    page.screenshot(path=str(tmp_path / f"preview-{width}.png"), full_page=True)
    assert (tmp_path / f"preview-{width}.png").stat().st_size > 10_000
    page.close()


def display_text(text: str) -> str:
    """What the page shows for a tweet: its text with each URL in X's short display form."""
    for url in find_urls(text):
        text = text.replace(url, display_url(url), 1)
    return text


@pytest.mark.e2e
def test_unwritable_html_path_exits_2(tmp_path: Path) -> None:
    """A path that cannot be written is one line naming it, exit 2."""
    target = tmp_path / "missing-folder" / "out.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "preview",
            str(EXAMPLE),
            "--config",
            str(CONFIG),
            "--html",
            str(target),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == f"error: {target}: cannot write the HTML preview (No such file or directory)\n"
    )
