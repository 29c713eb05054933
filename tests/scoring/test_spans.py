"""Which words can be spans, whatever the model says of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from civility.scoring.spans import word_spans, words


def _everything_is_toxic(texts: Sequence[str]) -> np.ndarray:
    return np.full((len(texts), 1), 0.9, dtype=np.float32)


def test_function_words_are_never_spans_even_when_the_model_flags_them() -> None:
    text = "You’re such a t.w.a.t and you know it, I'm done with you"
    spans = word_spans(text, ("TOXICITY",), _everything_is_toxic, {}, ["TOXICITY"])["TOXICITY"]
    flagged = [text[s.begin : s.end] for s in spans]
    assert flagged == ["such", "t.w.a.t", "know", "done"]


def test_disguised_words_stay_whole_and_trailing_marks_are_dropped() -> None:
    text = "f u c k off, sh1t!"
    assert [text[b:e] for b, e in words(text)] == ["f u c k", "sh1t"]
