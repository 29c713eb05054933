"""What every scorer offers, whatever model is behind it.

The rest of Civility (API, moderation, CLI) talks to this interface only, so a new tier is a new
class, not a change anywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from civility.errors import EmptyTextError, InvalidTextError, TextTooLongError

MAX_TEXT_BYTES = 20_480
"""Perspective's limit on a comment's UTF-8 size; longer texts are refused, not truncated."""


@dataclass(frozen=True)
class Span:
    """A stretch of the text that drove an attribute's score.

    ``begin``/``end`` are Python string offsets (code points), end exclusive. The Perspective API
    converts them to UTF-16 code units at its edge.
    """

    begin: int
    end: int
    score: float


@runtime_checkable
class Scorer(Protocol):
    """A fitted model that scores texts on the registry's attributes."""

    labels_: tuple[str, ...]
    """Attribute names, one per column of ``predict_proba``."""
    metadata_: dict[str, Any]
    """The manifest's own fields (training data and licences, metrics): what a model card reads."""

    @property
    def version(self) -> str:
        """Model identity recorded with every stored score (name, version and content hash)."""
        ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), len(labels_)); one text is a batch of one."""
        ...

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """``predict_proba`` as one ``{attribute: probability}`` dict per text."""
        ...

    def spans(self, text: str, attributes: Sequence[str] | None = None) -> dict[str, list[Span]]:
        """For each attribute (default: all), the spans of ``text`` that drove its score."""
        ...


def check_text(text: str) -> str:
    """Refuse what Perspective refuses: empty text and text over 20,480 UTF-8 bytes."""
    if not text or not text.strip():
        raise EmptyTextError()
    try:
        n_bytes = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: bytes that were never UTF-8
        raise InvalidTextError() from None
    if n_bytes > MAX_TEXT_BYTES:
        raise TextTooLongError(n_bytes, MAX_TEXT_BYTES)
    return text
