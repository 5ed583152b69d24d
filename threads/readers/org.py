"""Org-mode posts (``.org``: org-static-blog, ox-hugo, Org publish) via orgparse.

orgparse (maintained, pure Python, ~13 ms to import) reads the structure: the file's
``#+TITLE``/``#+DATE``/``#+FILETAGS``/``#+DESCRIPTION``/``#+LANGUAGE``, the headings with
their levels (TODO keywords, tags and ``:noexport:`` subtrees handled by it), and each
heading's body without its property drawer. pandoc's Org reader was measured against
it on the corpus (see README): it stopped with a parse error on one of the two real
posts (``src_LaTeX{\\begin{} … \\end{}}``) and took ~70 ms a post to orgparse's ~1 ms.
orgparse leaves a body's own markup as written, so the few rules of Org's body
syntax are applied here: ``#+BEGIN_SRC``/``EXAMPLE``/``EXPORT`` blocks, tables, drawers,
keyword and comment lines and footnote definitions are not prose (counted); quote,
verse and center blocks are; ``[[url][text]]`` links keep their text; ``=code=`` and
``~code~`` keep theirs exactly; ``*bold*``, ``/italic/``, ``_underline_`` and
``+strike+`` lose their markers; a link to an image or a file with no description is
shown as the image, so it is not prose; ``$…$`` and ``\\(…\\)`` math leaves its
sentence out. A Hakyll site's post opens with Hakyll's YAML block between ``----``
lines: its metadata, under the file's own ``#+TITLE`` and keywords.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from threads.outline import FORMULA, Block, BlockKind, Outline
from threads.readers.front_matter import metadata_from, split_metadata_block

if TYPE_CHECKING:
    from orgparse.node import OrgNode

_BLOCK_BEGIN = re.compile(r"^[ \t]*#\+begin_(?P<kind>\w+)", re.I)
_BLOCK_END = re.compile(r"^[ \t]*#\+end_(?P<kind>\w+)", re.I)
_PROSE_BLOCKS = frozenset({"quote", "verse", "center"})
_SKIPPED_BLOCKS = {"src": "code blocks", "example": "code blocks", "export": "HTML blocks"}
_KEYWORD = re.compile(r"^[ \t]*#\+\w+(?:\[.*\])?:|^[ \t]*#(?:[ \t]|$)")
_DRAWER = re.compile(r"^[ \t]*:[\w-]+:[ \t]*$")
_DRAWER_END = re.compile(r"^[ \t]*:END:[ \t]*$", re.I)
_TABLE = re.compile(r"^[ \t]*\|")
_FOOTNOTE_DEFINITION = re.compile(r"^\[fn:[^\]]+\]")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-+]|[ \t]+\*|\d+[.)])[ \t]+(?:\[[ X-]\][ \t]+)?")
_RULE = re.compile(r"^[ \t]*-{5,}[ \t]*$")
_LATEX_ENVIRONMENT = re.compile(r"^[ \t]*\\begin\{(?P<name>[^}]+)\}")

_LINK = re.compile(r"\[\[(?P<target>[^\]]+)\](?:\[(?P<text>[^\]]*)\])?\]")
# Org inlines a link to an image without a description as the image.
_IMAGE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)(?:::.*)?$", re.I)
_FOOTNOTE_REFERENCE = re.compile(r"\[fn:[^\]\[]*(?:\[[^\]]*\][^\]\[]*)*\]")
_INLINE_SOURCE = re.compile(r"src_[\w-]+(?:\[[^\]\n]*\])?\{(?P<code>(?:[^{}\n]|\{[^{}\n]*\})*)\}")
_VERBATIM = re.compile(r"(?<![\w=~])([=~])(?P<text>[^\s=~](?:[^\n]*?[^\s])??)\1(?![\w])")
_EMPHASIS = re.compile(
    r"(?:(?<=^)|(?<=[\s\-({'\"]))(?P<mark>[*/_+])(?P<text>[^\s*/_+](?:[^\n]*?[^\s])??)"
    r"(?P=mark)(?=[\s\-.,;:!?')}\"\\]|$)"
)
_MATH = re.compile(
    r"\\\((?:.|\n)*?\\\)|\\\[(?:.|\n)*?\\\]|(?<![\w$])\$[^\s$](?:[^$\n]*?[^\s$])?\$(?![\w$])"
)
_SNIPPET = re.compile(r"@@[\w-]+:.*?@@|\{\{\{[^}]*\}\}\}")
_ASIDE = re.compile("\ue000(\\d+)\ue001")
_COOKIE = re.compile(r"\[\d*(?:%|/\d*)\]")
_LINE_BREAK = re.compile(r"\\\\[ \t]*$", re.M)
_TIMESTAMP = re.compile(r"[<\[]\d{4}-\d\d-\d\d[^>\]\n]*[>\]]")


def read_org(text: str, path: str) -> Outline:
    """The outline of an Org post."""
    import orgparse

    # A Hakyll site's Org post opens with its YAML metadata block ("----" lines).
    hakyll = split_metadata_block(text, path)
    root = orgparse.loads(hakyll[1] if hakyll else text)
    fields: dict[str, Any] = {}
    for key in ("TITLE", "DATE", "DESCRIPTION", "SUBTITLE", "LANGUAGE", "SLUG", "DRAFT"):
        values = root.get_file_property_list(key)
        if values:
            value = " ".join(str(part) for part in values)
            fields[key.lower()] = _TIMESTAMP.sub(lambda m: m.group(0)[1:11], value).strip()
    tags = root.get_file_property_list("FILETAGS") or root.get_file_property_list("TAGS")
    if tags:
        words = " ".join(str(tag) for tag in tags)
        fields["tags"] = [tag for tag in re.split(r"[:\s,]+", words) if tag]
    if "title" in fields:
        fields["title"] = _inline(fields["title"])[0]
    if hakyll is not None:
        fields = {**hakyll[0], **fields}
    outline = Outline(path=path, source_text=text, blocks=[], meta=metadata_from(fields))
    _body(root.get_body(format="raw"), 1, outline)
    skipping_below: int | None = None
    for node in root[1:]:
        if skipping_below is not None and node.level > skipping_below:
            continue
        skipping_below = None
        if "noexport" in node.tags or node.heading.startswith("COMMENT"):
            skipping_below = node.level
            continue
        heading = _inline(_COOKIE.sub("", node.get_heading(format="raw")))[0]
        if heading:
            outline.blocks.append(Block("heading", heading, node.linenumber, level=node.level))
        _body(node.get_body(format="raw"), _body_line(node), outline)
    return outline


def _body_line(node: OrgNode) -> int:
    return int(node.linenumber) + 1


def _body(body: str, first_line: int, outline: Outline) -> None:
    """A heading's body: paragraphs and list items as prose, the rest skipped."""
    lines = body.split("\n")
    paragraph: list[str] = []
    start = first_line
    kind: BlockKind = "text"
    closing: re.Pattern[str] | None = None
    in_table = False

    def flush() -> None:
        if paragraph:
            joined = " ".join(_LINE_BREAK.sub("", line) for line in paragraph)
            text, links, link_only = _inline(joined)
            if text:
                block_kind: BlockKind = "source" if text.lower().startswith("source:") else kind
                outline.blocks.append(
                    Block(block_kind, text, start, tuple(links), link_only=link_only)
                )
            paragraph.clear()

    for offset, line in enumerate(lines):
        number = first_line + offset
        if closing is not None:
            if closing.match(line):
                closing = None
            continue
        begin = _BLOCK_BEGIN.match(line)
        if begin:
            flush()
            block = begin.group("kind").lower()
            if block not in _PROSE_BLOCKS:
                if block in _SKIPPED_BLOCKS:
                    outline.skipped[_SKIPPED_BLOCKS[block]] += 1
                closing = re.compile(rf"^[ \t]*#\+end_{re.escape(block)}\b", re.I)
            continue
        if _BLOCK_END.match(line) or _KEYWORD.match(line) or _RULE.match(line):
            flush()
            continue
        environment = _LATEX_ENVIRONMENT.match(line)
        if environment:
            flush()
            outline.skipped["formulas"] += 1
            closing = re.compile(rf"^[ \t]*\\end\{{{re.escape(environment.group('name'))}\}}")
            continue
        if _DRAWER.match(line) and not _DRAWER_END.match(line):
            flush()
            closing = _DRAWER_END
            continue
        if _TABLE.match(line):
            if not in_table:
                flush()
                outline.skipped["tables"] += 1
            in_table = True
            continue
        in_table = False
        if not line.strip():
            flush()
            kind = "text"
            continue
        if _FOOTNOTE_DEFINITION.match(line):
            flush()
            outline.skipped["footnotes"] += 1
            closing = re.compile(r"^[ \t]*$|^\[fn:|^\*+[ \t]")
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            kind = "item"
            start = number
            paragraph.append(line[item.end() :])
            continue
        if not paragraph:
            start = number
        paragraph.append(line)
    flush()


def _inline(text: str) -> tuple[str, list[str], bool]:
    """The words of an Org paragraph, its link targets, and whether all are link text."""
    links: list[str] = []
    outside = _LINK.sub("", text).strip()

    def link(match: re.Match[str]) -> str:
        target = match.group("target")
        if target.startswith(("http://", "https://")):
            links.append(target)
        described = match.group("text")
        if described is not None:
            return described
        if target.startswith(("file:", "./", "../", "/", "attachment:")) or _IMAGE.search(target):
            return ""  # an image or a file shown inline
        return target

    # =verbatim= and ~code~ are shown as written: set aside before any other markup
    # (a link, math, emphasis) is read inside them, and put back at the end.
    verbatim: list[str] = []

    def aside(match: re.Match[str]) -> str:
        verbatim.append(match.group("text"))
        return f"\ue000{len(verbatim) - 1}\ue001"

    text = _VERBATIM.sub(aside, text)
    text = _SNIPPET.sub("", text)
    text = _FOOTNOTE_REFERENCE.sub("", text)
    text = _INLINE_SOURCE.sub(lambda m: m.group("code"), text)
    text = _MATH.sub(FORMULA, text)
    text = _LINK.sub(link, text)
    text = _LINE_BREAK.sub(" ", text)
    for _ in range(3):  # nested emphasis (*/bold italic/*)
        text = _EMPHASIS.sub(lambda m: m.group("text"), text)
    text = _ASIDE.sub(lambda m: verbatim[int(m.group(1))], text)
    words = " ".join(text.split())
    link_only = bool(words) and bool(links) and not re.search(r"\w", _EMPHASIS.sub("", outside))
    return words, links, link_only
