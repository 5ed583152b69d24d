"""HTML superscripts (``<sup>``) as a reader of the page sees them, for every reader
that meets them (Markdown's inline HTML, HTML pages).

Read as plain text, a superscript joins the text before it: a footnote marker
``gRPC<sup>[5](#f5)</sup>`` becomes "gRPC5", an exponent ``10<sup>5</sup>`` becomes
"105" — numbers the post never states. So:

- a superscript that holds only links to places in the page (``#f5``, ``#fn1``) and
  punctuation is a footnote reference, and goes — as footnotes do;
- a superscript of digits at the very start of a paragraph numbers that paragraph as a
  note ("¹ Tested on …"), and goes;
- a superscript that Unicode can write (digits, ``+ - − = ( )``, ``n``, ``i``) is
  written with Unicode's superscript characters: ``10<sup>5</sup>`` → "10⁵";
- anything else (``3<sup>rd</sup>``, a caption in ``<sup>``) keeps its text.

No library reads inline HTML inside Markdown this way (markdown-it hands the tags over
as raw HTML), so these few rules are threadbot's.
"""

from __future__ import annotations

import re

_SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_WRITABLE = re.compile(r"[0-9+\-−=()ni]+")
_DIGITS = re.compile(r"[0-9]+")
_PUNCTUATION = re.compile(r"[\s,;.\[\]()]*")


def superscript(text: str, *, fragment_links: int, other_text: str, at_start: bool) -> str:
    """What a superscript reads as: ``text`` is all its words, ``fragment_links`` the
    number of links to places in the page in it, ``other_text`` its words outside those
    links, ``at_start`` whether nothing comes before it in its paragraph."""
    if fragment_links and _PUNCTUATION.fullmatch(other_text):
        return ""  # a footnote reference
    stripped = text.strip()
    if at_start and _DIGITS.fullmatch(stripped):
        return ""  # a note's number
    if _WRITABLE.fullmatch(stripped):
        return stripped.translate(_SUPERSCRIPT)
    return text
