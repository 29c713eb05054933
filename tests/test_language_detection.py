"""Language detection on the short texts comments are: scripts settle, words decide, few words
the detector is unsure of stay unclear."""

from __future__ import annotations

import pytest

from civility.text.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("谢谢", "zh"),
        ("ありがとう", "ja"),
        ("日本の記事ありがとう", "ja"),
        ("감사합니다", "ko"),
        ("شكرا", "ar"),
        ("धन्यवाद", "hi"),
        ("спасибо", "ru"),
        ("ευχαριστώ", "el"),
    ],
)
def test_a_script_settles_the_language_of_a_single_word(text: str, language: str) -> None:
    detection = detect_language(text)
    assert detection is not None
    assert (detection.language, detection.clear) == (language, True)


@pytest.mark.parametrize(
    "text",
    [
        "tum bahut bekar ho yaar",
        "Yeh article bahut accha hai, thanks bhai",
        "Abe movi m bhi dhrm agya kya paglpnti h ye",
    ],
)
def test_romanised_and_code_mixed_hindi_is_hinglish(text: str) -> None:
    detection = detect_language(text)
    assert detection is not None and detection.language == "hi-Latn" and detection.clear


@pytest.mark.parametrize(
    "text",
    [
        "The logic is so the government can oppress you.",
        "It's the only way to stop the ache.",
        "I have a dog and he is the best.",
    ],
)
def test_english_is_not_taken_for_hinglish(text: str) -> None:
    detection = detect_language(text)
    assert detection is not None and detection.language == "en"


def test_a_long_enough_sentence_is_clear() -> None:
    detection = detect_language("Das ist ein wirklich schlechter Artikel, der Autor sollte gehen.")
    assert detection is not None and (detection.language, detection.clear) == ("de", True)


def test_a_few_words_of_latin_script_are_not_clear() -> None:
    detection = detect_language("yo hamburger")
    assert detection is not None and not detection.clear


def test_links_and_mentions_are_not_read() -> None:
    detection = detect_language("@user https://example.com/quelque-chose-de-francais thanks mate")
    assert detection is not None and detection.language == "en"


def test_no_letters_no_language() -> None:
    assert detect_language("1234 !!! :) 🎉") is None
