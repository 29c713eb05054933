"""Augmentation: disguised copies of toxic texts and non-toxic identity sentences for training."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civility.data.augment import (
    IDENTITY_TERMS,
    OBFUSCATIONS,
    identity_sentences,
    obfuscate,
    obfuscated_copies,
)
from civility.errors import UnknownNameError
from tests.conftest import SHARED_DATA, requires_data

SENTENCE = "honestly you are a stupid idiot and everyone here knows it"


@pytest.mark.parametrize("kind", sorted(OBFUSCATIONS))
def test_every_kind_hides_the_abusive_words_and_leaves_the_rest(kind: str) -> None:
    out = obfuscate(SENTENCE, kind, np.random.default_rng(3))
    assert out != SENTENCE
    assert "stupid" not in out.split() or "idiot" not in out.split()
    assert out.startswith("honestly you are a ")
    assert out.endswith(" and everyone here knows it")


@pytest.mark.parametrize(
    ("kind", "undo"),
    [
        ("spaced", lambda s: s.replace(" ", "")),
        ("dotted", lambda s: s.replace(".", "")),
        ("zero_width", lambda s: re.sub("[\u200b\u200c\u200d\u2060]", "", s)),
        ("doubled_letter", lambda s: re.sub(r"(.)\1+", r"\1", s)),
    ],
)
def test_separator_and_repeat_disguises_keep_every_letter_in_order(kind: str, undo) -> None:  # type: ignore[no-untyped-def]
    out = obfuscate("idiot", kind, np.random.default_rng(0))
    assert out != "idiot"
    assert undo(out) == "idiot"


def test_leet_masks_and_homoglyphs_keep_the_word_length() -> None:
    rng = np.random.default_rng(5)
    for kind in ("leet", "masked_star", "masked_hash", "homoglyph"):
        out = obfuscate("moron", kind, rng)
        assert len(out) == 5 and out != "moron", kind
    assert obfuscate("moron", "masked_star", rng)[0] == "m"  # the first letter stays readable
    assert not obfuscate("moron", "homoglyph", rng).isascii()


def test_missing_letter_drops_one_interior_letter() -> None:
    out = obfuscate("stupid", "missing_letter", np.random.default_rng(1))
    assert len(out) == 5 and out[0] == "s" and out[-1] == "d"


@pytest.mark.parametrize(("word", "real_words"), [("shit", {"sit"}), ("crap", {"cap"})])
def test_missing_letter_never_spells_another_word(word: str, real_words: set[str]) -> None:
    # "you piece of sit" hides nothing: teaching it as abuse would teach "sit" as abuse.
    rng = np.random.default_rng(0)
    drops = {
        obfuscate(f"what a load of {word}", "missing_letter", rng).split()[-1] for _ in range(50)
    }
    assert drops and not drops & real_words
    assert all(len(drop) == len(word) - 1 for drop in drops)


def test_text_without_abusive_words_still_gets_a_disguise() -> None:
    text = "go back to wherever you crawled out from"
    assert obfuscate(text, "dotted", np.random.default_rng(0)) != text


def test_same_seed_same_copies_and_unknown_kinds_are_named() -> None:
    texts = [SENTENCE, "shut up, loser", "what a pathetic excuse for a columnist"]
    first = obfuscated_copies(texts, np.random.default_rng(11))
    assert first == obfuscated_copies(texts, np.random.default_rng(11))
    assert all(a != b for a, b in zip(first, texts, strict=True))
    with pytest.raises(UnknownNameError, match="Available: dotted"):
        obfuscate(SENTENCE, "rot13", np.random.default_rng(0))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80), st.sampled_from(sorted(OBFUSCATIONS)), st.integers(0, 2**16))
def test_any_text_is_handled(text: str, kind: str, seed: int) -> None:
    assert isinstance(obfuscate(text, kind, np.random.default_rng(seed)), str)


def test_identity_sentences_mention_a_group_and_are_reproducible() -> None:
    sentences = identity_sentences(np.random.default_rng(0), 200)
    assert sentences == identity_sentences(np.random.default_rng(0), 200)
    assert len(set(sentences)) > 150
    terms = [t.lower() for pair in IDENTITY_TERMS for t in pair]
    assert all(any(term in s.lower() for term in terms) for s in sentences)
    assert not any(re.search(r"\ba [aeiou]", s, re.IGNORECASE) for s in sentences)


@requires_data
def test_identity_sentences_share_nothing_with_the_bias_evaluation_templates() -> None:
    """Training on the evaluation templates would make the bias score meaningless."""
    with gzip.open(
        SHARED_DATA / "conversationai-bias-eval" / "en_sentence_templates.csv.gz", "rt"
    ) as handle:
        evaluation = {line.rsplit(",", 1)[-1].strip().lower() for line in handle}
    ours = {s.lower().rstrip(".") for s in identity_sentences(np.random.default_rng(1), 2000)}
    assert not ours & evaluation


def test_identity_sentences_can_oversample_chosen_groups() -> None:
    sentences = identity_sentences(np.random.default_rng(2), 50, terms=[("gay", "gay people")])
    assert all("gay" in s.lower() for s in sentences)
