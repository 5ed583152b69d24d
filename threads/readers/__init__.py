"""Article readers, one module per format, each producing the one :class:`Outline`.

Adding a format is adding a module with a ``read(text, path) -> Outline`` function (or,
for a binary document, ``read(data, path)``) and a line in :data:`READERS`. Readers are
imported only when a file of their format is read, so a Markdown preview never loads
the HTML, notebook, Org or document libraries.

A file is read only in a format it is known to be in: by its extension, else by
content that is unmistakably that format. Anything else — JSON, YAML, CSV, a binary
file, an office format no reader has — is refused with the list of formats, never
tweeted as plain text.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Literal, Protocol

from threads.errors import ArticleError, ThreadbotError
from threads.outline import Outline

ArticleFormat = Literal[
    "text",
    "markdown",
    "quarto",
    "notebook",
    "html",
    "rst",
    "org",
    "asciidoc",
    "lektor",
    "docx",
    "odt",
]


class Reader(Protocol):
    def __call__(self, text: str, path: str) -> Outline: ...


class DocumentReader(Protocol):
    def __call__(self, data: bytes, path: str) -> Outline: ...


# format → (module, function)
READERS: dict[ArticleFormat, tuple[str, str]] = {
    "text": ("threads.readers.plain_text", "read_plain_text"),
    "markdown": ("threads.readers.markdown", "read_markdown"),
    "quarto": ("threads.readers.markdown", "read_quarto"),
    "notebook": ("threads.readers.notebook", "read_notebook"),
    "html": ("threads.readers.html", "read_html"),
    "rst": ("threads.readers.rst", "read_rst"),
    "org": ("threads.readers.org", "read_org"),
    "asciidoc": ("threads.readers.asciidoc", "read_asciidoc"),
    "lektor": ("threads.readers.lektor", "read_lektor"),
    "docx": ("threads.readers.documents", "read_docx"),
    "odt": ("threads.readers.documents", "read_odt"),
}
# Formats read from bytes (zip containers), not text.
DOCUMENT_FORMATS: frozenset[ArticleFormat] = frozenset({"docx", "odt"})
SUFFIXES: dict[str, ArticleFormat] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mdx": "markdown",
    ".qmd": "quarto",
    ".rmd": "quarto",
    ".rmarkdown": "quarto",
    ".ipynb": "notebook",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rst": "rst",
    ".rest": "rst",
    ".org": "org",
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
    ".asc": "asciidoc",
    ".lr": "lektor",
    ".docx": "docx",
    ".odt": "odt",
}
# Data, office and binary files: never an article, whatever their content looks like.
REFUSED_SUFFIXES = frozenset(
    {".json", ".jsonl", ".geojson", ".yaml", ".yml", ".toml", ".csv", ".tsv", ".xml", ".ini"}
    | {".cfg", ".properties", ".log", ".sql", ".doc", ".rtf", ".pages", ".pdf", ".epub"}
    | {".ppt", ".pptx", ".xls", ".xlsx", ".ods", ".odp", ".key", ".numbers", ".zip", ".gz"}
    | {".tar", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".mp3", ".mp4", ".exe"}
)
# How the refusal names the formats (one line, every format).
FORMAT_NAMES = (
    "Markdown (.md .mdx)",
    "Quarto/R Markdown (.qmd .Rmd)",
    "Jupyter notebook (.ipynb)",
    "HTML (.html)",
    "reStructuredText (.rst)",
    "Org (.org)",
    "AsciiDoc (.adoc)",
    "Word/OpenDocument (.docx .odt)",
    "Lektor (.lr)",
    "plain text (.txt)",
)

_HTML_SIGNS = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_NOTEBOOK_SIGNS = re.compile(r'\A\s*\{.*"cells"\s*:.*"nbformat"\s*:', re.S)
_ORG_SIGNS = re.compile(r"\A(?:\s*#\+\w+:.*\n)*\s*#\+(?:title|date|filetags|author):", re.I)
_ASCIIDOC_SIGNS = re.compile(r"\A(?:/{2}.*\n)*=[ \t]+\S.*\n(?:.*\n)?(?:.*\n)?:[\w-]+:", re.M)
_LEKTOR_SIGNS = re.compile(r"\A[ \t]*[a-z_][\w-]*:.*\n(?:[^\n]*\n)*?---[ \t]*\n[a-z_][\w-]*:", re.I)
# Signs only reST has (directives, field lists, hyperlink references), then the title
# underline it shares with Markdown's setext headings.
_RST_SIGNS = re.compile(r"^(?:\.\. [\w-]+::|:(?:date|slug|tags|author|category):)|`_\W", re.M)
_RST_UNDERLINE = re.compile(r"^\S.*\n([=\-~^*#])\1{2,}\s*$", re.M)
_MARKDOWN_SIGNS = re.compile(r"\A\s*(?:---|\+\+\+)\s*\n|^#{1,6}\s+\S|^\s*[-*]\s+\S|\]\(", re.M)
# Data, not prose: "key: value" lines (YAML, properties), JSON, delimited rows.
_KEY_VALUE_LINE = re.compile(r"^\s*-?\s*[\"']?[\w.-]+[\"']?\s*[:=]\s*\S")
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")


def detect_format(path: PurePath, text: str) -> ArticleFormat | None:
    """The format by extension, else by content; ``None`` when it is not one of them."""
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix in REFUSED_SUFFIXES:
        return None
    return sniff_format(text)


def sniff_format(text: str) -> ArticleFormat | None:
    """The format of a file with no telling name, when its content is unmistakable."""
    if "\x00" in text[:8192]:
        return None
    if _HTML_SIGNS.match(text):
        return "html"
    if _NOTEBOOK_SIGNS.match(text[:65536]):
        return "notebook"
    if text.lstrip()[:1] in ("{", "["):
        return None  # JSON
    if _ORG_SIGNS.match(text):
        return "org"
    if _ASCIIDOC_SIGNS.match(text):
        return "asciidoc"
    if _RST_SIGNS.search(text):
        return "rst"
    if _MARKDOWN_SIGNS.search(text):
        return "markdown"
    if _RST_UNDERLINE.search(text):
        return "rst"
    return "text" if is_prose(text) else None


def is_prose(text: str) -> bool:
    """Whether ``text`` reads as prose: sentences of words, not data or a listing."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    if sum(bool(_KEY_VALUE_LINE.match(line)) for line in lines) * 2 >= len(lines):
        return False  # YAML, TOML, .properties
    for delimiter in (",", "\t", ";", "|"):
        counts = {line.count(delimiter) for line in lines}
        if len(lines) >= 3 and len(counts) == 1 and counts != {0}:
            return False  # CSV, TSV: every row with the same number of fields
    sample = text[:20000]
    wordy = sum(char.isalpha() or char.isspace() for char in sample)
    return wordy >= 0.75 * len(sample) and bool(_SENTENCE_END.search(sample))


def read(text: str, path: str, article_format: ArticleFormat) -> Outline:
    """The outline of ``text`` in ``article_format``."""
    module_name, function_name = READERS[article_format]
    reader: Reader = getattr(importlib.import_module(module_name), function_name)
    return _guarded(lambda: reader(text, path), path, article_format)


def read_document(data: bytes, path: str, article_format: ArticleFormat) -> Outline:
    """The outline of a binary document (``docx``, ``odt``)."""
    module_name, function_name = READERS[article_format]
    reader: DocumentReader = getattr(importlib.import_module(module_name), function_name)
    return _guarded(lambda: reader(data, path), path, article_format)


def _guarded(call: Callable[[], Outline], path: str, article_format: str) -> Outline:
    try:
        return call()
    except ThreadbotError:
        raise
    except Exception as error:  # a parser library failing on odd input: one line, exit 2
        reason = " ".join(str(error).split())[:200]
        raise ArticleError(
            path,
            f"cannot be read as {article_format} ({type(error).__name__}: {reason}): "
            "check the file, or save the post in another format",
        ) from error


def unsupported(name: str, *, by_content: bool = False) -> ArticleError:
    """The refusal of a file in no format threadbot reads, naming every format."""
    kinds = ", ".join(FORMAT_NAMES)
    suffix = PurePath(name.split("?", 1)[0]).suffix
    if by_content or not suffix:
        return ArticleError(
            name, f"is not an article in a format threadbot reads: save it as one of {kinds}"
        )
    return ArticleError(
        name, f"unsupported article type {suffix!r}: save it in one of these formats: {kinds}"
    )
