"""What every tier derives from ``predict_proba``: score dicts and word spans."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from civility.errors import ArtifactError, InvalidParameterError, NotFittedError
from civility.scoring._base import Span
from civility.scoring.spans import word_spans

MANIFEST = "manifest.json"
"""Every artifact directory describes itself in this file."""


def read_manifest(directory: Path, expected_format: str) -> dict[str, Any]:
    """An artifact's manifest, refusing a missing, corrupt or foreign one in one clear line."""
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"No model artifact at {directory}: {MANIFEST} is missing.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"Corrupt model manifest in {directory}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != expected_format:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArtifactError(f"{directory} holds a {found!r} artifact, not {expected_format!r}.")
    return manifest


def training_fingerprint(texts: Sequence[str], Y: np.ndarray) -> str:
    """sha256 of the training texts and their labels, in order, as ``fit`` saw them.

    Recorded in the manifest: two models with the same fingerprint were fitted on the same data,
    so a difference between them is the parameters' or the code's, not the data's.
    """
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(np.ascontiguousarray(Y, dtype=np.float64).tobytes())
    return digest.hexdigest()


class ScorerBase:
    """The batch contract, ``score`` and ``spans`` for every tier.

    A tier implements ``_predict_proba`` for a non-empty list of texts; the argument checks,
    the empty batch, the score dicts and the spans are the same for all, so they live here.
    """

    labels_: tuple[str, ...]
    span_thresholds_: dict[str, float]
    _fitted_attribute: str | None = "model_"
    """Set by ``fit``/``load``; its absence means the scorer cannot predict yet."""

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments as this scorer holds them, read from its signature.

        As in scikit-learn, every ``__init__`` argument is kept under its own name, so
        ``type(s)(**s.get_params())`` is an unfitted copy and no parameter can be left out of
        a hand-written list.
        """
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return {name: getattr(self, name) for name in names}

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), len(labels_)); one text is a batch of one."""
        if self._fitted_attribute and not hasattr(self, self._fitted_attribute):
            raise NotFittedError(type(self).__name__)
        if isinstance(texts, str):
            raise InvalidParameterError(
                "predict_proba expects a sequence of texts; wrap one text in a list."
            )
        if len(texts) == 0:
            return np.zeros((0, len(self.labels_)), dtype=np.float32)
        return self._predict_proba(list(texts))

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
