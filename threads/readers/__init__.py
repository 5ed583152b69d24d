"""Article readers, one module per format, each producing the one :class:`Outline`.

Adding a format is adding a module with a ``read(text, path) -> Outline`` function and a
line in :data:`READERS`. Readers are imported only when a file of their format is read,
so a Markdown preview never loads the HTML or reStructuredText libraries.
"""

from __future__ import annotations

import importlib
import re
from pathlib import PurePath
from typing import Literal, Protocol

from threads.errors import ArticleError, ThreadbotError
from threads.outline import Outline

ArticleFormat = Literal["text", "markdown", "html", "rst"]


class Reader(Protocol):
    def __call__(self, text: str, path: str) -> Outline: ...


# format → (module, function)
READERS: dict[ArticleFormat, tuple[str, str]] = {
    "text": ("threads.readers.plain_text", "read_plain_text"),
    "markdown": ("threads.readers.markdown", "read_markdown"),
    "html": ("threads.readers.html", "read_html"),
    "rst": ("threads.readers.rst", "read_rst"),
}
SUFFIXES: dict[str, ArticleFormat] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mdx": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rst": "rst",
    ".rest": "rst",
}
# Office and binary documents: no reader can make sense of them.
UNSUPPORTED_SUFFIXES = frozenset({".docx", ".doc", ".odt", ".pdf", ".pages", ".rtf", ".epub"})

_HTML_SIGNS = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
# Signs only reST has (directives, field lists, hyperlink references), then the title
# underline it shares with Markdown's setext headings.
_RST_SIGNS = re.compile(r"^(?:\.\. [\w-]+::|:(?:date|slug|tags|author|category):)|`_\W", re.M)
_RST_UNDERLINE = re.compile(r"^\S.*\n([=\-~^*#])\1{2,}\s*$", re.M)
_MARKDOWN_SIGNS = re.compile(r"\A\s*(?:---|\+\+\+)\s*\n|^#{1,6}\s+\S|^\s*[-*]\s+\S|\]\(", re.M)


def detect_format(path: PurePath, text: str) -> ArticleFormat | None:
    """The format by extension, else by content; ``None`` for a document type no reader has."""
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix in UNSUPPORTED_SUFFIXES:
        return None
    if _HTML_SIGNS.match(text):
        return "html"
    if _RST_SIGNS.search(text):
        return "rst"
    if _MARKDOWN_SIGNS.search(text):
        return "markdown"
    if _RST_UNDERLINE.search(text):
        return "rst"
    return "text"


def read(text: str, path: str, article_format: ArticleFormat) -> Outline:
    """The outline of ``text`` in ``article_format``."""
    module_name, function_name = READERS[article_format]
    reader: Reader = getattr(importlib.import_module(module_name), function_name)
    try:
        return reader(text, path)
    except ThreadbotError:
        raise
    except Exception as error:  # a parser library failing on odd input: one line, exit 2
        raise ArticleError(
            path,
            f"cannot be read as {article_format} ({type(error).__name__}: {error}): "
            "check the file, or save the post in another format",
        ) from error
