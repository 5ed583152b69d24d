"""URL extraction: twitter-text's extract.yml cases, with offsets, plus the TLD list."""

from __future__ import annotations

import re

import pytest
import yaml

from threads.urls import find_url_spans, find_urls, top_level_domains

from .conftest import conformance_file

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
