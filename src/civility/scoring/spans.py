"""Which words of a comment drove its score.

A comment is cut into words the way a reader sees them, disguises included: ``f u c k`` or
``i.d.i.o.t`` is one word, ``sh1t`` and ``f*ck`` are words. Each word is scored on its own by the
same model (one batch for all words of the text); words whose probability for an attribute clears
that attribute's span threshold are its spans. Scoring words alone is what a moderator means by
"the offending words", it costs one small batch, and it works for any scorer.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources

import numpy as np

from civility.scoring._base import Scorer, Span

_WORD = re.compile(
    r"(?<![\w*])[^\W\d_]([ .\-_*])[^\W\d_](?:\1[^\W\d_])+(?![\w*])"  # s p a c e d, d.o.t.t.e.d
    r"|[\w@$!*#'’]*\w[\w@$!*#'’]*"  # a word, with leet or mask characters inside
    r"|[@$*#][\w@$!*#]+"
)


@cache
def function_words() -> frozenset[str]:
    """Closed-class words (``function_words.txt``): alone they carry no score, so they are
    never a span.

    Scored alone, a word like "you" lands wherever the training mix puts it (insults address
    someone), and as a span it would mark every second-person comment; Toxic Spans never
    marks it.
    """
    text = resources.files("civility.scoring").joinpath("function_words.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def words(text: str) -> list[tuple[int, int]]:
    """(begin, end) of each word of ``text`` that could be a span: obfuscated words kept whole,
    function words left out."""
    found = []
    for match in _WORD.finditer(text):
        begin, end = match.span()
        # Trailing "!" or "'" belong to the sentence, not the word, unless they are the word.
        while end - begin > 1 and text[end - 1] in "!'’":
            end -= 1
        if text[begin:end].lower().replace("’", "'") not in function_words():
            found.append((begin, end))
    return found


def word_probabilities(
    texts: Sequence[str], predict_proba: Callable[[Sequence[str]], np.ndarray]
) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
    """For each text, its word bounds and each word's probabilities, in one batch for all."""
    bounds = [words(text) for text in texts]
    pieces = [text[b:e] for text, found in zip(texts, bounds, strict=True) for b, e in found]
    probs = predict_proba(pieces) if pieces else np.zeros((0, 0), dtype=np.float32)
    result, offset = [], 0
    for found in bounds:
        result.append((found, probs[offset : offset + len(found)]))
        offset += len(found)
    return result


def word_spans(
    text: str,
    labels: Sequence[str],
    predict_proba: Callable[[Sequence[str]], np.ndarray],
    thresholds: dict[str, float],
    attributes: Sequence[str],
) -> dict[str, list[Span]]:
    """Spans per attribute: words that, scored alone, clear the attribute's threshold."""
    [(bounds, probs)] = word_probabilities([text], predict_proba)
    result: dict[str, list[Span]] = {a: [] for a in attributes}
    if not bounds:
        return result
    for attribute in attributes:
        column = probs[:, labels.index(attribute)]
        threshold = thresholds.get(attribute, 0.5)
        result[attribute] = [
            Span(b, e, round(float(p), 4))
            for (b, e), p in zip(bounds, column, strict=True)
            if p >= threshold
        ]
    return result


class SpanCache:
    """One scorer's spans of recently seen texts, least recently used dropped first.

    Span scoring costs a model call per text, and the moderators' queue is reloaded after every
    decision with mostly the same comments on it. A server keeps one (``AppState.spans``), so
    the cache lives and dies with the app and its scorer. Its memory is bounded: at most
    ``size`` entries, and texts longer than ``max_text_chars`` (rare in comment sections, and
    the costliest to keep) are scored each time instead of kept.
    """

    def __init__(self, scorer: Scorer, size: int = 4096, max_text_chars: int = 2000) -> None:
        self.scorer = scorer
        self.size = size
        self.max_text_chars = max_text_chars
        self._found: OrderedDict[tuple[str, str, tuple[str, ...]], dict[str, list[Span]]]
        self._found = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._found)

    def spans(
        self, text: str, attributes: Sequence[str], scorer: Scorer | None = None
    ) -> dict[str, list[Span]]:
        """``scorer.spans(text, attributes)`` (default scorer: the cache's own), computed once
        per model version, text and attributes: a language's model shares the cache."""
        scorer = scorer or self.scorer
        if len(text) > self.max_text_chars:
            return scorer.spans(text, list(attributes))
        key = (scorer.version, text, tuple(attributes))
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        found = scorer.spans(text, list(attributes))
        with self._lock:
            self._found[key] = found
            while len(self._found) > self.size:
                self._found.popitem(last=False)
        return found
