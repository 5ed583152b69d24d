"""Read an article file (or text) in any supported format into the Article model."""

from __future__ import annotations

from pathlib import Path, PurePath

from threads.article import Article
from threads.assembly import assemble
from threads.errors import ArticleError
from threads.readers import (
    DOCUMENT_FORMATS,
    REFUSED_SUFFIXES,
    SUFFIXES,
    ArticleFormat,
    detect_format,
    read,
    read_document,
    unsupported,
)

__all__ = ["ArticleFormat", "detect_format", "load_article", "parse_article", "parse_document"]

DEFAULT_MAX_ARTICLE_BYTES = 5_000_000
# Word and OpenDocument files are zip containers.
_ZIP_MAGIC = b"PK\x03\x04"


def parse_article(
    text: str,
    path: str | Path,
    article_format: ArticleFormat | None = None,
    *,
    language: str | None = None,
) -> Article:
    """Parse article ``text``; ``path`` (a file name or URL) names it in messages.

    ``language`` is the configured sentence language (``None``: the post's, or guessed).
    """
    name = str(path)
    if not text.strip():
        raise ArticleError(name, "the article is empty: write a heading and some paragraphs")
    chosen = article_format or detect_format(PurePath(name.split("?", 1)[0]), text)
    if chosen is None:
        raise unsupported(name, by_content=_suffix(name) not in REFUSED_SUFFIXES)
    if chosen in DOCUMENT_FORMATS:
        raise ArticleError(name, f"a {chosen} document is a file: give its path")
    return assemble(read(text.replace("\r\n", "\n"), name, chosen), language=language)


def parse_document(
    data: bytes, path: str | Path, article_format: ArticleFormat, *, language: str | None = None
) -> Article:
    """Parse a Word or OpenDocument file's bytes."""
    name = str(path)
    if not data.startswith(_ZIP_MAGIC):
        raise ArticleError(
            name, f"is not a {article_format} document (not a zip container): save it again"
        )
    return assemble(read_document(data, name, article_format), language=language)


def load_article(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
    language: str | None = None,
) -> Article:
    """Read and parse the article at ``path`` (refused above ``max_bytes``)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes and not path.is_dir():
            raise ArticleError(
                path,
                f"is {size:,} bytes, more than [threads] max_article_bytes = {max_bytes:,}: "
                "split the article or raise the limit",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(path, "no such file: check the path to the article") from None
    except IsADirectoryError:
        raise ArticleError(path, "is a directory: give the path to one article file") from None
    except OSError as error:
        raise ArticleError(path, f"cannot read the file ({error.strerror})") from None
    by_suffix = SUFFIXES.get(path.suffix.lower())
    if path.suffix.lower() in REFUSED_SUFFIXES:
        raise unsupported(str(path))
    if by_suffix is None and b"\x00" in raw[:8192]:
        raise unsupported(str(path), by_content=True)
    if by_suffix in DOCUMENT_FORMATS:
        assert by_suffix is not None
        return parse_document(raw, path, by_suffix, language=language)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if by_suffix is None:
            raise unsupported(str(path), by_content=True) from None
        line = raw[: error.start].count(b"\n") + 1
        raise ArticleError(path, "is not UTF-8 text: save it as UTF-8", line) from None
    if "\x00" in text:
        raise ArticleError(path, "is a binary file, not an article")
    if not text.strip():
        raise ArticleError(path, "the article is empty: write a heading and some paragraphs")
    if detect_format(path, text) is None:
        raise unsupported(str(path), by_content=path.suffix.lower() not in REFUSED_SUFFIXES)
    return parse_article(text, path, language=language)


def _suffix(name: str) -> str:
    return PurePath(name.split("?", 1)[0]).suffix.lower()
