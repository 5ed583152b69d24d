"""Sentences and clauses in the article's language.

Sentence boundaries come from sentencex (Wikimedia's segmenter, ~300 languages): it
splits Korean, Japanese and Chinese (。！？), keeps "Am 3. April 2023", "(e.g." and
"¿Cómo…?" whole, and was the only candidate measured to handle Korean (pysbd has no
Korean; the previous English-only pattern split none of them). The language comes from
the post (front matter, ``<html lang>``), the config, or :func:`guess_language`.
"""

from __future__ import annotations

import re
from collections import Counter

# Where an over-long sentence may be cut, best first: after ; or : (also their
# full-width forms), then after commas, dashes and the ideographic comma. Each pattern
# matches the separator to drop (whitespace, or nothing between CJK characters), so
# no word, number, URL or handle is broken.
CLAUSE_BREAKS = (
    re.compile(r"(?<=[;:])\s+|(?<=[；：])\s*"),
    re.compile(r"(?<=[,–—])\s+|\s+(?=[–—]\s)|(?<=[、，])\s*"),
)
# Scripts written without spaces between words: a line may break between characters.
CJK_CHARACTER = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# CJK characters with their punctuation and full-width forms: no space between them.
# (Code point ranges, not a regex class: compiling large classes costs milliseconds at
# every start, and these are tested one character at a time.)
_CJK_RANGES = (
    (0x3000, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)
_LATIN_WORD = re.compile(r"[^\W\d_]+")
# A few frequent function words per language decide between Latin-script languages.
_FUNCTION_WORDS = {
    "en": {"the", "and", "of", "to", "is", "in", "that", "it", "for", "with"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "ein", "eine", "auf"},
    "es": {"el", "la", "de", "que", "y", "los", "las", "por", "una", "para"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "pour", "dans", "que"},
    "pt": {"o", "a", "de", "que", "e", "os", "uma", "para", "com", "não"},
    "it": {"il", "di", "che", "e", "la", "per", "una", "sono", "non", "gli"},
    "nl": {"de", "het", "een", "en", "van", "dat", "is", "niet", "op", "voor"},
}


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split prose into sentences, keeping every character except the spaces between."""
    from sentencex import segment  # light (about 1 ms), but only needed with prose

    return [sentence.strip() for sentence in segment(language, text) if sentence.strip()]


def is_cjk(character: str) -> bool:
    """Whether ``character`` is Chinese/Japanese script or CJK punctuation."""
    code = ord(character)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def separator(before: str, after: str) -> str:
    """What goes between two sentences: a space, or nothing between CJK ones."""
    if before and after and is_cjk(after[0]) and is_cjk(before[-1]):
        return ""
    return " "


def join_sentences(sentences: list[str]) -> str:
    """Sentences as one text, each :func:`separator` apart."""
    text = ""
    for sentence in sentences:
        text = text + separator(text, sentence) + sentence if text else sentence
    return text


def guess_language(text: str) -> str:
    """An ISO 639-1 code for ``text``: by script, then by frequent words (default en)."""
    sample = text[:20_000]
    if not sample.isascii():
        scripts = Counter(_script(character) for character in sample if ord(character) > 0x3FF)
        if scripts["hangul"] > 20:
            return "ko"
        if scripts["kana"] > 20:
            return "ja"
        if scripts["han"] > 20:
            return "zh"
        if scripts["cyrillic"] > 50:
            return "ru"
    words = Counter(word.lower() for word in _LATIN_WORD.findall(sample))
    scores = {
        language: sum(words[word] for word in function_words)
        for language, function_words in _FUNCTION_WORDS.items()
    }
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] > scores["en"] else "en"


def _script(character: str) -> str:
    code = ord(character)
    if 0xAC00 <= code <= 0xD7AF:
        return "hangul"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
        return "han"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    return "other"
