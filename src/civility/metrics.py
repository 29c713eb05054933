"""The figures every evaluation reports, as pure functions over arrays."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

MIN_CLASS = 10
"""Texts of each class a ROC-AUC needs before it says something of the model, not of a few
texts: Toxic Spans' validation posts hold 7 non-toxic ones, and its TOXICITY AUC moved by
0.095 between two fast-tier models whose AUC on every other source moved by 0.025 at most."""


def _binary(y_true: np.ndarray) -> np.ndarray:
    return (np.asarray(y_true, dtype=np.float64) >= 0.5).astype(int)


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float | None:
    """ROC-AUC with labels >= 0.5 as positives; None when only one class is present."""
    y = _binary(y_true)
    if len(y) == 0 or y.min() == y.max():
        return None
    return float(roc_auc_score(y, y_score))


def average_precision(y_true: np.ndarray, y_score: np.ndarray) -> float | None:
    y = _binary(y_true)
    if y.max(initial=0) == 0:
        return None
    return float(average_precision_score(y, y_score))


def expected_calibration_error(y_true: np.ndarray, y_prob: np.ndarray, bins: int = 10) -> float:
    """Mean |observed rate - predicted probability| over equal-width bins, weighted by size.

    Soft labels count as their probability, so a 0.7 label predicted at 0.7 is calibrated.
    """
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_prob, dtype=np.float64)
    if len(p) == 0:
        return 0.0
    which = np.minimum((p * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            error += in_bin.mean() * abs(y[in_bin].mean() - p[in_bin].mean())
    return float(error)


def span_f1(predicted: Iterable[set[int]], gold: Iterable[set[int]]) -> float:
    """SemEval-2021 Toxic Spans F1: per-post character-offset F1, averaged over posts.

    A post with no gold offsets scores 1 when nothing is predicted, else 0.
    """
    scores = []
    for pred, true in zip(predicted, gold, strict=True):
        if not true:
            scores.append(1.0 if not pred else 0.0)
            continue
        if not pred:
            scores.append(0.0)
            continue
        overlap = len(pred & true)
        precision, recall = overlap / len(pred), overlap / len(true)
        scores.append(0.0 if overlap == 0 else 2 * precision * recall / (precision + recall))
    return float(np.mean(scores)) if scores else 0.0


class AttributeMetrics(TypedDict):
    """One attribute's figures on one set of texts; a figure is None where it cannot be read."""

    n: int
    positives: int
    roc_auc: float | None
    average_precision: float | None
    ece: float | None


def attribute_metrics(
    labels: np.ndarray, probs: np.ndarray, attributes: Sequence[str]
) -> dict[str, AttributeMetrics]:
    """ROC-AUC, average precision and calibration error per attribute, on labelled rows only."""
    result: dict[str, AttributeMetrics] = {}
    for j, attribute in enumerate(attributes):
        known = ~np.isnan(labels[:, j])
        y, p = labels[known, j], probs[known, j]
        result[attribute] = {
            "n": int(known.sum()),
            "positives": int((y >= 0.5).sum()),
            "roc_auc": roc_auc(y, p),
            "average_precision": average_precision(y, p),
            "ece": expected_calibration_error(y, p) if known.any() else None,
        }
    return result


def is_measurable(cell: Mapping[str, Any], min_class: int = MIN_CLASS) -> bool:
    """Whether an ``attribute_metrics`` cell holds enough texts of each class to be read."""
    if cell.get("roc_auc") is None:
        return False
    return min(cell["positives"], cell["n"] - cell["positives"]) >= min_class


def mean_over_sources(
    report: Mapping[str, Mapping[str, Mapping[str, Any]]], attribute: str
) -> float | None:
    """Mean ROC-AUC of ``attribute`` over the sources of ``report`` that can measure it.

    Every source counts once, so the largest does not decide alone; one that cannot measure
    the attribute (``is_measurable``) does not count at all. ``report`` maps sources to
    ``attribute_metrics`` results; its ``all`` entry is left out.
    """
    aucs = [
        cells[attribute]["roc_auc"]
        for source, cells in report.items()
        if source != "all" and attribute in cells and is_measurable(cells[attribute])
    ]
    return float(np.mean(aucs)) if aucs else None
