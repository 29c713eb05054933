"""Which language a comment is in, offline, erring towards English.

Perspective's most resented failure was refusing short English comments ("yo hamburger" read
as Turkish). Here a comment counts as another language only when the detector is confident
*and* the text is long enough for that confidence to mean something; anything else is English,
which is what the models read.
"""

from __future__ import annotations

from functools import cache

import py3langid.langid as langid

SUPPORTED_LANGUAGES = ("en",)
MIN_WORDS = 4
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.95
SAMPLE_CHARS = 300
"""Detection reads the start of long comments only: its cost grows with length, and a few
sentences settle the language as well as a few pages do."""


@cache
def _identifier() -> langid.LanguageIdentifier:
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def normalize_language(code: str) -> str:
    """``en-US`` / ``EN_gb`` → ``en``: the models do not distinguish regional variants."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def detect_language(text: str) -> str | None:
    """The comment's language code, ``en`` when unsure, None when the text has no letters."""
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0:
        return None
    if letters < MIN_LETTERS or len(text.split()) < MIN_WORDS:
        return "en"
    language, confidence = _identifier().classify(text[:SAMPLE_CHARS])
    if language != "en" and confidence >= MIN_CONFIDENCE:
        return str(language)
    return "en"
