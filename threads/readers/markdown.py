"""Markdown posts (CommonMark + tables, strikethrough, footnotes, math) via markdown-it-py.

The static-site dialects are removed first (:mod:`threads.readers.dialects`), front
matter read by :mod:`threads.readers.front_matter`; then the token stream decides what
is prose. Code spans keep their text exactly; emphasis and escapes go as markup, never
as characters; links keep their text (absolute targets are remembered for reference
entries); an inline ``<sup>`` reads as :mod:`.superscripts` says (a footnote reference
goes, ``10<sup>5</sup>`` is "10⁵"); images, fenced and indented code, tables, HTML
blocks, comments and footnote definitions are not prose, and are counted in
:attr:`Outline.skipped`. List items stay items, so the thread packs them as lines after
their lead-in sentence. Math (``$x$``, ``$$…$$``, ``\\(…\\)``) is not tweeted as TeX: a
sentence that needs it is left out and counted. With no title in the metadata, a ``#``
heading at the top is the title. Quarto and R Markdown are this reader with their
dialect.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from threads.outline import COMPUTED, FORMULA, Block, BlockKind, Outline
from threads.readers.dialects import strip_dialects
from threads.readers.front_matter import split_front_matter
from threads.readers.superscripts import superscript

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SUP_OPEN = re.compile(r"<sup(?:\s[^>]*)?>", re.IGNORECASE)
_SUP_CLOSE = re.compile(r"</sup\s*>", re.IGNORECASE)
# A line that starts a call to action stands alone even inside a paragraph.
_CALL_LINE = re.compile(r"^(?:I recommend @|[^\w\s(\[\"'“‘])")
_SKIPPED_BLOCKS = {
    "table_open": ("table_close", "tables"),
    "footnote_block_open": ("footnote_block_close", "footnotes"),
}


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.texmath import texmath_plugin

    # Math by Pandoc's rule ($ hugs its formula, no digit after the closing one), so
    # "$5 and $10" stays money; \(…\) and \[…\] too.
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
        .use(texmath_plugin, delimiters="brackets")
        # Pandoc attributes after an image, a link or code (Quarto, R Markdown, MkDocs'
        # attr_list): `![](katy.jpg){fig-alt="…"}` is the image's, never text.
        .use(attrs_plugin)
    )


# Quarto and R Markdown: an inline code expression (`r nrow(x)`, `{python} len(x)`) is
# replaced by its value when the page is rendered; the value is not in the source.
_INLINE_EXPRESSION = re.compile(r"(?<!`)`(?:r|\{(?:r|python|julia|ojs)\})[ \t]+[^`\n]+`(?!`)")


def read_quarto(text: str, path: str) -> Outline:
    """The outline of a Quarto (``.qmd``) or R Markdown (``.Rmd``) post: Markdown whose
    executable chunks (```` ```{r} ````) are code, whose inline expressions stand for
    values computed at render time, and whose ``^[inline notes]`` are footnotes."""
    return read_markdown(text, path, computed=_INLINE_EXPRESSION)


def read_markdown(
    text: str,
    path: str,
    *,
    computed: re.Pattern[str] | None = None,
    heading_title: bool = True,
) -> Outline:
    """The outline of a Markdown post; with ``heading_title``, a leading ``#`` heading is
    the title when the metadata has none (a notebook asks its own metadata first)."""
    meta, body = split_front_matter(text, path)
    if computed is not None:
        body = computed.sub(COMPUTED, body)
    if meta.title:
        # Front matter titles may use inline Markdown ("CSS `accent-color`").
        parsed = _parser().parseInline(meta.title)
        meta.title = inline_text(parsed[0].children or [])[0] if parsed else meta.title
    tokens = _parser().parse(strip_dialects(body))
    outline = Outline(path=path, source_text=text, blocks=[], meta=meta)
    list_depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind in _SKIPPED_BLOCKS:
            closing, label = _SKIPPED_BLOCKS[kind]
            while index < len(tokens) and tokens[index].type != closing:
                index += 1
            outline.skipped[label] += 1
        elif kind in ("fence", "code_block"):
            outline.skipped["code blocks"] += 1
        elif kind in ("math_block", "math_block_label", "math_block_eqno"):
            outline.skipped["formulas"] += 1
        elif kind == "html_block":
            if not token.content.lstrip().startswith("<!--"):
                outline.skipped["HTML blocks"] += 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif kind == "heading_open":
            inline = tokens[index + 1]
            heading, _, _ = inline_text(inline.children or [])
            if heading:
                outline.blocks.append(
                    Block("heading", heading, _line(token), level=int(token.tag[1]))
                )
            index += 1
        elif kind == "paragraph_open":
            _paragraph(outline, tokens[index + 1], _line(token), "item" if list_depth else "text")
            index += 1
        index += 1
    if heading_title:
        title_from_heading(outline)
    return outline


def title_from_heading(outline: Outline) -> None:
    """With no title in the metadata, a ``#`` heading at the top of the post is its
    title, as MkDocs, Docusaurus, GitBook/HonKit and jekyll-titles-from-headings take
    it — even when the sections below are ``#`` headings too."""
    first = outline.blocks[0] if outline.blocks else None
    top_heading = first is not None and first.kind == "heading" and first.level == 1
    if outline.meta.title is None and first is not None and top_heading:
        outline.meta.title = first.text


def _paragraph(outline: Outline, inline: Token, line: int, kind: BlockKind) -> None:
    """A paragraph's blocks: call-to-action lines stand apart, ``Source:`` lines are sources."""
    for number, (text, links, link_only) in _logical_lines(inline.children or [], line):
        if not text:
            continue
        block_kind: BlockKind = "source" if text.lower().startswith("source:") else kind
        outline.blocks.append(Block(block_kind, text, number, tuple(links), link_only=link_only))


def _logical_lines(
    children: Sequence[Token], line: int
) -> list[tuple[int, tuple[str, list[str], bool]]]:
    """Split a paragraph at soft breaks that start a call to action or a source line."""
    groups: list[tuple[int, list[Token]]] = [(line, [])]
    breaks = 0
    previous: Token | None = None
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            breaks += 1
        elif previous is not None and previous.type == "softbreak" and _starts_call(child):
            groups.append((line + breaks, []))
        groups[-1][1].append(child)
        previous = child
    return [(number, inline_text(group)) for number, group in groups if group]


def _starts_call(token: Token) -> bool:
    if token.type != "text":
        return False
    content = token.content.lstrip()
    return bool(_CALL_LINE.match(content)) or content.lower().startswith("source:")


def inline_text(children: Sequence[Token]) -> tuple[str, list[str], bool]:
    """The words a reader sees in an inline run, its absolute link targets, and whether
    all of its words are link text."""
    parts: list[str] = []
    links: list[str] = []
    in_link = 0
    outside_link = False
    sup: _Superscript | None = None
    started = False  # any words yet (a <sup> before them numbers a note)
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
            started = started or bool(child.content.strip())
            outside_link = outside_link or (not in_link and bool(child.content.strip()))
            if sup is not None and not sup.in_fragment:
                sup.other.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind.startswith("math_inline"):
            parts.append(FORMULA)
            started = True
        elif kind == "html_inline":
            tag = child.content.strip()
            if _BREAK_TAG.fullmatch(tag):
                parts.append(" ")
            elif _SUP_OPEN.fullmatch(tag) and sup is None:
                sup = _Superscript(start=len(parts), at_start=not started)
            elif _SUP_CLOSE.fullmatch(tag) and sup is not None:
                inside = "".join(parts[sup.start :])
                parts[sup.start :] = [
                    superscript(
                        inside,
                        fragment_links=sup.fragments,
                        other_text="".join(sup.other),
                        at_start=sup.at_start,
                    )
                ]
                sup = None
        elif kind == "link_open":
            in_link += 1
            href = str(child.attrs.get("href", ""))
            if href.startswith(("http://", "https://")):
                links.append(href)
            if sup is not None and href.startswith("#"):
                sup.fragments += 1
                sup.in_fragment = True
        elif kind == "link_close":
            in_link -= 1
            if sup is not None:
                sup.in_fragment = False
    text = " ".join("".join(parts).split())
    return text, links, bool(text) and not outside_link and _has_link(children)


@dataclass
class _Superscript:
    """An inline ``<sup>`` while its content is read (see :mod:`.superscripts`)."""

    start: int
    at_start: bool
    fragments: int = 0
    in_fragment: bool = False
    other: list[str] = field(default_factory=list)


def _has_link(children: Sequence[Token]) -> bool:
    return any(child.type == "link_open" for child in children)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0
