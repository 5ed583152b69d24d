"""Metadata at the top of a post, as static-site generators write it.

YAML between ``---`` lines (Jekyll, Hugo, Eleventy, Astro, Docusaurus, Hexo…; blank lines
before it allowed), TOML between ``+++`` lines (Hugo, Zola; stdlib ``tomllib``),
Pelican's ``Key: value`` header lines and Nikola's ``.. key: value`` lines in an HTML
comment at the top (``<!--`` ``.. title: …`` ``-->``). Every key is accepted and unknown
ones ignored: a generator's own keys (``layout``, ``author``…) are not the owner's
mistake. :func:`split_front_matter` blanks the metadata lines instead of removing them,
so line numbers in messages stay those of the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from threads.errors import ArticleError
from threads.outline import Metadata

# The closing delimiter stands on a line of its own ("description: Wait..." ends nothing).
_YAML = re.compile(
    r"\A(?:[ \t]*\n)*---[ \t]*\n(?P<body>(?:.*?\n)??)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S
)
_TOML = re.compile(r"\A(?:[ \t]*\n)*\+\+\+[ \t]*\n(?P<body>(?:.*?\n)??)\+\+\+[ \t]*(?:\n|\Z)", re.S)
# Nikola's own metadata: ".. key: value" lines, in Markdown inside an HTML comment at
# the top of the post (in reST they are comments at the top; see nikola_fields).
_NIKOLA_COMMENT = re.compile(
    r"\A(?:[ \t]*\n)*<!--[ \t]*\n(?P<body>(?:[ \t]*(?:\.\.[ \t]+[A-Za-z][\w-]*:.*)?\n)+?)"
    r"[ \t]*-->[ \t]*(?:\n|\Z)"
)
_NIKOLA_LINE = re.compile(
    r"^[ \t]*\.\.[ \t]+(?P<key>[A-Za-z][\w-]*):(?:[ \t]+(?P<value>.*?))?[ \t]*$"
)
# Hakyll's metadata block, in a post of any format: a first line of three or more
# dashes, YAML (starting with a "key:" line), and a line of as many dashes (or dots).
_HAKYLL = re.compile(
    r"\A(?P<dashes>-{3,})[ \t]*\n(?P<body>(?:.*?\n)??)(?:(?P=dashes)|\.{3,})[ \t]*(?:\n|\Z)",
    re.S,
)
_KEY_LINE = re.compile(r"[A-Za-z_][\w-]*:(?:[ \t]|$)", re.M)
_PELICAN_LINE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)[ \t]*:[ \t]*(?P<value>.*)$")
_PELICAN_KEYS = frozenset(
    {"title", "date", "modified", "author", "authors", "category", "tags", "slug", "summary"}
    | {"lang", "status", "translation", "save_as", "url", "template", "keywords", "subtitle"}
)
_TITLE_KEYS = ("title",)
_URL_KEYS = ("canonical_url", "canonicalUrl", "canonicalURL", "canonical", "url", "permalink")
_TAG_KEYS = ("tags", "categories", "category", "keywords")
_LANGUAGE_KEYS = ("lang", "language", "locale")
_DESCRIPTION_KEYS = ("description", "summary", "excerpt", "subtitle")
_DATE_KEYS = ("date", "pubDate", "pubdate", "published", "created")
# Jekyll/Hugo permalink patterns such as /:year/:title/ are not URLs of this post.
_URL_PLACEHOLDER = re.compile(r"(?<!https)(?<!http):[a-z_]+|\{")


def split_front_matter(text: str, path: str) -> tuple[Metadata, str]:
    """The metadata at the top of ``text`` and the text with those lines blanked."""
    for pattern, loader in ((_YAML, _load_yaml), (_TOML, _load_toml)):
        match = pattern.match(text)
        if match:
            data = loader(match.group("body"), path, text[: match.start("body")].count("\n"))
            return metadata_from(data), _blank(text, match.end())
    nikola = _NIKOLA_COMMENT.match(text)
    if nikola:
        fields = nikola_fields(nikola.group("body"))
        if fields:
            return metadata_from(fields), _blank(text, nikola.end())
    pelican = _pelican_header(text)
    if pelican is not None:
        data, end = pelican
        return metadata_from(data), _blank(text, end)
    return Metadata(), text


def split_metadata_block(text: str, path: str) -> tuple[dict[str, Any], str] | None:
    """Hakyll's metadata block at the top of a post in a format with no front matter of
    its own (Org): its fields and ``text`` with the block's lines blanked, or ``None``
    when the file does not start with one."""
    match = _HAKYLL.match(text)
    if match is None or not _KEY_LINE.match(match.group("body").lstrip()):
        return None  # no block, or two horizontal rules around prose
    try:
        data = _load_yaml(match.group("body"), path, 1)
    except ArticleError:
        return None  # not YAML: the rules are the post's own
    if not data:
        return None
    return {str(key).lower(): value for key, value in data.items()}, _blank(text, match.end())


def nikola_fields(text: str) -> dict[str, str]:
    """Nikola's ``.. key: value`` lines at the start of ``text`` (blank lines between them
    allowed), up to the first other line."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _NIKOLA_LINE.match(line)
        if match is None:
            break
        fields[match.group("key").lower()] = match.group("value") or ""
    return fields


def metadata_from(data: Mapping[str, Any]) -> Metadata:
    """Read the keys threadbot uses from any generator's metadata mapping."""
    lowered = {str(key).lower(): value for key, value in data.items()}

    def first(keys: tuple[str, ...]) -> Any:
        for key in keys:
            value = data.get(key, lowered.get(key.lower()))
            if value not in (None, "", [], {}):
                return value
        return None

    title = first(_TITLE_KEYS)
    if title is None:
        # A generator's own title key ("newstitle", "seo_title", "post_title").
        title = next(
            (
                value
                for key, value in lowered.items()
                if key.endswith("title") and key != "subtitle" and isinstance(value, str)
            ),
            None,
        )
    return Metadata(
        title=_text(title) if isinstance(title, str | int | float) else None,
        url=_url(first(_URL_KEYS)),
        date=parse_date(first(_DATE_KEYS)),
        tags=_words(first(_TAG_KEYS)),
        language=language_code(first(_LANGUAGE_KEYS)),
        description=_text(first(_DESCRIPTION_KEYS)),
        draft=_is_draft(lowered),
        slug=_text(lowered.get("slug")),
    )


def parse_date(value: object) -> dt.date | None:
    """A date from a date, a datetime (with or without offset) or a written date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        return parsed.date() if isinstance(parsed, dt.datetime) else parsed
    # Written forms ("2017-03-21 08:52:53 -0500", "March 3, 2021", "3 Mar 2021"): dateutil,
    # imported only for them.
    from dateutil import parser as date_parser

    try:
        written: dt.datetime = date_parser.parse(text)
    except (ValueError, OverflowError):
        return None
    return written.date()


def language_code(value: object) -> str | None:
    """``ko``, ``ko-KR``, ``ko_KR`` or ``zh-Hans`` → the ISO 639-1 part, lower case."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _load_yaml(body: str, path: str, offset: int) -> Mapping[str, Any]:
    simple = _plain_yaml(body)
    if simple is not None:
        return simple
    import yaml  # only front matter beyond plain "key: value" lines pays for the import

    try:
        data = _safe_yaml(body)
    except _AliasBomb:
        raise ArticleError(
            path,
            "front matter's YAML aliases (*name) expand to more than "
            f"{MAX_ALIAS_EXPANSION:,} values: write the values out instead",
            offset + 1,
        ) from None
    except yaml.YAMLError as error:
        # Hand-written front matter is often not strict YAML ("title: A: B" with an
        # unquoted colon); generators accept it, so read it as "key: value" lines.
        lenient = _key_value_lines(body)
        if lenient is not None:
            return lenient
        mark = getattr(error, "problem_mark", None)
        line = offset + mark.line + 1 if mark is not None else offset
        problem = getattr(error, "problem", None) or "cannot be read"
        raise ArticleError(
            path, f"front matter is not valid YAML ({problem}): fix it or remove it", line
        ) from None
    return data if isinstance(data, dict) else {}


# What aliases (*name) may add to front matter when expanded: an alias bomb
# ("a: &a [*a, *a, …]" nested ten deep) adds billions of items, real metadata a few.
MAX_ALIAS_EXPANSION = 10_000


class _AliasBomb(Exception):
    pass


def _safe_yaml(body: str) -> Any:
    """``yaml.safe_load``, refusing documents whose aliases expand past the bound."""
    import yaml

    loader = yaml.SafeLoader(body)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        distinct: set[int] = set()
        sizes: dict[int, int] = {}
        if _expanded_size(node, sizes, distinct) - len(distinct) > MAX_ALIAS_EXPANSION:
            raise _AliasBomb
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(node: Any, sizes: dict[int, int], distinct: set[int]) -> int:
    """Nodes in ``node`` with every alias written out; shared nodes are measured once."""
    key = id(node)
    if key in sizes:
        if sizes[key] < 0:  # an anchor inside itself: expands without end
            raise _AliasBomb
        return sizes[key]
    distinct.add(key)
    sizes[key] = -1
    total = 1
    if isinstance(node.value, list):
        for child in node.value:
            for part in child if isinstance(child, tuple) else (child,):
                total += _expanded_size(part, sizes, distinct)
                if total > MAX_ALIAS_EXPANSION * 100:
                    raise _AliasBomb
    sizes[key] = total
    return total


_PLAIN_LINE = re.compile(r"^([A-Za-z_][\w-]*):[ \t]+(.*?)[ \t]*$")
_PLAIN_SCALAR = re.compile(r"^(?![\[\]{}&*!|>'\"%@`#,?:-]).*$")
_PLAIN_ITEM = re.compile(r"^[^\[\]{}&*!|>'\",#:]+$")


def _plain_yaml(body: str) -> dict[str, Any] | None:
    """Front matter of plain ``key: value`` lines (and ``[a, b]`` lists) read without the
    YAML library, which costs ~15 ms to import; ``None`` when anything else is there.
    Values stay strings: the keys threadbot reads convert their own."""
    data: dict[str, Any] = {}
    for line in body.splitlines():
        if not line.strip():
            continue
        match = _PLAIN_LINE.match(line)
        if match is None:
            return None
        key, value = match.groups()
        if value.startswith("[") and value.endswith("]"):
            items = [item.strip() for item in value[1:-1].split(",") if item.strip()]
            if not all(_PLAIN_ITEM.match(item) for item in items):
                return None
            data[key] = items
        elif _PLAIN_SCALAR.match(value) and ": " not in value and " #" not in value:
            data[key] = value
        else:
            return None
    return data


def _key_value_lines(body: str) -> dict[str, Any] | None:
    """``key: value`` per line (indented or list lines belong to the key before), or
    ``None`` when the block is not of that shape."""
    data: dict[str, Any] = {}
    for line in body.splitlines():
        if not line.strip() or line[:1].isspace() or line.startswith(("- ", "#")):
            continue
        key, colon, value = line.partition(":")
        if not colon or not re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()):
            return None
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            data[key.strip()] = [item.strip(" \"'") for item in value[1:-1].split(",")]
        elif value[:1] in ("[", "{", "&", "*", "!", "|", ">", "%", "@", "`"):
            return None  # YAML structure that is broken, not a plain line
        else:
            data[key.strip()] = value.strip("\"'")
    return data or None


def _load_toml(body: str, path: str, offset: int) -> Mapping[str, Any]:
    import tomllib

    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's error has no lineno attribute; its message ends "(at line N, …)".
        where = re.search(r"at line (\d+)", str(error))
        line = offset + int(where.group(1)) if where else None
        reason = re.sub(r"\s*\(at line.*\)$", "", str(error))
        raise ArticleError(
            path, f"front matter is not valid TOML ({reason}): fix it or remove it", line
        ) from None


def _pelican_header(text: str) -> tuple[dict[str, str], int] | None:
    """Pelican's ``Title: …`` lines up to the first blank line, if the post starts so."""
    data: dict[str, str] = {}
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped:
            break
        match = _PELICAN_LINE.match(stripped)
        if match is None:
            return None
        key = match.group("key").lower()
        if not data and key not in _PELICAN_KEYS:
            return None
        data[key] = match.group("value").strip()
        position += len(line)
    return (data, position) if "title" in data else None


def _blank(text: str, end: int) -> str:
    """``text`` with its first ``end`` characters replaced by as many empty lines."""
    return "\n" * text[:end].count("\n") + text[end:]


def _text(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split())
    return text or None


def _url(value: object) -> str | None:
    text = _text(value)
    if text is None or _URL_PLACEHOLDER.search(text.split("?", 1)[0]):
        return None
    return text


def _words(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(word.strip() for word in value.split(",") if word.strip())
    if isinstance(value, list | tuple):
        return tuple(str(word).strip() for word in value if str(word).strip())
    return ()


def _is_draft(lowered: Mapping[str, Any]) -> bool:
    draft = lowered.get("draft")
    if draft is True or (isinstance(draft, str) and draft.strip().lower() in ("true", "yes")):
        return True
    published = lowered.get("published")
    if published is False or (isinstance(published, str) and published.lower() == "false"):
        return True
    status = lowered.get("status")
    return isinstance(status, str) and status.strip().lower() == "draft"
