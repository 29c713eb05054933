"""Which comments count as mentioning which identity group."""

from __future__ import annotations

import numpy as np

from civility.evaluation.identity_data import (
    IdentitySet,
    load_real_comments,
    load_templates,
    mentioned_groups,
)
from tests.conftest import requires_data


def test_group_words_are_matched_as_whole_words() -> None:
    assert mentioned_groups("My Muslim neighbours and their gay son") == {"muslim", "lgbtq"}
    assert mentioned_groups("the transport plan is womanly") == set()  # no partial words
    assert mentioned_groups("Refugees and immigrants") == {"immigrants"}
    assert mentioned_groups("") == set()


def test_small_subgroups_are_dropped_from_the_table() -> None:
    data = IdentitySet("x")
    for i in range(12):
        data.add(f"text {i}", i % 2, {"big"} | ({"small"} if i < 3 else set()))
    masks = data.subgroups(min_size=10)
    assert list(masks) == ["big"]
    assert masks["big"].dtype == np.bool_ and masks["big"].sum() == 12


@requires_data
def test_template_terms_take_the_longest_match() -> None:
    data = load_templates()
    by_text = dict(zip(data.texts, data.members, strict=True))
    assert by_text["I am african american"] == {"african american"}
    assert by_text["I am older"] == {"older"}
    assert by_text["hug trans"] == {"trans"}
    assert sum(data.labels) == 38_282


@requires_data
def test_real_comments_are_validation_texts_with_both_classes_per_large_group() -> None:
    data = load_real_comments()
    assert 2_000 < len(data.texts) < 10_000  # the 10% validation split of three sets
    labels = np.array(data.labels)
    for name, mask in data.subgroups(min_size=100).items():
        assert 0 < labels[mask].sum() < mask.sum(), name
