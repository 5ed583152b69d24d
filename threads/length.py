"""X's weighted tweet length (twitter-text config v3), exact and fast.

Rules (twitter-text ``parseTweet`` with config v3):

* the text is NFC-normalised first;
* each URL X finds (see :mod:`threads.urls`) weighs 23, whatever its length;
* each emoji sequence (ZWJ sequences, skin tones, flags, keycaps) weighs 2;
* every other code point weighs 1 in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and
  U+2032–U+2037, and 2 elsewhere (astral code points count once, as 2);
* a valid tweet is non-empty, at most 280, and free of U+FFFE, U+FEFF and U+FFFF.

Speed comes from never walking the text in Python: the per-character weights are one
C-level regex count, and URL and emoji handling only subtract corrections for the few
spans that need them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

from threads.urls import UrlSpan, find_url_spans, find_urls

__all__ = [
    "MAX_WEIGHTED_LENGTH",
    "URL_WEIGHT",
    "find_urls",
    "has_invalid_characters",
    "is_valid_tweet",
    "measure",
    "weighted_length",
    "with_suffix",
]

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2

_HEAVY_CHAR = re.compile("[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_INVALID_CHAR = re.compile("[\ufffe\ufeff\uffff]")
# Every emoji starts with ©, ®, a character from U+203C (‼) on, or is a keycap (U+20E3);
# text without one (accents, dashes, curly quotes) never loads the emoji table. Written
# as what it is not: the class up to U+10FFFF took 4 ms to compile, this one 1.
MAYBE_EMOJI = re.compile("[^\u0000-\u00a8\u00aa-\u00ad\u00af-\u203b]")


class _EmojiTable(NamedTuple):
    start: re.Pattern[str]
    sequences: frozenset[str]
    # For each first character, the lengths of the sequences it starts, longest first.
    lengths_by_start: dict[str, tuple[int, ...]]


@cache
def _emoji_table() -> _EmojiTable:
    # Unicode's list, as threads/data/emoji.txt ships it (tests/emoji_table.py writes it
    # from the `emoji` package; importing that here cost ~16 ms of start-up).
    text = resources.files("threads").joinpath("data/emoji.txt").read_text(encoding="utf-8")
    sequences = [line for line in text.splitlines() if line and not line.startswith("# ")]
    non_ascii_starts = {ord(seq[0]) for seq in sequences if not seq[0].isascii()}
    # Keycaps start with an ASCII character; only treat it as a start when the keycap
    # mark follows, so digits in ordinary text stay on the fast path.
    # ``re`` turns a class of BMP characters into a bitmap, but scans astral ranges one
    # by one; so any astral character is a candidate, and the sequence lookup decides.
    bmp_starts = {code_point for code_point in non_ascii_starts if code_point <= 0xFFFF}
    start = re.compile(
        f"[{_char_ranges(bmp_starts)}\U00010000-\U0010ffff]|[#*0-9](?=\ufe0f?\u20e3)"
    )
    lengths: dict[str, set[int]] = {}
    for seq in sequences:
        lengths.setdefault(seq[0], set()).add(len(seq))
    lengths_by_start = {
        char: tuple(sorted(options, reverse=True)) for char, options in lengths.items()
    }
    return _EmojiTable(start, frozenset(sequences), lengths_by_start)


def _char_ranges(code_points: set[int]) -> str:
    """A character-class body of ranges, for a compact pattern."""
    parts: list[str] = []
    ordered = sorted(code_points)
    run_start = previous = ordered[0]
    for code_point in [*ordered[1:], -1]:
        if code_point == previous + 1:
            previous = code_point
            continue
        first, last = re.escape(chr(run_start)), re.escape(chr(previous))
        parts.append(first if run_start == previous else f"{first}-{last}")
        run_start = previous = code_point
    return "".join(parts)


def _code_point_weight(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + len(_HEAVY_CHAR.findall(text))


def _emoji_discount(text: str, urls: list[UrlSpan]) -> int:
    """How much less the emoji sequences in ``text`` weigh than their code points."""
    table = _emoji_table()
    discount = 0
    url_index = 0
    position = 0
    while True:
        found = table.start.search(text, position)
        if found is None:
            return discount
        start = found.start()
        while url_index < len(urls) and urls[url_index].end <= start:
            url_index += 1
        if url_index < len(urls) and urls[url_index].start <= start:
            # Inside a URL: the URL's flat weight already covers it.
            position = urls[url_index].end
            continue
        for length in table.lengths_by_start.get(text[start], ()):
            sequence = text[start : start + length]
            if sequence in table.sequences:
                # A sequence weighs 2, not what its code points would.
                discount += _code_point_weight(sequence) - EMOJI_WEIGHT
                position = start + length
                break
        else:
            position = start + 1


def weighted_length(text: str) -> int:
    """Return the length X gives ``text`` (the ``n`` in ``n/280``)."""
    return measure(text)[0]


@lru_cache(maxsize=2048)
def measure(text: str) -> tuple[int, tuple[str, ...]]:
    """``text``'s weighted length and its URLs, finding the URLs once for both.

    Cached: the splitter measures a block, and the builder then measures the same text
    with its numbering appended (see :func:`with_suffix`)."""
    original = text
    is_ascii = text.isascii()
    if not is_ascii:
        text = unicodedata.normalize("NFC", text)
    total = _code_point_weight(text)
    spans = find_url_spans(text)
    for url in spans:
        total -= _code_point_weight(text[url.start : url.end]) - URL_WEIGHT
    if not is_ascii and MAYBE_EMOJI.search(text):
        total -= _emoji_discount(text, spans)
    # The URLs as written (NFC rarely changes a text; when it does, look again).
    urls = tuple(span.url for span in spans) if text == original else tuple(find_urls(original))
    return total, urls


def with_suffix(text: str, suffix: str) -> tuple[int, tuple[str, ...]]:
    """:func:`measure` of ``text + suffix`` for an ASCII suffix starting with a space
    (the ``" n/N"`` numbering): nothing joins across the space, so weights add up."""
    if not (suffix.isascii() and suffix[:1].isspace()):
        return measure(text + suffix)
    weight, urls = measure(text)
    return weight + len(suffix), urls


def has_invalid_characters(text: str) -> bool:
    """Whether ``text`` holds a character X refuses (U+FFFE, U+FEFF, U+FFFF)."""
    return bool(_INVALID_CHAR.search(text))


def is_valid_tweet(text: str) -> bool:
    """Whether X accepts ``text`` as a post: non-empty, at most 280, no invalid characters."""
    if _INVALID_CHAR.search(text):
        return False
    return 0 < weighted_length(text) <= MAX_WEIGHTED_LENGTH
