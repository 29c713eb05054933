"""The unintended-bias metrics against values worked out by hand on small arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civility.errors import InvalidParameterError
from civility.evaluation.bias import (
    bias_report,
    bias_table,
    bnsp_auc,
    bpsn_auc,
    final_bias_score,
    power_mean,
    subgroup_auc,
)

# Four comments mention the subgroup (first four), four do not.
Y = np.array([1, 1, 0, 0, 1, 0, 0, 1])
SCORES = np.array([0.9, 0.4, 0.6, 0.1, 0.8, 0.5, 0.2, 0.05])
IN_GROUP = np.array([True] * 4 + [False] * 4)


def test_subgroup_auc_ranks_only_within_the_subgroup() -> None:
    # positives 0.9, 0.4 vs negatives 0.6, 0.1: 3 of 4 pairs ordered.
    assert subgroup_auc(Y, SCORES, IN_GROUP) == pytest.approx(0.75)


def test_bpsn_auc_pits_subgroup_negatives_against_background_positives() -> None:
    # background positives 0.8, 0.05 vs subgroup negatives 0.6, 0.1: 2 of 4 pairs ordered.
    assert bpsn_auc(Y, SCORES, IN_GROUP) == pytest.approx(0.5)


def test_bnsp_auc_pits_subgroup_positives_against_background_negatives() -> None:
    # subgroup positives 0.9, 0.4 vs background negatives 0.5, 0.2: 3 of 4 pairs ordered.
    assert bnsp_auc(Y, SCORES, IN_GROUP) == pytest.approx(0.75)


def test_final_score_weighs_overall_auc_a_quarter() -> None:
    table = bias_table(Y, SCORES, {"group": IN_GROUP})
    # overall AUC: 10 of 16 pairs ordered = 0.625.
    expected = 0.25 * 0.625 + 0.75 * (0.75 + 0.5 + 0.75) / 3
    assert final_bias_score(0.625, table) == pytest.approx(expected)
    report = bias_report(Y, SCORES, {"group": IN_GROUP})
    assert report["overall_auc"] == pytest.approx(0.625)
    assert report["final_score"] == pytest.approx(expected)
    assert report["subgroups"][0]["size"] == 4
    assert report["subgroups"][0]["positives"] == 2


def test_power_mean_is_pulled_towards_the_worst_subgroup() -> None:
    assert power_mean([0.5, 1.0]) == pytest.approx(((0.5**-5 + 1.0) / 2) ** (-1 / 5))
    assert power_mean([0.5, 1.0]) < 0.6  # the arithmetic mean would say 0.75
    assert power_mean([0.8, 0.8, 0.8]) == pytest.approx(0.8)


def test_a_subgroup_with_one_class_is_undefined_and_left_out_of_the_means() -> None:
    only_negatives = np.array([False, False, True, True, False, False, False, False])
    rows = bias_table(Y, SCORES, {"mixed": IN_GROUP, "no_toxic": only_negatives})
    assert math.isnan(rows[1].subgroup_auc)
    assert not math.isnan(rows[1].bpsn_auc)
    assert power_mean([rows[0].subgroup_auc, rows[1].subgroup_auc]) == pytest.approx(0.75)


def test_mismatched_lengths_are_refused_with_the_shapes() -> None:
    with pytest.raises(InvalidParameterError, match=r"\(8,\)"):
        subgroup_auc(Y, SCORES, IN_GROUP[:5])
    with pytest.raises(InvalidParameterError, match="same length"):
        bias_table(Y, SCORES[:3], {})


@given(st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=1, max_size=20))
def test_power_mean_lies_between_the_minimum_and_the_arithmetic_mean(values: list[float]) -> None:
    result = power_mean(values)
    assert min(values) - 1e-9 <= result <= float(np.mean(values)) + 1e-9


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_metrics_depend_only_on_the_ranking(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = np.array([0, 1] * 10)
    scores = rng.random(20)
    members = rng.random(20) < 0.5
    members[:4] = True  # both classes in the subgroup, both in the background
    members[-4:] = False
    before = bias_table(labels, scores, {"g": members})[0]
    after = bias_table(labels, scores**3 * 10 + 1, {"g": members})[0]
    assert before == after


def test_model_card_section_lists_the_final_score_and_worst_subgroups() -> None:
    from civility.evaluation.fairness import bias_markdown

    other = np.array([False, False, False, False, True, True, True, True])
    templates = bias_report(Y, SCORES, {"a": IN_GROUP, "b": other})
    report = {"attribute": "TOXICITY", "templates": templates}
    text = bias_markdown(report, worst=1)
    assert "| templates | 8 | 0.625 |" in text
    assert "Worst 1 subgroups by BPSN AUC (templates): a 0.500." in text
