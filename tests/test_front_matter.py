"""Front matter as generators write it: any key accepted, the useful ones read."""

from __future__ import annotations

import datetime as dt

import pytest

from threads.parsing import parse_article
from threads.readers.front_matter import parse_date

BODY = "\n## Part\n\nThe first sentence is here. The second one follows it.\n"


def parse(head: str, name: str = "post.md"):  # type: ignore[no-untyped-def]
    return parse_article(head + BODY, name, "markdown")


@pytest.mark.parametrize(
    ("head", "field", "expected"),
    [
        ("---\ntitle: A\nlayout: post\nauthor: me\ncategories: [x]\n---\n", "title", "A"),
        ("\n\n---\ntitle: After blank lines\n---\n", "title", "After blank lines"),
        ('+++\ntitle = "From TOML"\ndate = 2024-03-01T10:00:00Z\n+++\n', "title", "From TOML"),
        (
            "Title: Pelican post\nDate: 2010-12-03 10:20\nCategory: Python\n\n",
            "title",
            "Pelican post",
        ),
        ("---\ntitle: x\ndate: 2017-03-21 08:52:53 -0500\n---\n", "date", dt.date(2017, 3, 21)),
        ("---\ntitle: x\ndate: 2025-11-11T10:30:00-08:00\n---\n", "date", dt.date(2025, 11, 11)),
        ("---\ntitle: x\ndate: March 3, 2021\n---\n", "date", dt.date(2021, 3, 3)),
        ('+++\ntitle = "x"\ndate = 2024-03-01\n+++\n', "date", dt.date(2024, 3, 1)),
        ("---\ntitle: x\ncanonical_url: https://b.org/p/\n---\n", "url", "https://b.org/p/"),
        ("---\ntitle: x\npermalink: /2020/my-post/\n---\n", "url", "/2020/my-post/"),
        ("---\ntitle: x\npermalink: /:year/:title/\n---\n", "url", None),
        ("---\ntitle: x\ncategories: [a, b]\n---\n", "tags", ("a", "b")),
        ("Title: x\nTags: one, two\n\n", "tags", ("one", "two")),
        ("---\ntitle: x\nlang: ko-KR\n---\n", "language", "ko"),
        ("---\ntitle: x\ndescription: Short.\n---\n", "description", "Short."),
        ("---\ntitle: x\ndraft: true\n---\n", "draft", True),
        ("---\ntitle: x\npublished: false\n---\n", "draft", True),
        ("Title: x\nStatus: draft\n\n", "draft", True),
        ("---\ntitle: x\nslug: custom-slug\n---\n", "slug", "custom-slug"),
        (
            "---\ntitle: Sorted Data: Sort Pushdown\ndate: 2026-07-20\n---\n",
            "title",
            "Sorted Data: Sort Pushdown",
        ),
        (
            "---\ntitle: CSS `accent-color` and **more**\n---\n",
            "title",
            "CSS accent-color and more",
        ),
        ("---\nnewstitle: Eleventy, 2025 in Review\n---\n", "title", "Eleventy, 2025 in Review"),
        ("---\ntitle: x\ndescription: Wait for it...\ndraft: true\n---\n", "draft", True),
        ('+++\ntitle = "x"\nnote = "a +++ b"\ndraft = true\n+++\n', "draft", True),
        # Nikola: ".. key: value" lines in an HTML comment at the top.
        (
            "<!--\n.. title: From Nikola\n.. slug: nikola-post\n.. tags: \n-->\n",
            "title",
            "From Nikola",
        ),
        (
            "<!--\n.. title: x\n.. date: 2012-09-15 19:52:05 UTC\n-->\n",
            "date",
            dt.date(2012, 9, 15),
        ),
        ("<!--\n.. title: x\n.. tags: one, two\n\n.. category: \n-->\n", "tags", ("one", "two")),
        # Any other comment at the top is not metadata.
        ("<!-- .. title: a note -->\n", "title", "Post"),
    ],
)
def test_front_matter_field(head: str, field: str, expected: object) -> None:
    """A table of real-world front matter and the field threadbot reads from it."""
    assert getattr(parse(head), field) == expected


@pytest.mark.parametrize(
    ("text", "name", "title", "slug"),
    [
        ("# The H1 Title\n" + BODY, "2024-05-01-some-post.md", "The H1 Title", "some-post"),
        (BODY, "/blog/2024-05-01-some_post.md", "Some post", "some-post"),
        (BODY, "/content/posts/my-bundle/index.md", "My bundle", "my-bundle"),
        (BODY, "/content/posts/my-bundle/index.es.md", "My bundle", "my-bundle"),
    ],
)
def test_title_and_slug_never_a_path(text: str, name: str, title: str, slug: str) -> None:
    """Title: front matter, else the lone # heading, else the file (or bundle) name."""
    article = parse_article(text, name, "markdown")
    assert (article.title, article.slug) == (title, slug)


def test_unparseable_date_is_ignored() -> None:
    """A date no parser understands is left out rather than refusing the post."""
    assert parse_date("sometime soon") is None
