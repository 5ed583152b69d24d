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
        ("a", "plain", "text"),
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
        ("a.docx", b"PK\x03\x04", "a.docx: unsupported article type '.docx'"),
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
