"""What every tier derives from ``predict_proba``: score dicts and word spans."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from civility.scoring._base import Span
from civility.scoring.spans import word_spans


class ScorerBase:
    """``score`` and ``spans`` for any scorer with ``labels_``, ``span_thresholds_`` and
    ``predict_proba``, so the tiers differ only in how they compute probabilities."""

    labels_: tuple[str, ...]
    span_thresholds_: dict[str, float]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        probs = self.predict_proba(texts)
        return [
            {label: round(float(p), 4) for label, p in zip(self.labels_, row, strict=True)}
            for row in probs
        ]

    def spans(self, text: str, attributes: Sequence[str] | None = None) -> dict[str, list[Span]]:
        """Words that, scored alone, clear each attribute's span threshold (see ``spans``).

        For every tier the batch of a comment's words costs about as much as scoring the
        comment once; occlusion would cost one full pass per word.
        """
        return word_spans(
            text,
            self.labels_,
            self.predict_proba,
            self.span_thresholds_,
            list(attributes) if attributes is not None else list(self.labels_),
        )
