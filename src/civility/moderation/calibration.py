"""Per-community calibration: the model's scores, re-read through a community's own decisions.

A sports forum and a parenting site draw the line in different places. Once a community's
moderators have decided enough comments, a small monotone map per attribute (Platt scaling
with few decisions, isotonic regression with many) turns the global model's score into "the
probability this community's moderators would reject it"; policies then read calibrated
scores. Attributes without enough decisions keep the global score, so calibration can only
apply where there is evidence for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sqlalchemy import select
from sqlalchemy.orm import Session

from civility.attributes import ATTRIBUTE_NAMES
from civility.store import Community, Feedback, Score

MIN_DECISIONS = 50
"""Decisions (with both outcomes present) an attribute needs before its calibration applies."""
MIN_PER_CLASS = 5
ISOTONIC_FROM = 300
"""From this many decisions on, isotonic regression (more flexible) replaces Platt scaling."""
_EPS = 1e-4


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


@dataclass
class AttributeCalibration:
    """A fitted monotone map for one attribute."""

    method: str
    n: int
    model: Any

    def apply(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=np.float64)
        if self.method == "isotonic":
            return np.asarray(self.model.predict(scores))
        return np.asarray(self.model.predict_proba(_logit(scores).reshape(-1, 1))[:, 1])


def fit_attribute(
    scores: ArrayLike, labels: ArrayLike, min_decisions: int = MIN_DECISIONS
) -> AttributeCalibration | None:
    """Fit one attribute from (model score, moderator label) pairs; None when too few."""
    x = np.asarray(scores, dtype=np.float64)
    y = (np.asarray(labels, dtype=np.float64) >= 0.5).astype(int)
    positives = int(y.sum())
    if len(x) < min_decisions or min(positives, len(y) - positives) < MIN_PER_CLASS:
        return None
    # Imported here: scikit-learn takes most of a second to import, and a server or a command
    # whose communities have too few decisions to calibrate never needs it.
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    if len(x) >= ISOTONIC_FROM:
        model: Any = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
        return AttributeCalibration("isotonic", len(x), model)
    model = LogisticRegression(C=10.0).fit(_logit(x).reshape(-1, 1), y)
    return AttributeCalibration("platt", len(x), model)


@dataclass
class Calibration:
    """Calibrations for some attributes; the others pass through unchanged (global model)."""

    attributes: dict[str, AttributeCalibration]
    labels: tuple[str, ...] = ATTRIBUTE_NAMES

    def __call__(self, probabilities: np.ndarray) -> np.ndarray:
        calibrated = np.array(probabilities, dtype=np.float64, copy=True)
        for name, fitted in self.attributes.items():
            if name in self.labels:
                column = calibrated[:, self.labels.index(name)]
                scored = ~np.isnan(column)  # NaN: not served in the comment's language
                if scored.any():
                    column[scored] = fitted.apply(column[scored])
        return calibrated

    def summary(self) -> dict[str, dict[str, Any]]:
        return {n: {"method": c.method, "decisions": c.n} for n, c in self.attributes.items()}


def fit_calibration(
    pairs: Mapping[str, tuple[ArrayLike, ArrayLike]],
    min_decisions: int = MIN_DECISIONS,
    labels: tuple[str, ...] = ATTRIBUTE_NAMES,
) -> Calibration | None:
    fitted = {
        name: result
        for name, (scores, outcome) in pairs.items()
        if (result := fit_attribute(scores, outcome, min_decisions)) is not None
    }
    return Calibration(fitted, labels) if fitted else None


def community_pairs(
    session: Session, community: Community
) -> dict[str, tuple[list[float], list[float]]]:
    """(model score, label) per attribute from the community's feedback on stored comments.

    Moderators' decisions and ``suggestscore`` feedback that names a stored comment both
    count; the latest label for a comment and attribute wins (an approve after a reject
    overrides it).
    """
    rows = session.execute(
        select(Feedback.comment_id, Feedback.attribute, Feedback.value, Score.value)
        .join(
            Score,
            (Score.comment_id == Feedback.comment_id) & (Score.attribute == Feedback.attribute),
        )
        .where(Feedback.community_id == community.id)
        .order_by(Feedback.id)
    ).all()
    latest: dict[tuple[int | None, str], tuple[float, float]] = {}
    for comment_id, attribute, label, score in rows:
        latest[(comment_id, attribute)] = (float(score), float(label))
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    for (_, attribute), (score, label) in latest.items():
        scores, labels = pairs.setdefault(attribute, ([], []))
        scores.append(score)
        labels.append(label)
    return pairs


def calibration_loader(min_decisions: int = MIN_DECISIONS) -> Any:
    """The function PolicyCache calls to (re)fit a community's calibration from the store."""

    def load(session: Session, community: Community) -> Calibration | None:
        return fit_calibration(community_pairs(session, community), min_decisions)

    return load


def agreement(scores: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    """Share of comments where "score >= threshold" matches the moderators' reject/keep."""
    return float(np.mean((np.asarray(scores) >= threshold) == (np.asarray(labels) >= 0.5)))


def compare_on_replay(
    scores: np.ndarray,
    labels: np.ndarray,
    threshold: float = 0.5,
    min_decisions: int = MIN_DECISIONS,
    seed: int = 0,
) -> dict[str, Any]:
    """Fit on half the decided comments, measure agreement on the other half, global vs calibrated.

    The same threshold is applied to the global score and to the calibrated one: a community
    whose moderators are stricter (or laxer) than the model's training data agrees better
    with the calibrated score, which is the point of calibrating.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    order = np.random.default_rng(seed).permutation(len(scores))
    half = len(order) // 2
    train, test = order[:half], order[half:]
    fitted = fit_attribute(scores[train], labels[train], min_decisions)
    calibrated = fitted.apply(scores[test]) if fitted is not None else scores[test]
    return {
        "train": len(train),
        "test": len(test),
        "method": fitted.method if fitted is not None else "none (too few decisions)",
        "threshold": threshold,
        "global_agreement": agreement(scores[test], labels[test], threshold),
        "calibrated_agreement": agreement(calibrated, labels[test], threshold),
    }
