"""Pack text into tweets that fit X's weighted length, at natural boundaries.

Boundaries, best first: paragraph breaks, line breaks, sentence ends; a sentence longer
than a tweet is cut after ``;``/``:`` (and ；：), then after commas, dashes and 、，, then
between words — or, in Chinese and Japanese, between characters. No Latin word,
number, URL, @handle or #hashtag is ever broken; a single word heavier than a tweet is
an error rather than a silent cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from threads.errors import UnsplittableTextError
from threads.length import MAX_WEIGHTED_LENGTH, weighted_length
from threads.sentences import CJK_CHARACTER, CLAUSE_BREAKS, split_sentences
from threads.sentences import separator as sentence_separator

# A piece of a cut sentence lighter than this never ends a tweet alone.
MIN_HEAD_WEIGHT = 40

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

# How long a text is under a network's rule; X's weighted length unless told otherwise
# (threads.networks passes Bluesky's and Mastodon's).
Measure = Callable[[str], int]


# Compiled on first use: only text that needs cutting between words gets here.
@cache
def _atom() -> re.Pattern[str]:
    """A CJK character with the punctuation that must not start a line (full-width, or
    ASCII written straight after it: "中文字."), or a run of anything else that is not
    a space."""
    return re.compile(
        f"[{CJK_CHARACTER}][\u3001\u3002\uff0c\uff0e\uff01\uff1f\uff1a\uff1b\u300d\u300f\uff09\u3011"
        ".,!?;:)\\]}\"'\u201d\u2019]*"
        f"|[^\\s{CJK_CHARACTER}]+"
    )


def split_text(
    text: str,
    *,
    limit: int = MAX_WEIGHTED_LENGTH,
    reserve: int = 0,
    language: str = "en",
    measure: Measure = weighted_length,
    keep_with_next: Callable[[str], bool] | None = None,
) -> list[str]:
    """Split ``text`` into tweets of weighted length at most ``limit - reserve``.

    ``reserve`` keeps room for a suffix added later (``n/N`` numbering); ``language``
    chooses the sentence rules; ``measure`` is the length the limit applies to (X's
    weighted length by default; see :func:`threads.networks.split_for`).
    ``keep_with_next`` names units (a subheading, a lead-in ending in ":") that must not
    end a tweet: each goes with the unit after it, unless the two exceed a tweet.
    """
    budget = limit - reserve
    units = _units(text, language)
    if keep_with_next is not None:
        units = _glued(units, keep_with_next, budget, measure)
    whole = "".join(separator + unit for separator, unit in units)
    if measure(whole) <= budget:
        # Most blocks fit in one tweet: one measurement instead of one per sentence.
        return [whole] if whole else []
    tweets: list[str] = []
    current = ""
    current_weight = 0
    for separator, unit in units:
        unit_weight = measure(unit)
        if unit_weight > budget:
            if current:
                tweets.append(current)
            *full, current = _split_long(unit, budget, 0, measure)
            tweets.extend(full)
            current_weight = measure(current)
            continue
        candidate = current + separator + unit if current else unit
        weight = _joined_weight(current, current_weight, separator, unit, unit_weight, measure)
        if weight <= budget:
            current, current_weight = candidate, weight
        else:
            tweets.append(current)
            current, current_weight = unit, unit_weight
    if current:
        tweets.append(current)
    return tweets


def _joined_weight(
    left: str,
    left_weight: int,
    separator: str,
    right: str,
    right_weight: int,
    measure: Measure = weighted_length,
) -> int:
    """The weight of ``left + separator + right`` without recounting both sides.

    URLs and emoji sequences never span whitespace and NFC cannot compose across it,
    so across a whitespace separator X's weights add up (each of its characters weighs
    1); otherwise (CJK text joined without a space) the whole is counted again. Another
    network's measure is always counted again: a grapheme cluster can take in the space
    after it, so only X's additivity is proven (``test_joined_weight_is_exact``).
    """
    if not left:
        return right_weight
    if measure is not weighted_length:
        return measure(left + separator + right)
    if separator and separator.isspace():
        return left_weight + len(separator) + right_weight
    return weighted_length(left + separator + right)


def _units(text: str, language: str) -> list[tuple[str, str]]:
    """Sentences with the separator that precedes each ("\\n\\n", "\\n", " " or "")."""
    units: list[tuple[str, str]] = []
    for paragraph_index, paragraph in enumerate(_PARAGRAPH_BREAK.split(text.strip())):
        for line_index, line in enumerate(paragraph.split("\n")):
            for sentence_index, sentence in enumerate(split_sentences(line, language)):
                if sentence_index:
                    separator = sentence_separator(units[-1][1], sentence)
                elif line_index:
                    separator = "\n"
                else:
                    separator = "\n\n" if paragraph_index else ""
                units.append((separator, sentence))
    return units


def _glued(
    units: list[tuple[str, str]],
    keep_with_next: Callable[[str], bool],
    budget: int,
    measure: Measure,
) -> list[tuple[str, str]]:
    """Units joined to the one after them where ``keep_with_next`` says so (and they fit)."""
    glued: list[tuple[str, str]] = []
    carried: tuple[str, str] | None = None
    for separator, unit in units:
        if carried is not None:
            joined = carried[1] + separator + unit
            if measure(joined) <= budget:
                separator, unit = carried[0], joined
            else:
                glued.append(carried)
            carried = None
        if keep_with_next(unit.rsplit("\n", 1)[-1]):
            carried = (separator, unit)
        else:
            glued.append((separator, unit))
    if carried is not None:
        glued.append(carried)
    return glued


def _pieces(unit: str, level: int) -> list[tuple[str, str]]:
    """``unit`` cut at level ``level``'s boundaries, as (separator before, piece) pairs."""
    if level < len(CLAUSE_BREAKS):
        pieces: list[tuple[str, str]] = []
        position = 0
        separator = ""
        for match in CLAUSE_BREAKS[level].finditer(unit):
            if match.start() > position:
                pieces.append((separator, unit[position : match.start()]))
                separator = match.group(0)
                position = match.end()
        pieces.append((separator, unit[position:]))
        return [(sep, piece) for sep, piece in pieces if piece]
    # Last resort: between words, or between characters of scripts written without
    # spaces; a Latin word, number, URL or handle is one atom and never cut.
    atoms = list(_atom().finditer(unit))
    return [
        (unit[atoms[i - 1].end() : atom.start()] if i else "", atom.group(0))
        for i, atom in enumerate(atoms)
    ]


def _split_long(
    unit: str, budget: int, level: int, measure: Measure = weighted_length
) -> list[str]:
    """Cut one over-long sentence into pieces that fit, at the best boundary available."""
    last_level = len(CLAUSE_BREAKS)
    parts: list[str] = []
    current = ""
    current_weight = 0
    for separator, piece in _pieces(unit, level):
        piece_weight = measure(piece)
        if piece_weight > budget:
            if level >= last_level:
                raise UnsplittableTextError(piece, piece_weight, budget)
            if current and current_weight < MIN_HEAD_WEIGHT:
                # A short head ("Faster:") goes with the clause it opens, cut at a
                # lesser boundary, rather than alone on a tweet.
                piece = current + (" " if separator.isspace() else separator) + piece
                current = ""
            if current:
                parts.append(current)
            *full, current = _split_long(piece, budget, level + 1, measure)
            parts.extend(full)
            current_weight = measure(current)
            continue
        joint = " " if separator.isspace() else separator
        candidate = current + joint + piece if current else piece
        weight = _joined_weight(current, current_weight, joint, piece, piece_weight, measure)
        if weight <= budget:
            current, current_weight = candidate, weight
        else:
            parts.append(current)
            current, current_weight = piece, piece_weight
    if current:
        parts.append(current)
    return parts
