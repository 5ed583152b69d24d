"""Weighted length: twitter-text's conformance suite plus a table for every rule."""

from __future__ import annotations

import pytest
import yaml

from threads.length import MAX_WEIGHTED_LENGTH, is_valid_tweet, weighted_length

from .conftest import conformance_file

CONFIG_V3_GROUPS = (
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)


def _conformance_cases() -> list[tuple[str, str, int, bool]]:
    tests = yaml.safe_load(conformance_file("validate.yml").read_text(encoding="utf-8"))["tests"]
    return [
        (
            case["description"],
            case["text"],
            case["expected"]["weightedLength"],
            case["expected"]["valid"],
        )
        for group in CONFIG_V3_GROUPS
        for case in tests[group]
    ]


def test_matches_twitter_text_conformance_suite() -> None:
    """Every config-v3 counter case of twitter-text's validate.yml gives its weightedLength and validity."""
    cases = _conformance_cases()
    assert len(cases) >= 20
    mismatches = [
        (description, weighted_length(text), expected, is_valid_tweet(text), valid)
        for description, text, expected, valid in cases
        if weighted_length(text) != expected or is_valid_tweet(text) != valid
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        ("é", 1),  # U+00E9 is in U+0000–U+10FF
        ("e\u0301", 1),  # NFC turns e + combining acute into one code point
        ("ᄀ", 2),  # U+1100 Hangul Jamo: just past the light range
        ("\u2000\u200d", 2),  # U+2000–U+200D weigh 1
        ("\u200e", 2),  # U+200E is outside it
        ("‐‟", 2),  # U+2010 and U+201F weigh 1
        ("…", 2),  # U+2026 weighs 2
        ("•", 2),  # U+2022 weighs 2
        ("′‷", 2),  # U+2032–U+2037 weigh 1
        ("‸", 2),  # U+2038 weighs 2
        ("한국", 4),
        ("𠀀", 2),  # an astral CJK ideograph counts once, as 2
        ("😷", 2),
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # ZWJ family
        ("👍🏽", 2),  # skin tone
        ("🇰🇷", 2),  # flag
        ("1\ufe0f\u20e3", 2),  # keycap
        ("#1", 2),  # digits alone are not keycaps
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # tag sequence
        ("https://example.com/a/very/long/path/that/is/longer/than/twenty-three", 23),
        ("see AsiaFundManagers.com now", 4 + 23 + 4),
        ("foo.comm", 8),  # not a TLD: plain text
        ("K-pop 890.2 billion", 19),  # a decimal is not a domain
        ("a https://t.co/abc b", 2 + 23 + 2),
    ],
)
def test_weighted_length_rules(text: str, expected: int) -> None:
    """Each weighting rule from the twitter-text v3 config, one row each."""
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("", False),
        ("x" * MAX_WEIGHTED_LENGTH, True),
        ("x" * (MAX_WEIGHTED_LENGTH + 1), False),
        ("한" * 140, True),
        ("한" * 141, False),
        ("ok\ufffe", False),
        ("ok\ufeff", False),
        ("ok\uffff", False),
    ],
)
def test_is_valid_tweet(text: str, valid: bool) -> None:
    """Validity: non-empty, at most 280, no U+FFFE/U+FEFF/U+FFFF."""
    assert is_valid_tweet(text) is valid


def test_urls_inside_emoji_text_count_once() -> None:
    """An emoji next to a URL keeps its 2 and the URL its 23."""
    assert weighted_length("😷https://example.com/x 😷") == 2 + 23 + 1 + 2


def test_the_shipped_emoji_list_is_the_emoji_packages() -> None:
    """threads/data/emoji.txt is what `python -m tests.emoji_table` writes from the pinned
    `emoji` package, and the length rule reads every sequence of it."""
    from threads.length import _emoji_table

    from .emoji_table import TABLE, expected

    assert TABLE.read_text(encoding="utf-8") == expected(), "run: python -m tests.emoji_table"
    import emoji

    assert _emoji_table().sequences == frozenset(emoji.EMOJI_DATA)


def test_every_emoji_passes_the_gate_that_loads_the_emoji_table() -> None:
    """Text the gate lets by is never checked for emoji, so every emoji must trip it."""
    import emoji

    from threads.length import MAYBE_EMOJI

    assert all(MAYBE_EMOJI.search(sequence) for sequence in emoji.EMOJI_DATA)
    assert not MAYBE_EMOJI.search("Café — “quoted” naïve…")
