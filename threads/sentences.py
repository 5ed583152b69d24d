"""Sentence and clause boundaries for English prose."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (plus closing quotes or brackets) followed by space and a
# capital, digit or opening quote. Abbreviations and initials are checked afterwards.
_BOUNDARY = re.compile(r"""(?<=[.!?])(["”’')\]]*)\s+(?=["“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "no",
        "fig",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "dept",
        "est",
        "govt",
    ]
)
# Where an over-long sentence may be cut, best first: after ; or : then after a comma
# or dash, always at a space so no word, number, URL or handle is broken.
CLAUSE_BREAKS = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=[,–—])\s+|\s+(?=[–—]\s)"),
)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping every character except the spaces between."""
    sentences: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        candidate = text[start : boundary.end(1)]
        if _ends_with_abbreviation(candidate):
            continue
        sentences.append(candidate)
        start = boundary.end()
    tail = text[start:]
    if tail.strip():
        sentences.append(tail)
    return [sentence.strip() for sentence in sentences if sentence.strip()]


def _ends_with_abbreviation(candidate: str) -> bool:
    words = candidate.rstrip("\"”’')]").split()
    if not words:
        return False
    last = words[-1].rstrip(".").lower()
    if last in _ABBREVIATIONS:
        return True
    # A single capital initial ("J. Smith") does not end a sentence.
    return len(last) == 1 and last.isalpha() and words[-1][0].isupper()
