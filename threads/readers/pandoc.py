"""Pandoc's document tree (its JSON AST) as an outline: AsciiDoc, Word and OpenDocument.

Pandoc is the one maintained reader of all three formats; it ships inside the
``pypandoc-binary`` wheel (no system install), so it is run as a process from there
(else a ``pandoc`` on the PATH) with ``--sandbox`` (no file or network access: an
``include::`` or a linked image is not fetched), a time limit and input on stdin.
Its JSON has no source positions, so a block's line is found by its first words, as
the HTML reader does.

Headings keep their level; paragraphs, list items, quotes and admonitions are prose;
links keep their text; code, raw blocks, tables, figures and footnotes are left out
and counted; math becomes :data:`~threads.outline.FORMULA`, so its sentence is left out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from threads.errors import ArticleError
from threads.outline import FORMULA, Block, BlockKind, Outline

PANDOC_TIMEOUT_SECONDS = 60
_SKIPPED = {
    "CodeBlock": "code blocks",
    "RawBlock": "HTML blocks",
    "Table": "tables",
    "Figure": "figures",
}
_WRAPPERS = frozenset(
    {"Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"}
)
_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}


@cache
def pandoc_path() -> str | None:
    """The pandoc that ``pypandoc-binary`` ships, else one on the PATH."""
    from importlib.util import find_spec

    spec = find_spec("pypandoc")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "files" / "pandoc"
        if bundled.is_file():
            return str(bundled)
    return shutil.which("pandoc")


def pandoc_tree(data: bytes, source_format: str, path: str) -> dict[str, Any]:
    """Pandoc's JSON AST of ``data`` read as ``source_format``."""
    executable = pandoc_path()
    if executable is None:
        raise ArticleError(
            path,
            f"reading {source_format} needs pandoc: pip install pypandoc-binary "
            "(or install pandoc), or save the post as Markdown",
        )
    try:
        done = subprocess.run(
            [executable, "--sandbox", "-f", source_format, "-t", "json"],
            input=data,
            capture_output=True,
            timeout=PANDOC_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ArticleError(
            path, f"pandoc took more than {PANDOC_TIMEOUT_SECONDS} s to read it: check the file"
        ) from None
    if done.returncode != 0:
        reason = " ".join(done.stderr.decode("utf-8", "replace").split())[:200]
        raise ArticleError(
            path, f"pandoc cannot read it as {source_format} ({reason}): check the file"
        )
    tree: dict[str, Any] = json.loads(done.stdout)
    return tree


def inline_text(inlines: Sequence[Any], links: list[str] | None = None) -> tuple[str, bool]:
    """The words of an inline run, and whether all of them are link text."""
    parts: list[str] = []
    outside = [False]

    def visit(items: Sequence[Any], in_link: bool) -> None:
        for item in items:
            kind, content = item.get("t"), item.get("c")
            if kind == "Str":
                parts.append(content)
                outside[0] = outside[0] or not in_link
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif kind == "Code":
                parts.append(content[1])
                outside[0] = outside[0] or not in_link
            elif kind == "Math":
                parts.append(FORMULA)
            elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps") or kind in (
                "Superscript",
                "Subscript",
            ):
                visit(content, in_link)
            elif kind == "Span" or kind == "Cite":
                visit(content[1], in_link)
            elif kind == "Quoted":
                opening, closing = _QUOTES.get(content[0]["t"], ("“", "”"))
                parts.append(opening)
                visit(content[1], in_link)
                parts.append(closing)
            elif kind == "Link":
                target = content[2][0]
                if links is not None and target.startswith(("http://", "https://")):
                    links.append(target)
                visit(content[1], True)
            # Image, Note, RawInline: not words a reader sees in the sentence.

    visit(inlines, False)
    text = " ".join("".join(parts).split())
    has_link = any(item.get("t") == "Link" for item in inlines)
    return text, bool(text) and has_link and not outside[0]


class TreeWalker:
    """Blocks of a pandoc tree into the outline, in document order."""

    def __init__(self, outline: Outline, source: str = "") -> None:
        self.outline = outline
        self.source = source
        self.search_from = 0

    def walk(self, blocks: Sequence[Any], item: bool = False) -> None:
        for block in blocks:
            kind, content = block.get("t"), block.get("c")
            if kind in _SKIPPED:
                self.outline.skipped[_SKIPPED[kind]] += 1
            elif kind == "Header":
                text, _ = inline_text(content[2])
                if text:
                    self.add(Block("heading", text, self.line_of(text), level=int(content[0])))
            elif kind in ("Para", "Plain"):
                self.paragraph(content, item)
            elif kind == "LineBlock":
                self.paragraph([part for line in content for part in [*line, {"t": "Space"}]], item)
            elif kind == "BlockQuote":
                self.walk(content, item)
            elif kind in ("BulletList", "OrderedList"):
                for entry in content if kind == "BulletList" else content[1]:
                    self.walk(entry, item=True)
            elif kind == "DefinitionList":
                for term, definitions in content:
                    self.paragraph(term, item)
                    for definition in definitions:
                        self.walk(definition, item)
            elif kind == "Div":
                classes = content[0][1]
                if "title" not in classes:  # an admonition's "Note" label is not prose
                    self.walk(content[1], item)
            # HorizontalRule, Null: nothing to read.

    def paragraph(self, inlines: Sequence[Any], item: bool) -> None:
        links: list[str] = []
        text, link_only = inline_text(inlines, links)
        if not text:
            return
        kind: BlockKind = "item" if item else "text"
        if text.lower().startswith("source:"):
            kind = "source"
        self.add(Block(kind, text, self.line_of(text), tuple(links), link_only=link_only))
        self.outline.skipped["footnotes"] += sum(
            1 for inline in inlines if isinstance(inline, dict) and inline.get("t") == "Note"
        )
        if not self.outline.skipped["footnotes"]:
            del self.outline.skipped["footnotes"]

    def add(self, block: Block) -> None:
        self.outline.blocks.append(block)

    def line_of(self, text: str) -> int:
        """The source line where ``text`` starts, when its first word is found as written."""
        if not self.source:
            return 0
        probe = text.split(" ", 1)[0][:24]
        found = self.source.find(probe, self.search_from)
        if found < 0:
            return 0
        self.search_from = found
        return self.source.count("\n", 0, found) + 1
