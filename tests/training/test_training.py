"""Training on a slice of the shared data: the whole pipeline, end to end, small."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from civility.attributes import attribute_index
from civility.cli import main
from civility.data import load_corpus
from civility.evaluation.report import leave_one_source_out
from civility.scoring import FastScorer
from civility.training.fast import TrainingConfig, train_fast
from tests.conftest import requires_data

pytestmark = [requires_data, pytest.mark.data, pytest.mark.slow]

SOURCES = ["hatexplain", "stormfront_degibert2018", "paradetox", "toxic-spans"]


@pytest.fixture(scope="module")
def trained() -> tuple[FastScorer, dict]:
    corpus = load_corpus(SOURCES, limit_per_source=3000)
    config = TrainingConfig(identity_sentences=500, behaviour_sentences=300)
    config.scorer_params["max_iter"] = 60
    return train_fast(corpus, config)


def test_a_small_slice_learns_toxicity(trained: tuple[FastScorer, dict]) -> None:
    _, metadata = trained
    validation = metadata["metrics"]["validation"]["all"]
    assert validation["TOXICITY"]["roc_auc"] > 0.8
    assert validation["IDENTITY_ATTACK"]["roc_auc"] > 0.75


def test_training_records_sources_licences_and_span_figures(
    trained: tuple[FastScorer, dict],
) -> None:
    scorer, metadata = trained
    assert set(metadata["training"]["sources"]) == set(SOURCES)
    assert metadata["training"]["licence_classes"] == ["A"]
    assert "Jigsaw" in metadata["training"]["teachers"]
    assert 0.3 < metadata["metrics"]["spans"]["test_f1"] <= 1
    assert scorer.span_thresholds_["TOXICITY"] == metadata["metrics"]["spans"]["threshold"]


def test_training_is_deterministic_for_a_seed() -> None:
    corpus = load_corpus(["fox_news_comments"])
    config = TrainingConfig(identity_sentences=50, behaviour_sentences=50)
    config.scorer_params["max_iter"] = 15
    first, _ = train_fast(corpus, config, evaluate=False)
    second, _ = train_fast(corpus, config, evaluate=False)
    texts = corpus.texts[:50]
    np.testing.assert_array_equal(first.predict_proba(texts), second.predict_proba(texts))


def test_train_command_writes_an_artifact_with_a_manifest_and_card(tmp_path: Path) -> None:
    out = tmp_path / "model"
    args = ["train", "--source", "fox_news_comments", "--limit", "800", "--max-iter", "10"]
    args += ["--alpha", "1e-4", "--clean-weight", "fox_news_comments=3"]
    args += ["--identity-swaps", "--source-balance", "0.5", "--behaviour-sentences", "0"]
    args += ["--decorrelate-mentions", "--behaviour", "direct_threat"]
    args += ["--behaviour-scale", "direct_threat=2"]
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--no-evaluate", "--output", str(out)])
    assert exit_.value.code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["training"]["sources"]["fox_news_comments"]["licence"] == "MIT"
    assert manifest["params"]["alpha"] == 1e-4
    recorded = manifest["training"]["config"]
    assert recorded["clean_weights"] == {"fox_news_comments": 3.0}
    assert (recorded["identity_swaps"], recorded["source_balance"]) == (True, 0.5)
    assert recorded["decorrelate_mentions"] is True
    assert recorded["behaviours"] == ["direct_threat"]
    assert recorded["behaviour_scales"] == {"direct_threat": 2.0}
    assert (recorded["behaviour_sentences"], recorded["identity_sentences"]) == (0, 800)
    assert "fox_news_comments" in (out / "MODEL_CARD.md").read_text()
    assert FastScorer.load(out).predict_proba(["hello"]).shape == (1, len(manifest["labels"]))


def test_leave_one_source_out_scores_each_held_out_source() -> None:
    config = TrainingConfig(identity_sentences=300, behaviour_sentences=300)
    config.scorer_params["max_iter"] = 20
    results = leave_one_source_out(
        ["hatexplain", "stormfront_degibert2018", "fox_news_comments"],
        config=config,
        limit_per_source=1500,
    )
    assert set(results) == {"hatexplain", "stormfront_degibert2018", "fox_news_comments"}
    assert all(auc is not None and 0.5 < auc <= 1 for auc in results.values())


def test_counting_a_sources_clean_texts_more_lowers_their_scores() -> None:
    corpus = load_corpus(["fox_news_comments"])
    toxicity = corpus.labels[:, attribute_index("TOXICITY")]
    clean = [t for t, y in zip(corpus.texts, toxicity, strict=True) if y == 0.0][:200]
    scores = []
    for multiplier in (1.0, 5.0):
        config = TrainingConfig(
            identity_sentences=50,
            behaviour_sentences=50,
            clean_weights={"fox_news_comments": multiplier},
        )
        config.scorer_params["max_iter"] = 15
        scorer, _ = train_fast(corpus, config, evaluate=False)
        scores.append(scorer.predict_proba(clean)[:, scorer.labels_.index("TOXICITY")].mean())
    assert scores[1] < scores[0] - 0.02
