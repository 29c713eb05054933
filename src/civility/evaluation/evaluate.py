"""Measuring a scorer on a labelled file the user brings (Jigsaw or Perspective column names)."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from civility.data.files import iter_labelled
from civility.errors import InputFileError
from civility.metrics import attribute_metrics
from civility.scoring import Scorer

BATCH_SIZE = 1024


def evaluate_file(scorer: Scorer, path: str | Path, text_col: str | None = None) -> dict[str, Any]:
    """ROC-AUC, average precision and calibration error per attribute the file labels."""
    records = iter_labelled(path, text_col)
    rows: list[list[float]] = []
    probs: list[np.ndarray] = []
    count = 0
    while batch := list(islice(records, BATCH_SIZE)):
        probs.append(scorer.predict_proba([text for text, _ in batch]))
        rows += [[labels.get(a, np.nan) for a in scorer.labels_] for _, labels in batch]
        count += len(batch)
    if count == 0:
        raise InputFileError(f"{path}: no records.")
    labels = np.array(rows, dtype=np.float64)
    metrics = attribute_metrics(labels, np.vstack(probs), scorer.labels_)
    return {
        "file": str(path),
        "n": count,
        "model": scorer.version,
        "attributes": {a: m for a, m in metrics.items() if m["n"] > 0},
    }
