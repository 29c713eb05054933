"""Calibration per attribute: when the model says 0.8, is the comment toxic 80% of the time?

Moderation policies put thresholds on scores, so a score must mean the same thing across
attributes. The reliability diagram bins predictions and plots the observed share of positives
against the mean prediction; a calibrated attribute sits on the diagonal. One panel per
attribute, saved as a PNG for the evaluation report and the model card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class ReliabilityCurve:
    """Per non-empty bin: mean prediction, observed positive share and count."""

    mean_predicted: np.ndarray
    fraction_positive: np.ndarray
    counts: np.ndarray

    @property
    def expected_calibration_error(self) -> float:
        """Count-weighted mean gap between prediction and outcome over the bins."""
        total = self.counts.sum()
        if total == 0:
            return float("nan")
        gaps = np.abs(self.mean_predicted - self.fraction_positive)
        return float((gaps * self.counts).sum() / total)


def reliability_curve(y_true: np.ndarray, y_prob: np.ndarray, bins: int = 10) -> ReliabilityCurve:
    """Equal-width bins over [0, 1]; labels >= 0.5 count as positive; empty bins are dropped."""
    labels = (np.asarray(y_true, dtype=np.float64) >= 0.5).astype(np.float64)
    probs = np.clip(np.asarray(y_prob, dtype=np.float64), 0.0, 1.0)
    index = np.minimum((probs * bins).astype(int), bins - 1)
    counts = np.bincount(index, minlength=bins)
    sum_prob = np.bincount(index, weights=probs, minlength=bins)
    sum_pos = np.bincount(index, weights=labels, minlength=bins)
    keep = counts > 0
    return ReliabilityCurve(
        sum_prob[keep] / counts[keep], sum_pos[keep] / counts[keep], counts[keep]
    )


def plot_reliability(
    curves: Mapping[str, ReliabilityCurve], path: str | Path, title: str = ""
) -> Path:
    """One reliability panel per attribute in a single PNG; returns the path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(1, len(curves))
    columns = min(4, n)
    rows = (n + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(curves) :]:
        ax.set_visible(False)
    for ax, (name, curve) in zip(axes.flat, curves.items(), strict=False):
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
        ax.plot(curve.mean_predicted, curve.fraction_positive, marker="o", color="tab:blue")
        ax.set_title(
            f"{name}\nECE {curve.expected_calibration_error:.3f}, n={curve.counts.sum()}",
            fontsize=9,
        )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("mean predicted", fontsize=8)
        ax.set_ylabel("observed positive share", fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return target
