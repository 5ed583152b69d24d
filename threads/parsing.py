"""Read an article file (or text) in any supported format into the Article model."""

from __future__ import annotations

from pathlib import Path, PurePath

from threads.article import Article
from threads.assembly import assemble
from threads.errors import ArticleError
from threads.readers import SUFFIXES, ArticleFormat, detect_format, read

__all__ = ["ArticleFormat", "detect_format", "load_article", "parse_article"]

DEFAULT_MAX_ARTICLE_BYTES = 5_000_000


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
        raise _unsupported(name)
    return assemble(read(text.replace("\r\n", "\n"), name, chosen), language=language)


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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ArticleError(path, "is not UTF-8 text: save it as UTF-8", line) from None
    if "\x00" in text:
        raise ArticleError(path, "is a binary file, not an article")
    if detect_format(path, text) is None:
        raise _unsupported(str(path))
    return parse_article(text, path, language=language)


def _unsupported(name: str) -> ArticleError:
    kinds = ", ".join(sorted(SUFFIXES))
    suffix = PurePath(name).suffix
    return ArticleError(
        name, f"unsupported article type {suffix!r}: save it in one of these formats: {kinds}"
    )
