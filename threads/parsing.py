"""Read an article file in either supported format."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from threads.article import Article
from threads.blocks import assemble
from threads.errors import ArticleError
from threads.parse_markdown import parse_markdown
from threads.parse_text import parse_plain_text

ArticleFormat = Literal["text", "markdown"]
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})
_TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
_MARKDOWN_SIGNS = re.compile(r"\A---\s*\n|^#{1,6}\s+\S", re.MULTILINE)


def detect_format(path: Path, text: str) -> ArticleFormat:
    """Markdown by extension (.md), plain text by .txt; otherwise by content."""
    suffix = path.suffix.lower()
    if suffix in _MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if _MARKDOWN_SIGNS.search(text):
        return "markdown"
    raise ArticleError(
        path,
        f"unsupported article type {suffix!r}: save it as .txt (plain text) or .md (Markdown)",
    )


def parse_article(text: str, path: str | Path, article_format: ArticleFormat) -> Article:
    """Parse article ``text``; ``path`` is used for the slug and in messages."""
    name = str(path)
    if not text.strip():
        raise ArticleError(name, "the article is empty: write a heading and some paragraphs")
    if article_format == "markdown":
        return assemble(parse_markdown(text, name))
    return assemble(parse_plain_text(text, name))


def load_article(path: str | Path) -> Article:
    """Read and parse the article at ``path``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(path, "no such file: check the path to the article") from None
    except IsADirectoryError:
        raise ArticleError(path, "is a directory: give the path to one article file") from None
    except OSError as error:
        raise ArticleError(path, f"cannot read the file ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ArticleError(path, "is not UTF-8 text: save it as UTF-8", line) from None
    if "\x00" in text:
        raise ArticleError(path, "is a binary file, not an article")
    return parse_article(text.replace("\r\n", "\n"), path, detect_format(path, text))
