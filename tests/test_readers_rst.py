"""reStructuredText posts via docutils: title, fields, sections, named links."""

from __future__ import annotations

import datetime as dt

from threads.parsing import load_article, parse_article

POST = """\
Rust in Production
##################

:date: 2024-02-10 09:30
:slug: rust-in-production
:tags: rust, production
:summary: What we learned.

We moved our parser to Rust in 2023. The `Rust book <https://doc.rust-lang.org/book/>`_
helped a lot, and :ref:`the guide <guide>` too.

Why we moved
============

Speed mattered to us. Memory safety mattered more.

.. code-block:: rust

   fn main() {}

* First point of the list.
* Second point [#]_.

.. [#] A footnote.

What came next
==============

The team grew to 12 people. Everyone learned the borrow checker.
"""


def test_rst_post() -> None:
    """Title, docinfo fields, sections by depth, link text kept, code and footnotes left out."""
    article = parse_article(POST, "post.rst")
    assert article.title == "Rust in Production"
    assert article.date == dt.date(2024, 2, 10)
    assert article.slug == "rust-in-production"
    assert article.tags == ("rust", "production")
    assert article.description == "What we learned."
    assert [s.heading for s in article.sections] == [
        "Rust in Production",
        "Why we moved",
        "What came next",
    ]
    intro = [s.text for s in article.sections[0].sentences]
    assert intro == [
        "We moved our parser to Rust in 2023.",
        "The Rust book helped a lot, and the guide too.",
    ]
    moved = [(s.text, s.role) for s in article.sections[1].sentences]
    assert moved == [
        ("Speed mattered to us.", "prose"),
        ("Memory safety mattered more.", "prose"),
        ("First point of the list.", "item"),
        ("Second point.", "item"),
    ]
    assert article.skipped == {"code blocks": 1, "footnotes": 1}


def test_rst_detected_by_content(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A reST file without the .rst extension is recognised by its title underline."""
    path = tmp_path / "post.post"
    path.write_text(POST, encoding="utf-8")
    assert load_article(path).title == "Rust in Production"


def test_ablog_post_titled_by_its_first_section() -> None:
    """Sphinx/ABlog: sibling top-level sections, the first one titles the page; the
    ``.. post::`` directive gives the date and tags."""
    text = (
        "SunPy Update - March 2016\n=========================\n\n"
        ".. post:: 7 March 2016\n   :author: Stuart\n   :tags: sunpy, status\n\n"
        "Hello all, once again here is a recap. It is short.\n\n"
        "February News\n=============\n\nWe had a very successful sprint. Progress is good.\n"
    )
    article = parse_article(text, "update.rst")
    assert (article.title, article.date, article.tags) == (
        "SunPy Update - March 2016",
        dt.date(2016, 3, 7),
        ("sunpy", "status"),
    )
    assert [s.heading for s in article.sections] == ["SunPy Update - March 2016", "February News"]


def test_nikola_comment_metadata() -> None:
    """Nikola's reST posts carry their metadata as ``.. key: value`` comments on top."""
    text = (
        ".. title: A Nikola post\n.. slug: a-nikola-post\n.. date: 2020-04-21 11:37:11 UTC+02:00\n"
        ".. tags: nikola, blog\n.. link:\n\n"
        "The post starts here. It goes on.\n\nA part\n------\n\nMore prose here. It ends.\n"
    )
    article = parse_article(text, "post.rst")
    assert (article.title, article.slug, article.date, article.tags) == (
        "A Nikola post",
        "a-nikola-post",
        dt.date(2020, 4, 21),
        ("nikola", "blog"),
    )
    assert [s.heading for s in article.sections] == ["A Nikola post", "A part"]
