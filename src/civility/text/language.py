"""Which language a comment is in, offline: its script first, then py3langid, then Hinglish.

Comments are short, and a statistical detector is unreliable on a few words of Latin script
("yo hamburger" reads as Kinyarwanda). Scripts are not: four Hangul letters are Korean, Han
characters without kana are Chinese, Devanagari is Hindi. So the script decides wherever it can,
py3langid ranks the languages that write in that script, and a detection says whether it is
*clear*, that is whether it may overrule the language a client declared (Coral declares the
site's locale, not the comment's). Romanised Hindi, alone or mixed with English, is told apart
by its function words, which no detector here models.

Thresholds were chosen on one half of a sample of short comments and measured on the other
(docs/experiments.md, "Language detection on short comments").
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import py3langid.langid as langid

MIN_LETTERS = 12
MIN_WORDS = 3
MIN_CONFIDENCE = 0.7
"""A Latin-script detection is clear with this many letters and words and this confidence."""
SAMPLE_CHARS = 300
"""Detection reads the start of long comments only: its cost grows with length, and a few
sentences settle the language as well as a few pages do."""
HINGLISH_MIN_WORDS = 2
HINGLISH_MIN_SHARE = 0.2
"""Latin-script text is romanised Hindi when at least this many of its words, and this share of
them, are Hindi function words or common Hindi words."""

_HINGLISH = """
    hai hain hei hy h nahi nahin nhi nai kya kyu kyun kyon kaise kaisa kaisi kab kahan kha
    mein mei mai mujhe mujhko mera mere meri hum hm humko hme hamara hamare tum tumhe tumko
    tumhara tera teri tere aap aapka aapke aapki yeh ye woh wo vo unka unke unki uska uske
    uski iska iske iski inka bahut bohot bahot bohat bhot bhi kuch kuchh sab sabko sabse aur
    lekin magar agar toh tho koi kisi kisne jab tab phir fir abhi kabhi sirf bas wala wale
    wali karo karna karte karta karti kr kar karke raha rahe rahi rha rhe rhi tha thi hota
    hoti hote hua hue hui diya diye liya gaya gayi gyi gaye apna apne apni yaar yar bhai behen
    accha acha achha achcha ji haan mat chahiye chahie sakta sakte sakti hoga hogi bolo bol
    dekho dekh samajh pata ki ka ke ko hu hoon ek sath saath aisa aise waise kaun kuch pe
    logo logon desh sala saala saale kutta kutte kamina kamine chutiya chutiye madarchod
    bhenchod harami gandu bakwas bekar pagal
    """
HINGLISH_WORDS = frozenset(_HINGLISH.split())
"""Romanised Hindi words that are not also common words of English or of the other
languages written in Latin letters that Civility serves (no "main", "the", "to", "me", "se",
"ne", "ho", "par", "log", "na")."""

_LATIN = """
    en es fr de it pt nl pl cs sk sv da no fi et lv lt hu ro hr bs sr sl sq tr az id ms tl vi
    sw ca gl eu cy ga is mt af ha yo so uz
    """
LATIN_LANGUAGES = tuple(_LATIN.split())
"""The Latin-script languages a comment is ranked among: those with a national written
standard. py3langid's regional ones (Aragonese, Walloon, Extremaduran...) otherwise take most
of the probability of a short Spanish or French comment, and no comment section writes in them."""

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+|[@#]\w+")
_WORD = re.compile(r"[^\W\d_]+")

# Unicode blocks of the scripts that settle a language, or the set of languages to rank.
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latin"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0750, 0x077F, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "Hangul"),
    (0x1E00, 0x1EFF, "Latin"),
    (0x3040, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hangul"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"),
    (0xAC00, 0xD7AF, "Hangul"),
    (0xF900, 0xFAFF, "Han"),
    (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"),
)
_SCRIPT_LANGUAGES = {
    "Arabic": ("ar", "ary", "arz", "fa", "ur", "ps", "ku", "sdh", "ug"),
    "Cyrillic": ("ru", "uk", "bg", "be", "mk", "sr", "kk", "ky", "mn", "tg", "tt", "ba"),
    "Devanagari": ("hi", "mr", "ne", "sa", "gom"),
}
_SETTLED = {"Hangul": "ko", "Kana": "ja", "Han": "zh", "Greek": "el", "Hebrew": "he", "Thai": "th"}
_ALIASES = {"ary": "ar", "arz": "ar", "yue": "zh", "wuu": "zh", "nn": "no"}
"""py3langid's dialect and variant codes, as the language Perspective names."""


@dataclass(frozen=True)
class Detection:
    """A comment's language as detected, and whether the evidence is clear."""

    language: str
    """A language code as ``civility.languages`` spells it (``de``, ``hi-Latn``, ``zh``)."""
    confidence: float
    clear: bool
    """Enough evidence to overrule a declared language: a settling script, or enough words
    that the detector is sure of."""


@cache
def _identifier(among: tuple[str, ...] | None = None) -> langid.LanguageIdentifier:
    """py3langid restricted to ``among`` (all its languages when None), loaded once.

    The model takes about a second to read, so restricted copies share the full one's arrays.
    """
    if among is None:
        return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    restricted = copy.copy(_identifier())
    restricted.set_languages(among)
    return restricted


def warm_up() -> None:
    """Load the detector now, so that no request pays for it (a server calls this at start)."""
    for among in (None, LATIN_LANGUAGES, *_SCRIPT_LANGUAGES.values()):
        _identifier(among)


def _script(ch: str) -> str:
    point = ord(ch)
    for start, end, name in _SCRIPTS:
        if start <= point <= end:
            return name
    return "other"


def _ranked(text: str, among: tuple[str, ...] | None = None) -> tuple[str, float]:
    """py3langid's best language for ``text`` among ``among``, and its probability there."""
    code, probability = _identifier(among).classify(text)
    return _ALIASES.get(code, code), float(probability)


def _hinglish(words: list[str]) -> bool:
    hits = sum(word.lower() in HINGLISH_WORDS for word in words)
    return hits >= HINGLISH_MIN_WORDS and hits >= HINGLISH_MIN_SHARE * len(words)


def detect_language(text: str) -> Detection | None:
    """The comment's language, or None when it has no letters to tell it by."""
    sample = _URL.sub(" ", text[:SAMPLE_CHARS])
    scripts = Counter(_script(ch) for ch in sample if ch.isalpha())
    if not scripts:
        return None
    script, letters = scripts.most_common(1)[0]
    if script in ("Han", "Kana") and scripts["Kana"]:
        return Detection("ja", 1.0, True)
    if script in _SETTLED:
        return Detection(_SETTLED[script], 1.0, letters >= 2)
    if script in _SCRIPT_LANGUAGES:
        main = _SCRIPT_LANGUAGES[script][0]
        language, confidence = _ranked(sample, _SCRIPT_LANGUAGES[script])
        if language != main and (confidence < MIN_CONFIDENCE or letters < MIN_LETTERS):
            language = main
        return Detection(language, confidence, letters >= 2)
    if script == "other":
        language, confidence = _ranked(sample)
        return Detection(language, confidence, letters >= MIN_LETTERS)
    words = _WORD.findall(sample)
    if _hinglish(words):
        return Detection("hi-Latn", 1.0, True)
    language, confidence = _ranked(sample, LATIN_LANGUAGES)
    clear = letters >= MIN_LETTERS and len(words) >= MIN_WORDS and confidence >= MIN_CONFIDENCE
    return Detection(language, confidence, clear)
