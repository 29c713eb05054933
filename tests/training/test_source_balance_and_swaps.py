"""Training options against shortcuts: sources weighted evenly, counterfactual copies of texts
that name a group, group mentions made no likelier toxic than the rest, and a chosen part of the
templated behaviours."""

from __future__ import annotations

import numpy as np

from civility.attributes import attribute_index
from civility.training.fast import (
    augment,
    balance_sources,
    decorrelate_identity_attacks,
    decorrelate_mentions,
    swapped_copies,
)


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


def test_decorrelating_makes_mentions_as_toxic_as_the_rest_of_their_source() -> None:
    texts = ["muslims are vermin"] * 3 + ["muslims run the food bank"]
    texts += ["you idiot"] + ["the bridge is late"] * 3 + ["women vote today", "no label"]
    sources = np.array(["hate"] * 8 + ["calm", "hate"])
    labels = np.full((10, 7), np.nan, dtype=np.float32)
    labels[:9, attribute_index("TOXICITY")] = [1, 1, 1, 0, 1, 0, 0, 0, 0]
    weights = decorrelate_mentions(np.ones((10, 7), dtype=np.float32), texts, labels, sources)
    toxic = labels[:, attribute_index("TOXICITY")] == 1
    for rows in (slice(0, 4), slice(4, 8)):
        share = weights[rows][toxic[rows], 0].sum() / weights[rows, 0].sum()
        assert share == 0.5, "mentions and the rest of the source: half toxic, as the source"
    np.testing.assert_array_equal(weights[8:, 0], [1.0, 1.0])


def test_identity_attacks_are_decorrelated_alone_and_only_where_every_cell_is_large() -> None:
    attack = attribute_index("IDENTITY_ATTACK")
    texts = ["muslims are vermin"] * 30 + ["muslims run the food bank"] * 30
    texts += ["you people are vermin"] * 20 + ["the bridge is late"] * 60
    labels = np.full((140, 7), np.nan, dtype=np.float32)
    labels[:, attack] = [1] * 30 + [0] * 30 + [1] * 20 + [0] * 60
    ones = np.ones((140, 7), dtype=np.float32)
    weights = decorrelate_identity_attacks(ones, texts, labels, np.array(["hate"] * 140))
    for rows in (slice(0, 60), slice(60, 140)):
        share = weights[rows][labels[rows, attack] == 1, attack].sum() / weights[rows, attack].sum()
        assert abs(share - 50 / 140) < 1e-6, "mentions as often attacks as the rest"
    assert (np.delete(weights, attack, axis=1) == 1).all()  # the other attributes untouched
    few = decorrelate_identity_attacks(ones[:70], texts[:70], labels[:70], np.array(["s"] * 70))
    assert (few == 1).all(), "a cell of 10 attacks without a group name: weights kept"


def test_only_the_chosen_behaviours_are_added() -> None:
    targets = np.zeros((1, 7), dtype=np.float32)
    out, out_targets, _ = augment(
        ["fine"],
        targets,
        np.ones_like(targets),
        np.random.default_rng(0),
        0.0,
        0,
        20,
        ["direct_threat"],
    )
    assert len(out) == 21
    assert (out_targets[1:, attribute_index("THREAT")] == 1.0).all()
