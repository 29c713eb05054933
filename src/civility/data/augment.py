"""Training-data augmentation against the two failures people notice first.

1. **Obfuscation**: "f u c k off", "you are an id1ot", "st*pid" slip past a model that only
   saw clean spellings. ``obfuscate`` makes disguised copies of toxic texts, one disguise kind
   at a time, so the model (and the normaliser in front of it) learns that the disguise does
   not change the label. The same functions drive the robustness benchmark, so training and
   measurement agree on what each disguise is.
2. **Identity-term bias**: when identity words mostly appear in abuse, a model learns that
   "gay" or "Muslim" is itself toxic. ``identity_sentences`` writes ordinary, non-toxic news
   comments that mention identity groups, to be added to training with every label at 0.
   ``swap_identity_terms`` rewrites a real comment with its group words swapped for other
   groups' (counterfactual copies): the protocol measures how far a score moves, and training
   can add the copies with the original's labels.

The identity terms and templates here are our own. They deliberately do not reuse the Conversation
AI bias templates, which are the *evaluation* set: training on them would make the bias score
meaningless.

All randomness comes from the ``rng`` argument, so a training run is reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from civility.errors import UnknownNameError
from civility.text.normalize import lexicon_words, spells_another_word

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "l": "1", "g": "9"}
_LEET_ALT = {"a": "@", "s": "$", "i": "!"}
# Cyrillic and Greek letters that render like Latin ones in most fonts.
_HOMOGLYPHS = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "o": "о",
    "p": "р",
    "x": "х",
    "y": "у",
    "k": "κ",
    "n": "η",
    "v": "ν",
    "s": "ѕ",
    "j": "ј",
    "h": "һ",
}
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")
MAX_WORDS = 2
"""Words disguised per text: people hide the word that would get them caught, not every word."""


def _targets(text: str, rng: np.random.Generator) -> list[re.Match[str]]:
    """The words to disguise: abusive-lexicon words if any, else a few of the longer words."""
    words = list(_WORD.finditer(text))
    abusive = [m for m in words if m.group(0).lower() in lexicon_words()]
    pool = abusive or [m for m in words if len(m.group(0)) >= 4] or words
    if not pool:
        return []
    k = min(MAX_WORDS, len(pool))
    chosen = sorted(rng.choice(len(pool), size=k, replace=False))
    return [pool[i] for i in chosen]


def _rewrite(
    text: str, rng: np.random.Generator, change: Callable[[str, np.random.Generator], str]
) -> str:
    pieces, last = [], 0
    for match in _targets(text, rng):
        pieces.append(text[last : match.start()])
        pieces.append(change(match.group(0), rng))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _interior(word: str) -> range:
    return range(1, len(word) - 1) if len(word) > 2 else range(len(word))


def _spaced(word: str, rng: np.random.Generator) -> str:
    return " ".join(word)


def _dotted(word: str, rng: np.random.Generator) -> str:
    return ".".join(word)


def _leet(word: str, rng: np.random.Generator) -> str:
    out = []
    for c in word:
        low = c.lower()
        if low in _LEET_ALT and rng.random() < 0.3:
            out.append(_LEET_ALT[low])
        elif low in _LEET and rng.random() < 0.7:
            out.append(_LEET[low])
        else:
            out.append(c)
    if out == list(word):  # at least one substitution, or the copy is not disguised
        for i, c in enumerate(word):
            if c.lower() in _LEET:
                out[i] = _LEET[c.lower()]
                break
    return "".join(out)


def _masker(symbol: str) -> Callable[[str, np.random.Generator], str]:
    def mask(word: str, rng: np.random.Generator) -> str:
        inner = list(_interior(word))
        vowels = [i for i in inner if word[i].lower() in "aeiouy"]
        hidden = (
            set(vowels)
            if vowels and rng.random() < 0.6
            else set(rng.choice(inner, size=max(1, len(inner) // 2), replace=False).tolist())
        )
        return "".join(symbol if i in hidden else c for i, c in enumerate(word))

    return mask


def _homoglyph(word: str, rng: np.random.Generator) -> str:
    out = [_HOMOGLYPHS.get(c, c) if rng.random() < 0.7 else c for c in word]
    if out == list(word):
        for i, c in enumerate(word):
            if c in _HOMOGLYPHS:
                out[i] = _HOMOGLYPHS[c]
                break
    return "".join(out)


def _zero_width(word: str, rng: np.random.Generator) -> str:
    mark = _ZERO_WIDTH[int(rng.integers(len(_ZERO_WIDTH)))]
    return mark.join(word)


def _missing_letter(word: str, rng: np.random.Generator) -> str:
    # A drop that spells another word ("sit" for "shit") hides nothing a reader would decode;
    # learning it as abuse would be label noise. The next readable drop is taken instead, and
    # the rng is drawn exactly as before, so the other disguised copies do not move.
    if len(word) < 4:
        return word
    inner = list(_interior(word))
    first = int(rng.choice(len(inner)))
    for step in range(len(inner)):
        i = inner[(first + step) % len(inner)]
        drop = word[:i] + word[i + 1 :]
        if not spells_another_word(drop.lower()):
            return drop
    return word


def _doubled_letter(word: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(len(word)))
    times = 1 if rng.random() < 0.7 else 3
    return word[: i + 1] + word[i] * times + word[i + 1 :]


OBFUSCATIONS: dict[str, Callable[[str, np.random.Generator], str]] = {
    "spaced": _spaced,
    "dotted": _dotted,
    "leet": _leet,
    "masked_star": _masker("*"),
    "masked_hash": _masker("#"),
    "homoglyph": _homoglyph,
    "zero_width": _zero_width,
    "missing_letter": _missing_letter,
    "doubled_letter": _doubled_letter,
}
"""Disguise kinds by name: each maps one word and an rng to its disguised spelling."""


def obfuscate(text: str, kind: str, rng: np.random.Generator) -> str:
    """``text`` with its most telling words (at most two) disguised the ``kind`` way.

    >>> obfuscate("you are an idiot", "dotted", np.random.default_rng(0))
    'you are an i.d.i.o.t'
    """
    if kind not in OBFUSCATIONS:
        raise UnknownNameError("obfuscation", kind, OBFUSCATIONS)
    return _rewrite(text, rng, OBFUSCATIONS[kind])


def obfuscated_copies(
    texts: Sequence[str], rng: np.random.Generator, kinds: Sequence[str] | None = None
) -> list[str]:
    """One disguised copy per text, each with a kind drawn at random from ``kinds``."""
    names = list(kinds) if kinds is not None else list(OBFUSCATIONS)
    for name in names:
        if name not in OBFUSCATIONS:
            raise UnknownNameError("obfuscation", name, OBFUSCATIONS)
    picks = rng.integers(len(names), size=len(texts))
    return [obfuscate(text, names[int(i)], rng) for text, i in zip(texts, picks, strict=True)]


# (adjective, plural noun): both forms, so templates read naturally.
IDENTITY_TERMS: tuple[tuple[str, str], ...] = (
    ("gay", "gay people"),
    ("lesbian", "lesbians"),
    ("bisexual", "bisexual people"),
    ("transgender", "trans people"),
    ("queer", "queer people"),
    ("nonbinary", "nonbinary people"),
    ("Black", "Black people"),
    ("white", "white people"),
    ("Asian", "Asian Americans"),
    ("Latino", "Latinos"),
    ("Hispanic", "Hispanic families"),
    ("Native American", "Native Americans"),
    ("Indigenous", "Indigenous people"),
    ("Arab", "Arabs"),
    ("Chinese", "Chinese people"),
    ("Mexican", "Mexicans"),
    ("Indian", "Indian people"),
    ("Pakistani", "Pakistanis"),
    ("African", "Africans"),
    ("Somali", "Somalis"),
    ("Filipino", "Filipinos"),
    ("Muslim", "Muslims"),
    ("Jewish", "Jews"),
    ("Christian", "Christians"),
    ("Catholic", "Catholics"),
    ("Hindu", "Hindus"),
    ("Sikh", "Sikhs"),
    ("atheist", "atheists"),
    ("Buddhist", "Buddhists"),
    ("Mormon", "Mormons"),
    ("immigrant", "immigrants"),
    ("refugee", "refugees"),
    ("female", "women"),
    ("male", "men"),
    ("disabled", "disabled people"),
    ("deaf", "deaf people"),
    ("blind", "blind people"),
    ("autistic", "autistic people"),
    ("elderly", "elderly people"),
    ("teenage", "teenagers"),
)

_TEMPLATES: tuple[str, ...] = (
    "As a {adj} reader, I found this article fair and well sourced.",
    "My {adj} neighbours organised the street party again this year.",
    "The council should ask {group} what they think before changing the policy.",
    "{Group} have lived in this town for generations and helped build it.",
    "I'm {adj} and I agree with most of what the columnist says here.",
    "The report says {group} are underrepresented on local boards.",
    "Our {adj} coach took the under-12s to the regional final.",
    "There is a {adj} bakery on Main Street that makes the best bread in the county.",
    "Good to see {group} finally getting a voice in this debate.",
    "My sister married a {adj} man last spring and the wedding was lovely.",
    "{Group} are just as worried about rents as everyone else.",
    "The survey interviewed 400 {group} about the new bus routes.",
    "I work with several {group} and they are great colleagues.",
    "Being {adj} has nothing to do with how you vote on the levy.",
    "The film follows a {adj} teacher in a small mining town.",
    "Many {group} in the district volunteered at the food bank.",
    "Proud of my {adj} grandmother, who turned 90 this week.",
    "The mayor met with {group} from the east side on Tuesday.",
    "As {group}, we deserve the same services as any other taxpayer.",
    "A {adj} student won the science fair with a project on river pollution.",
    "The article would be better if it quoted some {group} directly.",
    "{Group} are part of this community, full stop.",
    "I grew up next door to a {adj} family and still visit them.",
    "The new clinic will serve {group} and anyone else who needs it.",
    "Thanks for covering the {adj} festival, it was a wonderful day out.",
    "Is there any data on how many {group} use the library?",
    "My best friend is {adj} and we have been hiking together for years.",
    "The {adj} community centre is hosting a blood drive on Saturday.",
    "{Group} deserve respect, like everybody else.",
    "The candidate is {adj}, which is beside the point; judge her on her record.",
)
"""Non-toxic news-comment templates with ``{adj}``, ``{group}`` or ``{Group}`` slots."""


def identity_sentences(
    rng: np.random.Generator, n: int, terms: Sequence[tuple[str, str]] = IDENTITY_TERMS
) -> list[str]:
    """``n`` non-toxic comments mentioning identity groups, for training with every label 0.

    ``terms`` (``(adjective, plural noun)`` pairs, default ``IDENTITY_TERMS``) lets training
    oversample the groups the bias report shows are treated worst.
    """
    out = []
    for _ in range(n):
        template = _TEMPLATES[int(rng.integers(len(_TEMPLATES)))]
        adj, group = terms[int(rng.integers(len(terms)))]
        sentence = template.format(adj=adj, group=group, Group=group[0].upper() + group[1:])
        out.append(re.sub(r"\b([Aa]) ([AEIOUaeiou])", r"\1n \2", sentence))
    return out


SWAP_GROUPS: tuple[tuple[str, ...], ...] = (
    ("women", "men"),
    ("woman", "man"),
    ("girls", "boys"),
    ("female", "male"),
    ("females", "males"),
    ("muslim", "christian", "jewish", "hindu", "buddhist", "sikh", "catholic"),
    ("muslims", "christians", "jews", "hindus", "buddhists", "sikhs", "catholics"),
    ("islam", "christianity", "judaism", "hinduism", "buddhism"),
    ("black", "white", "asian", "latino", "arab", "hispanic"),
    ("blacks", "whites", "asians", "latinos", "arabs", "hispanics"),
    ("mexican", "chinese", "african", "indian", "canadian"),
    ("mexicans", "africans", "indians", "canadians"),
    ("gay", "lesbian", "bisexual", "transgender", "queer"),
    ("gays", "lesbians", "homosexuals"),
    ("aboriginal", "indigenous", "immigrant"),
    ("immigrants", "refugees", "aboriginals"),
)
"""Words that name a group, each with the words of the same grammatical role it may be swapped
for. Our own list; like the templates, it shares nothing with the bias evaluation's templates."""
_SWAPS = {word: group for group in SWAP_GROUPS for word in group}
_SWAP_WORD = re.compile(r"\b(" + "|".join(sorted(_SWAPS, key=len, reverse=True)) + r")\b", re.I)


def has_identity_terms(text: str) -> bool:
    """Whether ``swap_identity_terms`` would change ``text``."""
    return _SWAP_WORD.search(text) is not None


def swap_identity_terms(text: str, rng: np.random.Generator) -> str:
    """``text`` with every group word replaced by another of its ``SWAP_GROUPS`` entry.

    The replacement keeps the original's capitals (``Muslims`` -> ``Jews``, ``WOMEN`` ->
    ``MEN``); what the comment says about the group is untouched, so its labels still hold.
    """

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        others = [w for w in _SWAPS[word.lower()] if w != word.lower()]
        new = others[int(rng.integers(len(others)))]
        if word.isupper() and len(word) > 1:
            return new.upper()
        return new.capitalize() if word[0].isupper() else new

    return _SWAP_WORD.sub(replace, text)
