"""The format-neutral outline every reader produces, from which the article is assembled.

A reader only decides what each piece of the file *is* (a heading and its level, a
paragraph, a list item, a ``Source:`` line) and where it stands; :mod:`threads.assembly`
decides what it *means* (sections, references, calls to action, facts), so every format
gets the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "text", "item", "source"]

# Stand-ins a reader puts in a block's text for what cannot be tweeted as text: a
# formula ($x^2$, \\(…\\)), a value computed when the page is rendered (`r nrow(x)`).
# A sentence that holds one is left out whole (counted), never tweeted with a gap.
FORMULA = "\ue0f0"
COMPUTED = "\ue0f1"
PLACEHOLDERS = {FORMULA: "sentences with formulas", COMPUTED: "sentences with computed values"}


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    line: int
    # Link targets in the block, for reference entries written as links.
    links: tuple[str, ...] = ()
    # A heading's level (1 = title level); 2 for plain-text headings.
    level: int = 0
    # All of the text is link text ("Example Cassandra Source", "Read more"): a
    # navigation line, not prose, unless it is a reference entry.
    link_only: bool = False


@dataclass
class Metadata:
    """What front matter, header lines or an HTML head say about the article."""

    title: str | None = None
    url: str | None = None
    date: dt.date | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    description: str | None = None
    draft: bool = False
    slug: str | None = None


@dataclass
class Outline:
    """What a reader hands over: blocks in file order, metadata, and what it left out."""

    path: str
    source_text: str
    blocks: list[Block]
    meta: Metadata = field(default_factory=Metadata)
    # The title when neither metadata nor a title heading gives one (plain text: the
    # first heading).
    title_fallback: str | None = None
    # Non-prose the reader skipped, by kind ("code blocks", "tables", "HTML blocks"…).
    skipped: Counter[str] = field(default_factory=Counter)
