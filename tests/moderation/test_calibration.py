"""Per-community calibration: on replayed decisions it agrees with the community's moderators."""

from __future__ import annotations

import numpy as np

from civility.moderation.calibration import compare_on_replay, fit_attribute, fit_calibration


def strict_community(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Moderators who reject from a model score of about 0.3, not the global 0.5."""
    rng = np.random.default_rng(seed)
    scores = rng.beta(1.2, 2.5, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-(scores - 0.3) * 25))).astype(float)
    return scores, labels


def test_calibrated_threshold_agrees_better_with_a_strict_community() -> None:
    scores, labels = strict_community(2000)
    result = compare_on_replay(scores, labels, threshold=0.5)
    assert result["method"] == "isotonic"
    assert result["calibrated_agreement"] > result["global_agreement"] + 0.05


def test_too_few_decisions_fall_back_to_the_global_model() -> None:
    scores, labels = strict_community(30)
    assert fit_attribute(scores, labels) is None
    assert fit_calibration({"TOXICITY": (scores, labels)}) is None
    few = compare_on_replay(scores, labels)
    assert few["calibrated_agreement"] == few["global_agreement"]


def test_only_calibrated_attributes_change() -> None:
    scores, labels = strict_community(120)
    calibration = fit_calibration({"TOXICITY": (scores, labels)})
    assert calibration is not None
    assert calibration.summary()["TOXICITY"]["method"] == "platt"
    probabilities = np.full((1, len(calibration.labels)), 0.35)
    out = calibration(probabilities)
    toxicity = calibration.labels.index("TOXICITY")
    assert out[0, toxicity] > 0.5  # 0.35 is a likely reject for this community
    others = [i for i in range(len(calibration.labels)) if i != toxicity]
    assert np.allclose(out[0, others], 0.35)
