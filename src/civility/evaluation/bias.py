"""Unintended-bias metrics: does a model score comments differently because of who they mention?

A single ROC-AUC hides the failure Perspective became known for: "I am a gay black woman" scored
as toxic. Borkan et al. (2019, "Nuanced Metrics for Measuring Unintended Bias with Real Data for
Text Classification") split the question in three, per identity subgroup:

- **subgroup AUC**: can the model tell toxic from non-toxic comments *within* the subgroup?
- **BPSN AUC** (background positive, subgroup negative): are non-toxic mentions of the subgroup
  ranked below toxic comments about anyone else? Low values mean false alarms on the subgroup.
- **BNSP AUC** (background negative, subgroup positive): are toxic comments about the subgroup
  ranked above non-toxic comments about anyone else? Low values mean missed abuse of the subgroup.

Each of the three is summarised over subgroups with a generalized power mean (p = -5), which
sits close to the *worst* subgroup so that one badly treated group cannot be averaged away, and
the final score is ``0.25 * overall AUC + 0.75 * mean of the three power means``.

Everything here is a pure function over arrays; loading the evaluation sets lives elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from civility.errors import InvalidParameterError

POWER = -5.0
"""Exponent of the generalized mean; negative powers weigh the worst subgroups most."""
OVERALL_WEIGHT = 0.25
"""Weight of the overall AUC in the final score; the three bias means share the rest."""
BIAS_METRICS = ("subgroup_auc", "bpsn_auc", "bnsp_auc")


@dataclass(frozen=True)
class SubgroupResult:
    """One row of the bias table. AUCs are NaN when the slice lacks one of the two classes."""

    subgroup: str
    size: int
    positives: int
    subgroup_auc: float
    bpsn_auc: float
    bnsp_auc: float


def safe_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """ROC-AUC, or NaN when only one class is present (the metric is undefined there)."""
    if y_true.size == 0 or y_true.min() == y_true.max():
        return math.nan
    return float(roc_auc_score(y_true, y_score))


def _check(
    y_true: Sequence[float] | np.ndarray, y_score: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(y_true, dtype=np.float64)
    scores = np.asarray(y_score, dtype=np.float64)
    if labels.ndim != 1 or labels.shape != scores.shape:
        raise InvalidParameterError(
            f"y_true and y_score must be 1-d arrays of the same length. "
            f"Got shapes {labels.shape} and {scores.shape} instead."
        )
    return (labels >= 0.5).astype(np.int8), scores


def _mask(in_subgroup: Sequence[bool] | np.ndarray, n: int) -> np.ndarray:
    mask = np.asarray(in_subgroup, dtype=bool)
    if mask.shape != (n,):
        raise InvalidParameterError(
            f"The subgroup mask must have shape ({n},). Got {mask.shape} instead."
        )
    return mask


def subgroup_auc(y_true: np.ndarray, y_score: np.ndarray, in_subgroup: np.ndarray) -> float:
    """AUC restricted to the comments that mention the subgroup."""
    labels, scores = _check(y_true, y_score)
    mask = _mask(in_subgroup, labels.size)
    return safe_auc(labels[mask], scores[mask])


def bpsn_auc(y_true: np.ndarray, y_score: np.ndarray, in_subgroup: np.ndarray) -> float:
    """AUC on the subgroup's non-toxic comments plus the background's toxic ones."""
    labels, scores = _check(y_true, y_score)
    mask = _mask(in_subgroup, labels.size)
    keep = (mask & (labels == 0)) | (~mask & (labels == 1))
    return safe_auc(labels[keep], scores[keep])


def bnsp_auc(y_true: np.ndarray, y_score: np.ndarray, in_subgroup: np.ndarray) -> float:
    """AUC on the subgroup's toxic comments plus the background's non-toxic ones."""
    labels, scores = _check(y_true, y_score)
    mask = _mask(in_subgroup, labels.size)
    keep = (mask & (labels == 1)) | (~mask & (labels == 0))
    return safe_auc(labels[keep], scores[keep])


def power_mean(values: Sequence[float] | np.ndarray, p: float = POWER) -> float:
    """Generalized mean ``(mean(v ** p)) ** (1 / p)`` over the defined (non-NaN) values.

    With p = -5 a single subgroup at 0.5 pulls the mean of nine at 1.0 down to about 0.75,
    where the arithmetic mean would say 0.95.
    """
    array = np.asarray(values, dtype=np.float64)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return math.nan
    if p == 0:
        return float(np.exp(np.mean(np.log(array))))
    if (array <= 0).any() and p < 0:
        return 0.0
    return float(np.mean(array**p) ** (1.0 / p))


def bias_table(
    y_true: Sequence[float] | np.ndarray,
    y_score: Sequence[float] | np.ndarray,
    subgroups: Mapping[str, Sequence[bool] | np.ndarray],
) -> list[SubgroupResult]:
    """One row per subgroup, in the order given; labels >= 0.5 count as toxic."""
    labels, scores = _check(y_true, y_score)
    rows = []
    for name, members in subgroups.items():
        mask = _mask(members, labels.size)
        rows.append(
            SubgroupResult(
                subgroup=name,
                size=int(mask.sum()),
                positives=int(labels[mask].sum()),
                subgroup_auc=subgroup_auc(labels, scores, mask),
                bpsn_auc=bpsn_auc(labels, scores, mask),
                bnsp_auc=bnsp_auc(labels, scores, mask),
            )
        )
    return rows


def final_bias_score(overall_auc: float, table: Sequence[SubgroupResult]) -> float:
    """``0.25 * overall AUC + 0.75 * mean`` of the power means of the three bias metrics."""
    means = [power_mean([getattr(row, metric) for row in table]) for metric in BIAS_METRICS]
    return OVERALL_WEIGHT * overall_auc + (1 - OVERALL_WEIGHT) * float(np.mean(means))


def bias_report(
    y_true: Sequence[float] | np.ndarray,
    y_score: Sequence[float] | np.ndarray,
    subgroups: Mapping[str, Sequence[bool] | np.ndarray],
) -> dict[str, object]:
    """Everything ``civility bias`` prints and the model card stores, as plain JSON-able data."""
    labels, scores = _check(y_true, y_score)
    table = bias_table(labels, scores, subgroups)
    overall = safe_auc(labels, scores)
    return {
        "n": int(labels.size),
        "positives": int(labels.sum()),
        "overall_auc": overall,
        **{
            f"power_mean_{metric}": power_mean([getattr(row, metric) for row in table])
            for metric in BIAS_METRICS
        },
        "final_score": final_bias_score(overall, table),
        "subgroups": [asdict(row) for row in table],
    }
