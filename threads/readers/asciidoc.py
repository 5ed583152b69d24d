"""AsciiDoc posts (``.adoc``: Asciidoctor, JBake, Antora, Hugo) read by pandoc.

Pandoc's AsciiDoc reader (:mod:`threads.readers.pandoc`) reads the body: sections,
paragraphs, lists, ``link:…[text]`` and ``https://…[text]`` links as their text,
admonition and quote blocks as prose, source and listing blocks and images left out.
Tables are left out before pandoc reads the body: its reader (3.9) turned a real
post's table with row-spanning cells into a paragraph, and ran to its time limit on
others. Measured on the corpus (see README) it misread the document header — the
author and revision lines and the attribute entries became a paragraph — and left
attribute references (``{url-repo}[text]``) as written. So the header is read here,
by the spec's simple line rules: ``= Title`` (or ``:title:``), an optional author line
and revision line (``v1.0, 2019-01-07: remark``), then ``:name: value`` entries
(``:revdate:``, ``:page-tags:``/``:tags:``, ``:description:``, ``:lang:``); and every
``{name}`` reference to an entry is replaced by its value before pandoc reads the body
(a value ending in `` \\`` goes on over the next line).
Jekyll (jekyll-asciidoc) and Hugo put YAML or TOML front matter above all that, as in
Markdown: it is read by :mod:`threads.readers.front_matter` first, and the header
fills in only what it leaves out.
asciidoc-py (the Python AsciiDoc) was measured too and refused: it runs source blocks
through shell filters (``shell=True``) even in safe mode.
"""

from __future__ import annotations

import dataclasses
import re

from threads.outline import Metadata, Outline
from threads.readers.front_matter import metadata_from, split_front_matter
from threads.readers.pandoc import TreeWalker, pandoc_tree

_TITLE = re.compile(r"^=[ \t]+(?P<title>\S.*?)[ \t]*$")
_ATTRIBUTE = re.compile(r"^:(?P<name>!?[\w][\w-]*!?):(?:[ \t]+(?P<value>.*?))?[ \t]*$")
_REVISION = re.compile(r"^(?:v?[\d.]+,?[ \t]*)?(?P<date>\d{4}-\d\d-\d\d[^:]*?)?(?::.*)?$")
# A table's delimiter (|===, or ,=== :=== !=== for CSV, DSV and nested tables), and
# the block attribute line and title that may stand above it.
_TABLE_DELIMITER = re.compile(r"^[|,:!]={3,}$")
_BLOCK_ATTRIBUTES = re.compile(r"^(?:\[.*\]|\.[^\s.].*)$")
_CONTINUED = re.compile(r"[ \t]+(?:\+[ \t]+)?\\$")
_REFERENCE = re.compile(r"\{(?P<name>[\w][\w-]*)\}")
# Delimited blocks whose content is shown literally: no attribute substitution inside.
_LITERAL_DELIMITER = re.compile(r"^(?:-{4,}|\.{4,}|`{3}.*|\+{4,})[ \t]*$")
_TAG_SPLIT = re.compile(r"[,\[\]]")
# A link macro's trailing caret opens a new window; it is not part of the text.
_BLANK_WINDOW = re.compile(r"((?:https?://|link:|mailto:)[^\s\[]+)\[([^\]\n]*?)\^(?=[,\]])")
# Attributes every AsciiDoc document has (the spec's character replacement attributes).
_BUILT_IN = {
    "empty": "", "blank": "", "sp": " ", "nbsp": "\u00a0", "zwsp": "", "wj": "",
    "apos": "'", "quot": '"', "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
    "deg": "°", "plus": "+", "brvbar": "¦", "vbar": "|", "amp": "&", "lt": "<", "gt": ">",
    "startsb": "[", "endsb": "]", "caret": "^", "asterisk": "*", "tilde": "~",
    "backslash": "\\", "backtick": "`", "two-colons": "::", "two-semicolons": ";;",
    "cpp": "C++", "pp": "++",
}  # fmt: skip


def read_asciidoc(text: str, path: str) -> Outline:
    """The outline of an AsciiDoc post."""
    front, rest = split_front_matter(text, path)
    fields, body = _header(rest)
    body, tables = _without_tables(body)
    tree = pandoc_tree(body.encode("utf-8"), "asciidoc", path)
    meta = _filled(front, metadata_from(fields))
    outline = Outline(path=path, source_text=text, blocks=[], meta=meta)
    if tables:
        outline.skipped["tables"] += tables
    TreeWalker(outline, text).walk(tree.get("blocks", []))
    return outline


def _filled(first: Metadata, then: Metadata) -> Metadata:
    """``first`` with what it leaves empty taken from ``then``."""
    missing = {
        field.name: getattr(then, field.name)
        for field in dataclasses.fields(Metadata)
        if not getattr(first, field.name)
    }
    return dataclasses.replace(first, **missing)


def _without_tables(body: str) -> tuple[str, int]:
    """``body`` with its tables blanked (delimiters, cells, and the ``[cols=…]``
    attribute line and ``.Title`` above each), and how many there were.

    Tables are not prose, and pandoc 3.9's AsciiDoc reader cannot be trusted with them:
    measured on a real post, a table whose first column has two row-spanning cells
    (``.2+|``) came out as a paragraph of its cells, and some tables with row spans
    (``|11 .2+|12|13`` rows) made it run until its time limit. So they go before pandoc
    reads the body.
    """
    lines = body.split("\n")
    literal = False
    closing: str | None = None
    count = 0
    for number, line in enumerate(lines):
        stripped = line.strip()
        if closing is not None:
            lines[number] = ""
            if stripped == closing:
                closing = None
            continue
        if _LITERAL_DELIMITER.match(line):
            literal = not literal
        elif not literal and _TABLE_DELIMITER.match(stripped):
            closing = stripped
            count += 1
            lines[number] = ""
            above = number - 1
            while above >= 0 and _BLOCK_ATTRIBUTES.match(lines[above].strip()):
                lines[above] = ""
                above -= 1
    return "\n".join(lines), count


def _substitute(line: str, attributes: dict[str, str]) -> str:
    """``{name}`` references replaced; inside a macro's brackets (``footnote:[…]``) a
    value's own ``]`` is escaped, so it does not end the macro early."""

    def value(match: re.Match[str]) -> str:
        found = attributes.get(match.group("name"))
        if found is None:
            return match.group(0)
        before = line[: match.start()]
        inside_macro = before.count("[") > before.count("]") - before.count("\\]")
        return found.replace("]", "\\]") if inside_macro else found

    return _REFERENCE.sub(value, line)


def _header(text: str) -> tuple[dict[str, object], str]:
    """The header's fields and the body with attribute references replaced.

    Header lines are blanked, not removed, so the body keeps its line count.
    """
    lines = text.split("\n")
    fields: dict[str, object] = {}
    attributes: dict[str, str] = dict(_BUILT_IN)
    index = 0
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith("//")):
        index += 1
    title = _TITLE.match(lines[index]) if index < len(lines) else None
    if title is not None:
        fields["title"] = title.group("title")
        lines[index] = ""
        index += 1
        # An author line, then a revision line, when they come right after the title.
        for position in (index, index + 1):
            if (
                position < len(lines)
                and lines[position].strip()
                and not lines[position].startswith(":")
            ):
                revision = _REVISION.match(lines[position].strip())
                if revision and revision.group("date"):
                    fields.setdefault("date", revision.group("date").strip())
                lines[position] = ""
                index = position + 1
            else:
                break
    literal = False
    for number, line in enumerate(lines):
        if _LITERAL_DELIMITER.match(line):
            literal = not literal
            continue
        if literal:
            continue
        entry = _ATTRIBUTE.match(line)
        if entry:
            name = entry.group("name").strip("!")
            value = entry.group("value") or ""
            lines[number] = ""
            # A value ending in " \" goes on over the next line (Asciidoctor's rule).
            following = number + 1
            while _CONTINUED.search(value) and following < len(lines):
                value = _CONTINUED.sub("", value) + " " + lines[following].strip()
                lines[following] = ""
                following += 1
            attributes[name] = _REFERENCE.sub(
                lambda m: attributes.get(m.group("name"), m.group(0)), _CONTINUED.sub("", value)
            )
        elif "{" in line:
            lines[number] = _substitute(line, attributes)
    for name, key in (("revdate", "date"), ("title", "title"), ("description", "description")):
        if attributes.get(name):
            fields[key] = (
                attributes[name] if key != "title" else fields.get("title", attributes[name])
            )
    tags = attributes.get("page-tags") or attributes.get("tags") or attributes.get("keywords")
    if tags:
        fields["tags"] = [tag.strip() for tag in _TAG_SPLIT.split(tags) if tag.strip()]
    for name in ("lang", "page-lang", "slug", "page-slug", "canonical-url"):
        if attributes.get(name):
            fields[name.removeprefix("page-").replace("canonical-url", "canonical_url")] = (
                attributes[name]
            )
    if attributes.get("page-draft") == "true" or "draft" in attributes:
        fields["draft"] = True
    return fields, _BLANK_WINDOW.sub(r"\1[\2", "\n".join(lines))
