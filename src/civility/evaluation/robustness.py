"""Adversarial robustness: how much do disguised spellings cost the model?

People who want abuse to get through write "f u c k", "id1ot" or "st*pid". The benchmark takes a
labelled validation set, disguises every toxic text one way at a time (the same disguises
``civility.data.augment`` trains on), leaves the non-toxic texts alone, and compares ROC-AUC and
recall at the default threshold before and after. The target is at most one AUC point lost per
disguise; recall shows how many disguised comments would now slip under the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from civility.data.augment import OBFUSCATIONS, obfuscate
from civility.errors import InvalidParameterError, UnknownNameError
from civility.evaluation.bias import safe_auc
from civility.scoring import Scorer

DEFAULT_THRESHOLD = 0.5
MAX_AUC_DROP_POINTS = 1.0
"""The issue's target: no disguise may cost more than one point of ROC-AUC."""


@dataclass(frozen=True)
class RobustnessRow:
    """Before/after figures for one disguise; ``clean`` is the undisguised baseline row."""

    perturbation: str
    auc: float
    recall: float
    auc_drop_points: float
    recall_drop_points: float
    auc_all_disguised: float = float("nan")
    """AUC when non-toxic texts are disguised too: far below ``auc`` means the model has
    learned the disguise itself (a ``*``, a spaced word) as a sign of toxicity."""

    @property
    def meets_target(self) -> bool:
        return self.auc_drop_points <= MAX_AUC_DROP_POINTS


def recall_at(y_true: np.ndarray, y_score: np.ndarray, threshold: float) -> float:
    """Share of toxic texts (label >= 0.5) scored at or above ``threshold``."""
    positives = np.asarray(y_true) >= 0.5
    if not positives.any():
        return float("nan")
    return float((np.asarray(y_score)[positives] >= threshold).mean())


def compare(
    y_true: Sequence[float] | np.ndarray,
    clean_scores: Sequence[float] | np.ndarray,
    perturbed_scores: dict[str, np.ndarray],
    threshold: float = DEFAULT_THRESHOLD,
    all_disguised_scores: dict[str, np.ndarray] | None = None,
) -> list[RobustnessRow]:
    """The table: a ``clean`` row, then one row per disguise, drops in points (x 100)."""
    labels = (np.asarray(y_true, dtype=np.float64) >= 0.5).astype(np.int8)
    clean = np.asarray(clean_scores, dtype=np.float64)
    if labels.shape != clean.shape:
        raise InvalidParameterError(
            f"y_true and clean_scores must have the same shape. "
            f"Got {labels.shape} and {clean.shape} instead."
        )
    base_auc, base_recall = safe_auc(labels, clean), recall_at(labels, clean, threshold)
    rows = [RobustnessRow("clean", base_auc, base_recall, 0.0, 0.0, base_auc)]
    controls = all_disguised_scores or {}
    for name, scores in perturbed_scores.items():
        after = np.asarray(scores, dtype=np.float64)
        auc, recall = safe_auc(labels, after), recall_at(labels, after, threshold)
        rows.append(
            RobustnessRow(
                name,
                auc,
                recall,
                100 * (base_auc - auc),
                100 * (base_recall - recall),
                safe_auc(labels, np.asarray(controls[name])) if name in controls else math.nan,
            )
        )
    return rows


def perturb_toxic(
    texts: Sequence[str],
    y_true: Sequence[float] | np.ndarray,
    kind: str,
    seed: int = 0,
    everything: bool = False,
) -> list[str]:
    """``texts`` with every toxic one (or, with ``everything``, every one) disguised."""
    if kind not in OBFUSCATIONS:
        raise UnknownNameError("obfuscation", kind, OBFUSCATIONS)
    rng = np.random.default_rng(seed)
    labels = np.asarray(y_true, dtype=np.float64)
    return [
        obfuscate(text, kind, rng) if everything or label >= 0.5 else text
        for text, label in zip(texts, labels, strict=True)
    ]


def run_robustness(
    scorer: Scorer,
    texts: Sequence[str],
    y_true: Sequence[float] | np.ndarray,
    attribute: str = "TOXICITY",
    kinds: Sequence[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 0,
) -> dict[str, Any]:
    """Score clean and disguised copies of a labelled set: what ``civility robustness`` prints."""
    column = scorer.labels_.index(attribute)
    labels = np.asarray(y_true, dtype=np.float64)
    chosen = list(kinds) if kinds is not None else list(OBFUSCATIONS)
    clean = scorer.predict_proba(list(texts))[:, column]
    perturbed = {
        kind: scorer.predict_proba(perturb_toxic(texts, labels, kind, seed))[:, column]
        for kind in chosen
    }
    controls = {
        kind: scorer.predict_proba(perturb_toxic(texts, labels, kind, seed, everything=True))[
            :, column
        ]
        for kind in chosen
    }
    rows = compare(labels, clean, perturbed, threshold, controls)
    return {
        "model": scorer.version,
        "attribute": attribute,
        "threshold": threshold,
        "n": len(texts),
        "toxic": int((labels >= 0.5).sum()),
        "rows": [{**asdict(row), "meets_target": row.meets_target} for row in rows],
    }
