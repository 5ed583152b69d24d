"""Sentence splitting keeps abbreviations, decimals, initials and quotes intact."""

from __future__ import annotations

import pytest

from threads.sentences import guess_language, join_sentences, split_sentences


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


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ko", "헬름은 도구이다. 사용하기 쉽다!", ["헬름은 도구이다.", "사용하기 쉽다!"]),
        (
            "ja",
            "これはペンです。あれは本です！本当？",
            ["これはペンです。", "あれは本です！", "本当？"],
        ),
        ("zh", "这是测试。我们很高兴！", ["这是测试。", "我们很高兴！"]),
        (
            "de",
            "Am 3. April 2023 war es kalt. Wir gingen.",
            ["Am 3. April 2023 war es kalt.", "Wir gingen."],
        ),
        ("en", "It helps (e.g. in tests). Done.", ["It helps (e.g. in tests).", "Done."]),
        ("es", "¿Cómo estás? Muy bien.", ["¿Cómo estás?", "Muy bien."]),
    ],
)
def test_sentences_in_the_article_language(language: str, text: str, expected: list[str]) -> None:
    """sentencex splits each language at its own boundaries, abbreviations kept whole."""
    assert split_sentences(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "헬름 팀은 헬름 3의 첫번째 안정적 릴리스를 발표하게 된 것을 자랑스럽게 생각한다." * 3,
            "ko",
        ),
        ("これはペンです。あれは本です。ビデオゲームの心理学を読んだ。" * 3, "ja"),
        ("这是一个测试。我们很高兴。真的吗？是的。我们准备了迁移指南。" * 3, "zh"),
        ("Der Hund und die Katze sind nicht mit einer Maus auf dem Dach.", "de"),
        ("El perro y la casa de los vecinos que están por una calle.", "es"),
        ("The dog and the cat of the house that is in the street.", "en"),
    ],
)
def test_guess_language(text: str, language: str) -> None:
    """Script first, then frequent words; English when nothing else wins."""
    assert guess_language(text) == language


def test_join_sentences_puts_no_space_between_cjk() -> None:
    """Japanese sentences join without a space; Latin ones with one."""
    assert (
        join_sentences(["これはペンです。", "あれは本です。"]) == "これはペンです。あれは本です。"
    )
    assert join_sentences(["One.", "Two."]) == "One. Two."
