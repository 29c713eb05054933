"""The templated behaviour sentences: labelled as promised, reproducible, apart from the suite."""

from __future__ import annotations

import re

import numpy as np
import pytest

from civility.attributes import ATTRIBUTE_NAMES
from civility.data.behaviours import BEHAVIOURS, behaviour_sentences
from civility.errors import UnknownNameError
from civility.evaluation.functional import load_suite


def _letters(text: str) -> str:
    """Only the letters: "you absolute p r i c k" and "You absolute prick." are one case."""
    return "".join(re.findall(r"[a-z]+", text.lower()))


@pytest.fixture(scope="module")
def generated() -> tuple[list[str], np.ndarray]:
    return behaviour_sentences(np.random.default_rng(0), 400)


def test_every_behaviour_fills_its_templates_without_leftover_slots(
    generated: tuple[list[str], np.ndarray],
) -> None:
    texts, labels = generated
    assert len(texts) == sum(round(400 * b.share) for b in BEHAVIOURS) == len(labels)
    assert not [t for t in texts if "{" in t or "}" in t or "  " in t]
    assert all(re.search(r"[A-Za-z0-9]", t).group().isupper() or t[0].isdigit() for t in texts)
    assert not [t for t in texts if re.search(r"\ba [aeio]|\ban [bcdfgjklmnpqrstvwxz]", t)]


def test_labels_follow_each_behaviour_and_leave_the_rest_unlabelled() -> None:
    column = {name: i for i, name in enumerate(ATTRIBUTE_NAMES)}
    for behaviour in BEHAVIOURS:
        texts, labels = behaviour_sentences(np.random.default_rng(1), 50, [behaviour.name])
        assert len(texts) == round(50 * behaviour.share)
        for name in ATTRIBUTE_NAMES:
            values = labels[:, column[name]]
            if name in behaviour.labels:
                assert (values == behaviour.labels[name]).all()
            else:
                assert np.isnan(values).all()


def test_threats_and_their_look_alikes_disagree_only_on_threat() -> None:
    _, threat_labels = behaviour_sentences(np.random.default_rng(2), 20, ["direct_threat"])
    _, calm_labels = behaviour_sentences(np.random.default_rng(2), 20, ["violence_without_threat"])
    threat = ATTRIBUTE_NAMES.index("THREAT")
    assert (threat_labels[:, threat] == 1).all() and (calm_labels[:, threat] == 0).all()


def test_the_same_seed_gives_the_same_sentences() -> None:
    first = behaviour_sentences(np.random.default_rng(7), 30)
    second = behaviour_sentences(np.random.default_rng(7), 30)
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])
    assert behaviour_sentences(np.random.default_rng(8), 30)[0] != first[0]


@pytest.mark.parametrize("suite", ["functional", "holdout"])
def test_no_generated_sentence_is_a_functional_suite_case(suite: str) -> None:
    """The suites measure what the templates teach; they must not also be what they teach."""
    texts, _ = behaviour_sentences(np.random.default_rng(0), 3000)
    cases = {_letters(case.text) for case in load_suite(suite)}
    assert not [t for t in texts if _letters(t) in cases]


def test_unknown_behaviour_names_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="direct_threat"):
        behaviour_sentences(np.random.default_rng(0), 5, ["threats"])


def test_a_scale_multiplies_one_behaviours_count_and_leaves_the_others() -> None:
    counter = next(b for b in BEHAVIOURS if b.name == "counter_speech_and_negation")
    texts, _ = behaviour_sentences(
        np.random.default_rng(3), 20, scales={"counter_speech_and_negation": 3.0}
    )
    assert len(texts) == sum(round(20 * b.share) for b in BEHAVIOURS) + round(40 * counter.share)
    with pytest.raises(UnknownNameError, match="counter_speech_and_negation"):
        behaviour_sentences(np.random.default_rng(0), 5, scales={"counter_speech": 2.0})
