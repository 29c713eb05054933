"""Two training options against identity-word shortcuts: sources weighted evenly, and
counterfactual copies of texts that name a group."""

from __future__ import annotations

import numpy as np

from civility.training.fast import balance_sources, swapped_copies


def test_balancing_gives_every_source_the_same_total_weight() -> None:
    sources = np.array(["big"] * 8 + ["small"] * 2)
    weights = np.ones((10, 3), dtype=np.float32)
    balanced = balance_sources(weights, sources, 1.0)
    assert balanced[sources == "big"].sum() == balanced[sources == "small"].sum()
    assert balance_sources(weights, sources, 0.0) is weights


def test_swapped_copies_keep_labels_and_leave_texts_without_groups_alone() -> None:
    texts = ["muslims run the food bank", "the bridge is late", "Women are idiots"]
    targets = np.array([[0.0], [0.0], [1.0]], dtype=np.float32)
    weights = np.array([[1.0], [1.0], [2.0]], dtype=np.float32)
    out, out_targets, out_weights = swapped_copies(
        texts, targets, weights, np.random.default_rng(0)
    )
    assert out[:3] == texts
    assert out[3].endswith(" run the food bank") and not out[3].startswith("muslims")
    assert out[4] == "Men are idiots"
    np.testing.assert_array_equal(out_targets[3:], [[0.0], [1.0]])
    np.testing.assert_array_equal(out_weights[3:], [[1.0], [2.0]])
