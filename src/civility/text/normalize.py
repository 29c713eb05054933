"""Undo the tricks people use to slip abuse past a filter, the same way in training and scoring.

``normalize`` is applied to every text before feature extraction, at training time and at
scoring time, so the models only ever see canonical text: lower case, Latin letters for their
Cyrillic/Greek lookalikes, no zero-width characters, no accents, ``f u c k`` and ``i.d.i.o.t``
joined, stretched letters shortened, and leetspeak or masked spellings (``sh1t``, ``f*ck``,
``@ss``, ``iddiot``) mapped back to the word they hide.

Rewriting a token is only done when the result is a word of the obfuscation lexicon
(``lexicon.txt``), or, for leetspeak, an English word (``english_words.txt``): ``1st`` stays
``1st`` while ``id10t`` becomes ``idiot`` and ``wh1t3`` ``white``. That keeps ordinary text
untouched, which matters as much as catching the disguised words.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from civility.errors import UnknownNameError

_ZERO_WIDTH = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0",
    ),
    None,
)

# Lookalikes NFKC leaves alone: Cyrillic and Greek letters that render as Latin ones, plus a
# few symbols. Lower-case only: the text is lower-cased before this table applies.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ԁ": "d",
        "һ": "h",
        "ԛ": "q",
        "ԝ": "w",
        "ү": "y",
        "ɡ": "g",
        "ı": "i",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ς": "s",
        "σ": "o",
        "μ": "u",
        "ℓ": "l",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "¡": "i",
        "ǃ": "!",
        "|": "|",
    }
)

_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
        "€": "e",
        "£": "l",
    }
)
_LEET_CHARS = frozenset("0134578@$!|+€£9")
# Letters drawn with two or more symbols: "sc|_|m", "|\/|oron", "/\ss". Longest first.
_LEET_PIECES = {
    "|\\/|": "m",
    "\\/\\/": "w",
    "|\\|": "n",
    "|_|": "u",
    "/\\": "a",
    "\\/": "v",
    "()": "o",
}
_MULTI_LEET = re.compile(
    r"[a-z0-9@$]*(?:(?:" + "|".join(map(re.escape, _LEET_PIECES)) + r")[a-z0-9@$]*)+"
)
_MASK_CHARS = frozenset("*#%?_")

# Three or more single letters separated by one kind of separator: "f u c k", "i.d.i.o.t",
# "s-h-i-t". A single-letter word inside normal prose ("a", "i") never has two neighbours like
# that, so prose survives.
_SPACED = re.compile(r"(?<![\w*])([a-z])([ .\-_~*,])(?:[a-z]\2){1,}[a-z](?![\w*])")
_SPACED_SEPARATORS = re.compile(r"[ .\-_~*,]")
_STRETCHED = re.compile(r"(.)\1{2,}")
# "f off", "eff off", "f-ing": a lone f standing for the word it starts.
_LONE_F = re.compile(r"\b(?:f|eff)(?:(\s+|-)(off|you|u)|-(ing|ed))\b")
# A candidate token: letters mixed with digits, leet symbols or mask characters.
# "!" and "?" closing a token: an exclamation or a question, or a symbol for a last letter.
_TRAILING = re.compile(r"[!?]+$")
_TOKEN = re.compile(r"[\w@$!|+*#%?€£]*[a-z][\w@$!|+*#%?€£]*|[@$*#][\w@$!|+*#%?€£]*[a-z]\w*")


def _load_lexicon() -> tuple[frozenset[str], frozenset[str], dict[str, str], dict[str, str]]:
    words: list[str] = []
    variants: dict[str, str] = {}
    keep: set[str] = set()
    text = resources.files("civility.text").joinpath("lexicon.txt").read_text("utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if line.startswith("!"):
            keep.update(part.lstrip("!") for part in parts)
        elif len(parts) == 1:
            words.append(parts[0])
        else:
            variants[parts[0]] = parts[1]
    for deleted, word in dropped_letter_variants(words, keep).items():
        variants.setdefault(deleted, word)
    # Skeletons (every doubled letter single) find "iddiot" and "fuuck"; ambiguous ones are
    # dropped rather than guessed.
    skeletons: dict[str, str | None] = {}
    for word in words:
        key = _skeleton(word)
        skeletons[key] = None if key in skeletons and skeletons[key] != word else word
    return (
        frozenset(words),
        frozenset(keep),
        variants,
        {key: word for key, word in skeletons.items() if word is not None},
    )


def dropped_letter_variants(words: list[str], keep: set[str]) -> dict[str, str]:
    """Every lexicon word with one inner letter dropped ("iiot", "bith"), mapped back to it.

    Forms that are real words (``keep``: the ``!`` lines of the lexicon, "moon" for "moron")
    or that two lexicon words share are left alone: a wrong guess would put abuse into an
    ordinary comment, which is worse than missing a disguise.
    """
    lexicon = set(words)
    found: dict[str, str | None] = {}
    for word in words:
        if len(word) < 4:
            continue
        for i in range(1, len(word) - 1):
            deleted = word[:i] + word[i + 1 :]
            if deleted in lexicon or deleted in keep:
                continue
            found[deleted] = None if found.get(deleted, word) != word else word
    return {deleted: word for deleted, word in found.items() if word is not None}


def _skeleton(token: str) -> str:
    return re.sub(r"(.)\1+", r"\1", token)


_LEXICON, _KEEP, _VARIANTS, _SKELETONS = _load_lexicon()
_ENGLISH = frozenset(
    line
    for line in resources.files("civility.text")
    .joinpath("english_words.txt")
    .read_text("utf-8")
    .split("\n")
    if line and not line.startswith("#")
)
_BY_LENGTH: dict[int, tuple[str, ...]] = {}
for _word in sorted(_LEXICON):
    _BY_LENGTH.setdefault(len(_word), ())
    _BY_LENGTH[len(_word)] += (_word,)


def lexicon_words() -> frozenset[str]:
    """The words people disguise: what augmentation hides and the normaliser restores."""
    return _LEXICON


def spells_another_word(token: str) -> bool:
    """Whether a lexicon word with a letter dropped spells a different real word instead.

    "sit" from *shit* and "cap" from *crap* are not disguises a reader decodes: the normaliser
    leaves them as written, and augmentation does not teach them as abuse.
    """
    return token in _LEXICON or token in _KEEP


def _canonical(token: str) -> str | None:
    if token in _LEXICON:
        return token
    if token in _VARIANTS:
        return _VARIANTS[token]
    skeleton = _skeleton(token)
    if skeleton != token:
        return _SKELETONS.get(skeleton) or _VARIANTS.get(skeleton)
    return None


@lru_cache(maxsize=65536)
def _rewrite_token(token: str, split_stable: bool = False) -> str:
    """The lexicon word a disguised token stands for, or the token itself.

    A real word the lexicon's ``!`` lines list ("cook", "moon") is never a disguise, and a word
    followed by "!" or "?" ("stupd!", "fuck?") is read as a word and an exclamation, not as a
    word with a symbol for its last letter ("fucks"); ``split_stable`` reads both the older way.
    """
    if token in _LEXICON or (token in _KEEP and not split_stable):
        return token
    tail = None if split_stable else _TRAILING.search(token)
    if tail is not None and tail.start() > 0:
        rewritten = _rewrite_token(token[: tail.start()])
        if rewritten in _LEXICON:
            return rewritten + tail.group(0)
    chars = set(token)
    if chars & _LEET_CHARS:
        decoded = token.translate(_LEET)
        readings = _one_readings(token, decoded)
        for reading in readings:
            found = _canonical(reading)
            if found is not None:
                return found
        if not chars & _MASK_CHARS:
            # A symbol that reads as no letter of the word ("f4ck"): a hole, as with "f*ck",
            # when the rest of the word is clear and only one lexicon word fits.
            # Inside the word only: "idiot!" is an exclamation, not "idiots".
            holes = sum(c in _LEET_CHARS for c in token)
            inner = token[0].isalpha() and token[-1].isalpha()
            if inner and holes <= 2 and len(token) - holes >= 3:
                fits = _fill(token, _LEET_CHARS)
                if len(fits) == 1:
                    return fits[0]
            # Any other word in leet ("73rr0r157s", "wh!t3"), or a lexicon word's plural
            # ("f@990t5"): a model knows the word, not the digits. Only a dictionary word
            # counts, and a closing "!" is an exclamation.
            if not split_stable and token[-1] not in "!?":
                for reading in readings:
                    if reading in _ENGLISH or (reading[-1] == "s" and reading[:-1] in _LEXICON):
                        return reading
        token_for_mask = decoded
    else:
        token_for_mask = token
    if chars & _MASK_CHARS:
        fits = _fill(token_for_mask, _MASK_CHARS)
        return fits[0] if fits else token
    found = _canonical(token)
    return found if found is not None else token


def _one_readings(token: str, decoded: str) -> list[str]:
    """``decoded`` with each "1" read as "i" and, in turn, as "l" ("1oser", "a$sh01e")."""
    ones = [i for i, c in enumerate(token) if c == "1"]
    if not 0 < len(ones) <= 3:
        return [decoded]
    readings = []
    for choice in itertools.product("il", repeat=len(ones)):
        letters = list(decoded)
        for i, letter in zip(ones, choice, strict=True):
            letters[i] = letter
        readings.append("".join(letters))
    return readings


def _fill(token: str, holes: frozenset[str]) -> list[str]:
    """The lexicon words that ``token`` spells when each of its ``holes`` is any letter."""
    if sum(c not in holes for c in token) < 1:
        return []
    pattern = re.compile("".join("[a-z]" if c in holes else re.escape(c) for c in token))
    return [word for word in _BY_LENGTH.get(len(token), ()) if pattern.fullmatch(word)]


def _join_spaced(match: re.Match[str]) -> str:
    """Join spaced letters, unless that makes nonsense the lexicon can explain better.

    "a t w a t" is the word "a" before a spaced "twat"; "m*r*n" is a masked word, not the
    letters m, r, n, so a star-separated run only joins when it spells a lexicon word.
    """
    run = match.group(0)
    joined = _SPACED_SEPARATORS.sub("", run)
    if _canonical(joined) is not None:
        return joined
    if match.group(2) == "*":
        return run
    if len(joined) > 3 and _canonical(joined[1:]) is not None:
        return f"{joined[0]} {joined[1:]}"
    return joined


def _undo_multi_leet(match: re.Match[str]) -> str:
    """Read symbol-drawn letters, but only where the result is a word of the lexicon."""
    run = match.group(0)
    if not any(c.isalpha() for c in run):
        return run
    for piece, letter in _LEET_PIECES.items():
        run = run.replace(piece, letter)
    found = _rewrite_token(run)
    return found if found in _LEXICON else match.group(0)


def _spell_lone_f(match: re.Match[str]) -> str:
    return f"fuck {match.group(2)}" if match.group(2) else f"fuck{match.group(3)}"


def normalize(text: str, split_stable: bool = False) -> str:
    """Canonical form of ``text`` that every model is trained and scored on.

    ``split_stable`` is for the corpus's dedup key alone: the train/validation split hashes
    that key, so it must not move under trained models when the normaliser learns better. It
    keeps the reading the split was drawn with, before "stupd!" became "stupid!" and before
    "cook" stopped being read as a disguise.
    """
    text = unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH)).lower()
    if not text.isascii():
        text = text.translate(_CONFUSABLES)
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    text = _SPACED.sub(_join_spaced, text)
    text = _STRETCHED.sub(r"\1\1", text)
    text = _LONE_F.sub(_spell_lone_f, text)
    if "|" in text or "/" in text or "()" in text:
        text = _MULTI_LEET.sub(_undo_multi_leet, text)
    # Most tokens are ordinary words: find the few that change before paying for a re.sub
    # callback on every token.
    changed = {
        t: r for t in set(_TOKEN.findall(text)) if (r := _rewrite_token(t, split_stable)) != t
    }
    if not changed:
        return text
    return _TOKEN.sub(lambda m: changed.get(m.group(0), m.group(0)), text)


# -- other languages ----------------------------------------------------------------------------
#
# ``normalize`` above is English: it folds Cyrillic and Greek letters into Latin ones, strips
# accents and rewrites tokens against an English lexicon, which would turn Russian or Greek into
# Latin-letter nonsense and unmake words in every other language. Other languages get their own
# normaliser, versioned by name so that a trained artifact keeps the reading it was trained with
# (the name is stored in its manifest); a better one is a new name, never an edit of an old one.

_LATIN_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "e": "е",
        "o": "о",
        "p": "р",
        "c": "с",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "b": "в",
        "h": "н",
        "3": "з",
        "0": "о",
    }
)
_WORD = re.compile(r"\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\burl\b", re.IGNORECASE)
_MENTION = re.compile(r"@\w+|\buser\b", re.IGNORECASE)


def _script(char: str) -> str:
    """ "latin", "cyrillic", "greek" or "" for a letter; cheap, by code point range."""
    code = ord(char)
    if char.isascii():
        return "latin" if char.isalpha() else ""
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if 0x0370 <= code <= 0x03FF:
        return "greek"
    return "latin" if 0x00C0 <= code <= 0x024F else ""


def _unmix(match: re.Match[str]) -> str:
    """A word that mixes Latin with Cyrillic or Greek letters is written in the one script all
    its letters can be read in: "xyй" (Latin x, y) is "хуй", "іdiot" (Cyrillic і) is "idiot".
    Single-script words, and words no one script can spell, are left alone."""
    word = match.group(0)
    scripts = {_script(c) for c in word} - {""}
    if len(scripts) < 2:
        return word
    foreign = [c for c in word if _script(c) in ("cyrillic", "greek")]
    if all(ord(c) in _CONFUSABLES for c in foreign):
        return word.translate(_CONFUSABLES)
    latin = [c for c in word if _script(c) == "latin"]
    if scripts == {"latin", "cyrillic"} and all(ord(c) in _LATIN_LOOKALIKES for c in latin):
        return word.translate(_LATIN_LOOKALIKES)
    return word


def normalize_multilingual(text: str) -> str:
    """``multilingual-v1``: the canonical form for every language but English.

    Only what is safe in any script: NFKC (full-width and compatibility forms), no zero-width
    characters, lower case, letters stretched past two shortened, mixed-script words written in
    their majority script, and links and user mentions as ``url`` and ``@user`` whichever way a
    dataset wrote them (``URL``, ``@USER``, a real handle), so a source's convention teaches
    nothing. Accents, combining vowel signs (Devanagari) and Hangul syllables stay as written.
    """
    text = unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH)).lower()
    text = _URL.sub("url", text)
    text = _MENTION.sub("@user", text)
    text = _STRETCHED.sub(r"\1\1", text)
    if not text.isascii():
        text = _WORD.sub(_unmix, text)
    return text


NORMALIZATIONS: dict[str, Callable[[str], str]] = {
    "english": normalize,
    "multilingual-v1": normalize_multilingual,
}
"""Normalisers by the name an artifact's manifest records; names are never reused."""
REVISIONS: dict[str, int] = {"english": 1, "multilingual-v1": 1}
"""Each normaliser's revision, which a model's manifest records with its name (``"normalizer"``):
raise it with any change to what the normaliser outputs, so a model fitted on the earlier
reading can be told from one fitted on this one."""


def normalization_for(language: str) -> str:
    """The normaliser a new model for ``language`` is trained with."""
    return "english" if language == "en" else "multilingual-v1"


def normalizer_record(name: str) -> dict[str, str | int]:
    """What a manifest records of the normaliser ``name``: its name and revision."""
    get_normalizer(name)
    return {"name": name, "revision": REVISIONS[name]}


def get_normalizer(name: str) -> Callable[[str], str]:
    try:
        return NORMALIZATIONS[name]
    except KeyError:
        raise UnknownNameError("normalization", name, NORMALIZATIONS) from None
