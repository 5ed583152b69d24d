"""URL extraction: twitter-text's extract.yml cases, with offsets, plus the TLD list."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from threads import urls
from threads.urls import find_url_spans, find_urls, top_level_domains

from .conftest import conformance_file
from .test_corpus import FOLDER as CORPUS

GROUPS = ("urls", "urls_with_indices", "urls_with_directional_markers", "tco_urls_with_params")


def _cases() -> list[dict[str, object]]:
    tests = yaml.safe_load(conformance_file("extract.yml").read_text(encoding="utf-8"))["tests"]
    return [case for group in GROUPS for case in tests[group]]


def test_matches_twitter_text_extract_suite() -> None:
    """find_urls returns exactly twitter-text's URLs, in order, for every extract.yml URL case."""
    cases = _cases()
    assert len(cases) >= 100
    failures = []
    for case in cases:
        expected = [e["url"] if isinstance(e, dict) else e for e in case["expected"]]  # type: ignore[attr-defined]
        if find_urls(case["text"]) != expected:  # type: ignore[arg-type]
            failures.append(case["description"])
    assert failures == []


def test_offsets_match_twitter_text() -> None:
    """The code point offsets of each URL match urls_with_indices."""
    tests = yaml.safe_load(conformance_file("extract.yml").read_text(encoding="utf-8"))["tests"]
    for case in tests["urls_with_indices"]:
        spans = [[span.url, [span.start, span.end]] for span in find_url_spans(case["text"])]
        assert spans == [[e["url"], e["indices"]] for e in case["expected"]], case["description"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Source: AsiaFundManagers.com", ["AsiaFundManagers.com"]),
        ("pism.pl/publications/x", ["pism.pl/publications/x"]),
        ("USD 890.2 billion", []),
        ("end of sentence.Then", []),
        ("end of sentence.Next", ["sentence.Next"]),  # .next is a TLD: a missing space costs
        ("e.g. this", []),
        ("mail john@example.com", []),
        ("http://localhost:8080/x", []),
        ("(https://example.com/a_(b))", ["https://example.com/a_(b)"]),
        ("one.com two.org", ["one.com", "two.org"]),
    ],
)
def test_find_urls_table(text: str, expected: list[str]) -> None:
    """Bare domains on a real TLD are URLs to X; numbers, abbreviations and e-mail are not."""
    assert find_urls(text) == expected


def test_every_tld_starts_with_a_letter() -> None:
    """The cheap pre-filter assumes a TLD starts with a letter; the shipped list must agree."""
    generic, country = top_level_domains()
    assert len(generic) > 1000
    assert len(country) > 250
    assert [tld for tld in generic + country if not re.match(r"[^\W\d_]", tld)] == []


# The scan (threads.urls._Scan) against twitter-text's whole expression, which it
# stands in for: the same matches, groups and ends on any text.


def _expression_matches(text: str) -> list[tuple[object, ...]]:
    return [
        (m.group(2), m.group(3), m.group(4), m.group(5), m.group(7), m.end())
        for m in urls._full_expression().finditer(text)
    ]


def _scan_matches(text: str) -> list[tuple[object, ...]] | None:
    """The scan's matches, or None where it leaves the text to the full expression."""
    try:
        return [tuple(match) for match in urls._Scan(text).matches()]
    except urls._LeftToFullExpression:
        return None


def _assert_scan_agrees(texts: list[str]) -> int:
    """Every text's scan equals the expression's matches; returns how many it scanned."""
    scanned = 0
    for text in texts:
        found = _scan_matches(text)
        if found is not None:
            assert found == _expression_matches(text), text
            scanned += 1
    return scanned


def _conformance_texts() -> list[str]:
    texts: list[str] = []
    for name in ("extract.yml", "validate.yml"):
        tests = yaml.safe_load(conformance_file(name).read_text(encoding="utf-8"))["tests"]
        texts += [case["text"] for group in tests.values() for case in group if "text" in case]
    return texts


def test_scan_matches_the_full_expression_on_twitter_texts_suite() -> None:
    """On every text of extract.yml and validate.yml (URLs in every script, directional
    marks, t.co, ports, parentheses), the scan finds what the expression finds."""
    texts = _conformance_texts()
    scanned = _assert_scan_agrees(texts)
    assert len(texts) > 300
    # Only texts where a non-ASCII TLD may match are left to the full expression.
    assert scanned >= 0.9 * len(texts)


def test_scan_matches_the_full_expression_on_real_posts() -> None:
    """Every run of text the real posts and the example hold, as find_url_spans cuts them."""
    if CORPUS is None:
        pytest.skip("the real-posts corpus is not present: set THREADBOT_CORPUS")
    root = Path(__file__).resolve().parent.parent
    files = [root / "articles" / "kpop-asean-plus-three.txt"]
    files += sorted(path for path in CORPUS.rglob("*") if path.is_file())
    runs = {
        run
        for path in files
        for run in path.read_text(encoding="utf-8", errors="replace").split()
        if urls._MAYBE_URL.search(run)
    }
    assert len(runs) > 100
    assert _assert_scan_agrees(sorted(runs)) >= 0.99 * len(runs)


_PIECES = [
    *"abcxyz019.-_/:@?=&()#+%!'~,;[]$",
    *["co", "com", "kr", "uk", "org", "app", "xn--", "xn--p1ai", "www", "t.co/", "8080"],
    *["http://", "https://", "HTTPS://", "ftp://", "..", "@x", "#y", "＠", "＃"],
    *["\u0130", "\u0131", "\u017f", "\u212a", "KR", "Com"],  # lookalikes under IGNORECASE
    *["é", "ö", "vermögensberater", "рф", "みんな", "한국", "’", "—", "…", "\u0301"],
    *[" ", "\n", "\u00a0", "\u202a", "\u200e", "\ufeff"],
]


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_scan_matches_the_full_expression_on_generated_text(text: str) -> None:
    """Text made of the pieces URLs are made of (and of the ones that trip them up)."""
    found = _scan_matches(text)
    if found is not None:
        assert found == _expression_matches(text)


def test_ascii_lookalikes_are_exactly_those_re_matches() -> None:
    """The scan folds these four characters into ASCII letters because ``re`` with
    IGNORECASE matches them to [a-z]; no other non-ASCII character matches."""
    lookalikes = {
        chr(code): next(
            letter for letter in string.ascii_lowercase if re.match(letter, chr(code), re.I)
        )
        for code in range(0x80, 0x110000)
        if not 0xD800 <= code < 0xE000 and re.match("[a-z]", chr(code), re.I)
    }
    assert lookalikes == urls._ASCII_LOOKALIKES


def test_every_character_a_non_ascii_tld_may_match_sends_the_run_to_the_expression() -> None:
    """The scan leaves a run to the full expression on a letter or a mark: every character
    that ``re`` (IGNORECASE) matches to a character of a non-ASCII TLD is one."""
    generic, country = top_level_domains()
    characters = {char for name in generic + country if not name.isascii() for char in name}
    any_of_them = re.compile(f"[{re.escape(''.join(sorted(characters)))}]", re.I)
    missed = [
        hex(code)
        for code in range(0x80, 0x110000)
        if not 0xD800 <= code < 0xE000
        and any_of_them.match(chr(code))
        and not (chr(code).isalpha() or unicodedata.category(chr(code))[0] == "M")
    ]
    assert missed == []


_HOSTILE_WORDS = [
    "a-" * 10_000 + ".com",  # the whole expression: 2 s for 10,000 characters, quadratic
    "a.b-" * 5_000,  # 8 s for 10,000
    "ab." * 6_000 + "com",  # 7 s for 10,000
    "x_y-z." * 3_000 + "c-",
]


class _CountingCalls:
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.calls = 0

    def match(self, text: str, position: int) -> re.Match[str] | None:
        self.calls += 1
        return self.pattern.match(text, position)


@pytest.mark.parametrize("word", _HOSTILE_WORDS, ids=lambda word: word[:8])
def test_a_long_word_asks_each_label_expression_once_per_stretch(word: str) -> None:
    """A long word with many places a URL could start costs each label expression one
    call per stretch of label characters, not one per place: linear, where the whole
    expression is quadratic or worse on these words."""
    scan = urls._Scan(word)
    counters = []
    for labels in (scan.subdomains, scan.domain_names):
        counter = _CountingCalls(labels.label)
        labels.label = counter  # type: ignore[assignment]
        counters.append((counter, labels))
    scan.matches()
    assert all(counter.calls <= len(labels.starts) + 2 for counter, labels in counters)


def test_scan_matches_the_full_expression_on_long_hostile_words() -> None:
    """The same matches on shorter cuts of those words (the expression's time allows)."""
    cuts = [word[:300] + word[-300:] for word in _HOSTILE_WORDS]
    assert _assert_scan_agrees(cuts) == len(_HOSTILE_WORDS)
