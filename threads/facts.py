"""Find the facts in a section: sentences with figures or a named source.

A fact's source is resolved to an entry of the reference list by name, abbreviation or
domain (``According to UNCTAD`` → "United Nations Conference on Trade and Development
(UNCTAD)"; ``Source: AsiaFundManagers.com`` → the asiafundmanagers.com entry). A sentence
that names no source but shares most of its words with a reference title resolves to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from threads.article import Fact, Figure, Reference, Sentence
from threads.sentences import is_cjk

_CURRENCY = r"(?P<currency>USD|US\$|EUR|GBP|KRW|JPY|CNY|\$|€|£|₩|¥)"
_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE = r"(?:\s?(?P<scale>trillion|billion|million|thousand|bn|mn)\b)?"
AMOUNT = re.compile(_CURRENCY + r"\s?" + _NUMBER + _SCALE)
PERCENT = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s?(?:%|％|percent\b|per cent\b|퍼센트)")
YEAR = re.compile(r"(?<![\d.,])\b(?P<year>1[89]\d\d|20\d\d|2100)\b(?![.,]?\d)")
_GROWTH_CONTEXT = re.compile(r"CAGR|growth rate|annual growth|growing at", re.IGNORECASE)
# A rise or fall, not a share: a sign before the number, "y/y" after it, or a verb of
# change before it ("grew 140%", "up 12%", "300%増", "40% 증가").
_SIGNED = re.compile(r"(?:^|[^\w\d.,])[+\-−±]$")
_CHANGE_AFTER = re.compile(
    r"^\s*(?:y/y|yoy|y-o-y|year[- ]over[- ]year|m/m|q/q|"
    r"増|減|増加|減少|上昇|下落|증가|감소|상승|하락|"
    r"growth|increase|decrease|rise|drop|jump|gain|more|less|higher|lower|faster|slower)",
    re.IGNORECASE,
)
_CHANGE_BEFORE = re.compile(
    r"\b(?:grew|grow|grows|growing|rose|rise|rises|fell|fall|falls|dropped|jumped|surged|"
    r"increased|decreased|declined|climbed|(?<!made )(?<!makes )(?<!make )up|down|gained|lost|"
    r"by|improved|reduced|cut|"
    r"faster|slower|boost(?:ed)?)\s+(?:by\s+|about\s+|almost\s+|nearly\s+|over\s+)?$",
    re.IGNORECASE,
)
# Words that open a sentence as if naming a source, but name no one.
_NOT_SOURCES = frozenset(
    [
        "we",
        "i",
        "you",
        "they",
        "he",
        "she",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "one",
        "someone",
        "everyone",
        "nobody",
        "people",
        "notable",
        "overall",
        "today",
        "now",
        "then",
        "also",
    ]
)
# A fact is a statement: at least this many words (or CJK characters / 3).
MIN_FACT_WORDS = 4
_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_CURRENCY_NAMES = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW", "¥": "JPY"}

_ACCORDING_TO = re.compile(r"\b[Aa]ccording to (?:the )?(?P<name>[^,.;]{2,80}?)(?:,|;|$)")
_NAME = r"[A-Z][\w&’'.-]*(?:\s+(?:of|for|and|on|the|de|[A-Z][\w&’'.-]*))*"
_ATTRIBUTED = re.compile(
    rf"(?:^|\b[Tt]he\s+|\s)(?P<name>{_NAME})\s*(?:\((?P<abbr>[A-Z][A-Za-z]{{1,9}})\)\s*)?"
    r"\s(?:notes|noted|reports|reported|says|said|estimates|estimated|finds|found|states|"
    r"stated|writes|wrote|shows|showed|projects|projected)\b"
)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
    ]
)


def extract_figures(text: str) -> tuple[Figure, ...]:
    """Every amount, percentage, growth rate and year in ``text``, in order."""
    figures: list[tuple[int, Figure]] = []
    taken: list[range] = []
    amounts = list(AMOUNT.finditer(text))
    years = list(YEAR.finditer(text))
    for index, match in enumerate(amounts):
        next_start = amounts[index + 1].start() if index + 1 < len(amounts) else len(text)
        year = next(
            (int(y.group("year")) for y in years if match.end() <= y.start() < next_start),
            None,
        )
        currency = match.group("currency")
        figures.append(
            (
                match.start(),
                Figure(
                    kind="amount",
                    text=match.group(0),
                    value=float(match.group("number").replace(",", "")),
                    unit=match.group("scale"),
                    currency=_CURRENCY_NAMES.get(currency, currency),
                    year=year,
                ),
            )
        )
        taken.append(range(match.start(), match.end()))
    for match in PERCENT.finditer(text):
        before = text[max(0, match.start() - 60) : match.start()]
        kind: Literal["percent", "growth_rate", "change"] = "percent"
        if _GROWTH_CONTEXT.search(before):
            kind = "growth_rate"
        elif (
            _SIGNED.search(text[: match.start()])
            or _CHANGE_AFTER.match(text[match.end() : match.end() + 24])
            or _CHANGE_BEFORE.search(before)
        ):
            kind = "change"
        figures.append(
            (
                match.start(),
                Figure(kind=kind, text=match.group(0), value=float(match.group("number"))),
            )
        )
        taken.append(range(match.start(), match.end()))
    for match in years:
        if any(match.start() in span for span in taken):
            continue
        value = int(match.group("year"))
        figures.append(
            (match.start(), Figure(kind="year", text=match.group(0), value=value, year=value))
        )
    return tuple(figure for _, figure in sorted(figures, key=lambda pair: pair[0]))


def named_source(text: str) -> tuple[str, str | None] | None:
    """The source a sentence credits, as (name, abbreviation), if it names one."""
    according = _ACCORDING_TO.search(text)
    if according:
        name = according.group("name").strip()
        abbr = re.search(r"\(([A-Z][A-Za-z]{1,9})\)", name)
        return re.sub(r"\s*\([^)]*\)", "", name).strip(), abbr.group(1) if abbr else None
    attributed = _ATTRIBUTED.search(text)
    if attributed:
        name = re.sub(r"^[Tt]he\s+", "", attributed.group("name").strip())
        # A contraction ("I've", "We're", "It's") is a pronoun, never a source.
        first = re.split(r"['’]", name.split()[0], maxsplit=1)[0] if name.split() else name
        if name.lower() in _NOT_SOURCES or (
            first != name.split()[0] and first.lower() in _NOT_SOURCES
        ):
            return None
        return name, attributed.group("abbr")
    return None


def resolve_source(
    name: str, abbreviation: str | None, references: Sequence[Reference]
) -> Reference | None:
    """The reference ``name`` (or its abbreviation, or a domain) points to, if any."""
    wanted = {_squash(name)}
    if abbreviation:
        wanted.add(_squash(abbreviation))
    for reference in references:
        author = reference.author
        keys = {_squash(re.sub(r"\s*\([^)]*\)", "", author)), _squash(author)}
        keys.update(_squash(a) for a in re.findall(r"\(([^)]+)\)", author))
        keys.add(_squash(_host(reference.url)))
        keys.add(_squash(_host(reference.url).rsplit(".", 1)[0]))
        if wanted & keys:
            return reference
    return None


def extract_facts(
    sentences: Sequence[Sentence],
    source_lines: Sequence[tuple[int, str]],
    references: Sequence[Reference],
) -> list[Fact]:
    """The facts among ``sentences``.

    ``source_lines`` are ``Source: …`` lines as (line, name); each credits the facts
    written before it that name no source of their own.
    """
    facts: list[Fact] = []
    for sentence in sentences:
        if not _is_statement(sentence.text):
            continue
        figures = extract_figures(sentence.text)
        source = named_source(sentence.text)
        dated_only = all(figure.kind == "year" for figure in figures)
        if source is None and not figures:
            continue
        name, abbreviation = source if source else (None, None)
        credited = _source_line_for(sentence.line, source_lines)
        if name is None and credited is not None:
            name = credited
        reference = resolve_source(name, abbreviation, references) if name else None
        if reference is None and credited is not None:
            reference = resolve_source(credited, None, references)
        if reference is None and name is None:
            reference = _by_title(sentence.text, references)
        if dated_only and name is None and reference is None:
            # A date ("In 2019 we moved…") tells when; it is no figure to check.
            continue
        facts.append(
            Fact(
                text=sentence.text,
                figures=figures,
                source_name=name,
                source=reference,
                line=sentence.line,
            )
        )
    return facts


def _is_statement(text: str) -> bool:
    words = len(text.split())
    if words < MIN_FACT_WORDS and not text.isascii():
        # Scripts written without spaces: about three characters make a word.
        words += sum(1 for character in text if _is_cjk_or_hangul(character)) // 3
    return words >= MIN_FACT_WORDS


def _is_cjk_or_hangul(character: str) -> bool:
    return is_cjk(character) or 0xAC00 <= ord(character) <= 0xD7AF


def _source_line_for(line: int, source_lines: Sequence[tuple[int, str]]) -> str | None:
    following = [name for source_line, name in source_lines if source_line > line]
    return following[0] if following else None


def _by_title(text: str, references: Sequence[Reference]) -> Reference | None:
    words = _content_words(text)
    best: tuple[float, Reference | None] = (0.0, None)
    for reference in references:
        title_words = _content_words(reference.title)
        if not title_words:
            continue
        overlap = len(words & title_words) / len(title_words)
        if overlap > best[0]:
            best = (overlap, reference)
    return best[1] if best[0] >= 0.6 else None


def _content_words(text: str) -> set[str]:
    return {
        word.rstrip("s")
        for word in re.findall(r"[a-z0-9]+", text.lower())
        if word not in _STOPWORDS and len(word) > 2
    }


def _squash(text: str) -> str:
    text = re.sub(r"^the\s+", "", text.strip().lower())
    return re.sub(r"[^a-z0-9]", "", text)


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].lower().removeprefix("www.")
