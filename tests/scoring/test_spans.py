"""Which words can be spans, whatever the model says of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from civility.scoring._base import Span
from civility.scoring.spans import SpanCache, word_spans, words


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


class _CountingScorer:
    """Spans that say which model found them, counting the model calls."""

    def __init__(self, version: str, score: float) -> None:
        self.version = version
        self.score = score
        self.calls = 0

    def spans(self, text: str, attributes: list[str]) -> dict[str, list[Span]]:
        self.calls += 1
        return {a: [Span(0, len(text), self.score)] for a in attributes}


def test_the_span_cache_keeps_each_languages_spans_apart_and_once() -> None:
    english, german = _CountingScorer("en-1", 0.1), _CountingScorer("de-1", 0.9)
    cache = SpanCache(english)  # type: ignore[arg-type]
    text = "Du bist ein Idiot"
    for _ in range(3):
        found = cache.spans(text, ["INSULT"], german)  # type: ignore[arg-type]
    assert found["INSULT"][0].score == 0.9 and german.calls == 1
    assert cache.spans(text, ["INSULT"])["INSULT"][0].score == 0.1
    assert (english.calls, len(cache)) == (1, 2)
