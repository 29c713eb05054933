"""Fitting the ensemble: the per-attribute blend of the fast and accurate tiers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from civility.metrics import MIN_CLASS, roc_auc

WEIGHT_GRID = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 21))


def choose_weights(
    fast: np.ndarray,
    accurate: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    grid: Sequence[float] = WEIGHT_GRID,
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Per attribute, the weight of the accurate tier that maximises mean per-group ROC-AUC.

    ``labels`` may be soft and have NaN (unlabelled); a label >= 0.5 is a positive. Attributes
    no group can measure keep 0.5, the prior of two tiers of unknown relative merit. Returns
    the weights and, per attribute, the figures that chose them.
    """
    weights = np.full(labels.shape[1], 0.5)
    report: list[dict[str, Any]] = []
    for j in range(labels.shape[1]):
        cells = []
        for group in dict.fromkeys(groups.tolist()):
            rows = (groups == group) & ~np.isnan(labels[:, j])
            y = labels[rows, j] >= 0.5
            if min(int(y.sum()), int((~y).sum())) >= MIN_CLASS:
                cells.append((rows, y))
        if not cells:
            report.append({"groups": 0, "weight": 0.5})
            continue
        scores = [
            float(
                np.mean(
                    [
                        roc_auc(y, w * accurate[rows, j] + (1 - w) * fast[rows, j]) or 0.5
                        for rows, y in cells
                    ]
                )
            )
            for w in grid
        ]
        best = int(np.argmax(scores))
        weights[j] = grid[best]
        report.append(
            {
                "groups": len(cells),
                "weight": float(grid[best]),
                "mean_auc": round(scores[best], 4),
                "fast_auc": round(scores[0], 4),
                "accurate_auc": round(scores[-1], 4),
            }
        )
    return weights, report
