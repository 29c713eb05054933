"""Shared fixtures: a tiny model trained on our own sentences, and the shared data location."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.scoring import FastScorer, Scorer

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

requires_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data is not available on this machine"
)


class RecordingScorer:
    """Scores with ``scorer`` and records how many texts each call asked for."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        self.calls: list[int] = []
        self.labels_ = scorer.labels_
        self.version = scorer.version

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return self.scorer.predict_proba(texts)

    def __getattr__(self, name: str) -> object:
        return getattr(self.scorer, name)


def load_tiny_corpus() -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    for line in (FIXTURES / "tiny_corpus.jsonl").read_text().splitlines():
        record = json.loads(line)
        texts.append(record["text"])
        rows.append([float(record[a]) if a in record else np.nan for a in ATTRIBUTE_NAMES])
    return texts, np.array(rows)


@pytest.fixture(scope="session")
def tiny_scorer() -> FastScorer:
    """A FastScorer fitted on 20 hand-written sentences: enough to tell insults from thanks."""
    texts, Y = load_tiny_corpus()
    return FastScorer(min_df=1, alpha=1e-4, max_iter=200).fit(texts * 3, np.vstack([Y] * 3))


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_scorer: FastScorer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models root (``CIVILITY_MODEL_DIR``) whose ``fast/`` tier is the tiny scorer."""
    root = tmp_path_factory.mktemp("models")
    tiny_scorer.save(root / "fast", metadata={"model_version": "tiny"})
    return root
