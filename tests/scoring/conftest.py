"""The accurate tier fitted on the tiny corpus, for every scoring test module."""

from __future__ import annotations

import pytest

from civility.scoring import AccurateScorer
from conftest import load_tiny_corpus
from tests.scoring.tiny_encoder import write_tiny_encoder


@pytest.fixture(scope="session")
def tiny_accurate(tmp_path_factory: pytest.TempPathFactory) -> AccurateScorer:
    """An AccurateScorer on the tiny encoder, fitted on the tiny corpus."""
    pytest.importorskip("onnx")
    texts, Y = load_tiny_corpus()
    vocabulary = sorted({w.strip(".,!?'").lower() for t in texts for w in t.split()} - {""})
    encoder = write_tiny_encoder(tmp_path_factory.mktemp("encoder"), vocabulary)
    # The linear head: on 20 sentences and random word vectors it is the one that learns
    # single words well enough for the span tests. The hidden-layer head has its own tests.
    return AccurateScorer(encoder_dir=encoder, hidden_units=0, alpha=1e-3, max_iter=300).fit(
        texts, Y
    )
