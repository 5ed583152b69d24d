"""The plain-text article format (the example's): headings are short lines.

A heading is a short line (at most 100 characters) without terminal punctuation that
starts with a capital or digit, comes where a paragraph may end (not right after
another heading), and is followed by prose that starts a new sentence. Consecutive
prose lines form one paragraph until a line ends a sentence, so hard-wrapped text works.
``Source: Name`` lines credit the facts before them.
"""

from __future__ import annotations

import re

from threads.outline import Block, Outline
from threads.symbols import starts_with_symbol

MAX_HEADING_LENGTH = 100
_INTRO_PREFIX = re.compile(r"^(introduction|intro|overview)\s*[:—–-]\s*", re.IGNORECASE)
_TERMINAL = (".", "!", "?", ":", ";", ",", "…", '"', "”")


def read_plain_text(text: str, path: str) -> Outline:
    """The outline of a plain-text article."""
    lines = text.splitlines()
    blocks: list[Block] = []
    paragraph: list[str] = []
    paragraph_line = 0

    def flush() -> None:
        if paragraph:
            blocks.append(Block("text", " ".join(paragraph), paragraph_line))
            paragraph.clear()

    previous_ends_paragraph = True
    for index, raw in enumerate(lines):
        number = index + 1
        line = raw.strip()
        if not line:
            flush()
            previous_ends_paragraph = True
            continue
        if line.lower().startswith("source:") and len(line) > len("source:"):
            flush()
            blocks.append(Block("source", line, number))
            previous_ends_paragraph = True
            continue
        after_heading = bool(blocks) and blocks[-1].kind == "heading" and not paragraph
        if starts_with_symbol(line) or (
            previous_ends_paragraph
            and not after_heading
            and _looks_like_heading(line, lines[index + 1 :])
        ):
            flush()
            if starts_with_symbol(line):
                blocks.append(Block("text", line, number))
            else:
                blocks.append(Block("heading", line, number, level=2))
            previous_ends_paragraph = True
            continue
        if not paragraph:
            paragraph_line = number
        paragraph.append(line)
        previous_ends_paragraph = line.endswith(_TERMINAL) or "://" in line
        if previous_ends_paragraph:
            flush()
    flush()
    first_heading = next((block.text for block in blocks if block.kind == "heading"), None)
    return Outline(
        path=path,
        source_text=text,
        blocks=blocks,
        title_fallback=_INTRO_PREFIX.sub("", first_heading) if first_heading else None,
    )


def _looks_like_heading(line: str, following: list[str]) -> bool:
    if len(line) > MAX_HEADING_LENGTH or line.endswith(_TERMINAL) or "://" in line:
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    next_line = next((candidate.strip() for candidate in following if candidate.strip()), "")
    # A heading introduces prose, not the end of the file or a list of links; a next
    # line that starts in lower case continues this line (hard-wrapped prose).
    return bool(next_line) and not starts_with_symbol(next_line) and not next_line[0].islower()
