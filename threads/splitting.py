"""Pack text into tweets that fit X's weighted length, at natural boundaries.

Boundaries, best first: paragraph breaks, line breaks, sentence ends; a sentence longer
than a tweet is cut after ``;``/``:``, then after commas and dashes, then between words.
Every cut is at whitespace, so no word, number, URL, @handle or #hashtag is ever broken;
a single word heavier than a tweet is an error rather than a silent cut.
"""

from __future__ import annotations

import re

from threads.errors import UnsplittableTextError
from threads.length import MAX_WEIGHTED_LENGTH, weighted_length
from threads.sentences import CLAUSE_BREAKS, split_sentences

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def split_text(text: str, *, limit: int = MAX_WEIGHTED_LENGTH, reserve: int = 0) -> list[str]:
    """Split ``text`` into tweets of weighted length at most ``limit - reserve``.

    ``reserve`` keeps room for a suffix added later (``n/N`` numbering).
    """
    budget = limit - reserve
    tweets: list[str] = []
    current = ""
    for separator, unit in _units(text):
        if weighted_length(unit) > budget:
            if current:
                tweets.append(current)
            *full, current = _split_long(unit, budget, 0)
            tweets.extend(full)
            continue
        candidate = current + separator + unit if current else unit
        if weighted_length(candidate) <= budget:
            current = candidate
        else:
            tweets.append(current)
            current = unit
    if current:
        tweets.append(current)
    return tweets


def _units(text: str) -> list[tuple[str, str]]:
    """Sentences with the separator that precedes each ("\\n\\n", "\\n" or " ")."""
    units: list[tuple[str, str]] = []
    for paragraph_index, paragraph in enumerate(_PARAGRAPH_BREAK.split(text.strip())):
        for line_index, line in enumerate(paragraph.split("\n")):
            for sentence_index, sentence in enumerate(split_sentences(line)):
                if sentence_index:
                    separator = " "
                elif line_index:
                    separator = "\n"
                else:
                    separator = "\n\n" if paragraph_index else ""
                units.append((separator, sentence))
    return units


def _split_long(unit: str, budget: int, level: int) -> list[str]:
    """Cut one over-long sentence into pieces that fit, at the best boundary available."""
    if level < len(CLAUSE_BREAKS):
        pieces = [piece for piece in CLAUSE_BREAKS[level].split(unit) if piece]
    else:
        pieces = unit.split()
    parts: list[str] = []
    current = ""
    for piece in pieces:
        if weighted_length(piece) > budget:
            if level >= len(CLAUSE_BREAKS):
                raise UnsplittableTextError(piece, weighted_length(piece), budget)
            if current:
                parts.append(current)
            *full, current = _split_long(piece, budget, level + 1)
            parts.extend(full)
            continue
        candidate = f"{current} {piece}" if current else piece
        if weighted_length(candidate) <= budget:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts
