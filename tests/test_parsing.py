"""Loading article files: format detection and every unreadable-file error."""

from __future__ import annotations

from pathlib import Path

import pytest

from threads.errors import ArticleError
from threads.parsing import detect_format, load_article


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.md", "plain", "markdown"),
        ("a.txt", "# looks like markdown", "text"),
        ("a", "Plain prose, a sentence.", "text"),
        ("a", "plain", None),
        ("a.post", "---\ntitle: x\n---\n", "markdown"),
        ("a.post", "## Heading\n", "markdown"),
    ],
)
def test_detect_format(name: str, text: str, expected: str) -> None:
    """Extension decides; an unknown extension falls back to the content."""
    assert detect_format(Path(name), text) == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"  \n", "empty.txt: the article is empty"),
        (
            "latin1.txt",
            b"Title\n\nCaf\xe9 prose.\n",
            "latin1.txt:3: is not UTF-8 text: save it as UTF-8",
        ),
        ("binary.txt", b"a\x00b", "binary.txt: is a binary file"),
        ("a.pdf", b"%PDF-1.7", "a.pdf: unsupported article type '.pdf'"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    """Each unusable file is an ArticleError that names it and says what to do."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    assert str(caught.value).startswith(str(tmp_path / message))


def test_missing_file(tmp_path: Path) -> None:
    """A missing path says to check it."""
    with pytest.raises(ArticleError, match="no such file: check the path"):
        load_article(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    """A directory is not an article."""
    with pytest.raises(ArticleError, match="is a directory"):
        load_article(tmp_path)


def test_crlf_and_bom(tmp_path: Path) -> None:
    """Windows line endings and a UTF-8 BOM read the same as plain UTF-8."""
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffHeading Here\r\n\r\nA sentence.\r\n".encode())
    article = load_article(path)
    assert article.sections[0].heading == "Heading Here"
    assert article.sections[0].sentences[0].text == "A sentence."


def test_article_over_the_size_limit_is_refused_fast(tmp_path: Path) -> None:
    """A file above max_article_bytes is refused by its size, before it is read."""
    path = tmp_path / "huge.md"
    path.write_bytes(b"## A\n\n" + b"word " * 1_200_000)
    with pytest.raises(
        ArticleError,
        match=r"is 6,000,006 bytes, more than \[threads\] max_article_bytes = 5,000,000",
    ):
        load_article(path)
    small = tmp_path / "small.md"
    small.write_text("## A\n\nSome words here. And more.\n", encoding="utf-8")
    assert load_article(small).sections
    with pytest.raises(ArticleError, match="max_article_bytes = 10:"):
        load_article(small, max_bytes=10)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("page.htm", "<p>x</p>", "html"),
        ("post.mdx", "x", "markdown"),
        ("post.rst", "x", "rst"),
        ("saved", "<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("post", ":date: 2020-01-01\n\nText.", "rst"),
        ("notes", "Just prose without any markup.", "text"),
    ],
)
def test_detect_more_formats(name: str, text: str, expected: str) -> None:
    """HTML, MDX and reST by extension, and by content when the name says nothing."""
    assert detect_format(Path(name), text) == expected
