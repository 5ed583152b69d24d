"""Lektor content files (``contents.lr``): fields separated by ``---`` lines.

Each field is ``key: value`` or ``key:`` followed by a blank line and a multi-line
value; ``----`` stands for a literal ``---`` line inside a value (one dash more per
level). A flow field (``body:`` holding ``#### text-block ####`` blocks) has blocks of
the same field syntax one level down. Lektor's own parser ships inside the lektor
application (Flask, Werkzeug, the admin UI), so this format's few rules are written
out here. ``title``, ``pub_date``/``date``, ``summary``, ``tags`` and ``_hidden`` /
``_discoverable`` are the metadata; the body field (``body``, else every text field of a
flow block) is read as Markdown, whose line numbers stay those of the file.
"""

from __future__ import annotations

import re

from threads.outline import Outline
from threads.readers.front_matter import metadata_from
from threads.readers.markdown import read_markdown

_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]*(?P<value>.*)$")
_SEPARATOR = re.compile(r"^---[ \t]*$")
_ESCAPED = re.compile(r"^-(?P<dashes>-{3,})[ \t]*$")
_FLOW_BLOCK = re.compile(r"^#{4}[ \t]*(?P<kind>[\w-]+)[ \t]*#{4}[ \t]*$")
_BODY_KEYS = ("body", "contents", "text", "content")


def read_lektor(text: str, path: str) -> Outline:
    """The outline of a Lektor content file."""
    lines = text.split("\n")
    fields = _fields(lines, range(len(lines)), _SEPARATOR)
    body_key = next((key for key in _BODY_KEYS if key in fields), None)
    markdown = [""] * len(lines)  # the body's lines in place, the rest blank
    if body_key is not None:
        for number in fields[body_key]:
            line = lines[number]
            escaped = _ESCAPED.match(line)
            markdown[number] = escaped.group("dashes") if escaped else line
        _flow_blocks(lines, fields[body_key], markdown)
    outline = read_markdown("\n".join(markdown), path)
    outline.source_text = text
    scalars = {
        key: " ".join(lines[n] for n in numbers).strip()
        for key, numbers in fields.items()
        if key != body_key
    }
    if "pub_date" in scalars:
        scalars.setdefault("date", scalars["pub_date"])
    if scalars.get("_hidden", "").lower() in ("yes", "true") or scalars.get(
        "_discoverable", ""
    ).lower() in ("no", "false"):
        scalars["draft"] = "true"
    outline.meta = metadata_from(scalars)
    return outline


def _fields(
    lines: list[str], numbers: range | list[int], separator: re.Pattern[str]
) -> dict[str, list[int]]:
    """Each field's value, as the line numbers it spans."""
    fields: dict[str, list[int]] = {}
    current: list[int] | None = None
    for number in numbers:
        line = lines[number]
        if separator.match(line):
            current = None
            continue
        if current is None:
            field = _FIELD.match(line)
            if field is None:
                continue
            current = fields.setdefault(field.group("key").lower(), [])
            if field.group("value").strip():
                lines[number] = field.group("value")
                current.append(number)
            continue
        current.append(number)
    for key, numbers_of in fields.items():
        while numbers_of and not lines[numbers_of[0]].strip():
            numbers_of.pop(0)
        fields[key] = numbers_of
    return fields


def _flow_blocks(lines: list[str], body: list[int], markdown: list[str]) -> None:
    """A flow field's blocks: only their text fields are prose; block markers and their
    other fields (``image: banner.jpg``, ``height: 500``) are blanked."""
    if not any(_FLOW_BLOCK.match(lines[n]) for n in body):
        return
    blocks: list[list[int]] = []
    for number in body:
        if _FLOW_BLOCK.match(lines[number]):
            blocks.append([])
            markdown[number] = ""
        elif blocks:
            blocks[-1].append(number)
        else:
            markdown[number] = ""
    for block in blocks:
        inner = _fields(lines, block, re.compile(r"^----[ \t]*$"))
        keep = {
            n
            for key, numbers in inner.items()
            if key in ("text", "content", "body")
            for n in numbers
        }
        for number in block:
            markdown[number] = lines[number] if number in keep else ""
