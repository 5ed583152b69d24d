"""Issue 19's formats: one test per construct, and every file not in a format is refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from threads.errors import ArticleError
from threads.parsing import load_article, parse_article
from threads.readers.pandoc import pandoc_path

from .conftest import CONFIG


def sentences(text: str, name: str, fmt: str | None = None) -> list[str]:
    article = parse_article(text, name, fmt)  # type: ignore[arg-type]
    return [s.text for section in article.sections for s in section.sentences]


# --- Notebooks -----------------------------------------------------------------------


def notebook(cells: list[dict[str, object]], metadata: dict[str, object] | None = None) -> str:
    for cell in cells:
        cell.setdefault("metadata", {})
        if cell["cell_type"] == "code":
            cell.setdefault(
                "outputs", [{"output_type": "stream", "name": "stdout", "text": "42\n"}]
            )
            cell.setdefault("execution_count", 1)
    return json.dumps(
        {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}
    )


def test_notebook_markdown_cells_are_the_post_and_code_is_counted() -> None:
    text = notebook(
        [
            {
                "cell_type": "markdown",
                "source": "## Loading\n\nWe load the data first. Then we look.",
            },
            {"cell_type": "code", "source": "df = load()\nprint(df)"},
            {"cell_type": "markdown", "source": "The table has rows. Each one is a day."},
        ],
        {"title": "Notebook post", "date": "2024-05-01"},
    )
    article = parse_article(text, "post.ipynb")
    assert article.title == "Notebook post"
    assert str(article.date) == "2024-05-01"
    assert [s.text for s in article.sections[0].sentences] == [
        "We load the data first.",
        "Then we look.",
        "The table has rows.",
        "Each one is a day.",
    ]
    assert article.skipped == {"code cells": 1}


def test_notebook_front_matter_cells() -> None:
    """Quarto/ABlog's raw YAML cell, and fastpages' leading Markdown cell, are metadata."""
    raw = notebook(
        [
            {"cell_type": "raw", "source": "---\ntitle: From a raw cell\ndate: 2023-01-02\n---"},
            {"cell_type": "markdown", "source": "## Body\n\nThe prose of the post. It goes on."},
        ]
    )
    assert parse_article(raw, "a.ipynb").title == "From a raw cell"
    fastpages = notebook(
        [
            {
                "cell_type": "markdown",
                "source": '# "Fast: a title"\n\n> A summary.\n\n- toc: true\n- categories: [a, b]',
            },
            {"cell_type": "markdown", "source": "## Body\n\nThe prose of the post. It goes on."},
        ]
    )
    article = parse_article(fastpages, "b.ipynb")
    assert (article.title, article.description, article.tags) == (
        "Fast: a title",
        "A summary.",
        ("a", "b"),
    )
    first_heading = notebook(
        [{"cell_type": "markdown", "source": "# Heading title\n\nSome prose here. More."}]
    )
    assert parse_article(first_heading, "c.ipynb").title == "Heading title"
    # An essay notebook: a byline in HTML, then "# Title", and "#" sections in later
    # cells; the metadata's title still wins over the heading.
    essay_cells = [
        {
            "cell_type": "markdown",
            "source": "<div><i>A. Writer</i></div>\n\n# The essay\n\nIt starts here. It goes on.",
        },
        {"cell_type": "code", "source": "x = 1"},
        {"cell_type": "markdown", "source": "# Results\n\nThe results are in. They are good."},
    ]
    essay = parse_article(notebook([dict(cell) for cell in essay_cells]), "d.ipynb")
    assert essay.title == "The essay"
    assert [s.heading for s in essay.sections] == ["The essay", "Results"]
    titled = notebook([dict(cell) for cell in essay_cells], {"title": "From metadata"})
    assert parse_article(titled, "e.ipynb").title == "From metadata"


# --- Quarto and R Markdown -------------------------------------------------------------


QUARTO = """---
title: "A Quarto post"
date: 2024-02-03
description: What it is about.
categories: [r, quarto]
draft: true
---

## Results

```{r}
#| echo: false
x <- rnorm(10)
```

There are `r length(x)` values. The mean is shown below.

::: {.callout-note}
## A note
Callouts keep their prose.
:::

:::: {.columns}
Fenced divs keep theirs too.
::::

A claim with a note^[The note is a footnote.] stands. Also `{python} len(x)` items here.
"""


def test_quarto_chunks_divs_inline_code_and_notes() -> None:
    article = parse_article(QUARTO, "post.qmd")
    assert (article.title, article.description, article.tags, article.draft) == (
        "A Quarto post",
        "What it is about.",
        ("r", "quarto"),
        True,
    )
    assert str(article.date) == "2024-02-03"
    assert [s.text for s in article.sections[0].sentences] == [
        "The mean is shown below.",
        "A note",
        "Callouts keep their prose.",
        "Fenced divs keep theirs too.",
        "A claim with a note stands.",
    ]
    assert article.skipped == {
        "code blocks": 1,
        "footnotes": 1,
        "sentences with computed values": 2,
    }


def test_r_markdown_is_read_as_quarto() -> None:
    text = "---\ntitle: Rmd\n---\n\n## A\n\n```{r setup, include=FALSE}\nlibrary(x)\n```\n\nWe fit `r n` models. It worked well.\n"
    assert sentences(text, "post.Rmd") == ["It worked well."]
    # In plain Markdown a code span `r n` is code text, shown as written.
    assert sentences(text, "post.md") == ["We fit r n models.", "It worked well."]


# --- Math ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("The area is $\\pi r^2$ here. This stays.", ["This stays."]),
        ("Inline \\(a+b\\) math. This stays.", ["This stays."]),
        ("This stays.\n\n$$\nx = 1\n$$\n\nAnd this.", ["This stays.", "And this."]),
        ("It costs $5 and $10 in all. This stays.", ["It costs $5 and $10 in all.", "This stays."]),
    ],
)
def test_math_is_never_tweeted_as_tex(body: str, kept: list[str]) -> None:
    assert sentences(f"## A\n\n{body}\n", "post.md") == kept


# --- Org -----------------------------------------------------------------------------


ORG = """#+TITLE: An Org post
#+DATE: <2021-04-26 Mon>
#+FILETAGS: :emacs:org:

* First section
Org is [[https://orgmode.org][a markup]] with =verbatim= and *bold* /words/. It works[fn:1].
#+BEGIN_SRC python
print("skipped")
#+END_SRC
- an item with ~code~
- another item

* Second section :noexport:
Hidden prose.

* Third section
#+begin_quote
Quoted prose stays here. It is a quote block.
#+end_quote
| a | b |
| 1 | 2 |

[fn:1] The footnote text.
"""


def test_org_keywords_headings_links_and_blocks() -> None:
    article = parse_article(ORG, "post.org")
    assert (article.title, str(article.date), article.tags) == (
        "An Org post",
        "2021-04-26",
        ("emacs", "org"),
    )
    assert [s.heading for s in article.sections] == ["First section", "Third section"]
    assert [s.text for s in article.sections[0].sentences] == [
        "Org is a markup with verbatim and bold words.",
        "It works.",
        "an item with code",
        "another item",
    ]
    assert article.skipped == {"code blocks": 1, "tables": 1, "footnotes": 1}


def test_org_hakyll_metadata_images_and_verbatim_links() -> None:
    """A Hakyll site's Org post: the "----" YAML block is its metadata; a link to an image
    with no description is the image (not prose); a link inside =verbatim= is shown as
    written."""
    text = (
        "----\ntitle: From Hakyll\ntags: Linux, Encryption\n----\n\n#+OPTIONS: ^:nil\n\n"
        "* Setting up\nThe installer shows a screen, as follows:\n\n[[../images/Screen.png]]\n\n"
        "[[https://example.org/shot.jpg]]\n\nWrite =[[https://example.org/a.png]]= to show one."
        " It works.\n"
    )
    article = parse_article(text, "2015-01-22-post.org")
    assert (article.title, article.tags) == ("From Hakyll", ("Linux", "Encryption"))
    assert [s.text for s in article.sections[0].sentences] == [
        "The installer shows a screen, as follows:",
        "Write [[https://example.org/a.png]] to show one.",
        "It works.",
    ]
    # Two horizontal rules around prose are not a metadata block.
    ruled = "-----\nThis is prose: not YAML at all.\n-----\n\n* A\nSome prose. More.\n"
    assert sentences(ruled, "ruled.org")[0] == "This is prose: not YAML at all."
    # The file's own #+TITLE wins over the block's.
    titled = "----\ntitle: From Hakyll\n----\n#+TITLE: From Org\n\n* A\nSome prose. More.\n"
    assert parse_article(titled, "post.org").title == "From Org"


# --- AsciiDoc ------------------------------------------------------------------------


ADOC = """= An AsciiDoc post
Dan Writer
2019-01-07
:revdate: 2019-01-07 14:00:00 -0700
:page-tags: [asciidoc, news]
:url-site: https://asciidoctor.org

Read the {url-site}[project site^] and link:https://x.org/a[the docs] now. Then go on.

== A section

NOTE: Admonitions are prose.

[source,ruby]
----
puts "{url-site}"
----

* An item here
"""


@pytest.mark.skipif(pandoc_path() is None, reason="pandoc is not installed")
def test_asciidoc_header_attributes_links_and_blocks() -> None:
    article = parse_article(ADOC, "post.adoc")
    assert (article.title, str(article.date), article.tags) == (
        "An AsciiDoc post",
        "2019-01-07",
        ("asciidoc", "news"),
    )
    assert [s.heading for s in article.sections] == ["An AsciiDoc post", "A section"]
    texts = [s.text for section in article.sections for s in section.sentences]
    assert texts[:2] == ["Read the project site and the docs now.", "Then go on."]
    assert "Admonitions are prose." in texts[-2]
    assert texts[-1] == "An item here"
    assert article.skipped == {"code blocks": 1}


@pytest.mark.skipif(pandoc_path() is None, reason="pandoc is not installed")
def test_asciidoc_under_jekyll_front_matter() -> None:
    """jekyll-asciidoc and Hugo put YAML front matter above the AsciiDoc header: it is
    metadata, never the first tweet's text; the header fills in what it leaves out."""
    post = (
        '---\nlayout: post\ntitle:  "A Jekyll AsciiDoc post"\ndate: 2023-11-22\n---\n\n'
        ":page-tags: rust\n\nThe first paragraph is prose. It is the lead.\n\n"
        "== A section\n\nMore prose here.\n"
    )
    article = parse_article(post, "post.adoc")
    assert (article.title, str(article.date), article.tags) == (
        "A Jekyll AsciiDoc post",
        "2023-11-22",
        ("rust",),
    )
    texts = [s.text for section in article.sections for s in section.sentences]
    assert texts[:2] == ["The first paragraph is prose.", "It is the lead."]
    assert not any("layout" in text for text in texts)


ADOC_TABLES = """:title: Tables and long values
:summary: A summary that goes on \\
over a second line.

{summary}

== Options

Pick one of these.

[cols="1,2,2"]
.Where sessions live
|===
|Sites |Storage |Options

.2+| One site
|Database
a|
----
--features=persistent
----

|Memory
|none

.2+| Two sites
|Database
|multi-site
|External
|clusterless
|===

|===
|a|b
|11 .2+|12|13
|21 .2+|22|23
|===

The end of the section. It is prose.
"""


@pytest.mark.skipif(pandoc_path() is None, reason="pandoc is not installed")
def test_asciidoc_tables_and_continued_attribute_values() -> None:
    """Tables are left out (pandoc 3.9 read row-spanning ones as a paragraph, or hung);
    an attribute value ending in " \\" goes on over the next line."""
    article = parse_article(ADOC_TABLES, "post.adoc")
    assert article.title == "Tables and long values"
    texts = [s.text for section in article.sections for s in section.sentences]
    assert texts == [
        "A summary that goes on over a second line.",
        "Pick one of these.",
        "The end of the section.",
        "It is prose.",
    ]
    assert article.skipped == {"tables": 2}


# --- Word and OpenDocument -----------------------------------------------------------


def _docx(path: Path, title: str | None = "A Word post") -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.add_heading("First part", 1)
    document.add_paragraph("The first paragraph of the draft. It was written in Word.")
    document.add_paragraph("An item", style="List Bullet")
    document.add_heading("Second part", 1)
    paragraph = document.add_paragraph("Some ")
    paragraph.add_run("bold").bold = True
    paragraph.add_run(" words close it. The end.")
    document.save(str(path))
    return path


@pytest.mark.skipif(pandoc_path() is None, reason="pandoc is not installed")
def test_word_document_headings_paragraphs_lists_and_title(tmp_path: Path) -> None:
    article = load_article(_docx(tmp_path / "draft.docx"))
    assert article.title == "A Word post"
    assert [s.heading for s in article.sections] == ["First part", "Second part"]
    assert [(s.text, s.role) for s in article.sections[0].sentences] == [
        ("The first paragraph of the draft.", "prose"),
        ("It was written in Word.", "prose"),
        ("An item", "item"),
    ]
    untitled = load_article(_docx(tmp_path / "untitled.docx", title=None))
    assert untitled.title == "Untitled"


@pytest.mark.skipif(pandoc_path() is None, reason="pandoc is not installed")
def test_opendocument_text(tmp_path: Path) -> None:
    source = _docx(tmp_path / "draft.docx")
    odt = tmp_path / "draft.odt"
    subprocess.run([str(pandoc_path()), str(source), "-o", str(odt)], check=True)
    article = load_article(odt)
    assert [s.heading for s in article.sections] == ["First part", "Second part"]


# --- Lektor --------------------------------------------------------------------------


LEKTOR = """title: A Lektor post
---
pub_date: 2018-05-15
---
summary: What it is about.
---
body:

#### banner ####
image: header.jpg
----
height: 500
#### text-block ####
text:

## Get started

The first paragraph of the body. It has [a link](https://x.org).
"""


def test_lektor_fields_and_flow_blocks() -> None:
    article = parse_article(LEKTOR, "contents.lr")
    assert (article.title, str(article.date), article.description) == (
        "A Lektor post",
        "2018-05-15",
        "What it is about.",
    )
    assert [s.heading for s in article.sections] == ["Get started"]
    assert [s.text for s in article.sections[0].sentences] == [
        "The first paragraph of the body.",
        "It has a link.",
    ]


# --- MkDocs Material and Obsidian/Quartz ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (
            ":octicons-goal-16: The goal is reached. :material-check:{ .green } Done.",
            ["The goal is reached.", "Done."],
        ),
        (
            '!!! note "Heads up"\n\n    Admonition prose.\n\nAfter it.',
            ["Admonition prose.", "After it."],
        ),
        ("??? tip\n\n    Collapsed prose.", ["Collapsed prose."]),
        (
            '=== "Python"\n\n    Tab prose.\n\n=== "Go"\n\n    Other tab.',
            ["Tab prose.", "Other tab."],
        ),
        ("A paragraph with an id. { #intro }", ["A paragraph with an id."]),
        (
            "See [[Setup Guide]] and [[Guides/CLI|the CLI]] now. ![[diagram.png]] Then.",
            ["See Setup Guide and the CLI now.", "Then."],
        ),
        ("> [!warning] Careful here\n> The callout body.", ["Careful here The callout body."]),
        ("==Highlighted== words %%a comment%% stay.", ["Highlighted words stay."]),
    ],
)
def test_mkdocs_and_obsidian_dialects(body: str, kept: list[str]) -> None:
    assert sentences(f"## Section {{ #sec }}\n\n{body}\n", "post.md") == kept


def test_heading_attribute_list_goes() -> None:
    article = parse_article("## Getting started { #start .big }\n\nProse here. More.\n", "post.md")
    assert article.sections[0].heading == "Getting started"


# --- Refusal -------------------------------------------------------------------------


REFUSED = {
    "data.json": b'{"title": "not a post", "items": [1, 2, 3]}\n',
    "config.yaml": b"title: Not a post\ntags: [a, b]\nlayout: post\n",
    "table.csv": b"name,price,year\nTea,3,2020\nCake,5,2021\n",
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "data": b'[{"a": 1}, {"a": 2}]\n',
    "settings": b"name: x\nvalue: 3\nother: 4\n",
    "rows": b"a;b;c\n1;2;3\n4;5;6\n",
    "blob": b"\x00\x01\x02\x03binary",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_in_no_format_are_refused_in_one_line(tmp_path: Path, name: str) -> None:
    """JSON, YAML, CSV and binary files are refused with exit 2 and the formats, never
    tweeted as plain text."""
    path = tmp_path / name
    path.write_bytes(REFUSED[name])
    with pytest.raises(ArticleError, match=r"Markdown .* plain text"):
        load_article(path)
    result = CliRunner().invoke(cli, ["preview", str(path), "--config", str(CONFIG)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes", "This is a note about the day. It has two sentences.\n"),
        ("saved", "<!DOCTYPE html><html><body><p>A page. Yes.</p></body></html>"),
        ("my.post", "---\ntitle: A post\n---\n\n## A\n\nProse here. More.\n"),
        ("export", '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'),
        ("draft", "#+TITLE: Org\n\n* A\nProse here. More.\n"),
        ("doc", "= AsciiDoc\n:revdate: 2020-01-01\n\nProse here.\n"),
    ],
)
def test_unmistakable_content_is_read_without_an_extension(name: str, content: str) -> None:
    from threads.parsing import detect_format

    expected = {
        "notes": "text",
        "saved": "html",
        "my.post": "markdown",
        "export": "notebook",
        "draft": "org",
        "doc": "asciidoc",
    }[name]
    assert detect_format(Path(name), content) == expected


def test_pandoc_missing_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandoc, an AsciiDoc post says what to install."""
    from threads.readers import pandoc

    monkeypatch.setattr(pandoc, "pandoc_path", lambda: None)
    with pytest.raises(ArticleError, match="pip install pypandoc-binary"):
        parse_article(ADOC, "post.adoc")


def test_a_broken_notebook_is_one_line() -> None:
    with pytest.raises(ArticleError, match=r"post.ipynb: cannot be read as notebook"):
        parse_article('{"cells": "no", "nbformat": 4}', "post.ipynb")
