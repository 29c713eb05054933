"""Counting some sources' clean texts more: which cells change, and which never do."""

from __future__ import annotations

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES, attribute_index
from civility.training.fast import weight_clean_texts

TOXICITY = attribute_index("TOXICITY")


def labels_with_toxicity(values: list[float]) -> np.ndarray:
    labels = np.full((len(values), len(ATTRIBUTE_NAMES)), np.nan, dtype=np.float32)
    labels[:, TOXICITY] = values
    return labels


def test_only_the_named_sources_texts_labelled_clean_are_weighted() -> None:
    labels = labels_with_toxicity([0.0, 1.0, 0.0, 0.0, np.nan])
    sources = np.array(
        ["hatexplain", "hatexplain", "fox_news_comments", "hatexplain", "hatexplain"]
    )
    weights = np.ones_like(labels)
    weighted = weight_clean_texts(weights, labels, sources, {"hatexplain": 2.0})
    np.testing.assert_array_equal(weighted[:, TOXICITY], [2.0, 1.0, 1.0, 2.0, 1.0])
    assert (weights == 1.0).all(), "the caller's weights must not change"


def test_a_text_whose_annotators_disagreed_is_not_clean() -> None:
    labels = labels_with_toxicity([1 / 3])
    weighted = weight_clean_texts(
        np.ones_like(labels), labels, np.array(["hatexplain"]), {"hatexplain": 2.0}
    )
    assert (weighted == 1.0).all()


def test_an_unknown_source_is_refused_by_name() -> None:
    labels = labels_with_toxicity([0.0])
    with pytest.raises(ValueError, match="hatexplian"):
        weight_clean_texts(
            np.ones_like(labels), labels, np.array(["hatexplain"]), {"hatexplian": 2.0}
        )


@pytest.mark.parametrize("multiplier", [-1.0, float("nan"), float("inf")])
def test_a_multiplier_that_would_break_the_fit_is_refused(multiplier: float) -> None:
    labels = labels_with_toxicity([0.0])
    with pytest.raises(ValueError, match="finite and at least 0"):
        weight_clean_texts(
            np.ones_like(labels), labels, np.array(["hatexplain"]), {"hatexplain": multiplier}
        )
