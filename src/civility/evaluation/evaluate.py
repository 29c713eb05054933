"""Measuring the models on a labelled file the user brings (Jigsaw or Perspective column names).

Each comment is scored as the server would score it: by its language's model (its record's
``language`` field, else the declared language, unless the text clearly says otherwise, else
detected), on the attributes served in that language. The figures are given pooled and per
language, so a site moderating in two languages sees each model on its own comments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from civility.data.files import iter_labelled
from civility.errors import InputFileError
from civility.languages import ENGLISH, normalize_language
from civility.metrics import attribute_metrics
from civility.scoring import LanguageScorers

BATCH_SIZE = 1024


def evaluate_file(
    languages: LanguageScorers,
    path: str | Path,
    text_col: str | None = None,
    declared: Sequence[str] = (),
) -> dict[str, Any]:
    """ROC-AUC, average precision and calibration error per attribute the file labels: pooled
    over every comment a model read (``attributes``) and per language (``languages``);
    ``unscored`` counts the comments in languages no model here reads, by language."""
    names = tuple(languages.scorer(ENGLISH).labels_)
    records = iter_labelled(path, text_col)
    label_rows: list[list[float]] = []
    prob_rows: list[list[float]] = []
    read_in: list[str] = []
    unscored: Counter[str] = Counter()
    count = 0
    while batch := list(islice(records, BATCH_SIZE)):
        own = [[normalize_language(code)] if code else list(declared) for _, _, code in batch]
        scored = languages.score([text for text, _, _ in batch], own)
        for (_, labels, _), (choice, scores) in zip(batch, scored, strict=True):
            if not scores:
                unscored[choice.language] += 1
                continue
            read_in.append(choice.language)
            prob_rows.append([scores.get(a, np.nan) for a in names])
            # An attribute the comment's language does not serve is not measured on it.
            label_rows.append([labels.get(a, np.nan) if a in scores else np.nan for a in names])
        count += len(batch)
    if count == 0:
        raise InputFileError(f"{path}: no records.")
    labels_array = np.array(label_rows, dtype=np.float64).reshape(-1, len(names))
    probs_array = np.array(prob_rows, dtype=np.float64).reshape(-1, len(names))
    codes = np.array(read_in)

    def measured(rows: np.ndarray) -> dict[str, Any]:
        metrics = attribute_metrics(labels_array[rows], probs_array[rows], names)
        return {a: m for a, m in metrics.items() if m["n"] > 0}

    return {
        "file": str(path),
        "n": count,
        "model": languages.scorer(ENGLISH).version,
        "attributes": measured(np.ones(len(read_in), dtype=bool)),
        "languages": {
            code: {
                "n": int((codes == code).sum()),
                "model": languages.scorer(code).version,
                "attributes": measured(codes == code),
            }
            for code in sorted(set(read_in))
        },
        "unscored": dict(unscored.most_common()),
    }
