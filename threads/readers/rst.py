"""reStructuredText posts (Pelican, Nikola, Sphinx blogs) via docutils.

The document title, the leading field list (``:date:``, ``:slug:``, ``:tags:``,
``:summary:``, ``:lang:``) and Nikola's ``.. title: …`` comment lines at the top are
the metadata; sections become headings by depth; paragraphs, list items, block quotes
and admonitions are prose; named links keep their text and remember their target.
Code, tables, images, comments, footnotes and substitution definitions are left out.
Sphinx/Pelican roles docutils does not know (``:ref:`Title <label>```) keep their
text. Nothing is read from other files: file insertion and raw passthrough are off.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from threads.outline import Block, BlockKind, Outline
from threads.readers.front_matter import metadata_from, nikola_fields

if TYPE_CHECKING:
    from docutils import nodes

_POST_DIRECTIVE = re.compile(
    r"^\.\. post::[ \t]*(?P<date>[^\n]*)\n(?P<options>(?:[ \t]+:[\w-]+:[^\n]*\n)*)", re.M
)
_DIRECTIVE_OPTION = re.compile(r"^[ \t]+:(?P<key>[\w-]+):(?P<value>[^\n]*)$", re.M)
_UNKNOWN_ROLE = re.compile(r":[\w:+-]+:`(?P<text>[^`<]*?)\s*(?:<[^>]*>)?`")
_SKIPPED = {
    "literal_block": "code blocks",
    "doctest_block": "code blocks",
    "table": "tables",
    "footnote": "footnotes",
    "citation": "footnotes",
    "math_block": "formulas",
    "raw": "HTML blocks",
}
_IGNORED = frozenset(
    {"comment", "system_message", "target", "substitution_definition", "image", "figure"}
    | {"title", "subtitle", "docinfo", "field_list", "pending", "topic", "sidebar", "rubric"}
    | {"transition", "meta", "raw"}
)
_METADATA_ELEMENTS = frozenset({"date", "author", "authors", "version", "status"})


def read_rst(text: str, path: str) -> Outline:
    """The outline of a reStructuredText post."""
    from docutils.core import publish_doctree

    document = publish_doctree(
        text,
        source_path=path,
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "warning_stream": io.StringIO(),
            "file_insertion_enabled": False,
            "raw_enabled": False,
            "input_encoding": "unicode",
            "doctitle_xform": True,
            "docinfo_xform": True,
        },
    )
    # Nikola's ".. title: …" comment lines at the top are the post's own metadata.
    fields = {**_fields(document), **nikola_fields(text)}
    fields.update({k: v for k, v in _ablog_post(text).items() if k not in fields})
    title = document.get("title") or None
    if title:
        fields.setdefault("title", title)
    outline = Outline(path=path, source_text=text, blocks=[], meta=metadata_from(fields))
    _walk(document, outline, depth=1, item=False)
    first = outline.blocks[0] if outline.blocks else None
    if not title and first is not None and first.kind == "heading":
        # Sphinx's rule: a page whose top-level sections are siblings (ABlog posts) is
        # titled by the first one.
        outline.meta.title = outline.meta.title or first.text
        outline.blocks[0] = replace(first, level=1)
    return outline


def _ablog_post(text: str) -> dict[str, str]:
    """ABlog's ``.. post:: DATE`` directive and its ``:tags:``/``:author:`` options."""
    match = _POST_DIRECTIVE.search(text)
    if match is None:
        return {}
    found = {"date": match.group("date").strip()} if match.group("date").strip() else {}
    for option in _DIRECTIVE_OPTION.finditer(match.group("options") or ""):
        found[option.group("key").lower()] = option.group("value").strip()
    return found


def _fields(document: nodes.document) -> dict[str, Any]:
    """The docinfo and a leading field list, as a plain mapping."""
    from docutils import nodes

    found: dict[str, Any] = {}
    for container in document.findall(nodes.docinfo):
        for child in container.children:
            if isinstance(child, nodes.field):
                found[child[0].astext().strip().lower()] = child[1].astext().strip()
            elif isinstance(child, nodes.Element) and child.tagname in _METADATA_ELEMENTS:
                found[child.tagname] = child.astext().strip()
    for field_list in document.findall(nodes.field_list):
        for child in field_list.children:
            if isinstance(child, nodes.field):
                found.setdefault(child[0].astext().strip().lower(), child[1].astext().strip())
        break
    return found


def _walk(node: nodes.Element, outline: Outline, depth: int, item: bool) -> None:
    from docutils import nodes

    for child in node.children:
        if not isinstance(child, nodes.Element):
            continue
        tag = child.tagname
        if tag in _SKIPPED:
            outline.skipped[_SKIPPED[tag]] += 1
        elif tag in _IGNORED:
            continue
        elif tag == "section":
            title = child.next_node(nodes.title)
            if title is not None:
                text, _ = _inline(title)
                if text:
                    outline.blocks.append(Block("heading", text, _line(title), level=depth + 1))
            _walk(child, outline, depth + 1, item=False)
        elif tag == "paragraph":
            text, links = _inline(child)
            if text:
                kind: BlockKind = "item" if item else "text"
                if text.lower().startswith("source:"):
                    kind = "source"
                outline.blocks.append(Block(kind, text, _line(child), tuple(links)))
        elif tag == "list_item":
            _walk(child, outline, depth, item=True)
        else:
            _walk(child, outline, depth, item=item)


def _inline(node: nodes.Element) -> tuple[str, list[str]]:
    from docutils import nodes

    parts: list[str] = []
    links: list[str] = []

    def visit(current: nodes.Node) -> None:
        if isinstance(current, nodes.Text):
            parts.append(str(current))
            return
        if isinstance(current, nodes.footnote_reference | nodes.citation_reference):
            # The space reST needs before "[#]_" would stand before the punctuation.
            if parts:
                parts[-1] = parts[-1].rstrip()
            return
        if isinstance(current, nodes.substitution_reference | nodes.image | nodes.target):
            return
        if isinstance(current, nodes.problematic):
            parts.append(_UNKNOWN_ROLE.sub(r"\g<text>", current.astext()))
            return
        if isinstance(current, nodes.reference):
            uri = str(current.get("refuri", ""))
            if uri.startswith(("http://", "https://")):
                links.append(uri)
        if isinstance(current, nodes.Element):
            for child in current.children:
                visit(child)

    visit(node)
    return " ".join("".join(parts).split()), links


def _line(node: nodes.Element) -> int:
    current: Any = node
    while current is not None:
        if getattr(current, "line", None):
            return int(current.line)
        current = current.parent
    return 0
