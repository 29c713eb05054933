"""The obfuscation benchmark: before/after figures and which texts get disguised."""

from __future__ import annotations

import numpy as np
import pytest

from civility.data.augment import OBFUSCATIONS
from civility.errors import UnknownNameError
from civility.evaluation.robustness import compare, perturb_toxic, recall_at, run_robustness
from civility.scoring import FastScorer


def test_compare_reports_drops_in_points_against_the_clean_row() -> None:
    y = np.array([1, 1, 0, 0])
    clean = np.array([0.9, 0.6, 0.4, 0.1])
    rows = compare(y, clean, {"spaced": np.array([0.3, 0.6, 0.4, 0.1])})
    assert rows[0].perturbation == "clean" and rows[0].auc == 1.0 and rows[0].recall == 1.0
    spaced = rows[1]
    assert spaced.auc == pytest.approx(0.75)  # 3 of 4 toxic/non-toxic pairs still ordered
    assert spaced.recall == pytest.approx(0.5)
    assert spaced.auc_drop_points == pytest.approx(25.0)
    assert spaced.recall_drop_points == pytest.approx(50.0)
    assert not spaced.meets_target and rows[0].meets_target


def test_the_control_shows_when_the_disguise_itself_is_the_signal() -> None:
    y = np.array([1, 0])
    # Disguised toxic text scores higher, but once the non-toxic text wears the same disguise
    # it scores higher still: the model rewards the disguise, not the meaning.
    rows = compare(y, [0.6, 0.4], {"masked_star": [0.9, 0.4]}, 0.5, {"masked_star": [0.9, 0.95]})
    assert rows[1].auc == 1.0 and rows[1].auc_all_disguised == 0.0
    assert rows[0].auc_all_disguised == rows[0].auc


def test_recall_counts_scores_at_the_threshold_as_caught() -> None:
    assert recall_at(np.array([1, 1, 0]), np.array([0.5, 0.2, 0.9]), 0.5) == 0.5


def test_only_toxic_texts_are_disguised() -> None:
    texts = ["you are an idiot", "thanks for the article", "shut up moron"]
    out = perturb_toxic(texts, [1, 0, 1], "dotted")
    assert out[1] == texts[1]
    assert out[0] != texts[0] and out[2] != texts[2]
    assert out == perturb_toxic(texts, [1, 0, 1], "dotted")
    assert perturb_toxic(texts, [1, 0, 1], "dotted", everything=True)[1] != texts[1]
    with pytest.raises(UnknownNameError):
        perturb_toxic(texts, [1, 0, 1], "pig_latin")


def test_benchmark_covers_every_disguise(tiny_scorer: FastScorer) -> None:
    texts = ["you are an idiot", "what a stupid moron", "thank you for this", "lovely weather"]
    report = run_robustness(tiny_scorer, texts, [1, 1, 0, 0])
    names = [row["perturbation"] for row in report["rows"]]  # type: ignore[attr-defined]
    assert names == ["clean", *OBFUSCATIONS]
    assert report["toxic"] == 2
