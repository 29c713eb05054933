"""Measuring a scorer on a labelled file the user brings (Jigsaw or Perspective column names)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from civility.attributes import attribute_for_column
from civility.data.files import iter_records, text_column
from civility.errors import InputFileError
from civility.evaluation.metrics import attribute_metrics
from civility.scoring import Scorer

BATCH_SIZE = 1024


def parse_label(value: Any) -> float:
    """A label cell as a probability; -1, empty or missing mean "not scored" (NaN)."""
    if value is None or value == "":
        return np.nan
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        lowered = str(value).strip().lower()
        if lowered in ("true", "yes", "toxic"):
            return 1.0
        if lowered in ("false", "no", "nontoxic", "non-toxic"):
            return 0.0
        raise InputFileError(f"label value {value!r} is not a number") from None
    return np.nan if number < 0 else number


def label_columns(record: dict[str, Any], labels: Sequence[str]) -> dict[str, str]:
    """Attribute -> column of the file, for every column that names one of our attributes."""
    found: dict[str, str] = {}
    for column in record:
        attribute = attribute_for_column(str(column))
        if attribute is not None and attribute.name in labels and attribute.name not in found:
            found[attribute.name] = str(column)
    return found


def evaluate_file(scorer: Scorer, path: str | Path, text_col: str | None = None) -> dict[str, Any]:
    """ROC-AUC, average precision and calibration error per attribute the file labels."""
    records = iter_records(path)
    texts: list[str] = []
    rows: list[list[float]] = []
    probs: list[np.ndarray] = []
    columns: dict[str, str] | None = None
    column: str | None = None
    count = 0
    while batch := list(islice(records, BATCH_SIZE)):
        if columns is None:
            column = text_column(batch[0], path, text_col)
            columns = label_columns(batch[0], scorer.labels_)
            if not columns:
                raise InputFileError(
                    f"{path}: no label columns. Expected any of toxic, severe_toxic, obscene, "
                    f"threat, insult, identity_hate or attribute names such as "
                    f"{', '.join(scorer.labels_)}."
                )
        texts = []
        for offset, record in enumerate(batch):
            value = record.get(column)
            if not isinstance(value, str) or not value.strip():
                raise InputFileError(f"{path}, record {count + offset + 1}: empty or missing text.")
            texts.append(value)
            try:
                rows.append(
                    [
                        parse_label(record.get(columns[a])) if a in columns else np.nan
                        for a in scorer.labels_
                    ]
                )
            except InputFileError as exc:
                raise InputFileError(
                    f"{path}, record {count + offset + 1}: {exc.message}"
                ) from None
        probs.append(scorer.predict_proba(texts))
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
