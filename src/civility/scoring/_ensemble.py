"""The ensemble tier: the fast and accurate tiers' probabilities, blended per attribute.

The two tiers err differently: n-grams catch the disguised profanity and the exact slurs the
encoder's tokenizer splits into meaningless pieces; the encoder catches meaning n-grams never
saw. Each attribute gets its own weight, chosen on the validation split (never on test) to
maximise the mean ROC-AUC over the sources that label it, so no single large source decides.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from civility import __version__
from civility.errors import ArtifactError, InvalidParameterError
from civility.scoring._base import Scorer
from civility.scoring._common import MANIFEST, ScorerBase, read_manifest

FORMAT = "civility.EnsembleScorer.v1"


class EnsembleScorer(ScorerBase):
    """Weighted mean of two scorers' probabilities, one weight per attribute.

    Parameters
    ----------
    fast, accurate : Scorer
        The members; they must score the same attributes in the same order.
    weights : sequence of float or None
        Weight of ``accurate`` per attribute (``fast`` gets the rest); None means 0.5 each.
    """

    def __init__(
        self,
        fast: Scorer,
        accurate: Scorer,
        weights: Sequence[float] | np.ndarray | None = None,
    ) -> None:
        self.fast = fast
        self.accurate = accurate
        self.weights = weights
        if tuple(fast.labels_) != tuple(accurate.labels_):
            raise InvalidParameterError(
                "The ensemble's members must score the same attributes. Got "
                f"{fast.labels_} and {accurate.labels_} instead."
            )
        self.labels_ = tuple(accurate.labels_)
        self.weights_ = np.asarray(
            weights if weights is not None else [0.5] * len(self.labels_), dtype=np.float32
        )
        if (
            self.weights_.shape != (len(self.labels_),)
            or not ((self.weights_ >= 0) & (self.weights_ <= 1)).all()
        ):
            raise InvalidParameterError(
                f"The 'weights' parameter of EnsembleScorer must be {len(self.labels_)} floats "
                f"in [0, 1]. Got {weights!r} instead."
            )
        self.span_thresholds_: dict[str, float] = dict.fromkeys(self.labels_, 0.5)
        self.metadata_: dict[str, Any] = {}

    def blend(self, fast: np.ndarray, accurate: np.ndarray) -> np.ndarray:
        return np.asarray(self.weights_ * accurate + (1 - self.weights_) * fast, np.float32)

    _fitted_attribute = None  # built from two fitted tiers

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.blend(self.fast.predict_proba(texts), self.accurate.predict_proba(texts))

    @property
    def version(self) -> str:
        model_version = self.metadata_.get("model_version", __version__)
        return f"ensemble-{model_version}-{self.fast.version}+{self.accurate.version}"

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> Path:
        """Write the weights; the members stay in their own artifact directories."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        self.metadata_ = {**self.metadata_, **(metadata or {})}
        manifest = {
            "format": FORMAT,
            "civility_version": __version__,
            "labels": list(self.labels_),
            "weights": {a: float(w) for a, w in zip(self.labels_, self.weights_, strict=True)},
            "span_thresholds": self.span_thresholds_,
            "members": {"fast": self.fast.version, "accurate": self.accurate.version},
            **self.metadata_,
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return directory

    @classmethod
    def load(cls, path: str | Path) -> EnsembleScorer:
        """Read the weights and load the members from the sibling ``fast/`` and ``accurate/``."""
        from civility.scoring._loading import load_scorer

        directory = Path(path)
        manifest = read_manifest(directory, FORMAT)
        fast = load_scorer("fast", directory.parent / "fast")
        accurate = load_scorer("accurate", directory.parent / "accurate")
        # Weights tuned on other members would blend scores they were never chosen for.
        # Manifests written before members were recorded load unchecked.
        fitted_on = manifest.get("members")
        found = {"fast": fast.version, "accurate": accurate.version}
        if fitted_on is not None and fitted_on != found:
            changed = ", ".join(
                f"{tier} is {found[tier]}, not {fitted_on.get(tier)}"
                for tier in found
                if fitted_on.get(tier) != found[tier]
            )
            raise ArtifactError(
                f"{directory} was fitted on other members: {changed}. Restore those members, "
                "or tune the ensemble again on these (civility train-accurate)."
            )
        labels = manifest["labels"]
        if list(accurate.labels_) != labels:
            raise ArtifactError(
                f"{directory} was tuned for attributes {labels}, its members score "
                f"{list(accurate.labels_)}."
            )
        scorer = cls(fast, accurate, [manifest["weights"][a] for a in labels])
        scorer.span_thresholds_ = dict(manifest.get("span_thresholds", {}))
        known = {"format", "civility_version", "labels", "weights", "span_thresholds", "members"}
        scorer.metadata_ = {k: v for k, v in manifest.items() if k not in known}
        return scorer
