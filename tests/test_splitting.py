"""The splitter: fits X's length, keeps every word in order, cuts at the best boundary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threads.errors import UnsplittableTextError
from threads.length import weighted_length
from threads.splitting import split_text

WORD = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.sampled_from(
        [
            "USD",
            "890.2",
            "31.6%",
            "@GONOGO_Korea",
            "#kpop",
            "K-pop’s",
            "한국",
            "😷",
            "👨‍👩‍👧",
            "example.com",
            "https://example.com/a/long/path",
        ]
    ),
)
SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(WORD, min_size=1, max_size=60),
    st.sampled_from([".", "!", "?", ",", ";", ""]),
)
TEXT = st.builds(
    lambda sentences, sep: sep.join(sentences),
    st.lists(SENTENCE, min_size=1, max_size=12),
    st.sampled_from([" ", "\n", "\n\n"]),
)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=8))
def test_split_properties(text: str, reserve: int) -> None:
    """Every tweet fits, none is empty, and the words come out exactly as they went in."""
    tweets = split_text(text, reserve=reserve)
    assert tweets
    assert all(tweet.strip() for tweet in tweets)
    assert all(weighted_length(tweet) <= 280 - reserve for tweet in tweets)
    assert " ".join(tweets).split() == text.split()


def test_short_text_is_one_tweet() -> None:
    """Text that fits stays whole, separators included."""
    assert split_text("One.\n\nTwo.") == ["One.\n\nTwo."]


def test_packs_sentences_until_full() -> None:
    """Sentences are packed greedily and never cut when they fit a tweet of their own."""
    sentence = "This sentence is exactly fifty characters long ok."
    assert weighted_length(sentence) == 50
    tweets = split_text(" ".join([sentence] * 7))
    assert tweets == [" ".join([sentence] * 5), " ".join([sentence] * 2)]


def test_long_sentence_cuts_at_clause_before_words() -> None:
    """An over-long sentence breaks after a semicolon, not in the middle of a clause."""
    first = "word " * 40 + "end;"
    second = "more " * 30 + "done."
    tweets = split_text(first + " " + second)
    assert tweets == [first.strip(), second.strip()]


def test_numbering_reserve_is_respected() -> None:
    """With room reserved for ' 10/10', no tweet is longer than 280 minus that room."""
    tweets = split_text("word " * 300, reserve=6)
    assert max(weighted_length(t) for t in tweets) <= 274


def test_unsplittable_word() -> None:
    """A single word heavier than a tweet is an error, never a silent cut."""
    with pytest.raises(UnsplittableTextError, match="weighs 300 on X"):
        split_text("x" * 300)


def test_urls_are_never_split() -> None:
    """A long URL counts 23 and stays whole."""
    url = "https://example.com/" + "a" * 400
    tweets = split_text("word " * 250 + url)
    assert url in tweets[-1].split()


CJK_TEXT = st.lists(
    st.sampled_from(
        [
            "これは",
            "ペン",
            "です",
            "、",
            "。",
            "テスト",
            "Python",
            "3.12",
            "https://x.org/a",
            "心理学",
            "，",
            "：",
            " ",
        ]
    ),
    min_size=1,
    max_size=400,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(CJK_TEXT, st.integers(min_value=0, max_value=8))
def test_cjk_split_properties(text: str, reserve: int) -> None:
    """CJK text without spaces splits between characters: fits, keeps every character,
    and never cuts a Latin word, number or URL."""
    tweets = split_text(text, reserve=reserve, language="ja")
    assert all(weighted_length(tweet) <= 280 - reserve for tweet in tweets)
    assert "".join(tweets).replace(" ", "") == text.replace(" ", "")
    for tweet in tweets:
        for atom in ("Python", "3.12", "https://x.org/a"):
            assert not tweet.endswith(atom[: len(atom) - 1]) or tweet.endswith(atom)


def test_cjk_breaks_at_clause_punctuation_first() -> None:
    """A long Japanese sentence breaks after 、 before it breaks between characters."""
    clause = "ゲーム" * 30 + "、"
    tweets = split_text(clause * 3 + "おわり。", language="ja")
    assert tweets[0].endswith("、")
    assert all(weighted_length(t) <= 280 for t in tweets)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.sampled_from([" ", "\n", "\n\n"]))
def test_joined_weight_is_exact(left: str, right: str, separator: str) -> None:
    """The splitter's additive shortcut equals measuring the joined text."""
    from threads.splitting import _joined_weight

    joined = _joined_weight(left, weighted_length(left), separator, right, weighted_length(right))
    assert joined == weighted_length(left + separator + right)


def test_a_heading_or_lead_in_never_ends_a_tweet() -> None:
    """keep_with_next: a subheading (or a line ending in ":") goes with what follows it."""
    first = "A sentence that fills most of a tweet. " * 6
    text = first.strip() + "\n\nInstallation\nRun the installer and follow the prompts."
    plain = split_text(text)
    glued = split_text(text, keep_with_next=lambda unit: unit == "Installation")
    assert plain[0].endswith("Installation")
    assert glued[1] == "Installation\nRun the installer and follow the prompts."
    assert not glued[0].endswith("Installation")


def test_a_short_head_of_a_cut_sentence_never_stands_alone() -> None:
    """ "Faster:" before a clause too long for a tweet goes with the clause (cut at a
    comma), not alone on a tweet of its own (a crumb found on a held-out post)."""
    clause = ", ".join(f"the {n}th benchmark improved by a noticeable margin" for n in range(8))
    text = f"Faster: {clause}."
    tweets = split_text(text, limit=280)
    assert len(tweets) > 1
    assert tweets[0].startswith("Faster: the 0th")
    assert all(weighted_length(tweet) >= 40 for tweet in tweets)
