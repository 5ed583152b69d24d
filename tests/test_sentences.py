"""Sentence splitting keeps abbreviations, decimals, initials and quotes intact."""

from __future__ import annotations

import pytest

from threads.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("It grew 5.5% in 2021. Then it fell.", ["It grew 5.5% in 2021.", "Then it fell."]),
        ("The U.S. market is big. Yes.", ["The U.S. market is big.", "Yes."]),
        ("Dr. Kim agreed. J. Smith left.", ["Dr. Kim agreed.", "J. Smith left."]),
        ("Really? “Yes.” Fine!", ["Really?", "“Yes.”", "Fine!"]),
        ("no terminal punctuation", ["no terminal punctuation"]),
        ("e.g. this one. And that.", ["e.g. this one.", "And that."]),
        ("   ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    """A table of prose and the sentences it splits into."""
    assert split_sentences(text) == expected
